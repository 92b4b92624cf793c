"""Concordance of the flagship kinetic model and its logical twin.

Two comparisons:

* :func:`finding_concordance` — the literature scorecard on both formalisms. For every kinetic
  check of :mod:`her2sim.library.findings` the same genotype × treatment is run on the twin
  (:mod:`her2sim.library.her2_logical`) and judged by a logical criterion written next to the
  kinetic one (:data:`LOGICAL_CHECKS`). Every disagreement carries an explanation
  (:data:`EXPLANATIONS`) in one of the categories of :data:`CATEGORIES`.
* :func:`node_concordance` — node by node: the kinetic 72-h state thresholded through the
  :data:`~her2sim.library.her2_logical.NODE_MAP` against the logical attractor, for every
  genotype × treatment of a panel.

Logical read-outs
-----------------
* ``state``: the node's value in the (unique) asynchronous attractor; NaN if it oscillates.
* ``activity``: the probability of being on, averaged over the second half of a stochastic
  run (unit rates, t = 0-40) started in the untreated attractor of the genotype. An oscillating
  node has a graded activity; this is what lets partial effects be compared in direction.
* logical growth inhibition ``GI = 100·(1 − q_treated/q_untreated)`` with
  ``q = activity(Proliferation)·activity(Survival)``. Its size depends on the unit flip rates and
  is compared in direction only; sizes (e.g. "−42 %") are outside the formalism.
* time courses: "early" is the minimum over ``0 < t ≤ 15``, "late" the mean over ``20 ≤ t ≤ 40``
  (time in 1/rate units; the kinetic checks' 1 h and 24 h).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import UnknownNameError
from . import her2_logical as hl

__all__ = [
    "CATEGORIES",
    "LOGICAL_CHECKS",
    "EXPLANATIONS",
    "STANDARD_DOSES",
    "GENOTYPE_PANEL",
    "TREATMENT_PANEL",
    "LogicalLab",
    "finding_concordance",
    "node_concordance",
    "node_concordance_table",
]

#: Why the two formalisms can disagree.
CATEGORIES: dict[str, str] = {
    "formalism limit": "a graded quantity (a size, a ratio, a rise of an already-on node) that Boolean states cannot carry",
    "threshold": "the kinetic value sits near the NodeMap threshold or the criterion's margin",
    "missing mechanism": "a mechanism of the kinetic model has no logical counterpart",
    "rule simplification": "a logical rule is stronger or weaker than the kinetic rate law (e.g. OR for a partial effect)",
}

#: Doses of the kinetic side (as in the literature checks).
STANDARD_DOSES: dict[str, tuple[float, str]] = {
    "trastuzumab": (10.0, "ug/mL"), "pertuzumab": (10.0, "ug/mL"), "lapatinib": (1.0, "uM"),
    "alpelisib": (1.0, "uM"), "buparlisib": (1.0, "uM"), "MK-2206": (1.0, "uM"),
    "capivasertib": (1.0, "uM"), "everolimus": (20.0, "nM"), "trametinib": (100.0, "nM"),
    "linsitinib": (3.0, "uM"), "patritumab": (10.0, "ug/mL"),
}

#: Genotype panel of :func:`node_concordance`: label -> (genotypes, kinetic parameters).
GENOTYPE_PANEL: dict[str, tuple[tuple[str, ...], dict[str, float]]] = {
    "HER2 amplified": ((), {}),
    "PTEN loss": (("PTEN loss",), {}),
    "PIK3CA H1047R": (("PIK3CA H1047R",), {}),
    "p95HER2 (HER2 non-amplified)": (("HER2 non-amplified", "p95HER2"), {}),
    "MUC4 high": (("MUC4 high",), {}),
    "KRAS G12": (("KRAS G12",), {}),
    "IGF1R high + IGF-I": (("IGF1R overexpression",), {"IGF1_nM": 40.0 / 7.649}),
}

#: Treatment panel of :func:`node_concordance`: label -> drugs.
TREATMENT_PANEL: dict[str, tuple[str, ...]] = {
    "none": (), "trastuzumab": ("trastuzumab",), "lapatinib": ("lapatinib",),
    "trastuzumab + lapatinib": ("trastuzumab", "lapatinib"), "alpelisib": ("alpelisib",),
    "MK-2206": ("MK-2206",), "everolimus": ("everolimus",), "trametinib": ("trametinib",),
}


class LogicalLab:
    """Runs and caches the logical experiments that the checks share.

    Parameters
    ----------
    n_trajectories : int
        Trajectories per stochastic run.
    seed : int
        Random seed of every run.
    t_max : float
        Horizon of every run (1/rate units).
    """

    def __init__(self, *, n_trajectories: int = 400, seed: int = 0, t_max: float = 40.0) -> None:
        self.model = hl.load()
        self.n_trajectories = int(n_trajectories)
        self.seed = int(seed)
        self.t_max = float(t_max)
        self._runs: dict[Any, xr.Dataset] = {}
        self._attractors: dict[Any, xr.Dataset] = {}

    @staticmethod
    def _key(drugs: Any, genotype: Any, parameters: Any) -> tuple[str, str, str]:
        drugs_key = repr(sorted(dict(drugs).items()) if isinstance(drugs, Mapping) else sorted(drugs or ()))
        genotype_key = repr(sorted(dict(genotype).items()) if isinstance(genotype, Mapping) else list(genotype or ()))
        return drugs_key, genotype_key, repr(sorted((parameters or {}).items()))

    def run(self, drugs: Any = (), *, genotype: Any = (), parameters: Mapping[str, float] | None = None) -> xr.Dataset:
        """The stochastic run of one condition (cached)."""
        key = self._key(drugs, genotype, parameters)
        if key not in self._runs:
            self._runs[key] = hl.activity(genotype or (), drugs or (), parameters=parameters, t_max=self.t_max,
                                          n_trajectories=self.n_trajectories, seed=self.seed, model=self.model)
        return self._runs[key]

    def activity(self, node: str, drugs: Any = (), **kw: Any) -> float:
        """Stationary activity of ``node``."""
        return float(self.run(drugs, **kw)["activity"].sel(node=node))

    def course(self, node: str, drugs: Any = (), **kw: Any) -> xr.DataArray:
        """Probability of ``node`` over time."""
        return self.run(drugs, **kw)["probability"].sel(node=node)

    def early(self, node: str, drugs: Any = (), **kw: Any) -> float:
        """Minimum probability over ``0 < t <= 15``."""
        return float(self.course(node, drugs, **kw).sel(time=slice(0.25, 15.0)).min())

    def state(self, node: str, drugs: Any = (), *, genotype: Any = (), parameters: Mapping[str, float] | None = None) -> float:
        """Attractor value of ``node`` (NaN if it oscillates; mean if several attractors)."""
        key = self._key(drugs, genotype, parameters)
        if key not in self._attractors:
            conditioned = hl.condition(genotype or (), drugs or (), parameters=parameters, model=self.model)
            self._attractors[key] = hl._attractors(conditioned)
        values = self._attractors[key]["state"].sel(node=node).values
        return float(np.mean(values)) if values.size else float("nan")

    def gi(self, drugs: Any, *, genotype: Any = (), parameters: Mapping[str, float] | None = None) -> float:
        """Logical growth inhibition (see the module docstring)."""
        def q(d: Any) -> float:
            return (self.activity("Proliferation", d, genotype=genotype, parameters=parameters)
                    * self.activity("Survival", d, genotype=genotype, parameters=parameters))
        control = q(())
        return 100.0 * (1.0 - q(drugs) / control) if control > 0 else float("nan")

    def drop(self, node: str, drugs: Any, **kw: Any) -> float:
        """Fractional fall of a node's activity against the untreated condition."""
        before = self.activity(node, (), **kw)
        return 1.0 - self.activity(node, drugs, **kw) / before if before > 0 else float("nan")


