"""Tumour-level response over a treatment course, driven by the signalling model.

Model (per tumour; every parameter documented in :data:`TUMOUR_MODEL` or drawn per tumour in
:mod:`her2sim.trials.population`)::

    B(t) = S(t) + R(t)                                    tumour burden (cells)
    d ln S/dt = lam + on(t) * e_i  - chemo kills          sensitive cells
    d ln R/dt = lam                - chemo kills (early setting only)   resistant cells
    e_i = targeted_scale * s_T,i^targeted_spread * 24 * (g_treated,i - g_untreated,i)

``lam`` is the tumour's intrinsic net growth rate (per day). ``g`` are the signalling model's
steady-state net growth rates of that tumour's cells (1/h) untreated and at the patient's drug
exposure (:func:`her2sim.trials._flagship.signalling_rates`), so genotype (PIK3CA, PTEN, p95-HER2,
HER3, IGF1R) and PK act through the signalling network. The signalling call runs in vivo
(``in_vivo = 1``), so ``g_treated`` carries trastuzumab's FcγR-dependent immune kill (ADCC,
Clynes 2000), proportional to the antibody bound on each tumour's surface HER2. Resistant cells ``R`` do not respond to the targeted drugs; in the metastatic setting they are
also cross-resistant to chemotherapy (assumed: pretreated metastatic disease carries acquired
multi-drug resistance, which is what ends a response), while in chemo-naive early disease
chemotherapy kills them as it kills ``S``. ``targeted_scale`` carries the in-vitro
rate change into the tumour (calibrated), ``s_T`` its spread between tumours. Each chemotherapy
dose removes ``chemo_log_kill * units * s_C,i * (hr_chemo_factor if HR+)`` natural-log units from
both populations (a pulsed log-kill, Skipper's law). ``on(t)`` is 1 while the arm's targeted
drugs are given. A population below one cell is extinct and stays so.

The solution is closed-form (log-burden is piecewise linear with jumps), evaluated on a weekly
grid in one vectorised numpy expression per chunk. Read-outs:

* **pCR**: burden at surgery (the end of the last phase) below ``pcr_threshold_cells``.
* **ORR** (RECIST 1.1): best change of the sum of diameters (``diameter ∝ burden^(1/3)``, a
  sphere at constant cell density) at the assessments (and at surgery) ≤ −30 %.
* **PFS**: the first assessment at which the diameter is ≥ 20 % (and ≥ 0.5 cm) above its nadir,
  censored at the patient's follow-up (uniform between the trial's shortest and longest).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .spec import CHEMOTHERAPY, Arm

__all__ = ["TUMOUR_MODEL", "TumourModel", "exposures", "respond", "treatment_grid"]

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class TumourModel:
    """Global tumour-level parameters (calibrated ones marked so in :data:`TUMOUR_MODEL`)."""

    chemo_log_kill: float = 1.0
    targeted_scale: float = 0.1
    hr_chemo_factor: float = 0.7
    targeted_spread: float = 1.0
    small_molecule_tumour_ratio: float = 1.0
    pcr_threshold_cells: float = 1e5


#: Parameter -> (default, kind, source/reason). ``calibrated`` ones are fitted by
#: :mod:`her2sim.trials.calibration` on the training arms.
TUMOUR_MODEL: dict[str, tuple[float, str, str]] = {
    "chemo_log_kill": (1.0, "calibrated", "natural-log kill per unit chemotherapy dose (CHEMOTHERAPY table)"),
    "targeted_scale": (0.1, "calibrated", "fraction of the in-vitro signalling growth-rate change realised in the tumour"),
    "hr_chemo_factor": (0.7, "calibrated",
                        "chemotherapy kill of HR+ tumours relative to HR- (HR+ tumours have lower pCR: C42)"),
    "targeted_spread": (1.0, "calibrated",
                        ("multiplier of the log-spread of the tumours' targeted sensitivity s_T "
                        "(s_T,eff = s_T ** targeted_spread): how heterogeneous in-vivo response to the same "
                        "signalling change is")),
    "small_molecule_tumour_ratio": (1.0, "calibrated (grid)",
                                    ("free concentration of oral kinase inhibitors at the tumour cells relative to "
                                    "free plasma (tissue accumulation; antibodies stay at 1). Identified by the T vs "
                                    "T+L training arms; it changes the signalling call, so it is fitted on a grid")),
    "pcr_threshold_cells": (1e5, "assumed",
                            ("pCR (ypT0/is) when fewer than 1e5 invasive cells remain (0.1 mm^3 at 1e9 cells/cm^3): "
                            "pathological sampling of the tumour bed at mm spacing misses smaller residual foci")),
}


def exposures(df: pd.DataFrame, arm: Arm, model: TumourModel | None = None) -> dict[str, np.ndarray]:
    """Free average steady-state concentration (nM) of each of the arm's drugs at the tumour, per patient.

    ``Cavg = Cavg_typical / (CL_i / CL_typical)``: the time-averaged concentration of a linear PK
    model depends on clearance only; volume (drawn too) only shapes the swing within a dosing
    interval, which the quasi-steady signalling read-out does not resolve. Small molecules are
    multiplied by ``model.small_molecule_tumour_ratio`` (tumour vs plasma).
    """
    from ..library import pk

    ratio = model.small_molecule_tumour_ratio if model is not None else 1.0
    out: dict[str, np.ndarray] = {}
    for d in arm.drugs:
        reg = d.to_regimen()
        typical = pk.steady_state_summary(reg, weeks=15.0)["cavg_free_nM"]
        name = pk.pk_model(d.drug).drug
        factor = 1.0 if d.antibody else ratio
        out[name] = out.get(name, 0.0) + factor * typical / df[f"cl_{name}"].to_numpy()
    return out


def treatment_grid(arm: Arm, horizon_weeks: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Weekly grid of the arm: times (days), cumulative targeted-on days, cumulative chemo units.

    Values at grid point ``w`` are just after that week's doses. Returns also the end of the
    last finite phase (days; surgery in the neoadjuvant setting).
    """
    weeks = math.ceil(horizon_weeks) + 1
    days = np.arange(weeks * 7 + 1, dtype=float)
    on = np.zeros(days.size)
    units = np.zeros(days.size)
    start = 0.0
    for ph in arm.phases:
        end = horizon_weeks * 7.0 if ph.weeks is None else start + ph.weeks * 7.0
        in_phase = (days >= start) & (days < end)
        if ph.targeted:
            on[in_phase] = 1.0
        if ph.chemo is not None:
            interval, per_dose, _ = CHEMOTHERAPY[ph.chemo]
            dose_days = np.arange(start, end, interval)
            if ph.chemo_doses is not None:
                dose_days = dose_days[: ph.chemo_doses]
            np.add.at(units, np.clip(dose_days.astype(int), 0, days.size - 1), per_dose)
        start = end
        if start >= days[-1]:
            break
    finite_end = sum(ph.weeks for ph in arm.phases if ph.weeks is not None) * 7.0
    on_cum = np.concatenate([[0.0], np.cumsum(on[:-1])])  # days on drug before each day
    units_cum = np.cumsum(units)  # doses given up to and including each day
    grid = np.arange(0, days.size, 7)
    return days[grid], on_cum[grid], units_cum[grid], finite_end


