"""One PEtab calibration problem over a model family: dose-response data, literature sizes, constraints.

:func:`family_problem` builds the calibration problem of issue #14 for any
:class:`~her2sim.family.ModelFamily` (the flagship by default) from three kinds of evidence:

**Dose-responses** (``../shared/data/ccle-dose-response.csv``: CCLE relative viability after
72 h of lapatinib or erlotinib; Barretina et al. 2012 via Fröhlich et al. 2018). Each cell line
is simulated under its catalogued preset (:func:`her2sim.library.cell_lines.ccle_lines`: the
HER2-amplified lines and the non-amplified negative controls alike, each with its own preset);
one condition per line × drug × concentration. The observable is the family's relative cell
number times a per-line scale ``scale_<line>`` (estimated: the untreated row of each line,
viability 1, fixes it), with an estimated additive noise ``sigma_dose_response``. The assay
medium is 10 % FBS: a dose enters as nominal × free fraction through the family's
``drug_settings(..., serum_percent=...)`` where the family's dose vocabulary has that keyword;
without it the nominal dose is used and a :class:`~her2sim.analysis.atlas.ModelLimitationWarning`
says so. A drug or line the family does not know is left out (recorded in ``omitted``).

**Quantitative literature findings** (a size with a tolerance, declared once in
:mod:`her2sim.library.literature`). A check is quantitative when its criterion compares one
growth-inhibition measure with a published size (``Formalism.size(value, published,
tolerance)``); this is read from the declaration itself, by evaluating the criterion with a
recording formalism, so no finding is listed by hand. Each becomes two measurements of the
relative cell number under the check's arm and its untreated arm with a shared scale
``scale_<check>_<label>``: the untreated arm measures 1 (σ = 0.01, by definition of relative
growth) and the treated arm ``1 − published/100`` with σ = tolerance/200 — the tolerance
(source SD or stated replicate spread, see each declaration) read as two standard deviations.

**Qualitative findings** (directions, orderings) enter the fit as censored measurements
(``qualitative=True``, the default; :mod:`her2sim.calibration.censored`): each inequality of a
check's kinetic criterion becomes one ``lower`` row ``F ≥ 0`` with the probit likelihood
``−log Φ(F/σ)``, ``F`` a formula (``her2simConstraint``) over auxiliary rows that simulate the
read-outs the check's measures read (relative cell number at 72 h under the arm and its
untreated arm for a growth inhibition; the read-out at ``at`` and at 0 h for a change, a rise, a
level, a nadir). The inequalities are read from the declaration, not listed by hand
(:func:`qualitative_inequalities`: the criterion runs on symbolic measures and must be the
conjunction of the comparisons it makes); ``σ`` is :data:`CENSOR_SIGMA` by the kind of quantity.
The checks also stay acceptance constraints of the plausible-population step (Allen et al.
2016; :func:`literature_constraints`), listed in ``constraints.tsv`` beside the PEtab files.
Findings declared contradictory (:data:`CONTRADICTORY`) enter neither the fit nor the
constraints: the scorecard shows them.

Estimated parameters, bounds and priors come from provenance and role (:func:`parameter_plan`):
``sourced`` → log10 bounds ×/÷ 10 and a log-normal prior (``parameterScaleNormal`` on log10, sd
:data:`PRIOR_SD["sourced"]`) around the source value; ``derived`` → the same with a wider sd;
``assumed``/``fitted``/``imported`` → bounds ×/÷ 100, flat. Only kinetic and read-out-weight
parameters are estimated; pharmacology (drug potencies), doses, expression, genotype switches,
ligands and protocol switches are fixed (conditions or sourced drug tables), as are parameters
with value 0 (no log scale) and those any condition sets.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Her2simError, UnknownNameError, ValidationError
from ..model import Model, ParameterRole
from .model_problem import ConditionSpec, Estimate, ObservableSpec, PetabTables, petab_tables_for_model

__all__ = [
    "CONTRADICTORY",
    "PRIOR_SD",
    "BOUND_FACTOR",
    "CalibrationProblem",
    "parameter_plan",
    "quantitative_sizes",
    "family_problem",
    "literature_constraints",
    "qualitative_inequalities",
    "CENSOR_SIGMA",
    "read_dose_response",
]

#: Findings whose sources contradict each other or the model's mechanism (issue #14): shown, not fitted.
CONTRADICTORY: tuple[str, ...] = ("L03d", "L17", "L50", "L32b")
#: sd of the log10-normal prior by provenance kind (None: flat prior).
PRIOR_SD: dict[str, float | None] = {"sourced": 0.1, "derived": 0.2, "assumed": None, "fitted": None,
                                     "imported": None}
#: Bounds as value ×/÷ factor by provenance kind.
BOUND_FACTOR: dict[str, float] = {"sourced": 10.0, "derived": 10.0, "assumed": 100.0, "fitted": 100.0,
                                  "imported": 100.0}
#: Roles whose parameters may be estimated.
ESTIMABLE_ROLES = (ParameterRole.KINETIC, ParameterRole.READOUT_WEIGHT)
DOSE_RESPONSE_TIME = 72.0
ASSAY_SERUM_PERCENT = 10.0
_UNTREATED_SIGMA = 0.01


@dataclass(frozen=True, eq=False)
class CalibrationProblem:
    """The tables of a family's calibration problem and what went into them.

    ``tables`` (:class:`PetabTables`), ``plan`` (:func:`parameter_plan`), ``constraints`` (one row
    per check: id, finding, expected, threshold, status), ``training_findings`` (finding ids with
    measurements in the PEtab problem; the constraints a run applies are added to the ensemble's
    training set by the run), ``omitted`` (what was left out and why).
    """

    tables: PetabTables
    plan: pd.DataFrame
    constraints: pd.DataFrame
    training_findings: tuple[str, ...]
    omitted: tuple[str, ...]

    def write(self, out_dir: str | os.PathLike[str]) -> Path:
        """Write the PEtab problem (lint-checked), ``constraints.tsv`` and ``parameter_plan.tsv``."""
        yaml_path = self.tables.write(out_dir, lint=True)
        out = Path(out_dir)
        self.constraints.to_csv(out / "constraints.tsv", sep="\t", index=False, lineterminator="\n")
        self.plan.to_csv(out / "parameter_plan.tsv", sep="\t", index=False, lineterminator="\n")
        (out / "omitted.txt").write_text("".join(f"{line}\n" for line in self.omitted), encoding="utf-8")
        return yaml_path


# ============================================================================ parameters from provenance


def parameter_plan(model: Model, *, fixed: Sequence[str] = (), only: Sequence[str] | None = None) -> pd.DataFrame:
    """Which parameters are estimated, with bounds and priors from their provenance and role.

    Returns one row per model parameter: ``parameterId``, ``role``, ``provenance``, ``estimate``
    (bool), ``reason``, ``lowerBound``, ``upperBound``, ``nominalValue``, ``objectivePriorType``,
    ``objectivePriorParameters`` (PEtab ``parameterScaleNormal`` on log10: ``"mean;sd"``).
    ``fixed`` are set by conditions; ``only`` (optional) restricts the estimates to these ids.
    """
    if only is not None:
        unknown = [pid for pid in only if pid not in model.parameter_ids]
        if unknown:
            raise UnknownNameError("only", unknown[0], model.parameter_ids)
    ruled = {r.variable for r in model.assignment_rules} | {r.variable for r in model.rate_rules}
    rows = []
    for p in model.parameters:
        kind = p.provenance.kind if p.provenance is not None else "imported"
        row: dict[str, Any] = {"parameterId": p.id, "role": p.role.value, "provenance": kind, "estimate": False,
                               "reason": "", "lowerBound": math.nan, "upperBound": math.nan,
                               "nominalValue": float(p.value), "objectivePriorType": "",
                               "objectivePriorParameters": ""}
        if p.id in ruled or not p.constant:
            row["reason"] = "computed by a rule"
        elif p.role not in ESTIMABLE_ROLES:
            row["reason"] = f"role {p.role.value!r}: fixed (condition, dose or drug table)"
        elif p.id in fixed:
            row["reason"] = "set by a condition of the problem"
        elif only is not None and p.id not in only:
            row["reason"] = "not selected (only=)"
        elif not (math.isfinite(p.value) and p.value > 0):
            row["reason"] = "value <= 0: no log scale"
        else:
            factor = BOUND_FACTOR.get(kind, 100.0)
            sd = PRIOR_SD.get(kind)
            row.update(estimate=True, reason=f"{kind}: bounds x/÷ {factor:g}" + (f", prior sd {sd} log10" if sd else
                                                                                 ", flat prior"),
                       lowerBound=p.value / factor, upperBound=p.value * factor)
            if sd is not None:
                row.update(objectivePriorType="parameterScaleNormal",
                           objectivePriorParameters=f"{math.log10(p.value)!r};{sd!r}")
        rows.append(row)
    return pd.DataFrame(rows)


# ============================================================================ literature checks


class _Tagged(float):
    label: str

    def __new__(cls, value: float, label: str) -> _Tagged:
        obj = super().__new__(cls, value)
        obj.label = label
        return obj


@dataclass
class _Recorder:
    """A kinetic formalism that records ``size`` calls (and answers True, so nothing short-circuits)."""

    name: str = "kinetic"
    rise: float = 1.5
    calls: list[tuple[str | None, float, float]] = dataclasses.field(default_factory=list)

    def size(self, value: float, published: float, tolerance: float) -> bool:
        self.calls.append((getattr(value, "label", None), float(published), float(tolerance)))
        return True


def quantitative_sizes(check: Any) -> list[tuple[str, float, float]]:
    """``[(measure label, published size, tolerance)]`` the check's kinetic criterion compares.

    Read from the declaration by evaluating the criterion on tagged values with a recording
    formalism (several value levels, so every branch of an ``and`` is reached). Sizes of derived
    quantities (a difference of two measures) are not returned.
    """
    labels = [m.label for m in check.measures]
    found: dict[str, tuple[str, float, float]] = {}
    for level in (0.0, 5.0, 50.0, 100.0, -50.0, 1.0, 1e3):
        rec = _Recorder()
        values = {label: _Tagged(level, label) for label in labels}
        try:
            check.criterion(values, rec)
        except Exception:  # noqa: BLE001 - a criterion that cannot read a level is tried at the next
            continue
        for label, published, tol in rec.calls:
            if label is not None:
                found[label] = (label, published, tol)
    return list(found.values())


def _gi_measure(check: Any, label: str):
    from ..library.literature import GI

    for m in check.measures:
        if m.label == label and isinstance(m, GI) and m.applies("kinetic"):
            return m
    return None


def _arm_spec(arm: Any, name: str, *, untreated: bool = False) -> ConditionSpec:
    genotype = arm.genotype_argument()
    context: Any = genotype if genotype else "parental"
    return ConditionSpec(context=context, drugs={} if untreated else arm.doses(), parameters=dict(arm.parameters),
                         name=name)


def literature_constraints(family: Any, check_ids: Sequence[str]) -> dict[str, Any]:
    """``{check id: callable(linear parameter values) -> bool}``: the kinetic criterion of each
    check evaluated on the family's model with those values (for :func:`plausible_population`)."""
    from ..library.findings import Lab
    from ..library.literature import KINETIC, evaluate, literature_check

    model = family.model()

    def make(check):
        def holds(values: Mapping[str, float]) -> bool:
            lab = Lab(model.with_parameters({k: v for k, v in values.items() if k in model.parameter_ids}))
            try:
                passed, _ = evaluate(check, lab, KINETIC)
            except Her2simError:
                return False
            return bool(passed)
        return holds

    return {cid: make(literature_check(cid)) for cid in check_ids}


