"""Clinical regimens through compartmental pharmacokinetics, as model inputs.

Antibodies follow a linear 2-compartment model with intravenous dosing; small molecules a
1-compartment model with first-order oral absorption (apparent ``CL/F``, ``V/F``). Concentrations
are computed analytically by superposition of single-dose responses (all models are linear), so
any regimen costs one vectorised sum. The free plasma concentration (total × unbound fraction)
is what the signalling model receives, as a piecewise-constant hourly ``schedule`` of its
``<drug>_nM`` parameters (:func:`regimen_schedule`).

Sourced vs assumed
------------------
Every PK value carries ``(kind, source, note)`` in :attr:`PKModel.provenance`; ``kind`` is
``sourced`` (read in the cited row), ``derived`` (computed from sourced values; the note shows
how) or ``assumed`` (no source found; the note says why the value was chosen). Rows ``K..``
are those of the project's pharmacology notes, cited with the original paper or label.

* trastuzumab — CL 0.241 L/day, Vc 3.02 L, Vp 2.68 L sourced (Herceptin SmPC, K05); Q derived
  so that the terminal half-life is 28.5 days (Bruno 2005, Cancer Chemother Pharmacol 56:361);
  68 kg body weight sourced (SmPC typical patient, K05). Infusions are taken as boluses
  (30-90 min against a 21-day cycle).
* pertuzumab — CL 0.214 L/day and Vc 40 mL/kg sourced from Ng 2005 (Clin Pharmacol Ther,
  doi:10.1016/j.clpt.2004.12.019, as summarised in a secondary review); Vp and Q assumed equal to
  trastuzumab's (same IgG1 framework and target).
* lapatinib — CL/F = dose/AUCτ and V/F from the effective half-life, derived from the Tyverb
  label (K08); ka derived from Tmax 4 h; unbound fraction 0.01 from ">99 % bound" (an upper bound).
* neratinib — CL/F 281 L/h and Vss/F 6433 L sourced (Nerlynx label, K10); ka derived from
  Tmax 5 h (midpoint of 2-8 h); unbound fraction 0.01 (">99 % bound").
* alpelisib — V/F 114 L, half-life 7.6 h and unbound fraction 0.108 sourced (Piqray label,
  K16); CL/F derived; ka from Tmax 3 h (midpoint of 2-4 h).
* capivasertib — CL/F derived from the steady-state AUC (8069 h·ng/mL, taken over the 12 h
  dosing interval) and V/F derived to reproduce Cmax,ss 1371 ng/mL (Truqap label, K17); ka
  from Tmax 1.5 h. Plasma protein binding was not found: the *total* concentration is used
  (flagged ``free_fraction_known=False``; an upper bound of the free concentration).
* T-DM1 — CL 0.68 L/day sourced, V derived from the half-life of about 4 days (Kadcyla label,
  population PK; 1-compartment, infusion taken as a bolus). Conjugate concentrations; the DM1
  payload is not modelled.
* trametinib — i.v. CL 3.21 L/h, V 976 L and bioavailability 72.3 % (microtracer study, Br J
  Clin Pharmacol 2014;78:524), so CL/F and V/F derived; Tmax 1.5 h; unbound fraction 0.03 (~97 %
  bound, drug monograph; "> 95 %" in the same paper).
* tucatinib — CL/F 148 L/h, V/F 1670 L and unbound fraction 0.029 sourced (Tukysa label, K13);
  Tmax 2 h taken (not in K13; it does not change the average exposure).
* everolimus — half-life 30 h sourced (phase I, J Clin Oncol 2008;26:1588, K18); unbound
  fraction 0.26 from "protein binding approximately 74 %" (label summary, secondary source);
  CL/F derived so that the steady-state trough equals 12.9 ng/mL, the median of the trough
  quartile boundaries at 10 mg/day (K18); ka from Tmax 1.5 h (label 1-2 h). Everolimus troughs
  are whole-blood values and everolimus concentrates in red cells: plasma = blood × 0.333
  (``plasma_per_measured``; see :data:`EVEROLIMUS_PLASMA_PER_BLOOD`).
* erlotinib — V/F 232 L, median half-life 36.2 h, Tmax 4 h and 93 % plasma protein binding
  sourced (Tarceva label); CL/F derived (V/F ln 2 / t1/2 = 4.44 L/h).
* afatinib — CL/F 42.3 L/h sourced from the population PK model of Freiwald M et al. 2014
  (Cancer Chemother Pharmacol 73:759-70; typical patient: 62 kg, male, fasted, ECOG 0), read in
  a public implementation of that model (OliversLab/SimKi, ``CPP/afatinib.cpp``; the paper
  itself was not opened). The published model has two compartments (V2/F 456 L, k23 0.170 /h,
  k32 0.0685 /h, ka 0.252 /h); the 1-compartment model here keeps its CL/F, so the average
  exposure dose/(CL/F tau) is the published one, and takes V/F from the steady-state terminal
  half-life of about 37 h (Wind S et al. 2013, Clin Pharmacokinet 52:1101, abstract read) and
  Tmax 3.5 h (midpoint of the 2-5 h in the same abstract); unbound fraction 0.05 ("~95 %
  bound", label summary, pharmacology.md K12).

Tumour partitioning
-------------------
The signalling model receives the free plasma concentration. Where a tumour-to-plasma ratio was
measured in patients, :func:`tumour_partition` returns it with its source (:data:`TUMOUR_PARTITION`)
and :func:`steady_state_summary` reports ``cavg_free_tumour_nM`` = free plasma average × ratio, the
exposure the clinical table shows in its "tumour" column. The ratio is one of *total* concentrations
(tissue homogenate vs plasma), so applying it to the free concentration assumes tumour tissue binds
the drug like plasma does; drugs without a published ratio have no tumour factor (``None``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, final

import numpy as np
import xarray as xr
from scipy.optimize import brentq

from ..errors import UnknownNameError, ValidationError

__all__ = [
    "PKModel",
    "Regimen",
    "PK_MODELS",
    "REGIMENS",
    "pk_model",
    "regimen",
    "concentration",
    "concentration_profile",
    "regimen_schedule",
    "steady_state_summary",
    "TUMOUR_PARTITION",
    "tumour_partition",
]

Kind = Literal["iv_2cmt", "iv_1cmt", "oral_1cmt"]
Prov = tuple[str, str, str]  # (kind, source, note)

K05 = "Herceptin SmPC, population PK (pharmacology.md K05)"
BRUNO = "Bruno R et al. 2005, Cancer Chemother Pharmacol 56:361-9 (terminal t1/2 28.5 d)"
NG2005 = ("Ng CM et al. 2005, Clin Pharmacol Ther (doi:10.1016/j.clpt.2004.12.019), CL 0.214 L/day, "
          "Vc 40 mL/kg, as summarised in a secondary review")
K08 = "Tyverb Fachinformation (Swiss label), pharmacology.md K08"
K10 = "Nerlynx label (mirror), pharmacology.md K10"
K16 = "Piqray Fachinformation (Swiss label), pharmacology.md K16"
K17 = "Truqap label (rxreasoner mirror), pharmacology.md K17"
K18 = "everolimus phase I PK/PD, J Clin Oncol 2008;26:1588-95 (PMID 18332470) and S0931 troughs, pharmacology.md K18"
EVEROLIMUS_BINDING = "everolimus label summary (drugster.info monograph): protein binding approximately 74 %"
TRAMETINIB_BCP = ("Leonowens C et al. 2014, Br J Clin Pharmacol 78:524-32 (PMID 24606567; abstract read): absolute "
                  "bioavailability 72.3 %, i.v. CL 3.21 L/h, V 976 L, median Tmax 1.5 h")
KADCYLA = ("Kadcyla (ado-trastuzumab emtansine) US label, section 12.3, population PK (120ty.net label "
           "mirror): CL 0.68 L/day, t1/2 approximately 4 days, no accumulation at 3.6 mg/kg q3w")
K13 = "Tukysa label (medex.com.bd / rxreasoner mirrors), pharmacology.md K13"
TARCEVA = ("Tarceva (erlotinib) US label, CLINICAL PHARMACOLOGY (rxdrugnews.com / clustermed.info mirrors): about "
           "60 % absorbed, Tmax 4 h, 93 % bound to albumin and alpha1-acid glycoprotein, V/F 232 L, median t1/2 36.2 h")
FREIWALD_2014 = ("Freiwald M et al. 2014, Cancer Chemother Pharmacol 73:759-70 (afatinib population PK), read in "
                 "the public implementation OliversLab/SimKi CPP/afatinib.cpp (GitHub; paper not opened): CL/F 42.3 "
                 "L/h, V2/F 456 L, k23 0.170 /h, k32 0.0685 /h, ka 0.252 /h, reference weight 62 kg")
WIND_2013 = ("Wind S et al. 2013, Clin Pharmacokinet 52:1101-9 (PMID 23813493; abstract read): Cmax 2-5 h after "
             "dosing, steady state within 8 days, geometric mean terminal half-life at steady state about 37 h, "
             "221 patients, 10-100 mg once daily")
SPECTOR_2015 = ("Spector NL, Robertson FC, Bacus S et al. 2015, PLoS One 10:e0142845 (lapatinib plasma and tumour "
                "concentrations in patients with breast cancer, 1000 or 1500 mg/day before surgery)")

#: Tumour-to-plasma ratios of total concentration measured in patients: drug -> (ratio, provenance).
#: Only lapatinib has one here. The value is recalled, not read: the paper was found (dx.plos.org page)
#: but its results text could not be opened with the tools of this work, so the provenance kind is
#: ``assumed`` and the clinical table keeps its plasma-exposure verdict as the declared one.
TUMOUR_PARTITION: dict[str, tuple[float, Prov]] = {
    "lapatinib": (4.0, ("assumed", SPECTOR_2015,
                        "recalled from Spector et al. 2015, not verified here: lapatinib tumour concentrations "
                        "several-fold (about 4-fold taken; recall spans 3-10-fold) above plasma after 10-14 days "
                        "of daily dosing. Applied to the free plasma concentration, i.e. tumour tissue taken to "
                        "bind lapatinib like plasma; extra tissue binding (lysosomal trapping) would make the "
                        "free tumour concentration lower than this. Verification tried again (sources branch): "
                        "the pages, docs, issues and code corpora return only the dx.plos.org title and author "
                        "block of the paper (no abstract or results text), no PMC copy and no repository quoting "
                        "its numbers; the other tumour data found are mouse brain-metastasis distributions "
                        "(Taskar 2012, PMC3489161) and a [11C]lapatinib PET volume of distribution in brain "
                        "metastases (EJNMMI Res 2015), neither a breast-tumour-to-plasma ratio in patients; so "
                        "still not verified")),
}
#: Everolimus concentrates in red cells: the Afinitor label states that about 20 % of the drug in
#: blood is in plasma at the concentrations of 10 mg/day (recalled, not read in this work); with a
#: haematocrit of 0.40, plasma/blood = 0.20/(1 - 0.40) = 0.333. ter Heine R et al. 2016 (Clin
#: Pharmacokinet 55:1447, PMID 27299325; abstract read) confirms erythrocyte accumulation and that
#: whole-blood concentrations must be corrected for haematocrit before they stand for plasma.
EVEROLIMUS_PLASMA_PER_BLOOD = 0.20 / (1.0 - 0.40)
EVEROLIMUS_BLOOD_NOTE = (
    "plasma/whole-blood ratio 0.333 = 20 % of blood drug in plasma (Afinitor label; recalled, not read) / "
    "(1 - haematocrit 0.40); need for the correction sourced: ter Heine 2016 Clin Pharmacokinet 55:1447")


def _ka_from_tmax(k: float, tmax: float) -> float:
    """Absorption rate constant giving ``tmax`` for a 1-compartment oral model with elimination ``k``."""
    return brentq(lambda ka: math.log(ka / k) / (ka - k) - tmax, k * 1.0001, 100.0)


@final
@dataclass(frozen=True)
class PKModel:
    """Linear PK of one drug; rates per hour, volumes in litres, concentrations in mg/L.

    ``iv_2cmt``: ``CL, Q, Vc, Vp``. ``iv_1cmt``: ``CL, V``. ``oral_1cmt``: ``CL_F, V_F, ka`` (apparent, oral).
    ``free_fraction`` converts total to unbound plasma concentration. ``plasma_per_measured``
    converts the matrix the PK was fitted in to plasma (1 for plasma; < 1 for a drug measured in
    whole blood that concentrates in red cells, such as everolimus); the free concentration is
    ``measured × plasma_per_measured × free_fraction``.
    """

    drug: str
    kind: Kind
    parameters: Mapping[str, float]
    free_fraction: float
    provenance: Mapping[str, Prov]
    free_fraction_known: bool = True
    note: str = ""
    plasma_per_measured: float = 1.0

    def __post_init__(self) -> None:
        if not self.plasma_per_measured > 0:
            raise ValidationError(f"PKModel {self.drug!r}: plasma_per_measured must be > 0")
        need = {"iv_2cmt": ("CL", "Q", "Vc", "Vp"), "iv_1cmt": ("CL", "V"),
                "oral_1cmt": ("CL_F", "V_F", "ka")}[self.kind]
        for key in need:
            if not self.parameters.get(key, 0) > 0:
                raise ValidationError(f"PKModel {self.drug!r}: parameter {key} must be > 0")
            if key not in self.provenance:
                raise ValidationError(f"PKModel {self.drug!r}: parameter {key} needs provenance")
        if not 0 < self.free_fraction <= 1:
            raise ValidationError(f"PKModel {self.drug!r}: free_fraction must be in (0, 1]")

    def unit_response(self, t: np.ndarray) -> np.ndarray:
        """Total concentration (mg/L) after a 1 mg dose at ``t = 0`` (0 before)."""
        t = np.asarray(t, dtype=float)
        out = np.zeros_like(t)
        pos = t >= 0
        p = self.parameters
        if self.kind == "iv_1cmt":
            out[pos] = np.exp(-p["CL"] / p["V"] * t[pos]) / p["V"]
        elif self.kind == "iv_2cmt":
            k10, k12, k21 = p["CL"] / p["Vc"], p["Q"] / p["Vc"], p["Q"] / p["Vp"]
            s = k10 + k12 + k21
            disc = math.sqrt(s * s - 4 * k10 * k21)
            alpha, beta = (s + disc) / 2, (s - disc) / 2
            a = (alpha - k21) / (p["Vc"] * (alpha - beta))
            b = (k21 - beta) / (p["Vc"] * (alpha - beta))
            out[pos] = a * np.exp(-alpha * t[pos]) + b * np.exp(-beta * t[pos])
        else:
            k, ka = p["CL_F"] / p["V_F"], p["ka"]
            out[pos] = ka / (p["V_F"] * (ka - k)) * (np.exp(-k * t[pos]) - np.exp(-ka * t[pos]))
        return out

    @property
    def terminal_half_life_h(self) -> float:
        """Terminal half-life in hours."""
        p = self.parameters
        if self.kind == "oral_1cmt":
            return math.log(2) * p["V_F"] / p["CL_F"]
        if self.kind == "iv_1cmt":
            return math.log(2) * p["V"] / p["CL"]
        k10, k12, k21 = p["CL"] / p["Vc"], p["Q"] / p["Vc"], p["Q"] / p["Vp"]
        s = k10 + k12 + k21
        beta = (s - math.sqrt(s * s - 4 * k10 * k21)) / 2
        return math.log(2) / beta


@final
@dataclass(frozen=True)
class Regimen:
    """A dosing regimen: ``(time_h, amount)`` pairs generated from a pattern.

    ``loading`` is the first dose (defaults to ``maintenance``); doses are in mg, or mg/kg
    if ``per_kg`` (multiplied by ``body_weight_kg``). ``days_on``/``days_off`` describe
    intermittent schedules (capivasertib 4 on / 3 off).
    """

    name: str
    drug: str
    maintenance: float
    interval_h: float
    loading: float | None = None
    per_kg: bool = False
    body_weight_kg: float = 68.0
    days_on: int | None = None
    days_off: int = 0
    source: str = ""

    def __post_init__(self) -> None:
        if not (self.maintenance > 0 and self.interval_h > 0):
            raise ValidationError(f"Regimen {self.name!r}: dose and interval must be > 0")

    def doses(self, t_end_h: float) -> tuple[np.ndarray, np.ndarray]:
        """Dose times (h) and amounts (mg) up to ``t_end_h``."""
        times, amounts = [], []
        scale = self.body_weight_kg if self.per_kg else 1.0
        n = 0
        t = 0.0
        while t < t_end_h:
            on = True
            if self.days_on is not None:
                day = int(t // 24.0) % (self.days_on + self.days_off)
                on = day < self.days_on
            if on:
                dose = self.loading if (n == 0 and self.loading is not None) else self.maintenance
                times.append(t)
                amounts.append(dose * scale)
                n += 1
            t += self.interval_h
        return np.asarray(times), np.asarray(amounts)


def _oral(drug: str, *, cl_f: float, v_f: float, tmax: float, fu: float, prov: Mapping[str, Prov],
          fu_known: bool = True, note: str = "", plasma_per_measured: float = 1.0) -> PKModel:
    k = cl_f / v_f
    ka = _ka_from_tmax(k, tmax)
    prov = dict(prov)
    tmax_prov = prov.get("tmax", ("", "", ""))
    prov.setdefault("ka", ("derived" if tmax_prov[0] != "assumed" else "assumed",
                           tmax_prov[1], f"from Tmax {tmax:g} h and k = CL/F / V/F. {tmax_prov[2]}".strip()))
    return PKModel(drug, "oral_1cmt", {"CL_F": cl_f, "V_F": v_f, "ka": ka}, fu, prov, fu_known, note,
                   plasma_per_measured)


def _build() -> dict[str, PKModel]:
    models: dict[str, PKModel] = {}
    # trastuzumab: Q so that the terminal half-life is 28.5 d
    cl, vc, vp = 0.241 / 24, 3.02, 2.68

    def t_half(q: float) -> float:
        return PKModel("trastuzumab", "iv_2cmt", {"CL": cl, "Q": q, "Vc": vc, "Vp": vp}, 1.0,
                       {k: ("", "", "") for k in ("CL", "Q", "Vc", "Vp")}).terminal_half_life_h

    q = brentq(lambda q: t_half(q) - 28.5 * 24, 1e-5, 10.0)
    models["trastuzumab"] = PKModel(
        "trastuzumab", "iv_2cmt", {"CL": cl, "Q": q, "Vc": vc, "Vp": vp}, 1.0,
        {"CL": ("sourced", K05, "0.241 L/day"), "Vc": ("sourced", K05, "3.02 L"), "Vp": ("sourced", K05, "2.68 L"),
         "Q": ("derived", BRUNO, f"Q = {q * 24:.3g} L/day gives a terminal half-life of 28.5 days")},
        note="antibody: no plasma protein binding; target-mediated (shed ECD) elimination neglected")
    # pertuzumab
    vc_p = 0.040 * 68.0
    models["pertuzumab"] = PKModel(
        "pertuzumab", "iv_2cmt", {"CL": 0.214 / 24, "Q": q, "Vc": vc_p, "Vp": vp}, 1.0,
        {"CL": ("sourced", NG2005, "0.214 L/day"), "Vc": ("sourced", NG2005, "40 mL/kg × 68 kg"),
         "Vp": ("assumed", "", "not found; trastuzumab's value (same IgG1 framework and target)"),
         "Q": ("assumed", "", "not found; trastuzumab's derived value")},
        note="antibody: no plasma protein binding")
    # T-DM1 (conjugate): label population PK, CL 0.68 L/day, t1/2 ~4 days, no accumulation q3w
    v_tdm1 = 0.68 * 4.0 / math.log(2)
    models["T-DM1"] = PKModel(
        "T-DM1", "iv_1cmt", {"CL": 0.68 / 24, "V": v_tdm1}, 1.0,
        {"CL": ("sourced", KADCYLA, "ADC clearance 0.68 L/day"),
         "V": ("derived", KADCYLA, f"CL x t1/2 (~4 days) / ln 2 = {v_tdm1:.2f} L")},
        note="antibody-drug conjugate (ADC) concentrations; no plasma protein binding; the payload is not modelled")
    # trametinib: i.v. CL and V with absolute bioavailability (microtracer study), Tmax 1.5 h
    models["trametinib"] = _oral("trametinib", cl_f=3.21 / 0.723, v_f=976.0 / 0.723, tmax=1.5, fu=0.03, prov={
        "CL_F": ("derived", TRAMETINIB_BCP, "i.v. CL 3.21 L/h / F 0.723 = 4.44 L/h"),
        "V_F": ("derived", TRAMETINIB_BCP, "i.v. V 976 L / F 0.723 = 1350 L"),
        "tmax": ("sourced", TRAMETINIB_BCP, "median Tmax 1.5 h"),
        "free_fraction": ("sourced", "trametinib drug monograph (rpsi.ir generic-drug record): protein binding ~97 %; "
                                     "Br J Clin Pharmacol 2014;78:524 states > 95 %", "unbound 0.03")},
        note=("unbound fraction 0.03 (~97 % bound); average 18.8 ng/mL at 2 mg qd, against median troughs of "
              "10.6-13.6 ng/mL in the phase 2/3 studies (Ouellet 2016 population PK, abstract)"))
    # lapatinib
    cl_f = 1250.0 / 36.2
    v_f = cl_f * 24.0 / math.log(2)
    models["lapatinib"] = _oral("lapatinib", cl_f=cl_f, v_f=v_f, tmax=4.0, fu=0.01, prov={
        "CL_F": ("derived", K08, "1250 mg / AUCtau 36.2 ug·h/mL"),
        "V_F": ("derived", K08, "CL/F × effective t1/2 24 h / ln 2"),
        "tmax": ("sourced", K08, "Tmax 4 h")}, note="unbound fraction 0.01 from '>99 % bound' (upper bound)")
    models["neratinib"] = _oral("neratinib", cl_f=281.0, v_f=6433.0, tmax=5.0, fu=0.01, prov={
        "CL_F": ("sourced", K10, "281 L/h at steady state"), "V_F": ("sourced", K10, "Vss/F 6433 L"),
        "tmax": ("sourced", K10, "Tmax 2-8 h; midpoint 5 h")}, note="unbound fraction 0.01 from '>99 % bound'")
    v_alp = 114.0
    models["alpelisib"] = _oral("alpelisib", cl_f=v_alp * math.log(2) / 7.6, v_f=v_alp, tmax=3.0, fu=0.108, prov={
        "CL_F": ("derived", K16, "Vss/F 114 L × ln 2 / t1/2 7.6 h"), "V_F": ("sourced", K16, "Vss/F 114 L"),
        "tmax": ("sourced", K16, "Tmax 2-4 h; midpoint 3 h")}, note="unbound fraction 0.108 (label)")
    # capivasertib: V/F so that Cmax,ss (bid, steady state within the 4 on days) = 1371 ng/mL
    cl_cap = 400.0 / 8.069

    def cmax_ss(v: float) -> float:
        m = _oral("capivasertib", cl_f=cl_cap, v_f=v, tmax=1.5, fu=1.0, prov={
            "CL_F": ("", "", ""), "V_F": ("", "", ""), "tmax": ("", "", "")})
        t = np.arange(0.0, 12.0, 0.05)
        total = sum(m.unit_response(t + 12.0 * n) for n in range(60))
        return float(400.0 * total.max())

    # V/F above CL/F·Tmax, else no absorption rate gives that Tmax
    v_cap = brentq(lambda v: cmax_ss(v) - 1.371, 1.05 * cl_cap * 1.5, 5000.0)
    models["capivasertib"] = _oral(
        "capivasertib", cl_f=cl_cap, v_f=v_cap, tmax=1.5, fu=1.0, fu_known=False, prov={
            "CL_F": ("derived", K17, "400 mg / AUC,ss 8069 h·ng/mL (taken over the 12 h interval)"),
            "V_F": ("derived", K17, f"{v_cap:.0f} L reproduces Cmax,ss 1371 ng/mL with continuous bid dosing"),
            "tmax": ("sourced", K17, "Tmax 1-2 h; 1.5 h")},
        note="plasma protein binding not found: total concentration used (upper bound of free)")
    # everolimus: CL/F so that the steady-state trough at 10 mg/day is 12.9 ng/mL
    k_e = math.log(2) / 30.0

    def trough(cl_e: float) -> float:
        m = _oral("everolimus", cl_f=cl_e, v_f=cl_e / k_e, tmax=1.5, fu=1.0, prov={
            "CL_F": ("", "", ""), "V_F": ("", "", ""), "tmax": ("", "", "")})
        return float(10.0 * sum(m.unit_response(np.asarray([24.0 * n + 23.999])) for n in range(60))[0])

    cl_e = brentq(lambda c: trough(c) - 0.0129, 1.0, 500.0)
    models["everolimus"] = _oral("everolimus", cl_f=cl_e, v_f=cl_e / k_e, tmax=1.5, fu=0.26, prov={
        "CL_F": ("derived", K18, f"{cl_e:.1f} L/h reproduces a whole-blood trough of 12.9 ng/mL at 10 mg/day"),
        "V_F": ("derived", K18, "CL/F × t1/2 30 h / ln 2"),
        "tmax": ("sourced", "everolimus label summary (drugster.info monograph)", "Tmax 1-2 h; 1.5 h"),
        "free_fraction": ("sourced", EVEROLIMUS_BINDING, "unbound fraction 0.26"),
        "plasma_per_measured": ("assumed", "", EVEROLIMUS_BLOOD_NOTE)},
        note="troughs (K18) are whole-blood values; plasma = whole blood × 0.333 (erythrocyte uptake)",
        plasma_per_measured=EVEROLIMUS_PLASMA_PER_BLOOD)
    # tucatinib: label CL/F and V/F (K13); the average exposure is dose/(CL/F·tau) whatever Tmax is
    models["tucatinib"] = _oral("tucatinib", cl_f=148.0, v_f=1670.0, tmax=2.0, fu=1.0 - 0.971, prov={
        "CL_F": ("sourced", K13, "CL/F 148 L/h"), "V_F": ("sourced", K13, "V/F 1670 L"),
        "tmax": ("assumed", "", "Tmax is not in K13; 2 h taken (it shapes only peak and trough, not the "
                                 "average free exposure, which is dose/(CL/F·tau))"),
        "free_fraction": ("sourced", K13, "97.1 % bound, so unbound 0.029")},
        note="unbound fraction 0.029 (label)")
    # erlotinib: label V/F and median half-life give CL/F; Tmax 4 h; 93 % bound
    cl_erl = 232.0 * math.log(2) / 36.2
    models["erlotinib"] = _oral("erlotinib", cl_f=cl_erl, v_f=232.0, tmax=4.0, fu=1.0 - 0.93, prov={
        "CL_F": ("derived", TARCEVA, f"V/F 232 L x ln 2 / median t1/2 36.2 h = {cl_erl:.2f} L/h"),
        "V_F": ("sourced", TARCEVA, "apparent volume of distribution 232 L"),
        "tmax": ("sourced", TARCEVA, "peak plasma levels 4 h after dosing"),
        "free_fraction": ("sourced", TARCEVA, "93 % protein bound, so unbound 0.07")},
        note="unbound fraction 0.07 (label); plasma concentrations")
    # afatinib: population CL/F (Freiwald 2014); V/F from the steady-state terminal half-life (37 h, Wind 2013)
    cl_afa = 42.3
    v_afa = cl_afa * 37.0 / math.log(2)
    models["afatinib"] = _oral("afatinib", cl_f=cl_afa, v_f=v_afa, tmax=3.5, fu=0.05, prov={
        "CL_F": ("sourced", FREIWALD_2014, "typical CL/F 42.3 L/h (62 kg, male, fasted, ECOG 0)"),
        "V_F": ("derived", f"{FREIWALD_2014}; {WIND_2013}",
                f"CL/F x t1/2 37 h / ln 2 = {v_afa:.0f} L: the 1-compartment volume with the published terminal "
                "half-life (the published 2-compartment volumes sum to 456 + 456 x 0.170/0.0685 = 1588 L); the "
                "average exposure dose/(CL/F tau) does not depend on it"),
        "tmax": ("sourced", WIND_2013, "Cmax 2-5 h after dosing; midpoint 3.5 h"),
        "free_fraction": ("sourced", "hospital formulary label summary (pharmacology.md K12): ~95 % bound",
                          "unbound 0.05")},
        note="unbound fraction 0.05 (~95 % bound); 1-compartment reduction of the 2-compartment population model")
    return models


_MODELS: dict[str, PKModel] | None = None


def _models() -> dict[str, PKModel]:
    global _MODELS
    if _MODELS is None:
        _MODELS = _build()
    return _MODELS


def PK_MODELS() -> dict[str, PKModel]:  # noqa: N802 - a registry accessor, spelled like a constant
    """All PK models, keyed by drug name."""
    return dict(_models())


REGIMENS: dict[str, Regimen] = {
    "trastuzumab q3w": Regimen("trastuzumab q3w", "trastuzumab", 6.0, 21 * 24.0, loading=8.0, per_kg=True,
                               source="Herceptin label: 8 mg/kg loading, then 6 mg/kg every 3 weeks"),
    "pertuzumab q3w": Regimen("pertuzumab q3w", "pertuzumab", 420.0, 21 * 24.0, loading=840.0,
                              source="Perjeta label: 840 mg loading, then 420 mg every 3 weeks"),
    "lapatinib 1250 mg qd": Regimen("lapatinib 1250 mg qd", "lapatinib", 1250.0, 24.0, source="Tyverb label (K08)"),
    "neratinib 240 mg qd": Regimen("neratinib 240 mg qd", "neratinib", 240.0, 24.0, source="Nerlynx label"),
    "alpelisib 300 mg qd": Regimen("alpelisib 300 mg qd", "alpelisib", 300.0, 24.0, source="Piqray label"),
    "capivasertib 400 mg bid 4/3": Regimen("capivasertib 400 mg bid 4/3", "capivasertib", 400.0, 12.0, days_on=4,
                                           days_off=3, source="Truqap label: 400 mg bid, 4 days on, 3 days off"),
    "everolimus 10 mg qd": Regimen("everolimus 10 mg qd", "everolimus", 10.0, 24.0, source="Afinitor label"),
    "T-DM1 3.6 mg/kg q3w": Regimen("T-DM1 3.6 mg/kg q3w", "T-DM1", 3.6, 21 * 24.0, per_kg=True,
                                   source="Kadcyla label: 3.6 mg/kg every 3 weeks"),
    "trametinib 2 mg qd": Regimen("trametinib 2 mg qd", "trametinib", 2.0, 24.0,
                                  source="Mekinist label: 2 mg once daily"),
    "tucatinib 300 mg bid": Regimen("tucatinib 300 mg bid", "tucatinib", 300.0, 12.0,
                                    source="Tukysa label: 300 mg twice daily (pharmacology.md K13)"),
    "afatinib 40 mg qd": Regimen("afatinib 40 mg qd", "afatinib", 40.0, 24.0,
                                 source="Gilotrif/Giotrif label: 40 mg once daily (NSCLC); the HER2+ breast phase II "
                                        "(clinical-trials.csv C45) used 50 mg once daily"),
    "erlotinib 150 mg qd": Regimen("erlotinib 150 mg qd", "erlotinib", 150.0, 24.0,
                                   source="Tarceva label: 150 mg once daily (NSCLC); not a breast-cancer regimen"),
}


def tumour_partition(drug: str) -> tuple[float | None, Prov]:
    """Tumour-to-plasma concentration ratio of ``drug`` where measured in patients, with its provenance.

    Returns ``(None, ("", "", reason))`` for drugs without a published ratio: no tumour factor is
    then applied (the tumour exposure is not known, not assumed equal to plasma).

    Examples
    --------
    >>> tumour_partition("lapatinib")[0]
    4.0
    >>> tumour_partition("trastuzumab")[0] is None
    True
    """
    from .drugs import get_drug

    name = get_drug(drug).name
    if name in TUMOUR_PARTITION:
        return TUMOUR_PARTITION[name]
    return None, ("", "", f"no tumour-to-plasma ratio curated for {name}")


def pk_model(drug: str) -> PKModel:
    """The PK model of ``drug`` (catalogue names and aliases accepted)."""
    from .drugs import get_drug

    name = get_drug(drug).name
    models = _models()
    if name not in models:
        raise UnknownNameError("drug (with a PK model)", drug, models)
    return models[name]


def regimen(name: str) -> Regimen:
    """A clinical regimen by name (see :data:`REGIMENS`); a drug name picks its regimen."""
    if name in REGIMENS:
        return REGIMENS[name]
    by_drug = {r.drug: r for r in REGIMENS.values()}
    try:
        from .drugs import get_drug

        key = get_drug(name).name
    except UnknownNameError:
        key = name
    if key in by_drug:
        return by_drug[key]
    raise UnknownNameError("regimen", name, list(REGIMENS) + list(by_drug))


def concentration(reg: Regimen | str, times_h, *, free: bool = True, unit: str = "nM") -> np.ndarray:
    """Plasma concentration of a regimen's drug at ``times_h`` (superposition of all doses).

    Parameters
    ----------
    reg
        A :class:`Regimen` or its name.
    times_h
        Hours from the first dose.
    free
        Unbound concentration (default) or total.
    unit
        ``"nM"`` or ``"mg/L"`` (equivalently ``"ug/mL"``).

    Examples
    --------
    >>> c = concentration("trastuzumab q3w", [0.0], free=False, unit="ug/mL")
    >>> 150 < float(c[0]) < 200
    True
    """
    from .drugs import get_drug

    reg = regimen(reg) if isinstance(reg, str) else reg
    model = pk_model(reg.drug)
    t = np.asarray(times_h, dtype=float)
    dose_t, dose_mg = reg.doses(float(t.max()) + 1e-9 if t.size else 0.0)
    c = np.zeros_like(t)
    for td, amount in zip(dose_t, dose_mg):
        c += amount * model.unit_response(t - td)
    if free:
        c = c * model.plasma_per_measured * model.free_fraction
    if unit in ("mg/L", "ug/mL"):
        return c
    if unit != "nM":
        raise ValidationError(f"unit must be 'nM', 'mg/L' or 'ug/mL', got {unit!r}")
    return c * get_drug(reg.drug).to_nM(1.0, "mg/L")


def concentration_profile(regimens: Sequence[str | Regimen], *, weeks: float = 3.0, step_h: float = 1.0) -> xr.Dataset:
    """Free and total concentrations of several regimens on an hourly grid.

    Returns
    -------
    xarray.Dataset
        Dims ``regimen × time`` (hours): ``free_nM``, ``total_ug_per_mL``; attrs carry sources.
    """
    regs = [regimen(r) if isinstance(r, str) else r for r in regimens]
    t = np.arange(0.0, weeks * 168.0 + step_h / 2, step_h)
    free = np.stack([concentration(r, t) for r in regs])
    total = np.stack([concentration(r, t, free=False, unit="mg/L") for r in regs])
    ds = xr.Dataset(
        {"free_nM": (("regimen", "time"), free, {"units": "nM", "long_name": "unbound plasma concentration"}),
         "total_ug_per_mL": (("regimen", "time"), total, {"units": "ug/mL", "long_name": "total plasma concentration"})},
        coords={"regimen": [r.name for r in regs], "time": ("time", t, {"units": "hour"}),
                "drug": ("regimen", [r.drug for r in regs])},
    )
    ds.attrs["pk_sources"] = repr({r.name: {k: v[1] for k, v in pk_model(r.drug).provenance.items()} for r in regs})
    ds.attrs["regimen_sources"] = repr({r.name: r.source for r in regs})
    return ds


def regimen_schedule(regimens: Sequence[str | Regimen], *, t_end_h: float, step_h: float = 1.0,
                     delay_h: float = 0.0) -> list[tuple[float, dict[str, float]]]:
    """Piecewise-constant ``schedule`` of free concentrations for :func:`her2sim.simulate`.

    Each step holds the mean free concentration over ``[t, t + step_h)`` (5-point Gauss-Legendre
    average, accurate for the smooth profiles here), so the signalling model sees the PK profile
    at ``step_h`` resolution. ``delay_h`` starts dosing later (the schedule is in model time).
    """
    from .her2_model import drug_parameter

    if not step_h > 0:
        raise ValidationError(f"step_h must be > 0, got {step_h!r}")
    regs = [regimen(r) if isinstance(r, str) else r for r in regimens]
    starts = np.arange(0.0, t_end_h, step_h)
    nodes, weights = np.polynomial.legendre.leggauss(5)
    offsets = (nodes + 1.0) / 2.0 * step_h
    values: dict[str, np.ndarray] = {}
    for r in regs:
        grid = (starts[:, None] + offsets[None, :]).reshape(-1)
        c = concentration(r, grid).reshape(starts.size, 5)
        values[drug_parameter(r.drug)] = c @ (weights / 2.0)
    return [(float(t + delay_h), {k: float(v[i]) for k, v in values.items()}) for i, t in enumerate(starts)]


def steady_state_summary(reg: Regimen | str, *, weeks: float = 15.0) -> dict[str, float]:
    """Cmax, Cmin and time-averaged concentration (total µg/mL and free nM) over the last cycle.

    Also ``tumour_partition`` (:func:`tumour_partition`; NaN where none is published) and
    ``cavg_free_tumour_nM`` = ``cavg_free_nM`` × that ratio (NaN without one).

    The last cycle is the last dosing interval (or week for intermittent regimens) of
    ``weeks`` of dosing, by which time every regimen here is at steady state (trastuzumab
    12-15 weeks, K02).
    """
    reg = regimen(reg) if isinstance(reg, str) else reg
    t_end = weeks * 168.0
    period = 168.0 if reg.days_on is not None else reg.interval_h
    period = max(period, reg.interval_h)
    t = np.linspace(t_end - period, t_end - 1e-6, 2001)
    total = concentration(reg, t, free=False, unit="mg/L")
    free = concentration(reg, t)
    ratio, _ = tumour_partition(reg.drug)
    cavg_free = float(np.trapezoid(free, t) / (t[-1] - t[0]))
    return {
        "cmax_total_ug_per_mL": float(total.max()), "cmin_total_ug_per_mL": float(total.min()),
        "cavg_total_ug_per_mL": float(np.trapezoid(total, t) / (t[-1] - t[0])),
        "cmax_free_nM": float(free.max()), "cmin_free_nM": float(free.min()),
        "cavg_free_nM": cavg_free,
        "free_fraction": pk_model(reg.drug).free_fraction,
        "free_fraction_known": float(pk_model(reg.drug).free_fraction_known),
        "tumour_partition": float("nan") if ratio is None else float(ratio),
        "cavg_free_tumour_nM": float("nan") if ratio is None else cavg_free * float(ratio),
    }