def respond(df: pd.DataFrame, arm: Arm, model: TumourModel, *, horizon_weeks: float,
            assessment_weeks: float, followup_months: tuple[float, float],
            surgery: bool, setting: str = "early") -> pd.DataFrame:
    """Read-outs of the tumours of ``df`` (all on ``arm``) under the tumour model.

    ``df`` needs the population columns and ``growth_untreated``/``growth_treated`` (1/h) and
    ``status`` from the signalling call. Failed tumours (status != 0) get NaN read-outs.
    """
    n = len(df)
    t, on_cum, units_cum, surgery_day = treatment_grid(arm, horizon_weeks)
    ok = (df["status"].to_numpy() == 0)
    lam = df["growth_rate_per_day"].to_numpy()
    dg = (df["growth_treated"].to_numpy() - df["growth_untreated"].to_numpy()) * 24.0
    s_t = df["targeted_sensitivity"].to_numpy() ** model.targeted_spread
    e = model.targeted_scale * s_t * np.nan_to_num(dg)
    kill = model.chemo_log_kill * df["chemo_sensitivity"].to_numpy() * np.where(
        df["hr_positive"].to_numpy(), model.hr_chemo_factor, 1.0)
    b0 = df["burden_cells"].to_numpy()
    f_r = df["resistant_fraction"].to_numpy()
    ln_s = (np.log(b0 * (1 - f_r))[:, None] + lam[:, None] * t[None, :] + e[:, None] * on_cum[None, :]
            - kill[:, None] * units_cum[None, :])
    kill_r = kill if setting == "early" else np.zeros(n)
    ln_r = np.log(b0 * f_r)[:, None] + lam[:, None] * t[None, :] - kill_r[:, None] * units_cum[None, :]
    # extinction: below one cell at a grid point (just after a dose) stays extinct
    s = np.where(np.logical_or.accumulate(ln_s < 0, axis=1), 0.0, np.exp(np.minimum(ln_s, 80.0)))
    r = np.where(np.logical_or.accumulate(ln_r < 0, axis=1), 0.0, np.exp(np.minimum(ln_r, 80.0)))
    burden = s + r
    diameter = df["diameter_cm"].to_numpy()[:, None] * np.cbrt(burden / b0[:, None])
    out = pd.DataFrame({"tumour": df["tumour"].to_numpy()})
    step = max(1, round(assessment_weeks))
    assess = np.zeros(t.size, bool)
    assess[::step] = True
    if surgery:
        k_surg = min(round(surgery_day / 7.0), t.size - 1)
        assess[k_surg + 1:] = False
        assess[k_surg] = True
        out["burden_at_surgery"] = burden[:, k_surg]
        out["pcr"] = burden[:, k_surg] < model.pcr_threshold_cells
    # assessment 0 is the pre-treatment baseline (grid point 0 is just after the first doses)
    d0 = df["diameter_cm"].to_numpy()
    d_assess = np.concatenate([d0[:, None], diameter[:, assess][:, 1:]], axis=1)
    best = d_assess[:, 1:].min(axis=1) / d0 - 1.0 if d_assess.shape[1] > 1 else np.zeros(n)
    out["best_change"] = best
    out["orr"] = best <= -0.30
    # PFS: first assessment with diameter >= 1.2 x nadir so far and >= +0.5 cm
    nadir = np.minimum.accumulate(d_assess, axis=1)
    prev_nadir = np.concatenate([d_assess[:, :1], nadir[:, :-1]], axis=1)
    progressed = (d_assess >= 1.2 * prev_nadir) & (d_assess - prev_nadir >= 0.5)
    progressed[:, 0] = False
    t_assess = t[assess]
    first = np.where(progressed.any(axis=1), progressed.argmax(axis=1), -1)
    fu_lo, fu_hi = followup_months
    followup = (fu_lo + (fu_hi - fu_lo) * df["followup_fraction"].to_numpy()) * DAYS_PER_MONTH
    event_time = np.where(first >= 0, t_assess[np.maximum(first, 0)], np.inf)
    event = event_time <= followup
    out["pfs_months"] = np.where(event, event_time, followup) / DAYS_PER_MONTH
    out["pfs_event"] = event
    out["log10_burden_end"] = np.log10(np.maximum(burden[:, -1], 1.0))
    out["drug_effect_per_day"] = e
    for col in ("pcr", "best_change", "orr", "pfs_months", "pfs_event", "burden_at_surgery"):
        if col in out:
            out[col] = out[col].astype(float).where(ok)
    return out