# ============================================================================ qualitative checks as censored rows

#: Standard deviation of a censored inequality by the kind of quantity it compares (issue #14:
#: "σ from the source's uncertainty"). The direction-only sources give no SD, so σ is the
#: replicate spread of the assay that measured the quantity: 72-h proliferation assays ±5
#: growth-inhibition points (the checks' margins of 10–15 points are then 2–3 σ, the same
#: reading as the sizes' tolerance = 2 SD); immunoblot densitometry (relative changes, folds,
#: fractions; and read-out levels compared on the log scale) ±10 %.
CENSOR_SIGMA: dict[str, float] = {"gi": 5.0, "relative": 0.1, "log_level": 0.1}


class _Untranslatable(Exception):
    """A criterion that is not a conjunction of inequalities between the measures."""


class _Trace:
    """Records the comparisons a criterion makes; ``answers`` sets what each returns (default True)."""

    def __init__(self, answers: Sequence[bool] = ()) -> None:
        self.answers = list(answers)
        self.events: list[list[tuple[Any, Any, frozenset[str]]]] = []

    def record(self, inequalities: list[tuple[Any, Any, frozenset[str]]]) -> bool:
        n = len(self.events)
        self.events.append(inequalities)
        return self.answers[n] if n < len(self.answers) else True


