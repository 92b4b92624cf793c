"""Literature checks: each finding of findings.csv that the flagship model can speak to, as code.

Each check is declared once in :mod:`her2sim.library.literature` (evaluated here through the
kinetic protocol executor and in :mod:`her2sim.library.concordance` through the logical twin); a
:class:`Check` is its kinetic view and states the experiment (context/genotype, drugs and doses in the source's
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

from . import literature as _literature
from .her2_model import build, genotype_settings
from .protocols import treat

__all__ = ["Check", "CHECKS", "NOT_APPLICABLE", "run_checks", "Lab", "run_ablated", "ablation_table"]

IGF1_40NG = _literature.IGF1_40NG
SERUM_IGF1 = _literature.SERUM_IGF1


class Lab:
    """Runs and caches the simulated experiments that the checks share.

    Parameters
    ----------
    model
        The flagship model (default :func:`her2sim.library.her2_model.build`) or a variant.
    ablation
        A check's :class:`~her2sim.library.literature.Ablation`: its parameter overrides are applied
        on top of every run's genotype, medium and parameters (ids and roles checked against
        ``model`` here).
    """

    def __init__(self, model=None, *, ablation: _literature.Ablation | None = None) -> None:
        self.model = model or build()
        self.ablation = ablation
        self._overrides: dict[str, float] = ablation.overrides(self.model) if ablation is not None else {}
        self._cache: dict[Any, Any] = {}

    def run(self, drugs: Mapping[str, Any] | None = None, *, genotype=(), parameters=None,
            times=(0.0, 1.0, 2.0, 4.0, 8.0, 24.0, 48.0, 72.0)):
        if self._overrides:
            parameters = {**(parameters or {}), **self._overrides}
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
    #: evidence shown, not fitted away), or why it holds by construction; empty for ordinary checks
    note: str = ""
    #: true whatever the dynamics: listed on the scorecard, never counted
    by_construction: bool = False
    #: a pass counts as validation (not by construction, and an ablation shows it able to fail)
    counted: bool = True
    #: the declared ablation in words, or why there is none
    ablation: str = ""


# ------------------------------------------------------------------------------------------------
# The checks are declared once in :mod:`her2sim.library.literature` (conditions, read-outs,
# criterion) and read here through the kinetic executor; the logical twin reads the same
# declarations (:mod:`her2sim.library.concordance`).
AKT_FIT = _literature.AKT_FIT
GROWTH = _literature.GROWTH
TBLOCK = _literature.TBLOCK


def _kinetic_run(check: _literature.LiteratureCheck) -> Callable[[Lab], Result]:
    def run(lab: Lab) -> Result:
        passed, simulated = _literature.evaluate(check, lab, _literature.KINETIC)
        return bool(passed), simulated
    run.__name__ = f"_{check.id.lower()}"
    return run


def _check(declared: _literature.LiteratureCheck) -> Check:
    return Check(
        declared.id, declared.finding, declared.mechanism, declared.context, declared.perturbation,
        declared.readout, declared.expected, declared.published, declared.tolerance,
        _kinetic_run(declared), declared.depends_on, declared.note,
        declared.by_construction, declared.counted,
        declared.ablation.describe() if declared.ablation is not None else f"none: {declared.no_ablation}",
    )


CHECKS: tuple[Check, ...] = tuple(_check(declared) for declared in _literature.LITERATURE_CHECKS)

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
        tolerance, mechanism, context, perturbation, readout, uses_fitted, fitted_parameters,
        reason, by_construction, counted, ablation``. ``verdict`` is ``reproduced``,
        ``not reproduced`` or ``not applicable``. ``counted`` says whether the row enters the
        score: not for checks true by construction, nor for a pass that no ablation shows able to
        fail (a null finding); a failure without an ablation stays counted (it has failed).
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
            "reason": (check.note if check.by_construction else "") if passed else (
                check.note or "the model does not reproduce this finding within the stated tolerance (see simulated)"),
            "by_construction": check.by_construction,
            "counted": bool(not check.by_construction and (check.counted or not passed)),
            "ablation": check.ablation,
        })
    if ids is None:
        for fid, reason in NOT_APPLICABLE.items():
            rows.append({
                "id": fid, "finding": fid, "verdict": "not applicable", "simulated": "",
                "published": "", "expected": "", "tolerance": "", "mechanism": "", "context": "",
                "perturbation": "", "readout": "", "uses_fitted": False, "fitted_parameters": "",
                "reason": reason, "by_construction": False, "counted": False, "ablation": "",
            })
    frame = pd.DataFrame(rows)
    if "reason" not in frame:
        frame["reason"] = ""
    frame["reason"] = frame["reason"].fillna("")
    return frame


def run_ablated(check_id: str, model=None) -> tuple[bool, str]:
    """Evaluate one check with its declared ablation applied (kinetic).

    Parameters
    ----------
    check_id
        A check id (e.g. ``"L19b"``).
    model
        The flagship model or a variant (default :func:`her2sim.library.her2_model.build`).

    Returns
    -------
    (passed, simulated)
        As :func:`run_checks` reads them; a counted check must give ``passed = False``.

    Raises
    ------
    UnknownNameError
        For an unknown check id.
    ValidationError
        For a check that declares no ablation (its ``no_ablation`` says why).
    """
    from ..errors import ValidationError

    declared = _literature.literature_check(check_id)
    if declared.ablation is None:
        raise ValidationError(f"check {check_id} declares no ablation: {declared.no_ablation}")
    passed, simulated = _literature.evaluate(declared, Lab(model, ablation=declared.ablation), _literature.KINETIC)
    return bool(passed), simulated


def ablation_table(model=None, *, ids: tuple[str, ...] | None = None, scorecard: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every check beside its ablation: default verdict, verdict under the ablation (kinetic).

    Parameters
    ----------
    model
        The flagship model or a variant.
    ids
        Restrict to these check ids.
    scorecard
        The output of :func:`run_checks` on the same model (run here if omitted).

    Returns
    -------
    pandas.DataFrame
        One row per check: ``id, by_construction, counted, ablation, verdict, ablated_verdict,
        simulated, ablated_simulated, shown_able_to_fail``. ``ablated_verdict`` is empty for a
        check without ablation; ``shown_able_to_fail`` is True where the ablation turns a
        reproduced check into a failure.
    """
    frame = scorecard if scorecard is not None else run_checks(model, ids=ids)
    frame = frame[frame["verdict"] != "not applicable"].set_index("id")
    rows: list[dict[str, Any]] = []
    for check in _literature.LITERATURE_CHECKS:
        if (ids is not None and check.id not in ids) or check.id not in frame.index:
            continue
        default = frame.loc[check.id]
        ablated_verdict, ablated_simulated = "", ""
        if check.ablation is not None:
            passed, ablated_simulated = run_ablated(check.id, model)
            ablated_verdict = "reproduced" if passed else "not reproduced"
        rows.append({
            "id": check.id, "by_construction": check.by_construction, "counted": bool(default["counted"]),
            "ablation": check.ablation.describe() if check.ablation is not None else f"none: {check.no_ablation}",
            "verdict": default["verdict"], "ablated_verdict": ablated_verdict,
            "simulated": default["simulated"], "ablated_simulated": ablated_simulated,
            "shown_able_to_fail": default["verdict"] == "reproduced" and ablated_verdict == "not reproduced",
        })
    return pd.DataFrame(rows)


# Keep genotype_settings importable from here for scripted checks.
_ = genotype_settings