# ------------------------------------------------------------------------------------------------
# logical criteria, one per kinetic check

T = ["trastuzumab"]
L = ["lapatinib"]
P = ["pertuzumab"]
TL = ["trastuzumab", "lapatinib"]
PIK3CA = ["PIK3CA H1047R"]
PTEN = ["PTEN loss"]
P95 = ["HER2 non-amplified", "p95HER2"]
IGF1_40NG = 40.0 / 7.649
IGF_RES = {"IGF1R_expression": 5.0, "IGF1_nM": IGF1_40NG}
Outcome = tuple[str, str]


def _fmt(**values: float) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in values.items())


def _verdict(ok: bool) -> str:
    return "reproduced" if ok else "not reproduced"


def _partial(gi: float) -> bool:
    return 10.0 <= gi <= 90.0


def _l01(lab: LogicalLab) -> Outcome:
    gi = lab.gi(T)
    return _verdict(_partial(gi)), _fmt(GI_T=gi)


def _l01b(lab: LogicalLab) -> Outcome:
    gi, gi_igf = lab.gi(T), lab.gi(T, parameters={"IGF1_nM": IGF1_40NG})
    return _verdict(_partial(gi_igf) and abs(gi_igf - gi) <= 15.0), _fmt(GI_T=gi, GI_T_IGF1=gi_igf)


def _l02a(lab: LogicalLab) -> Outcome:
    low = lab.gi(T, parameters={"IGF1R_expression": 5.0})
    igf = lab.gi(T, parameters=IGF_RES)
    return _verdict(_partial(low) and igf <= 15.0), _fmt(GI_T_low_serum=low, GI_T_IGF1=igf)


def _l02b(lab: LogicalLab) -> Outcome:
    igf = lab.gi(T, parameters=IGF_RES)
    bp3 = lab.gi(T, parameters={**IGF_RES, "IGF1_nM": IGF1_40NG * 0.01})
    return _verdict(igf <= 15.0 and bp3 >= igf + 10.0), _fmt(GI_T_IGF1=igf, GI_T_IGF1_IGFBP3=bp3)