class _Sym:
    """A measure's value as a sympy expression of measurement rows, with the kinds it is made of.

    Arithmetic builds expressions; a comparison records ``lhs ≥ rhs`` in the trace and answers as
    the trace says (so an ``and`` chain is walked to its end); truth testing is refused.
    """

    def __init__(self, expr: Any, kinds: frozenset[str], trace: _Trace) -> None:
        self.expr, self.kinds, self.trace = expr, kinds, trace

    def _wrap(self, other: Any) -> _Sym:
        import sympy

        if isinstance(other, _Sym):
            return other
        if isinstance(other, (int, float)) and not isinstance(other, bool) and math.isfinite(other):
            return _Sym(sympy.Float(other) if not float(other).is_integer() else sympy.Integer(int(other)),
                        frozenset(), self.trace)
        raise _Untranslatable(f"operand {other!r}")

    def _op(self, other: Any, fn) -> _Sym:
        o = self._wrap(other)
        return _Sym(fn(self.expr, o.expr), self.kinds | o.kinds, self.trace)

    def __add__(self, o): return self._op(o, lambda a, b: a + b)
    def __radd__(self, o): return self._op(o, lambda a, b: b + a)
    def __sub__(self, o): return self._op(o, lambda a, b: a - b)
    def __rsub__(self, o): return self._op(o, lambda a, b: b - a)
    def __mul__(self, o): return self._op(o, lambda a, b: a * b)
    def __rmul__(self, o): return self._op(o, lambda a, b: b * a)
    def __truediv__(self, o): return self._op(o, lambda a, b: a / b)
    def __rtruediv__(self, o): return self._op(o, lambda a, b: b / a)
    def __neg__(self): return _Sym(-self.expr, self.kinds, self.trace)

    def __abs__(self) -> _Abs:
        return _Abs(self)

    def __ge__(self, o): return self.trace.record([_ineq(self, self._wrap(o))])
    def __gt__(self, o): return self.__ge__(o)
    def __le__(self, o): return self.trace.record([_ineq(self._wrap(o), self)])
    def __lt__(self, o): return self.__le__(o)

    def __bool__(self) -> bool:
        raise _Untranslatable("truth value of a measure")

    __hash__ = None  # type: ignore[assignment]


