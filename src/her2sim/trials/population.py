"""Virtual tumours: genotype, expression, patient PK and tumour-level parameters, with sources.

A virtual tumour (one patient) is drawn from its own random stream,
``numpy.random.SeedSequence(seed, spawn_key=(index,))``, so its draw depends only on
``(seed, index)``: a cohort is bit-identical for any chunking and any number of workers.

Virtual population (Allen, Rieger & Musante 2016, CPT Pharmacometrics Syst Pharmacol 5:140)
---------------------------------------------------------------------------------------------
*Plausible* patients are drawn from a broad prior (:data:`PLAUSIBLE`): every binary feature
independent, each at a rate that covers all published settings, and every continuous parameter
inside its plausibility bounds. A candidate is then *accepted* with probability
``q(x) / (M p(x))``, where ``p`` is the plausible prior of its genotype/HR cell, ``q`` the target
distribution of the trial population (the prevalence tables of :data:`PROFILES`, with published
co-occurrence, then the trial's inclusion criteria and baseline overrides) and ``M`` the largest
ratio; rejected candidates are discarded and the tumour's stream draws the next one. Accepted
tumours carry no weights. The acceptance is exact because ``p`` and ``q`` are known on the
finite set of cells, and the continuous parameters are drawn for the accepted candidate only.

Every number below carries its source: a row id of the project's shared sources (``P..``,
``K..`` of the pharmacology notes; ``C..`` of the clinical-trials table; ``L..`` of the findings)
and the original paper, or ``assumed`` with the reason.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtri

from ..errors import UnknownNameError, ValidationError
from . import _flagship

__all__ = [
    "FEATURES",
    "PK_VARIABILITY",
    "PLAUSIBLE",
    "PROFILES",
    "TUMOUR_PARAMETERS",
    "Profile",
    "Rate",
    "cell_probabilities",
    "provenance_table",
    "sample_tumours",
]


@dataclass(frozen=True)
class Rate:
    """A probability with its source (row id and paper) or ``assumed`` with a reason."""

    value: float
    source: str

    def __post_init__(self) -> None:
        if not 0.0 <= self.value <= 1.0:
            raise ValidationError(f"a rate must be in [0, 1], got {self.value!r} ({self.source})")


#: Binary features of a tumour's genotype cell (PIK3CA is three-valued: wild type, H1047R, E545K).
FEATURES = ("hr_positive", "pik3ca", "pten_loss", "p95her2", "her3_high", "igf1r_high")
PIK3CA_ALLELES = ("wild type", "H1047R", "E545K")


@dataclass(frozen=True)
class Profile:
    """Genotype distribution of a clinical setting, with co-occurrence where published.

    ``pten_loss_hr_neg``/``pten_loss_hr_pos`` and ``igf1r_hr_pos``/``igf1r_hr_neg`` are
    conditional on HR status (published co-occurrence); PIK3CA and PTEN loss are independent
    (P09, P12, P30). ``kinase_share`` is the share of kinase-domain (H1047R-class) alleles
    among PIK3CA mutations; the rest are taken as helical (E545K-class).
    """

    name: str
    hr_positive: Rate
    pik3ca: Rate
    kinase_share: Rate
    pten_loss_hr_neg: Rate
    pten_loss_hr_pos: Rate
    p95her2: Rate
    her3_high: Rate
    igf1r_hr_pos: Rate
    igf1r_hr_neg: Rate
    description: str = ""

    def with_overrides(self, overrides: Mapping[str, float], source: str) -> Profile:
        """A copy with some rates replaced (trial baseline characteristics)."""
        import dataclasses

        names = [f.name for f in dataclasses.fields(self) if f.name not in ("name", "description")]
        changes: dict[str, Any] = {}
        for key, value in overrides.items():
            if key not in names:
                raise UnknownNameError("population.baseline", key, names)
            changes[key] = Rate(float(value), source)
        return dataclasses.replace(self, **changes)

    def rates(self) -> dict[str, Rate]:
        import dataclasses

        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name not in ("name", "description")}


# -------------------------------------------------------------------------------------- sources
_P24 = ("P24: NCCTG N9831 adjuvant HER2+ (n = 1734), IGF1R+ 708/1734 (41 %), associated with ER/PR+ "
        "(78 % vs 35 %); Clin Cancer Res 2017;23(15):4203-11, PMID 28533226")
# HR+ share derived from P24: P(HR+) = 0.41*0.78 + 0.59*0.35 = 0.526 (taking '78 % vs 35 %' as the
# HR+ share among IGF1R+ and IGF1R- tumours)
_HR_EARLY = Rate(0.41 * 0.78 + 0.59 * 0.35, "derived from " + _P24)
_IGF1R_HR_POS = Rate(0.41 * 0.78 / _HR_EARLY.value, "derived (Bayes) from " + _P24)
_IGF1R_HR_NEG = Rate(0.41 * 0.22 / (1 - _HR_EARLY.value), "derived (Bayes) from " + _P24)
_P01 = ("P01: Stemke-Hale 2008, Cancer Res 68:6084, Table 1: PIK3CA 17/75 HER2+ primary tumours; "
        "catalytic domain 13/17")
_P07 = ("P07: NeoALTTO baseline cores, PTEN loss 27 % / 29 % (two antibodies), HR- 33 % / 36 %, HR+ 20 % / 22 %; "
        "Ann Oncol 2015;26:1494, PMID 25851628")
_P04 = "P04/P05: BOLERO-1 / BOLERO-3 archival tissue (André 2016, J Clin Oncol)"
_P19 = "P19: ~30 % of HER2+ tumours express p95HER2 (Expert Rev Anticancer Ther 2014;14:1089)"
_P21 = "P21: HER3-positive 37.6 % (derived from 62.4 % negative) in first-line HER2+ MBC (PMC3899777)"

PROFILES: dict[str, Profile] = {
    "early": Profile(
        "early", hr_positive=_HR_EARLY,
        pik3ca=Rate(17 / 75, _P01), kinase_share=Rate(13 / 17, _P01),
        pten_loss_hr_neg=Rate(0.345, _P07 + " (mean of the two antibodies)"),
        pten_loss_hr_pos=Rate(0.21, _P07 + " (mean of the two antibodies)"),
        p95her2=Rate(0.30, _P19), her3_high=Rate(0.376, _P21),
        igf1r_hr_pos=_IGF1R_HR_POS, igf1r_hr_neg=_IGF1R_HR_NEG,
        description="primary (early) HER2+ breast cancer, neoadjuvant trials"),
    "metastatic_first_line": Profile(
        "metastatic_first_line", hr_positive=_HR_EARLY,
        pik3ca=Rate(0.30, _P04 + ": PIK3CA 30 % in BOLERO-1 (first-line MBC)"),
        kinase_share=Rate(13 / 17, _P01),
        pten_loss_hr_neg=Rate(0.16, _P04 + ": PTEN loss 16 % in BOLERO-1; HR dependence not given, taken equal"),
        pten_loss_hr_pos=Rate(0.16, _P04 + ": PTEN loss 16 % in BOLERO-1; HR dependence not given, taken equal"),
        p95her2=Rate(0.30, _P19), her3_high=Rate(0.376, _P21),
        igf1r_hr_pos=_IGF1R_HR_POS, igf1r_hr_neg=_IGF1R_HR_NEG,
        description="first-line HER2+ metastatic breast cancer"),
    "trastuzumab_pretreated": Profile(
        "trastuzumab_pretreated", hr_positive=_HR_EARLY,
        pik3ca=Rate(0.32, _P04 + ": PIK3CA 32 % in BOLERO-3"),
        kinase_share=Rate(13 / 17, _P01),
        pten_loss_hr_neg=Rate(0.12, _P04 + ": PTEN loss 12 % in BOLERO-3; HR dependence not given, taken equal"),
        pten_loss_hr_pos=Rate(0.12, _P04 + ": PTEN loss 12 % in BOLERO-3; HR dependence not given, taken equal"),
        p95her2=Rate(0.32, "P09: BioPATH advanced HER2+ on lapatinib after trastuzumab, p95HER2 32 % (PMC6790855)"),
        her3_high=Rate(0.376, _P21),
        igf1r_hr_pos=_IGF1R_HR_POS, igf1r_hr_neg=_IGF1R_HR_NEG,
        description="trastuzumab-resistant, taxane-pretreated HER2+ advanced breast cancer (BOLERO-3)"),
}

#: The plausible prior of Allen 2016: independent features at rates covering every profile.
PLAUSIBLE: dict[str, float] = {
    "hr_positive": 0.5, "pik3ca": 0.35, "kinase_share": 0.75, "pten_loss": 0.3,
    "p95her2": 0.3, "her3_high": 0.4, "igf1r_high": 0.4,
}

# ---------------------------------------------------------------------------- continuous draws
#: Patient PK variability: drug -> (sigma of log CL, source; sigma of log V, source). Log-normal
#: around the typical values of :mod:`her2sim.library.pk`.
_AB_V = "assumed: a between-patient CV of ~20 % is typical of antibody central volumes; not in the shared sources"
_SMALL = "assumed: CV 30 % (no published CV in the shared sources; typical of oral kinase inhibitors)"
PK_VARIABILITY: dict[str, tuple[float, str, float, str]] = {
    "trastuzumab": (math.log(0.337 / 0.173) / (2 * 1.645),
                    ("derived from K06 (2019 pop-PK, 1582 patients: total CL 0.173-0.337 L/day, read as the "
                    "5th-95th percentiles): sigma = ln(0.337/0.173)/3.29"), 0.2, _AB_V),
    "pertuzumab": (math.log(0.337 / 0.173) / (2 * 1.645),
                   "assumed equal to trastuzumab's (K06; same IgG1 framework, linear clearance)", 0.2, _AB_V),
    "lapatinib": (math.log(3.77 / 1.57) / (2 * 1.96),
                  ("derived from K08 (Cmax,ss 2.43 (1.57-3.77) ug/mL, read as a 95 % range of patients; "
                  "exposure variability attributed to CL/F)"), 0.3, _SMALL),
    "neratinib": (0.3, _SMALL, 0.3, _SMALL),
    "alpelisib": (0.3, _SMALL, 0.3, _SMALL),
    "capivasertib": (0.3, _SMALL, 0.3, _SMALL),
    "everolimus": (math.log(22.8 / 9.0) / (2 * 0.6745),
                   ("derived from K18 (trough quartile boundaries 9.0 and 22.8 ng/mL at 10 mg/day: "
                   "sigma = ln(22.8/9.0)/1.349)"), 0.3, _SMALL),
}

#: Tumour-level parameter distributions: name -> (median, sigma of log, lower, upper, source).
#: Bounds are the plausibility box of the Allen selection (draws outside are clipped).
TUMOUR_PARAMETERS: dict[str, tuple[float, float, float, float, str]] = {
    "her2_expression": (1.0, 0.5, 0.1, 10.0,
                        ("assumed: HER2 per cell relative to BT-474 (5e5 per cell, K20); tumour distribution "
                        "not in the shared sources (K21 is TNBC); C13: higher HER2, higher pCR")),
    "her3_expression": (1.0, 0.3, 0.1, 10.0, "assumed spread; HER3-high tumours x3 (model genotype 'HER3 overexpression')"),
    "igf1r_expression": (1.0, 0.3, 0.1, 10.0, "assumed spread; IGF1R-positive tumours x3 (assumed; IHC >= 1+ is not overexpression)"),
    "pten_level": (1.0, 0.2, 0.2, 1.5, "assumed spread of intact PTEN; IHC loss = complete loss (0)"),
    "p95her2_expression": (1.0, 0.4, 0.1, 5.0, "assumed: p95-positive tumours around the model's full strength (1 = amplified HER2 level)"),
    "heregulin_nM": (0.1, 1.0, 0.0, 10.0,
                     ("assumed: heregulin/NRG1 around the tumour cells in vivo (stroma-derived; the model's "
                     "culture default 0 leaves pertuzumab without a target). No tumour concentration in the "
                     "shared sources; median 0.1 nM, spread x2.7. With 0 instead (refitted), the same 9 of 35 "
                     "predicted published values fall inside their 95 % CI, but PTD < TD in NeoSphere")),
    "growth_rate_per_day": (math.log(2) / 60.0, 0.5, math.log(2) / 1000, math.log(2) / 5,
                            ("assumed: intrinsic net growth of untreated HER2+ tumours, volume doubling ~60 days "
                            "(no doubling time in the shared sources)")),
    "chemo_sensitivity": (1.0, 0.6, 0.05, 20.0, "assumed: between-tumour spread of the log-kill per chemotherapy dose"),
    "targeted_sensitivity": (1.0, 0.4, 0.05, 20.0,
                             ("assumed: between-tumour spread of how strongly the in-vitro signalling rate change "
                             "carries into the tumour (stroma, vasculature, penetration)")),
    "diameter_cm_early": (3.0, 0.35, 1.0, 10.0,
                          "assumed: neoadjuvant trials enrol operable T2-T3 tumours (> 2 cm); median ~3 cm"),
    "diameter_cm_metastatic": (6.0, 0.5, 1.0, 30.0,
                               "assumed: sum of target-lesion diameters in first-/second-line MBC; median ~6 cm"),
    "resistant_fraction_early": (1e-6, 1.5 * math.log(10), 1e-12, 0.5,
                                 ("assumed: fraction of cells resistant to HER2-targeted therapy at diagnosis "
                                 "(log10 spread 1.5)")),
    "resistant_fraction_metastatic": (1e-3, 1.0 * math.log(10), 1e-9, 0.9,
                                      "assumed: larger resistant fraction after prior therapy / in metastases"),
}

CELLS_PER_CM3 = (1e9, "assumed: the classical ~1e9 tumour cells per cm^3 of tumour")


def _cell_table(profile: Profile) -> pd.DataFrame:
    """All genotype/HR cells with their plausible (p) and target (q) probabilities."""
    rows = []
    for hr, allele, pten, p95, her3, igf1r in itertools.product(
            (False, True), PIK3CA_ALLELES, (False, True), (False, True), (False, True), (False, True)):
        # plausible prior: independent features
        p_allele = {"wild type": 1 - PLAUSIBLE["pik3ca"],
                    "H1047R": PLAUSIBLE["pik3ca"] * PLAUSIBLE["kinase_share"],
                    "E545K": PLAUSIBLE["pik3ca"] * (1 - PLAUSIBLE["kinase_share"])}[allele]

        def b(x: bool, rate: float) -> float:
            return rate if x else 1.0 - rate

        p = (b(hr, PLAUSIBLE["hr_positive"]) * p_allele * b(pten, PLAUSIBLE["pten_loss"]) *
             b(p95, PLAUSIBLE["p95her2"]) * b(her3, PLAUSIBLE["her3_high"]) * b(igf1r, PLAUSIBLE["igf1r_high"]))
        q_allele = {"wild type": 1 - profile.pik3ca.value,
                    "H1047R": profile.pik3ca.value * profile.kinase_share.value,
                    "E545K": profile.pik3ca.value * (1 - profile.kinase_share.value)}[allele]
        pten_rate = profile.pten_loss_hr_pos.value if hr else profile.pten_loss_hr_neg.value
        igf_rate = profile.igf1r_hr_pos.value if hr else profile.igf1r_hr_neg.value
        q = (b(hr, profile.hr_positive.value) * q_allele * b(pten, pten_rate) * b(p95, profile.p95her2.value) *
             b(her3, profile.her3_high.value) * b(igf1r, igf_rate))
        rows.append((hr, allele, pten, p95, her3, igf1r, p, q))
    return pd.DataFrame(rows, columns=[*FEATURES, "p", "q"])


def cell_probabilities(profile: Profile, hr_status: str = "any") -> pd.DataFrame:
    """Genotype/HR cells with plausible ``p``, target ``q`` (after inclusion) and acceptance probability."""
    cells = _cell_table(profile)
    if hr_status == "positive":
        cells.loc[~cells["hr_positive"], "q"] = 0.0
    elif hr_status == "negative":
        cells.loc[cells["hr_positive"], "q"] = 0.0
    elif hr_status != "any":
        raise ValidationError(f"population.hr_status must be 'any', 'positive' or 'negative', got {hr_status!r}")
    cells["q"] = cells["q"] / cells["q"].sum()
    ratio = cells["q"] / cells["p"]
    cells["accept"] = ratio / ratio.max()
    return cells


#: Uniform draws per plausible candidate (its genotype/HR cell) and the most candidates a tumour
#: draws; with the shipped profiles the acceptance rate is >= 0.2, so 64 candidates leave a
#: chance < 1e-6 of exhausting (then the last candidate is kept and flagged ``selection_exhausted``).
_PER_CANDIDATE = 8
MAX_CANDIDATES = 64
_CONTINUOUS = ("her2_expression", "her3_expression", "igf1r_expression", "pten_level", "p95her2_expression",
               "heregulin_nM",
               "growth_rate_per_day", "chemo_sensitivity", "targeted_sensitivity",
               "diameter_cm", "resistant_fraction")
_N_UNIFORM = MAX_CANDIDATES * _PER_CANDIDATE + len(_CONTINUOUS) + 2 * len(PK_VARIABILITY) + 2


def _uniforms(seed: int, indices: np.ndarray) -> np.ndarray:
    """(n, _N_UNIFORM) uniforms in (0, 1); row i depends only on (seed, indices[i])."""
    out = np.empty((indices.size, _N_UNIFORM))
    for row, index in enumerate(indices):
        g = np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=(int(index),))))
        out[row] = g.random(_N_UNIFORM)
    # (0, 1) open interval for ndtri
    return np.clip(out, 1e-16, 1 - 1e-16)


def _lognormal(name: str, z: np.ndarray) -> np.ndarray:
    median, sigma, lo, hi, _ = TUMOUR_PARAMETERS[name]
    return np.clip(median * np.exp(sigma * z), lo, hi)


def sample_tumours(seed: int, indices: np.ndarray | range, profile: Profile, *, hr_status: str = "any",
                   setting: str = "early", allocation: tuple[float, ...] = (1.0,)) -> pd.DataFrame:
    """Draw virtual tumours ``indices`` of a cohort (one row each; deterministic per (seed, index)).

    Parameters
    ----------
    seed
        Cohort seed (a non-negative integer).
    indices
        Tumour indices to draw (any subset: a chunk).
    profile
        Target genotype distribution (:data:`PROFILES`, possibly with trial overrides).
    hr_status
        Inclusion criterion: ``"any"``, ``"positive"`` or ``"negative"``.
    setting
        ``"early"`` (neoadjuvant: primary tumour diameter, small resistant fraction) or
        ``"metastatic"`` (sum of target-lesion diameters, larger resistant fraction).
    allocation
        Randomisation weights of the arms; column ``arm_index`` holds the arm drawn.

    Returns
    -------
    pandas.DataFrame
        Columns ``tumour``, the genotype features, ``arm_index``, the model inputs of
        :data:`her2sim.trials._flagship.MODEL_INPUTS`, ``cl_<drug>``/``v_<drug>`` multipliers,
        tumour-level parameters, ``burden_cells`` and ``candidates`` (plausible candidates drawn
        before acceptance).
    """
    if setting not in ("early", "metastatic"):
        raise ValidationError(f"setting must be 'early' or 'metastatic', got {setting!r}")
    if not (isinstance(seed, (int, np.integer)) and seed >= 0):
        raise ValidationError(f"seed must be a non-negative integer, got {seed!r}")
    idx = np.asarray(indices, dtype=np.int64)
    n = idx.size
    cells = cell_probabilities(profile, hr_status)
    u = _uniforms(seed, idx)
    cand = u[:, : MAX_CANDIDATES * _PER_CANDIDATE].reshape(n, MAX_CANDIDATES, _PER_CANDIDATE)
    # plausible candidates: independent features from the PLAUSIBLE prior
    hr = cand[..., 0] < PLAUSIBLE["hr_positive"]
    mutant = cand[..., 1] < PLAUSIBLE["pik3ca"]
    kinase = cand[..., 2] < PLAUSIBLE["kinase_share"]
    allele = np.where(mutant, np.where(kinase, 1, 2), 0)
    pten = cand[..., 3] < PLAUSIBLE["pten_loss"]
    p95 = cand[..., 4] < PLAUSIBLE["p95her2"]
    her3 = cand[..., 5] < PLAUSIBLE["her3_high"]
    igf1r = cand[..., 6] < PLAUSIBLE["igf1r_high"]
    # acceptance probability of each candidate's cell
    code = ((((hr.astype(int) * 3 + allele) * 2 + pten) * 2 + p95) * 2 + her3) * 2 + igf1r
    accept_table = np.zeros(96)
    cell_code = ((((cells["hr_positive"].astype(int) * 3 + cells["pik3ca"].map(PIK3CA_ALLELES.index)) * 2
                   + cells["pten_loss"]) * 2 + cells["p95her2"]) * 2 + cells["her3_high"]) * 2 + cells["igf1r_high"]
    accept_table[cell_code.to_numpy()] = cells["accept"].to_numpy()
    # each candidate's own acceptance uniform (its 8th)
    accepted = cand[..., 7] < accept_table[code]
    first = np.where(accepted.any(axis=1), accepted.argmax(axis=1), MAX_CANDIDATES - 1)
    rows = np.arange(n)
    off = MAX_CANDIDATES * _PER_CANDIDATE
    z = ndtri(u[:, off: off + len(_CONTINUOUS)])
    zc = dict(zip(_CONTINUOUS, z.T))
    off += len(_CONTINUOUS)
    zpk = ndtri(u[:, off: off + 2 * len(PK_VARIABILITY)])
    df = pd.DataFrame({
        "tumour": idx,
        "hr_positive": hr[rows, first],
        "pik3ca": np.asarray(PIK3CA_ALLELES, dtype=object)[allele[rows, first]],
        "pten_loss": pten[rows, first],
        "p95her2": p95[rows, first],
        "her3_high": her3[rows, first],
        "igf1r_high": igf1r[rows, first],
        "candidates": (first + 1).astype(np.int16),
        "selection_exhausted": ~accepted.any(axis=1),
    })
    weights = np.asarray(allocation, dtype=float)
    if weights.ndim != 1 or weights.size == 0 or not (weights > 0).all():
        raise ValidationError(f"allocation must be positive weights, got {allocation!r}")
    cum = np.cumsum(weights / weights.sum())
    df["arm_index"] = np.minimum(np.searchsorted(cum, u[:, -1], side="right"), weights.size - 1).astype(np.int16)
    # where between the trial's shortest and longest follow-up this patient is censored
    df["followup_fraction"] = u[:, -2]
    df["her2_expression"] = _lognormal("her2_expression", zc["her2_expression"])
    df["her3_expression"] = _lognormal("her3_expression", zc["her3_expression"]) * np.where(df["her3_high"], 3.0, 1.0)
    df["igf1r_expression"] = _lognormal("igf1r_expression", zc["igf1r_expression"]) * np.where(df["igf1r_high"], 3.0, 1.0)
    df["pten_level"] = np.where(df["pten_loss"], 0.0, _lognormal("pten_level", zc["pten_level"]))
    df["p95her2_expression"] = np.where(df["p95her2"], _lognormal("p95her2_expression", zc["p95her2_expression"]), 0.0)
    df["heregulin_nM"] = _lognormal("heregulin_nM", zc["heregulin_nM"])
    for a in PIK3CA_ALLELES:
        settings = _flagship.genotype_parameters(a)
        mask = df["pik3ca"] == a
        for col in _flagship.PIK3CA_COLUMNS:
            if col not in df:
                df[col] = 0.0
            df.loc[mask, col] = settings[_flagship.MODEL_INPUTS[col]]
    for k, drug in enumerate(PK_VARIABILITY):
        s_cl, _, s_v, _ = PK_VARIABILITY[drug]
        df[f"cl_{drug}"] = np.exp(s_cl * zpk[:, 2 * k])
        df[f"v_{drug}"] = np.exp(s_v * zpk[:, 2 * k + 1])
    for name in ("growth_rate_per_day", "chemo_sensitivity", "targeted_sensitivity"):
        df[name] = _lognormal(name, zc[name])
    df["diameter_cm"] = _lognormal(f"diameter_cm_{setting}", zc["diameter_cm"])
    df["resistant_fraction"] = _lognormal(f"resistant_fraction_{setting}", zc["resistant_fraction"])
    df["burden_cells"] = CELLS_PER_CM3[0] * math.pi / 6.0 * df["diameter_cm"] ** 3
    return df


def provenance_table() -> pd.DataFrame:
    """Every population number with its source (for reports and the README)."""
    rows = []
    for profile in PROFILES.values():
        for key, rate in profile.rates().items():
            rows.append(("prevalence", f"{profile.name}.{key}", rate.value, rate.source))
    for key, value in PLAUSIBLE.items():
        rows.append(("plausible prior", key, value, "assumed: broad prior covering every profile (Allen 2016 step 1)"))
    for drug, (s_cl, src_cl, s_v, src_v) in PK_VARIABILITY.items():
        rows.append(("PK variability", f"{drug}.sigma_log_CL", s_cl, src_cl))
        rows.append(("PK variability", f"{drug}.sigma_log_V", s_v, src_v))
    for name, (median, sigma, lo, hi, src) in TUMOUR_PARAMETERS.items():
        rows.append(("tumour", f"{name}.median", median, src))
        rows.append(("tumour", f"{name}.sigma_log", sigma, src))
    rows.append(("tumour", "cells_per_cm3", CELLS_PER_CM3[0], CELLS_PER_CM3[1]))
    return pd.DataFrame(rows, columns=["kind", "quantity", "value", "source"])