def _resistance(genotype: list[str]) -> Callable[[LogicalLab], Outcome]:
    def run(lab: LogicalLab) -> Outcome:
        wt, mut = lab.gi(T), lab.gi(T, genotype=genotype)
        akt_wt, akt_mut = lab.drop("AKT_S473", T), lab.drop("AKT_S473", T, genotype=genotype)
        ok = mut <= 0.5 * wt and akt_mut <= 0.5 * akt_wt
        return _verdict(ok), _fmt(GI_WT=wt, GI_mut=mut, AKT_S473_drop_WT=akt_wt, AKT_S473_drop_mut=akt_mut)
    return run


def _l03c(lab: LogicalLab) -> Outcome:
    drops = {}
    for label, g in (("PIK3CA", PIK3CA), ("PTEN", PTEN)):
        drops[f"AKT_S473_drop_L_{label}"] = lab.drop("AKT_S473", L, genotype=g)
        drops[f"AKT_S473_drop_T_{label}"] = lab.drop("AKT_S473", T, genotype=g)
    ok = all(drops[f"AKT_S473_drop_L_{x}"] >= 0.2 and drops[f"AKT_S473_drop_L_{x}"] > drops[f"AKT_S473_drop_T_{x}"]
             for x in ("PIK3CA", "PTEN"))
    return _verdict(ok), _fmt(**drops)


def _l03d(lab: LogicalLab) -> Outcome:
    wt, mut, pten = lab.gi(L), lab.gi(L, genotype=PIK3CA), lab.gi(L, genotype=PTEN)
    return _verdict(abs(wt - mut) <= 15.0 and abs(wt - pten) <= 15.0), _fmt(GI_L_WT=wt, GI_L_PIK3CA=mut, GI_L_PTENloss=pten)


def _l04(lab: LogicalLab) -> Outcome:
    before, after = lab.state("PTEN"), lab.state("PTEN", T)
    return "not expressible", _fmt(PTEN_untreated=before, PTEN_trastuzumab=after)


def _l05a(lab: LogicalLab) -> Outcome:
    wt, kd = lab.gi(T), lab.gi(T, genotype={"PTEN loss": 0.8})
    return _verdict(kd <= wt - 15.0), _fmt(GI_T_WT=wt, GI_T_PTEN_antisense=kd)


def _rescue(genotype: list[str], base: list[str], add: list[str], margin: float = 15.0) -> Callable[[LogicalLab], Outcome]:
    def run(lab: LogicalLab) -> Outcome:
        alone, combo = lab.gi(base, genotype=genotype), lab.gi(base + add, genotype=genotype)
        return _verdict(combo >= alone + margin), _fmt(GI_alone=alone, GI_combination=combo)
    return run


def _l06(lab: LogicalLab) -> Outcome:
    wt = lab.gi(T)
    e545, h1047 = lab.gi(T, genotype=["PIK3CA E545K"]), lab.gi(T, genotype=PIK3CA)
    return _verdict(max(e545, h1047) <= wt - 10.0), _fmt(GI_T_WT=wt, GI_T_E545K=e545, GI_T_H1047R=h1047)


def _l07a(lab: LogicalLab) -> Outcome:
    wt = lab.gi(L)
    vals = {f"GI_L_{g.replace(' ', '_')}": lab.gi(L, genotype=[g]) for g in ("PTEN loss", "PIK3CA E545K", "PIK3CA H1047R")}
    return _verdict(all(v <= wt - 10.0 for v in vals.values())), _fmt(GI_L_WT=wt, **vals)


def _l08a(lab: LogicalLab) -> Outcome:
    wt, mut = lab.drop("PIP3", L), lab.drop("PIP3", L, genotype=PIK3CA)
    return _verdict(0.05 <= mut <= 0.8 * wt), _fmt(PIP3_drop_WT=wt, PIP3_drop_mut=mut)


def _l10a(lab: LogicalLab) -> Outcome:
    vals: dict[str, float] = {}
    ok = True
    for label, drugs in (("T", T), ("T+L", TL), ("T+P", T + P)):
        wt, mut = lab.gi(drugs), lab.gi(drugs, genotype=PIK3CA)
        vals[f"GI_{label}_WT"], vals[f"GI_{label}_mut"] = wt, mut
        ok = ok and mut <= wt - 10.0
    return _verdict(ok), _fmt(**vals)


def _l14a(lab: LogicalLab) -> Outcome:
    p95, akt = lab.drop("p95HER2", L, genotype=P95), lab.drop("AKT_S473", L, genotype=P95)
    return _verdict(p95 >= 0.8 and akt >= 0.2), _fmt(p95HER2_drop_L=p95, AKT_S473_drop_L=akt)


def _l14b(lab: LogicalLab) -> Outcome:
    akt_t = lab.drop("AKT_S473", T, genotype=P95)
    gi_t, gi_l = lab.gi(T, genotype=P95), lab.gi(L, genotype=P95)
    return _verdict(akt_t <= 0.1 and gi_t <= 10.0 and gi_l >= gi_t + 10.0), _fmt(AKT_S473_drop_T=akt_t, GI_T=gi_t, GI_L=gi_l)