class _Abs:
    """``|x|``: only ``|x| ≤ c`` is a conjunction (``x ≤ c`` and ``−x ≤ c``)."""

    def __init__(self, inner: _Sym) -> None:
        self.inner = inner

    def __le__(self, o):
        c = self.inner._wrap(o)
        return self.inner.trace.record([_ineq(c, self.inner), _ineq(c, -self.inner)])

    __lt__ = __le__

    def __ge__(self, o):
        raise _Untranslatable("|x| ≥ c is a disjunction")

    __gt__ = __ge__


def _ineq(lhs: _Sym, rhs: _Sym) -> tuple[Any, Any, frozenset[str]]:
    return lhs.expr, rhs.expr, lhs.kinds | rhs.kinds


@dataclass
class _Formalism:
    """The kinetic formalism for the trace: ``size`` is fitted as data (not recorded), ``rise`` as declared."""

    name: str = "kinetic"
    rise: float = 1.5

    def size(self, value: Any, published: float, tolerance: float) -> bool:
        return True


class _Rows:
    """Auxiliary measurement rows (read-out × condition × time) shared by the checks' constraints."""

    def __init__(self, model: Model, growth: str) -> None:
        self.model, self.growth = model, growth
        self.conditions: dict[str, ConditionSpec] = {}
        self._cond_key: dict[str, str] = {}
        self.rows: dict[tuple[str, str, float], str] = {}
        self.observables: dict[str, ObservableSpec] = {}

    def condition(self, arm: Any, untreated: bool = False) -> str:
        spec = _arm_spec(arm, "", untreated=untreated)
        key = repr((spec.context, sorted(spec.drugs.items()), sorted(spec.parameters.items())))
        cid = self._cond_key.get(key)
        if cid is None:
            _, ctx, drugs = spec.settings(self.model)  # a bad arm raises here, naming what is unknown
            known = set(self.model.parameter_ids) | {x.id for x in self.model.species}
            unknown = sorted(set(ctx) - known)
            if unknown:
                raise _Untranslatable(f"the arm sets {unknown[0]!r}, not in the family's model")
            cid = f"qual_{len(self._cond_key) + 1}"
            label = "untreated" if untreated or not spec.drugs else "+".join(spec.drugs)
            self.conditions[cid] = dataclasses.replace(spec, name=f"{label} | {spec.context}")
            self._cond_key[key] = cid
        return cid

    def symbol(self, readout: str, cid: str, time: float):
        import sympy

        oid = f"obs_qual_{_slug(readout)}"
        if oid not in self.observables:
            known = set(self.model.parameter_ids) | {x.id for x in self.model.species}
            if readout not in known:
                raise _Untranslatable(f"read-out {readout!r} is not in the family's model")
            self.observables[oid] = ObservableSpec(readout, noise=f"noiseParameter1_{oid}", transformation="lin",
                                                   name=f"{readout} (read by censored constraints)")
        key = (oid, cid, float(time))
        name = self.rows.get(key)
        if name is None:
            name = f"q{len(self.rows) + 1}"
            self.rows[key] = name
        return sympy.Symbol(name, positive=True)

    def measure(self, m: Any, trace: _Trace) -> _Sym:
        """A measure's kinetic value as an expression of rows (as :class:`her2sim.library.findings.Lab`)."""
        from ..library import literature as lit

        def sym(expr, kinds):
            return _Sym(expr, frozenset(kinds), trace)

        if isinstance(m, lit.GI):
            treated = self.symbol(self.growth, self.condition(m.arm), DOSE_RESPONSE_TIME)
            control = self.symbol(self.growth, self.condition(m.arm, untreated=True), DOSE_RESPONSE_TIME)
            return sym(100 * (1 - treated / control), {"gi"})
        readout = lit.READOUTS[m.readout].kinetic if hasattr(m, "readout") else None
        if isinstance(m, (lit.Change, lit.Drop)):
            value = self.symbol(readout, self.condition(m.arm), m.at) / self.symbol(
                readout, self.condition(m.arm, untreated=True), 0.0) - 1
            return sym(value if isinstance(m, lit.Change) else -value, {"relative"})
        if isinstance(m, lit.Rise):
            cid = self.condition(m.arm)
            return sym(self.symbol(readout, cid, m.at) / self.symbol(readout, cid, 0.0), {"relative"})
        if isinstance(m, lit.Level):
            return sym(self.symbol(readout, self.condition(m.arm), m.at), {"level"})
        if isinstance(m, lit.Baseline):
            return sym(self.symbol(readout, self.condition(m.arm), 0.0), {"level"})
        if isinstance(m, lit.Nadir):
            import sympy

            cid = self.condition(m.arm)
            return sym(sympy.Min(*[self.symbol(readout, cid, t) for t in m.times]), {"level"})
        if isinstance(m, lit.Ratio):
            num, den = self.measure(m.numerator, trace), self.measure(m.denominator, trace)
            kinds = {"relative"} if num.kinds <= {"level"} and den.kinds <= {"level"} else num.kinds | den.kinds
            return sym(num.expr / den.expr, kinds)
        raise _Untranslatable(f"measure {type(m).__name__}")


def _extremum(kind: str):
    def extremum(*args: Any) -> Any:
        import sympy

        items = list(args[0]) if len(args) == 1 else list(args)
        syms = [a for a in items if isinstance(a, _Sym)]
        if not syms:
            return (max if kind == "max" else min)(items)
        wrapped = [syms[0]._wrap(a) for a in items]
        fn = sympy.Max if kind == "max" else sympy.Min
        return _Sym(fn(*[w.expr for w in wrapped]), frozenset().union(*[w.kinds for w in wrapped]), syms[0].trace)
    return extremum


def _with_symbolic_extrema(criterion: Any) -> Any:
    """The criterion with ``max``/``min`` over measures as symbolic extrema (a copy of the function
    with those two names bound in its globals; the declaring module is not touched)."""
    import types

    code = getattr(criterion, "__code__", None)
    if code is None:
        return criterion
    env = {**criterion.__globals__, "max": _extremum("max"), "min": _extremum("min")}
    return types.FunctionType(code, env, criterion.__name__, criterion.__defaults__, criterion.__closure__)


def _split_extrema(event: list[tuple[Any, Any, frozenset[str]]]) -> list[tuple[Any, Any, frozenset[str]]]:
    """``x ≥ max(a, b) + c`` → ``x ≥ a + c`` and ``x ≥ b + c`` (and ``min(a, b) ≥ x`` alike): an
    extremum on the side where the inequality is a conjunction over its arguments is split; other
    extrema (a nadir compared from below) stay, piecewise smooth."""
    import sympy

    out: list[tuple[Any, Any, frozenset[str]]] = []
    todo = list(event)
    while todo:
        lhs, rhs, kinds = todo.pop(0)
        split = None
        for side, other, kind, flip in ((rhs, lhs, sympy.Max, False), (lhs, rhs, sympy.Min, True)):
            for atom in side.atoms(kind):
                dummy = sympy.Dummy("extremum")
                d = sympy.diff(side.xreplace({atom: dummy}), dummy)
                if d.is_number and d > 0 and not other.has(atom):
                    split = [((other, side.xreplace({atom: a})) if not flip else (side.xreplace({atom: a}), other))
                             for a in atom.args]
                    break
            if split:
                break
        if split is None:
            out.append((lhs, rhs, kinds))
        else:
            todo = [(a, b, kinds) for a, b in split] + todo
    return out


def _formula_text(expr: Any) -> str:
    """A sympy expression as SBML L3 infix for ``her2simConstraint`` (``^``, ``ln``, ``min``)."""
    import sympy

    if expr.is_Symbol:
        return expr.name
    if expr.is_Number:
        return repr(float(expr))
    args = [_formula_text(a) for a in expr.args]
    if expr.is_Add:
        return "(" + " + ".join(args) + ")"
    if expr.is_Mul:
        return "(" + " * ".join(args) + ")"
    if expr.is_Pow:
        return f"({args[0]} ^ {args[1]})"
    if isinstance(expr, sympy.Min):
        return f"min({', '.join(args)})"
    if isinstance(expr, sympy.Max):
        return f"max({', '.join(args)})"
    if isinstance(expr, sympy.log):
        return f"ln({args[0]})"
    raise _Untranslatable(f"operation {type(expr).__name__}")