def _l18a(lab: LogicalLab) -> Outcome:
    return "not expressible", _fmt(HER2_under_T_MUC4=lab.state("HER2", T, genotype=["MUC4 high"]))


def _l18b(lab: LogicalLab) -> Outcome:
    g = ["MUC4 high"]
    t_wt, t_muc, l_wt, l_muc = lab.gi(T), lab.gi(T, genotype=g), lab.gi(L), lab.gi(L, genotype=g)
    return _verdict(t_muc <= t_wt - 15.0 and abs(l_muc - l_wt) <= 5.0), _fmt(GI_T_WT=t_wt, GI_T_MUC4=t_muc, GI_L_WT=l_wt, GI_L_MUC4=l_muc)


def _rebound(drugs: list[str], node: str = "AKT_S473") -> Callable[[LogicalLab], Outcome]:
    def run(lab: LogicalLab) -> Outcome:
        her3 = lab.activity("HER3_expression", drugs) - lab.activity("HER3_expression")
        base = float(lab.course(node, drugs).sel(time=0.0))
        nadir, late = lab.early(node, drugs), lab.activity(node, drugs)
        ok = her3 >= 0.3 and nadir < late < base
        return _verdict(ok), _fmt(HER3_expression_rise=her3, **{f"{node}_0": base, f"{node}_nadir": nadir, f"{node}_late": late})
    return run


def _l19b(lab: LogicalLab) -> Outcome:
    gi_l, gi_ab = lab.gi(L), lab.gi(L + ["patritumab"])
    gi_si = lab.gi(L, genotype=["HER3 knockdown"])
    akt_l, akt_ab = lab.activity("AKT", L), lab.activity("AKT", L + ["patritumab"])
    ok = gi_ab >= gi_l + 10.0 and gi_si >= gi_l + 10.0 and akt_ab < akt_l
    return _verdict(ok), _fmt(GI_L=gi_l, GI_L_HER3ab=gi_ab, GI_L_HER3siRNA=gi_si, AKT_L=akt_l, AKT_L_HER3ab=akt_ab)


def _l20(lab: LogicalLab) -> Outcome:
    her3 = lab.activity("HER3_expression", TL) - lab.activity("HER3_expression")
    nadir, late = lab.early("HER3", TL), lab.activity("HER3", TL)
    late_ab = lab.activity("HER3", TL + ["patritumab"])
    gi_tl, gi_ab = lab.gi(TL), lab.gi(TL + ["patritumab"])
    ok = her3 >= 0.3 and late > 1.3 * nadir and late_ab <= 0.5 * late and gi_ab >= gi_tl + 5.0
    return _verdict(ok), _fmt(HER3_expression_rise=her3, HER3_nadir=nadir, HER3_late=late, HER3_late_HER3ab=late_ab,
                              GI_TL=gi_tl, GI_TL_HER3ab=gi_ab)


def _l22(lab: LogicalLab) -> Outcome:
    nadir, late = lab.early("HER3", L), lab.activity("HER3", L)
    gi_l, gi_kd = lab.gi(L), lab.gi(L, genotype=["HER3 knockdown"])
    return _verdict(late >= 1.3 * nadir and gi_kd >= gi_l + 10.0), _fmt(HER3_nadir=nadir, HER3_late=late, GI_TKI=gi_l, GI_TKI_HER3kd=gi_kd)


def _l24(lab: LogicalLab) -> Outcome:
    mk = ["MK-2206"]
    her3 = lab.activity("HER3_expression", mk) - lab.activity("HER3_expression")
    nadir, late = lab.early("AKT_S473", mk), lab.activity("AKT_S473", mk)
    gi_mk, gi_combo = lab.gi(mk), lab.gi(mk + L)
    ok = her3 >= 0.3 and late > nadir and gi_combo >= gi_mk + 10.0
    return _verdict(ok), _fmt(HER3_expression_rise=her3, AKT_S473_nadir=nadir, AKT_S473_late=late, GI_MK2206=gi_mk, GI_MK2206_L=gi_combo)


def _l26a(lab: LogicalLab) -> Outcome:
    base = float(lab.course("HER3", L).sel(time=0.0))
    early, late = lab.early("HER3", L), lab.activity("HER3", L)
    return _verdict(early <= 0.5 * base and late >= 1.3 * early), _fmt(HER3_0=base, HER3_early=early, HER3_late=late)


HRG = {"HRG_nM": 1.0}


def _l26b(lab: LogicalLab) -> Outcome:
    gi_l, gi_hrg = lab.gi(L), lab.gi(L, parameters=HRG)
    return _verdict(0.0 < gi_hrg <= gi_l - 10.0), _fmt(GI_L=gi_l, GI_L_NRG1=gi_hrg)


def _l26c(lab: LogicalLab) -> Outcome:
    gi_hrg, gi_p, gi_lp = lab.gi(L, parameters=HRG), lab.gi(P, parameters=HRG), lab.gi(L + P, parameters=HRG)
    return _verdict(gi_lp >= gi_hrg + 10.0 and gi_lp >= gi_p + 10.0), _fmt(GI_L_NRG1=gi_hrg, GI_P_NRG1=gi_p, GI_LP_NRG1=gi_lp)