def qualitative_inequalities(check: Any, rows: _Rows) -> list[tuple[Any, float, str]]:
    """The check's kinetic criterion as ``[(F, σ, kind)]`` with each ``F ≥ 0`` required.

    The criterion is run on symbolic measures (:class:`_Sym`) that record each comparison; it is
    accepted only if it is the conjunction of what it recorded: true when every comparison holds,
    false when any one fails (checked one by one). ``|x| ≤ c`` becomes two inequalities; ``max``,
    ``or`` and other control flow make a criterion untranslatable (:class:`_Untranslatable`).
    Sizes (``Formalism.size``) are fitted as data and not returned. Read-out levels compared with
    each other are compared on the log scale (``ln lhs − ln rhs``, :data:`CENSOR_SIGMA`
    ``"log_level"``); growth inhibitions in GI points; the rest as dimensionless differences.
    """
    import sympy

    criterion = _with_symbolic_extrema(check.criterion)

    def run(answers: Sequence[bool]) -> tuple[Any, _Trace]:
        trace = _Trace(answers)
        values = {m.label: rows.measure(m, trace) for m in check.measures if m.applies("kinetic")}
        try:
            result = criterion(values, _Formalism())
        except KeyError as exc:
            raise _Untranslatable(f"criterion reads {exc}") from None
        except TypeError as exc:
            raise _Untranslatable(str(exc)) from None
        return result, trace

    result, trace = run(())
    if result is not True:
        raise _Untranslatable("the criterion is not a plain conjunction")
    for i in range(len(trace.events)):
        if run([True] * i + [False])[0] is not False:
            raise _Untranslatable(f"comparison {i + 1} is not necessary (or/max/min over measures)")
    out = []
    for event in trace.events:
        for lhs, rhs, kinds in _split_extrema(event):
            if "gi" in kinds:
                out.append((sympy.expand(lhs - rhs), CENSOR_SIGMA["gi"], "gi"))
            elif kinds == {"level"} and lhs.is_positive and rhs.is_positive:
                out.append((sympy.log(lhs) - sympy.log(rhs), CENSOR_SIGMA["log_level"], "log_level"))
            else:
                out.append((lhs - rhs, CENSOR_SIGMA["relative"], "relative"))
    return out


# ============================================================================ dose-response data