def _l29(lab: LogicalLab) -> Outcome:
    gi = lab.gi(T, parameters=IGF_RES)
    gi_kd = lab.gi(T, parameters={**IGF_RES, "IGF1R_expression": 0.5})
    gi_her3 = lab.gi(T, parameters=IGF_RES, genotype=["HER3 knockdown"])
    return _verdict(gi_kd >= gi + 15.0 and gi_her3 >= gi + 15.0), _fmt(GI_T_resistant=gi, GI_T_IGF1R_kd=gi_kd, GI_T_HER3_kd=gi_her3)


def _l31(lab: LogicalLab) -> Outcome:
    gi, gi_i = lab.gi(T, parameters=IGF_RES), lab.gi(T + ["linsitinib"], parameters=IGF_RES)
    return _verdict(gi_i >= gi + 15.0), _fmt(GI_T=gi, GI_T_IGF1Ri=gi_i)


SERUM = {"IGF1_nM": 2.0}
EVE = ["everolimus"]


def _l32a(lab: LogicalLab) -> Outcome:
    irs = lab.activity("IRS1", EVE, parameters=SERUM) - lab.activity("IRS1", parameters=SERUM)
    akt = lab.activity("AKT_S473", EVE, parameters=SERUM) - lab.activity("AKT_S473", parameters=SERUM)
    akt_i = lab.activity("AKT_S473", EVE + ["linsitinib"], parameters=SERUM) - lab.activity("AKT_S473", parameters=SERUM)
    return _verdict(irs >= 0.3 and akt > 0.0 and akt_i <= 0.0), _fmt(IRS1_rise=irs, AKT_S473_change=akt, AKT_S473_change_IGF1Ri=akt_i)


def _l32b(lab: LogicalLab) -> Outcome:
    gi0, gi_igf = lab.gi(EVE), lab.gi(EVE, parameters={"IGF1_nM": IGF1_40NG, "IGF1R_expression": 5.0})
    return _verdict(gi_igf <= gi0 - 10.0), _fmt(GI_everolimus_serum_free=gi0, GI_everolimus_IGF1=gi_igf)


def _l44(lab: LogicalLab) -> Outcome:
    gi_t, gi_l, gi_tl = lab.gi(T), lab.gi(L), lab.gi(TL)
    return "not expressible", _fmt(GI_T=gi_t, GI_L=gi_l, GI_TL=gi_tl)


def _l17(lab: LogicalLab) -> Outcome:
    wt = lab.gi(L)
    vals = {f"GI_L_{g.replace(' ', '_')}": lab.gi(L, genotype=[g]) for g in ("p95HER2", "PTEN loss", "PIK3CA H1047R")}
    return _verdict(all(abs(v - wt) <= 15.0 for v in vals.values())), _fmt(GI_L_WT=wt, **vals)


def _l50(lab: LogicalLab) -> Outcome:
    vals: dict[str, float] = {}
    ok = True
    for label, drugs in (("T", T), ("L", L), ("TL", TL)):
        wt, pten = lab.gi(drugs), lab.gi(drugs, genotype=PTEN)
        vals[f"GI_{label}_WT"], vals[f"GI_{label}_PTENloss"] = wt, pten
        ok = ok and abs(wt - pten) <= 15.0
    return _verdict(ok), _fmt(**vals)


def _l55(lab: LogicalLab) -> Outcome:
    vals: dict[str, float] = {}
    ok = True
    for label, drugs in (("T", T), ("L", L)):
        wt, mut = lab.gi(drugs), lab.gi(drugs, genotype=PIK3CA)
        vals[f"GI_{label}_WT"], vals[f"GI_{label}_mut"] = wt, mut
        ok = ok and mut <= wt - 10.0
    return _verdict(ok), _fmt(**vals)


_GI_DIR = "logical GI (direction; sizes follow unit flip rates)"
#: Check id -> (logical criterion, scope, function).
LOGICAL_CHECKS: dict[str, tuple[str, str, Callable[[LogicalLab], Outcome]]] = {
    "L01": ("trastuzumab inhibits partly: 10 ≤ GI ≤ 90", "direction and partiality; the size −42 % is not expressible", _l01),
    "L01b": ("IGF-I in IGF1R-low cells leaves the partial trastuzumab GI within 15", _GI_DIR, _l01b),
    "L02a": ("IGF1R-high: partial GI in low serum, GI ≤ 15 with IGF-I", _GI_DIR, _l02a),
    "L02b": ("GI ≤ 15 with IGF-I; IGFBP-3 (IGF-I below threshold) raises it ≥ 10", _GI_DIR, _l02b),
    "L03a": ("PTEN loss: GI and AKT_S473 drop at most half of wild type", _GI_DIR, _resistance(PTEN)),
    "L03b": ("PIK3CA: GI and AKT_S473 drop at most half of wild type", _GI_DIR, _resistance(PIK3CA)),
    "L03c": ("lapatinib lowers AKT_S473 activity ≥ 20 % and more than trastuzumab in PIK3CA and PTEN cells", "activity", _l03c),
    "L03d": ("|ΔGI(lapatinib)| ≤ 15 for PIK3CA and PTEN loss (conflicting finding)", _GI_DIR, _l03d),
    "L04": ("PTEN activity rises under trastuzumab", "not expressible: PTEN is on before and after", _l04),
    "L05a": ("PTEN 80 % knockdown (≥ 0.5 → PTEN off): GI ≥ 15 below wild type", _GI_DIR, _l05a),
    "L05b": ("PTEN loss: buparlisib adds ≥ 15 GI to trastuzumab", _GI_DIR, _rescue(PTEN, T, ["buparlisib"])),
    "L06": ("E545K and H1047R: trastuzumab GI ≥ 10 below wild type", _GI_DIR, _l06),
    "L07a": ("PTEN loss, E545K, H1047R: lapatinib GI ≥ 10 below wild type", _GI_DIR, _l07a),
    "L07b": ("PIK3CA: buparlisib + everolimus add ≥ 15 GI to lapatinib", _GI_DIR, _rescue(PIK3CA, L, ["buparlisib", "everolimus"])),
    "L08a": ("PIK3CA: PIP3 drop under lapatinib ≥ 5 % but ≤ 80 % of wild type", "activity", _l08a),
    "L08b": ("PIK3CA: buparlisib adds ≥ 15 GI to lapatinib", _GI_DIR, _rescue(PIK3CA, L, ["buparlisib"])),
    "L10a": ("PIK3CA: T, T+L, T+P GI ≥ 10 below wild type", _GI_DIR, _l10a),
    "L10b": ("PIK3CA: alpelisib adds ≥ 15 GI to trastuzumab", _GI_DIR, _rescue(PIK3CA, T, ["alpelisib"])),
    "L14a": ("p95 cells: lapatinib lowers p95HER2 ≥ 80 % and AKT_S473 ≥ 20 %", "activity", _l14a),
    "L14b": ("p95 cells: trastuzumab AKT_S473 drop ≤ 10 %, GI ≤ 10; lapatinib GI ≥ T + 10", _GI_DIR, _l14b),
    "L18a": ("trastuzumab-bound/total HER2 ≈ 1/5", "not expressible: a binding ratio", _l18a),
    "L18b": ("MUC4: trastuzumab GI ≥ 15 lower, lapatinib GI within 5", _GI_DIR, _l18b),
    "L19a": ("lapatinib: HER3_expression activity +0.3; AKT_S473 nadir < late < 0", "time course (1/rate units)", _rebound(L)),
    "L19b": ("HER3 antibody or knockdown add ≥ 10 GI to lapatinib; AKT activity lower", _GI_DIR, _l19b),
    "L20": ("T+L: HER3_expression +0.3, HER3 late ≥ 1.3× nadir; antibody halves HER3 and adds ≥ 5 GI", "time course", _l20),
    "L22": ("lapatinib: HER3 late ≥ 1.3× nadir; HER3 knockdown adds ≥ 10 GI", "time course", _l22),
    "L24": ("MK-2206: HER3_expression +0.3; AKT_S473 late > nadir; lapatinib adds ≥ 10 GI", "time course", _l24),
    "L26a": ("lapatinib: HER3 early ≤ 50 % of baseline, late ≥ 1.3× early", "time course", _l26a),
    "L26b": ("heregulin: lapatinib GI falls ≥ 10 but stays > 0", _GI_DIR, _l26b),
    "L26c": ("heregulin: lapatinib + pertuzumab ≥ 10 GI above either", _GI_DIR, _l26c),
    "L29": ("IGF1R-high + IGF-I: IGF1R or HER3 knockdown add ≥ 15 GI to trastuzumab", _GI_DIR, _l29),
    "L31": ("IGF1R-high + IGF-I: linsitinib adds ≥ 15 GI to trastuzumab", _GI_DIR, _l31),
    "L32a": ("serum: everolimus raises IRS1 (+0.3) and AKT_S473; not with linsitinib", "activity", _l32a),
    "L32b": ("IGF-I lowers the everolimus GI by ≥ 10", _GI_DIR, _l32b),
    "L35": ("PTEN loss: everolimus adds ≥ 15 GI to trastuzumab", _GI_DIR, _rescue(PTEN, T, EVE)),
    "L44": ("surface HER2 accumulation and trastuzumab binding", "not expressible: receptor levels", _l44),
    "L17": ("|ΔGI(lapatinib)| ≤ 15 for p95HER2, PTEN loss, PIK3CA (contradicting clinical finding)", _GI_DIR, _l17),
    "L50": ("|ΔGI| ≤ 15 for PTEN loss under T, L, T+L (contradicting clinical finding)", _GI_DIR, _l50),
    "L55": ("PIK3CA: T and L GI ≥ 10 below wild type", _GI_DIR, _l55),
}