def read_dose_response(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The CCLE table (``cell_line, tissue, drug, concentration_nM, relative_viability``), checked."""
    df = pd.read_csv(path)
    need = {"cell_line", "drug", "concentration_nM", "relative_viability"}
    missing = sorted(need - set(df.columns))
    if missing:
        raise ValidationError(f"{Path(path).name}: missing columns {missing}; needs {sorted(need)}")
    if not np.all(np.isfinite(df["concentration_nM"].fillna(0.0))) or (df["concentration_nM"].fillna(0) < 0).any():
        raise ValidationError(f"{Path(path).name}: concentration_nM must be finite and >= 0")
    return df


def _dose_settings_keyword(family: Any) -> bool:
    try:
        return "serum_percent" in inspect.signature(family.drug_settings).parameters
    except (TypeError, ValueError):
        return False


def _slug(text: str) -> str:
    s = re.sub(r"[^0-9A-Za-z]+", "_", str(text)).strip("_")
    return s if s and s[0].isalpha() else f"x_{s}"


# ============================================================================ the problem


def family_problem(
    family: Any = None,
    *,
    dose_response: pd.DataFrame | str | os.PathLike[str] | None = None,
    contexts: Mapping[str, Any] | None = None,
    checks: Sequence[Any] | None = None,
    serum_percent: float = ASSAY_SERUM_PERCENT,
    time: float = DOSE_RESPONSE_TIME,
    only: Sequence[str] | None = None,
    qualitative: bool = True,
) -> CalibrationProblem:
    """The calibration problem of ``family`` (default: the flagship) — see the module docstring.

    Parameters
    ----------
    family : ModelFamily or name, optional
    dose_response : DataFrame or path, optional
        Rows ``cell_line, drug, concentration_nM, relative_viability`` (drug ``none`` or a 0
        concentration: the untreated reference); e.g. ``../shared/data/ccle-dose-response.csv``.
    contexts : mapping, optional
        ``{cell_line: context}``; default: the catalogue presets by CCLE name
        (:func:`her2sim.library.cell_lines.ccle_lines`).
    checks : sequence of LiteratureCheck, optional
        Default: every declaration of :data:`her2sim.library.literature.LITERATURE_CHECKS`; pass
        ``()`` for dose-responses only.
    serum_percent : float
        Serum of the dose-response assay medium (CCLE: 10 % FBS).
    only : sequence of str, optional
        Estimate only these model parameters (the rest stay at their model values): small
        problems, partial refits.
    qualitative : bool
        Write the qualitative checks as censored measurements (:mod:`her2sim.calibration.censored`;
        see :func:`qualitative_inequalities`), so the fit sees them; False: acceptance constraints
        only (the problem of before).
    """
    from ..analysis.atlas import ModelLimitationWarning
    from ..family import ModelFamily, default_family, get_family

    fam = default_family() if family is None else get_family(family) if isinstance(family, str) else family
    if not isinstance(fam, ModelFamily):
        raise ValidationError(f"family must be a ModelFamily or its name, got {type(family).__name__}")
    if fam.growth_species is None:
        raise ValidationError(f"family {fam.name!r} has no growth species: no relative-growth observable")
    model = fam.model()
    g = fam.growth_species
    conditions: dict[str, ConditionSpec] = {}
    rows: list[dict[str, Any]] = []
    extra_estimates: dict[str, Estimate] = {}
    omitted: list[str] = []
    training: list[str] = []
    observables: dict[str, ObservableSpec] = {}

    # ---------------------------------------------------------------- dose-responses
    if dose_response is not None:
        data = dose_response if isinstance(dose_response, pd.DataFrame) else read_dose_response(dose_response)
        ctx_map = dict(contexts) if contexts is not None else _catalogue_contexts()
        with_serum = _dose_settings_keyword(fam)
        if not with_serum:
            warnings.warn(
                f"family {fam.name!r}: its drug_settings has no serum_percent keyword, so the dose-response doses "
                f"enter at their nominal medium concentration ({serum_percent:g} % serum not corrected to free drug)",
                ModelLimitationWarning, stacklevel=2)
        known_drugs = {str(d).lower() for d in (fam.drug_names() if fam.drug_names else ())}
        for line, block in data.groupby("cell_line", sort=True):
            if line not in ctx_map:
                omitted.append(f"dose-response line {line}: no context (no catalogued preset)")
                continue
            try:
                fam.resolve_context(ctx_map[line])
            except Her2simError as exc:
                omitted.append(f"dose-response line {line}: {exc}")
                continue
            scale = f"scale_{_slug(line)}"
            used = False
            for _, r in block.iterrows():
                drug = str(r["drug"])
                conc = float(r["concentration_nM"]) if pd.notna(r["concentration_nM"]) else 0.0
                untreated = drug.lower() == "none" or conc == 0.0
                if not untreated and drug.lower() not in known_drugs:
                    if f"drug {drug}" not in " ".join(omitted):
                        omitted.append(f"dose-response drug {drug}: not in the family's drug vocabulary")
                    continue
                cid = f"dr_{_slug(line)}_untreated" if untreated else f"dr_{_slug(line)}_{_slug(drug)}_{conc:g}".replace(".", "p")
                if cid not in conditions:
                    drugs = {} if untreated else {drug.lower(): conc}
                    params: dict[str, float] = {}
                    if drugs and with_serum:
                        params = fam.drug_settings(drugs, serum_percent=serum_percent)
                        drugs = {}
                    conditions[cid] = ConditionSpec(context=ctx_map[line], drugs=drugs, parameters=params,
                                                    name=f"{line} {drug} {conc:g} nM")
                rows.append({"observableId": f"obs_viability_{_slug(line)}", "simulationConditionId": cid,
                             "time": time, "measurement": float(r["relative_viability"])})
                used = True
            if used:
                extra_estimates[scale] = Estimate(1e-3, 1e3, "log10", 0.5)
                observables[f"obs_viability_{_slug(line)}"] = ObservableSpec(
                    f"{scale} * {g}", noise="sigma_dose_response", transformation="lin",
                    name=f"{line}: relative viability (per-line scale)")
        if any(k.startswith("obs_viability_") for k in observables):
            extra_estimates["sigma_dose_response"] = Estimate(1e-3, 1.0, "log10", 0.1)

    # ---------------------------------------------------------------- literature findings
    if checks is None:
        from ..library.literature import LITERATURE_CHECKS

        checks = LITERATURE_CHECKS
    constraint_rows = []
    qual = _Rows(model, g)
    censored: list[dict[str, Any]] = []
    for check in checks:
        contradictory = check.id in CONTRADICTORY
        n_censored = 0
        untranslatable = ""
        if qualitative and not contradictory:
            try:
                inequalities = qualitative_inequalities(check, qual)
            except _Untranslatable as exc:
                untranslatable = str(exc)
                inequalities = []
            except Her2simError as exc:
                untranslatable = f"an arm does not resolve: {exc}"
                inequalities = []
            for expr, sigma, kind in inequalities:
                first = min(expr.free_symbols, key=lambda s_: int(s_.name[1:])).name
                censored.append({"first": first, "measurement": 0.0, "noiseParameters": repr(sigma),
                                 "her2simCensoring": "lower", "her2simConstraint": _formula_text(expr),
                                 "datasetId": f"qualitative_{_slug(check.id)}_{kind}"})
                n_censored += 1
            if untranslatable:
                omitted.append(f"finding {check.id}: not in the fit ({untranslatable}); acceptance constraint only")
        sizes = [] if contradictory else quantitative_sizes(check)
        fitted = []
        for label, published, tol in sizes:
            m = _gi_measure(check, label)
            if m is None:
                continue
            base = f"lit_{_slug(check.id)}_{_slug(label)}"
            try:
                treated = _arm_spec(m.arm, f"{check.id} {label}")
                ctrl = _arm_spec(m.arm, f"{check.id} {label} untreated", untreated=True)
                treated.settings(model), ctrl.settings(model)
            except Her2simError as exc:
                omitted.append(f"finding {check.id} {label}: {exc}")
                continue
            conditions[base] = treated
            conditions[f"{base}_untreated"] = ctrl
            scale = f"scale_{base}"
            extra_estimates[scale] = Estimate(1e-3, 1e3, "log10", 0.5)
            oid = f"obs_{base}"
            observables[oid] = ObservableSpec(f"{scale} * {g}", noise=f"noiseParameter1_{oid}", transformation="lin",
                                              name=f"{check.id} {label}: relative growth vs its untreated arm")
            rows.append({"observableId": oid, "simulationConditionId": f"{base}_untreated", "time": time,
                         "measurement": 1.0, "noiseParameters": repr(_UNTREATED_SIGMA)})
            rows.append({"observableId": oid, "simulationConditionId": base, "time": time,
                         "measurement": 1.0 - published / 100.0, "noiseParameters": repr(tol / 200.0)})
            fitted.append(label)
        if fitted or n_censored:
            training.append(check.finding)
        if contradictory:
            status = "contradictory: shown, not fitted"
        elif fitted and n_censored:
            status = f"fitted (size) + censored ({n_censored} inequalities)"
        elif fitted:
            status = "fitted (size)"
        elif n_censored:
            # still an acceptance constraint where a run applies them (calibrate-model run --constraints)
            status = f"qualitative: censored in the fit ({n_censored} inequalities); acceptance constraint where the run applies it"
        else:
            status = "qualitative: acceptance constraint where the run applies it"
        constraint_rows.append({"checkId": check.id, "finding": check.finding, "mechanism": check.mechanism,
                                "expected": check.expected, "threshold": check.tolerance, "status": status})

    if censored:
        # only the rows (and their conditions) some constraint reads: a check dropped half-way
        # may have registered others
        used = {sym for c in censored for sym in re.findall(r"\bq\d+\b", c["her2simConstraint"])}
        kept = {key: name for key, name in qual.rows.items() if name in used}
        conditions.update({cid: spec for cid, spec in qual.conditions.items() if any(k[1] == cid for k in kept)})
        observables.update({oid: spec for oid, spec in qual.observables.items() if any(k[0] == oid for k in kept)})
        where = {name: key for key, name in kept.items()}
        for (oid, cid, t), name in kept.items():
            rows.append({"observableId": oid, "simulationConditionId": cid, "time": t, "measurement": 0.0,
                         "noiseParameters": "1.0", "her2simCensoring": "auxiliary", "her2simRowId": name})
        for c in censored:
            oid, cid, t = where[c.pop("first")]
            rows.append({"observableId": oid, "simulationConditionId": cid, "time": t, **c})
    if not rows:
        raise ValidationError("the problem has no measurements: give dose_response data or quantitative checks")
    # the parameters any condition sets are fixed; the rest follow provenance
    set_by_conditions: set[str] = set()
    for spec in conditions.values():
        _, ctx, drugs = spec.settings(model)
        set_by_conditions |= set(ctx) | set(drugs)
    from ..model.roles import untreated_overrides

    set_by_conditions |= set(untreated_overrides(model))
    plan = parameter_plan(model, fixed=sorted(set_by_conditions), only=only)
    estimate: dict[str, Estimate] = {}
    for _, r in plan[plan["estimate"]].iterrows():
        estimate[r["parameterId"]] = Estimate(float(r["lowerBound"]), float(r["upperBound"]), "log10")
    estimate.update(extra_estimates)
    tables = petab_tables_for_model(model, estimate=estimate, conditions=conditions, observables=observables,
                                    measurements=pd.DataFrame(rows))
    params = tables.parameters.copy()
    priors = plan.set_index("parameterId")
    params["objectivePriorType"] = [priors["objectivePriorType"].get(p, "") or "" for p in params["parameterId"]]
    params["objectivePriorParameters"] = [priors["objectivePriorParameters"].get(p, "") or ""
                                          for p in params["parameterId"]]
    if not (params["objectivePriorType"] != "").any():
        params = params.drop(columns=["objectivePriorType", "objectivePriorParameters"])
    tables = dataclasses.replace(tables, parameters=params)
    return CalibrationProblem(tables, plan, pd.DataFrame(constraint_rows, columns=[
        "checkId", "finding", "mechanism", "expected", "threshold", "status"]),
        tuple(dict.fromkeys(training)), tuple(omitted))


def _catalogue_contexts() -> dict[str, str]:
    from ..library.cell_lines import ccle_lines

    return {line.ccle_name: line.name for line in ccle_lines() if line.ccle_name}