#: Check id -> (category, explanation) for every check where the formalisms disagree (written after
#: running both; a test fails if a disagreement has no entry here).
EXPLANATIONS: dict[str, tuple[str, str]] = {
    "L03c": ("rule simplification",
             "PI3K = receptors | PIK3CA_mut and PIP3 = PI3K | !PTEN make PI3K-altered cells fully receptor-independent, "
             "so lapatinib cannot lower AKT there; the kinetic model keeps mutant p110α partly receptor-dependent "
             "(PIK3CA_mut_gain acts on recruited PI3K) and PTEN-null PIP3 partly PI3K-dependent, and lapatinib "
             "lowers pAKT S473 by ~20-25 %: a graded, partial uncoupling that an OR rule cannot carry"),
    "L04": ("formalism limit",
            "trastuzumab raises PTEN activity by ~25 % (Src inhibition) in the kinetic model; PTEN is on before and after "
            "in the twin, and the Src → PTEN arm is not encoded (missing mechanism by choice: a rise of an already-on "
            "node has no Boolean counterpart)"),
    "L08a": ("rule simplification",
             "the finding is partial uncoupling (mutant PIP3 falls, but less than wild type); with the OR term for "
             "PIK3CA_mut the twin's PIP3 does not fall at all under lapatinib in mutant cells (drop 0 < 5 %)"),
    "L18a": ("formalism limit",
             "a binding ratio (trastuzumab sites ≈ 1/5 of HER2) is a quantity; the twin encodes its consequence only "
             "(MUC4 prevents trastuzumab from switching HER2 off, checked by L18b)"),
    "L24": ("threshold",
            "MK-2206 at 1 µM is read as a complete allosteric block, so AKT_T308/S473 are fixed off and cannot rebound; "
            "in the kinetic model occupancy is partial (cellular shift 50×) and FOXO-induced HER3 lifts pAKT S473 "
            "back from its nadir"),
    "L26b": ("formalism limit",
             "'partial rescue' by heregulin: in the twin heregulin-bound HER3 dimerises with amplified HER2 despite the "
             "TKI (residual kinase × 20-fold dimer gain in the kinetic model) and rescues completely (GI 0), because "
             "a Boolean HER3 is either phosphorylated or not; the kinetic rescue is partial (GI falls but stays > 0)"),
    "L29": ("rule simplification",
            "in the twin IGF1R reaches PI3K through IRS1 as an OR term, so with IGF1R high and IGF-I, removing "
            "HER3 (knockdown) leaves the IGF1R/IRS1 route and trastuzumab stays ineffective; in the kinetic model IRS1 "
            "phosphorylation by IGF1R is slow (kp_IRS1 chosen low, L01) and IGF1R acts mainly by transphosphorylating "
            "HER3 in IGF1R-HER2-HER3 complexes (L29), so HER3 knockdown re-sensitises. IGF1R knockdown re-sensitises in both"),
    "L32a": ("formalism limit",
             "AKT is already fully on in untreated HER2-amplified cells, so the everolimus-induced rise of pAKT "
             "(+% in the kinetic model through IRS1) cannot be expressed; IRS1 itself does switch on in both formalisms"),
    "L44": ("missing mechanism",
            "the twin has no receptor-level nodes (HER2 surface amount, ubiquitination, trastuzumab-bound HER2), so "
            "lapatinib's stabilisation of surface HER2 and the resulting gain in trastuzumab binding are absent; "
            "trastuzumab + lapatinib is not better than either alone in the twin"),
}


def finding_concordance(
    kinetic: pd.DataFrame | None = None,
    *,
    lab: LogicalLab | None = None,
    ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Kinetic vs logical verdict for every applicable kinetic check.

    Parameters
    ----------
    kinetic : pandas.DataFrame, optional
        Output of :func:`her2sim.library.findings.run_checks` (run here if omitted).
    lab : LogicalLab, optional
        Logical experiment cache.
    ids : sequence of str, optional
        Restrict to these check ids.

    Returns
    -------
    pandas.DataFrame
        One row per check: ``id, finding, mechanism, kinetic_verdict, logical_verdict, agree,
        logical_criterion, logical_scope, kinetic_simulated, logical_simulated, category,
        explanation``. ``agree`` compares "reproduced" against anything else (a logical "not
        expressible" counts as not reproduced).
    """
    if kinetic is None:
        from .findings import run_checks

        kinetic = run_checks(ids=tuple(ids) if ids is not None else None)
    lab = lab or LogicalLab()
    applicable = kinetic[kinetic["verdict"] != "not applicable"]
    rows: list[dict[str, Any]] = []
    for _, row in applicable.iterrows():
        check_id = str(row["id"])
        if ids is not None and check_id not in ids:
            continue
        if check_id not in LOGICAL_CHECKS:
            raise UnknownNameError("check", check_id, LOGICAL_CHECKS)
        criterion, scope, run = LOGICAL_CHECKS[check_id]
        verdict, simulated = run(lab)
        agree = (row["verdict"] == "reproduced") == (verdict == "reproduced")
        category, explanation = ("", "") if agree else EXPLANATIONS.get(check_id, ("", ""))
        rows.append({
            "id": check_id, "finding": row["finding"], "mechanism": row["mechanism"],
            "kinetic_verdict": row["verdict"], "logical_verdict": verdict, "agree": bool(agree),
            "logical_criterion": criterion, "logical_scope": scope,
            "kinetic_simulated": row["simulated"], "logical_simulated": simulated,
            "category": category, "explanation": explanation,
        })
    return pd.DataFrame(rows)


def node_concordance(
    genotypes: Mapping[str, tuple[Sequence[str], Mapping[str, float]]] | None = None,
    treatments: Mapping[str, Sequence[str]] | None = None,
    *,
    time: float = 72.0,
) -> xr.Dataset:
    """Node-by-node comparison of kinetic (thresholded via the NodeMap) and logical states.

    Parameters
    ----------
    genotypes : mapping of label to (genotype names, kinetic parameters), optional
        Default :data:`GENOTYPE_PANEL`.
    treatments : mapping of label to drug names, optional
        Default :data:`TREATMENT_PANEL`; kinetic doses from :data:`STANDARD_DOSES`.
    time : float
        Kinetic read-out time after treatment start (hours).

    Returns
    -------
    xarray.Dataset
        Dims ``genotype × treatment × node`` (the NodeMap's nodes): ``kinetic_value``,
        ``kinetic_state`` (0/1), ``logical_state`` (0/1, NaN oscillating; mean over attractors
        if several), ``agreement`` (1 agree, 0 disagree, NaN where the logical node oscillates).
        ``attrs["agreement_rate"]`` is the fraction agreeing among non-oscillating entries.
    """
    from .her2_model import drug_settings  # noqa: F401  (validates drug names early)
    from .protocols import treat

    genotypes = dict(genotypes or GENOTYPE_PANEL)
    treatments = dict(treatments or TREATMENT_PANEL)
    entries = hl.NODE_MAP
    observables = sorted({e.observable for e in entries})
    model = hl.load()
    shape = (len(genotypes), len(treatments), len(entries))
    kinetic_value = np.full(shape, np.nan)
    kinetic_state = np.full(shape, np.nan)
    logical_state = np.full(shape, np.nan)
    nodes = [e.node for e in entries]
    for i, (g_label, (g_names, params)) in enumerate(genotypes.items()):
        for j, (t_label, drugs) in enumerate(treatments.items()):
            doses = {d: STANDARD_DOSES[d] for d in drugs}
            ds = treat(doses, times=[0.0, time], genotype=list(g_names) or None, parameters=dict(params) or None,
                       outputs=observables)
            values = {o: float(ds[o].sel(time=time)) for o in observables}
            conditioned = hl.condition(g_names, drugs, parameters=params or None, model=model)
            states = hl._attractors(conditioned)["state"]
            for k, entry in enumerate(entries):
                kinetic_value[i, j, k] = values[entry.observable]
                kinetic_state[i, j, k] = entry.state(values[entry.observable])
                column = states.sel(node=entry.node).values
                logical_state[i, j, k] = float(np.mean(column)) if column.size else np.nan
    agreement = np.where(np.isnan(logical_state), np.nan, (kinetic_state == logical_state).astype(float))
    rate = float(np.nanmean(agreement))
    dims = ("genotype", "treatment", "node")
    return xr.Dataset(
        {
            "kinetic_value": (dims, kinetic_value, {"long_name": f"kinetic observable at {time:g} h (units per NodeMap)"}),
            "kinetic_state": (dims, kinetic_state, {"long_name": "kinetic value thresholded via the NodeMap"}),
            "logical_state": (dims, logical_state, {"long_name": "logical attractor value (NaN oscillating)"}),
            "agreement": (dims, agreement, {"long_name": "1 agree, 0 disagree, NaN logical oscillation"}),
        },
        coords={"genotype": list(genotypes), "treatment": list(treatments), "node": nodes,
                "observable": ("node", [e.observable for e in entries]),
                "threshold": ("node", [e.threshold for e in entries])},
        attrs={"analysis": "node_concordance", "kinetic_model": "her2_pi3k_akt", "logical_model": model.id,
               "kinetic_time_h": time, "agreement_rate": rate,
               "n_oscillating": int(np.isnan(logical_state).sum()),
               "doses": repr({d: STANDARD_DOSES[d] for t in treatments.values() for d in t})},
    )


def node_concordance_table(ds: xr.Dataset) -> pd.DataFrame:
    """Per-node summary of :func:`node_concordance`: agreement, disagreement, oscillation counts."""
    agreement = ds["agreement"]
    return pd.DataFrame({
        "node": ds["node"].values,
        "observable": ds["observable"].values,
        "threshold": ds["threshold"].values,
        "n_agree": (agreement == 1).sum(("genotype", "treatment")).values,
        "n_disagree": (agreement == 0).sum(("genotype", "treatment")).values,
        "n_oscillating": agreement.isnull().sum(("genotype", "treatment")).values,
    })
