"""PEtab (format version 1) problems: load, simulate, and evaluate the likelihood.

:func:`load_petab` reads a PEtab problem with the ``petab`` library's readers and turns its SBML
model into a her2sim :class:`~her2sim.model.Model` *extended* with the observables: each
observable formula becomes an assignment rule on a new non-constant parameter named after the
observable, and each noise formula an assignment rule on ``sigma_<observableId>``. Observable and
noise placeholders (``observableParameter1_<observableId>`` ...) become ordinary parameters set per
simulation. So observables are evaluated in compiled code, and every value the problem varies
(estimated parameters, condition values, placeholders) is a runtime input of one compiled model.

:func:`simulate_petab` groups the measurement rows into ensemble members, one per unique
(pre-equilibration condition, simulation condition, placeholder assignment), and runs all members
in one compiled ensemble call per stage:

1. pre-equilibration of each distinct pre-equilibration parameter vector (to steady state);
2. the main simulation of every member from its initial state (after pre-equilibration, species
   listed in the simulation condition are reset; a NaN there keeps the pre-equilibrated value);
3. for members with steady-state measurements (``time = inf``), a run to steady state under the
   simulation condition.

Why :meth:`CompiledModel.run` and not :func:`her2sim.simulate_ensemble`: PEtab needs a
*per-member* pre-equilibration condition and a state reset between pre-equilibration and the main
simulation. ``simulate_ensemble`` takes one pre-equilibration override mapping for all members and
no initial state, so using it would split the problem into one call per pre-equilibration condition
and could not express the species reset.

:func:`negative_log_likelihood` and :func:`chi2` follow the PEtab reference implementation
(``petab.v1.calculate_llh``): residuals on the scale given by ``observableTransformation``; for
``log``/``log10`` the density is that of the measurement on its original scale, i.e. it includes
the change-of-variables term ``log(m)`` (``log(m ln 10)``). AMICI and Data2Dynamics report the
density of the transformed measurement instead; both coincide for ``lin`` observables.

Formulas are parsed only through :func:`her2sim.model.parse` (libSBML's L3 parser) after a small
textual translation of PEtab/sympy conventions that differ from SBML L3 infix: ``**`` is power,
``log(x)`` is the natural logarithm and ``log(x, b)`` has the base second.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, final

import numpy as np
import pandas as pd

from ..errors import (
    Her2simError,
    ModelError,
    UnknownNameError,
    UnsupportedFeatureError,
    ValidationError,
)
from ..model import TIME, AssignmentRule, Model, Parameter, Species, parse
from ..engine.solver import DEFAULT_SOLVER, SolverOptions, STEADY_STATE_DEFAULTS as _SS_DEFAULTS
from . import _limits

__all__ = [
    "PetabParameter",
    "PetabObservable",
    "PetabProblem",
    "load_petab",
    "simulate_petab",
    "negative_log_likelihood",
    "chi2",
    "noise_negative_log_likelihood",
    "validate_petab_files",
]

Scale = Literal["lin", "log", "log10"]
_SCALES = ("lin", "log", "log10")
_DISTRIBUTIONS = ("normal", "laplace")
_PRIOR_TYPES = (
    "uniform",
    "normal",
    "laplace",
    "logNormal",
    "logLaplace",
    "parameterScaleUniform",
    "parameterScaleNormal",
    "parameterScaleLaplace",
)


def _petab_v1():
    try:
        import petab.v1 as petab_v1
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "reading PEtab problems needs the 'petab' package: pip install 'her2sim[test]' or pip install petab"
        ) from exc
    return petab_v1


# ============================================================================ data


@final
@dataclass(frozen=True)
class PetabParameter:
    """One row of the PEtab parameter table.

    ``nominal`` and the bounds are on the linear scale; ``scale`` is the scale on which an
    optimiser works. ``prior_type``/``prior_parameters`` are the objective prior (``None`` if
    flat); prior parameters are on the parameter scale for ``parameterScale*`` priors.
    """

    id: str
    scale: Scale
    lower: float
    upper: float
    nominal: float
    estimate: bool
    name: str = ""
    prior_type: str | None = None
    prior_parameters: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.scale not in _SCALES:
            raise ValidationError(f"parameter {self.id!r}: parameterScale={self.scale!r}; allowed: {_SCALES}")
        if self.prior_type is not None and self.prior_type not in _PRIOR_TYPES:
            raise ValidationError(
                f"parameter {self.id!r}: objectivePriorType={self.prior_type!r}; allowed: {_PRIOR_TYPES}"
            )

    def to_scale(self, value: float) -> float:
        """``value`` (linear) on this parameter's scale."""
        if self.scale == "log":
            return math.log(value)
        if self.scale == "log10":
            return math.log10(value)
        return float(value)

    def from_scale(self, value: float) -> float:
        """A value on this parameter's scale, back on the linear scale."""
        if self.scale == "log":
            return math.exp(value)
        if self.scale == "log10":
            return 10.0**value
        return float(value)


@final
@dataclass(frozen=True)
class PetabObservable:
    """One row of the observable table, with the ids of its compiled outputs.

    ``output_id`` holds the observable value and ``sigma_id`` the noise formula's value in the
    extended model; ``observable_placeholders`` / ``noise_placeholders`` are the placeholder
    parameter ids in order (``...Parameter1_...``, ``...Parameter2_...``). ``static_noise``:
    the noise formula depends on constants only (no species, rule target or time), so sigma is
    evaluated per measurement outside the ODE runs and its placeholders do not split members.
    """

    id: str
    formula: str
    noise_formula: str
    transformation: Scale = "lin"
    distribution: Literal["normal", "laplace"] = "normal"
    output_id: str = ""
    sigma_id: str = ""
    observable_placeholders: tuple[str, ...] = ()
    noise_placeholders: tuple[str, ...] = ()
    name: str = ""
    static_noise: bool = False

    def __post_init__(self) -> None:
        if self.transformation not in _SCALES:
            raise ValidationError(
                f"observable {self.id!r}: observableTransformation={self.transformation!r}; allowed: {_SCALES}"
            )
        if self.distribution not in _DISTRIBUTIONS:
            raise ValidationError(
                f"observable {self.id!r}: noiseDistribution={self.distribution!r}; allowed: {_DISTRIBUTIONS}"
            )


@final
@dataclass(frozen=True, eq=False)
class PetabProblem:
    """A PEtab problem ready to simulate.

    Attributes
    ----------
    model : Model
        The SBML model extended with observable and noise assignment rules and placeholder
        parameters (see the module docstring).
    sbml_model : Model
        The model as read from the SBML file.
    observables : tuple of PetabObservable
    parameters : tuple of PetabParameter
        The parameter table in file order.
    conditions : pandas.DataFrame
        Condition table indexed by ``conditionId``.
    measurements : pandas.DataFrame
        Measurement table (``preequilibrationConditionId`` always present, ``""`` if none).
    source : str
        The problem's yaml path as given.
    """

    model: Model
    sbml_model: Model
    observables: tuple[PetabObservable, ...]
    parameters: tuple[PetabParameter, ...]
    conditions: pd.DataFrame
    measurements: pd.DataFrame
    source: str = ""
    #: condition-table targets that the SBML model also sets by an initial assignment:
    #: target id -> (flag input, value input) of the rewritten assignment (see
    #: :func:`_override_initial_assignments`)
    ia_overrides: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def parameter_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.parameters)

    @property
    def estimated_parameter_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.parameters if p.estimate)

    @property
    def nominal_parameters(self) -> dict[str, float]:
        """Nominal values (linear scale) of the estimated parameters."""
        return {p.id: p.nominal for p in self.parameters if p.estimate}

    def __getstate__(self) -> dict:
        # the compiled plan holds a library handle and arrays: rebuilt where it is used
        state = dict(self.__dict__)
        state["_cache"] = {k: v for k, v in self._cache.items() if k != "compiled_plan"}
        return state

    def get_parameter(self, ident: str) -> PetabParameter:
        for p in self.parameters:
            if p.id == ident:
                return p
        raise UnknownNameError("parameterId", ident, self.parameter_ids)

    def get_observable(self, ident: str) -> PetabObservable:
        for o in self.observables:
            if o.id == ident:
                return o
        raise UnknownNameError("observableId", ident, (o.id for o in self.observables))

    def __repr__(self) -> str:
        return (
            f"PetabProblem({self.sbml_model.id!r}, observables={len(self.observables)}, "
            f"conditions={len(self.conditions)}, measurements={len(self.measurements)}, "
            f"estimated={len(self.estimated_parameter_ids)})"
        )


# ============================================================================ formulas


def _find_close(text: str, start: int) -> int:
    """Index of the parenthesis closing the one at ``start``."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ModelError(f"unbalanced parentheses in formula {text!r}")


def _split_arguments(text: str) -> list[str]:
    parts, depth, last = [], 0, 0
    for i, c in enumerate(text):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[last:i])
            last = i + 1
    parts.append(text[last:])
    return parts


def _to_l3(formula: str) -> str:
    """Translate PEtab (sympy-convention) infix to SBML L3 infix.

    Only text is rearranged (``**`` → ``^``; ``log(x)`` → ``ln(x)``; ``log(x, b)`` →
    ``log(b, x)``); the result is parsed by libSBML.
    """
    text = formula.replace("**", "^")
    out: list[str] = []
    i = 0
    while i < len(text):
        is_log = text.startswith("log", i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"))
        j = i + 3
        while is_log and j < len(text) and text[j] == " ":
            j += 1
        if is_log and j < len(text) and text[j] == "(":
            end = _find_close(text, j)
            args = [_to_l3(a) for a in _split_arguments(text[j + 1 : end])]
            if len(args) == 1:
                out.append(f"ln({args[0]})")
            elif len(args) == 2:
                out.append(f"log({args[1]}, {args[0]})")
            else:
                raise ModelError(f"log with {len(args)} arguments in formula {formula!r}")
            i = end + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _parse_formula(formula: Any, where: str):
    if isinstance(formula, numbers.Number) and not isinstance(formula, bool):
        if not np.isfinite(float(formula)):
            raise ValidationError(f"{where}: formula is empty or not finite ({formula!r})")
        return parse(repr(float(formula)))
    if not isinstance(formula, str) or not formula.strip():
        raise ValidationError(f"{where}: formula is empty")
    try:
        return parse(_to_l3(formula.strip()))
    except ModelError as exc:
        raise ModelError(f"{where}: {exc}") from None


def _placeholders(expr, prefix: str, observable_id: str) -> tuple[str, ...]:
    names = {s.name for s in expr.free_symbols}
    found: dict[int, str] = {}
    head = prefix
    tail = f"_{observable_id}"
    for n in names:
        if n.startswith(head) and n.endswith(tail):
            middle = n[len(head) : len(n) - len(tail)]
            if middle.isdigit():
                found[int(middle)] = n
    if found and sorted(found) != list(range(1, len(found) + 1)):
        raise ModelError(
            f"observable {observable_id!r}: {prefix}N placeholders must be numbered 1..n, got {sorted(found)}"
        )
    return tuple(found[k] for k in sorted(found))


# ============================================================================ loading


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == "" or value.strip().lower() == "nan"
    try:
        return bool(np.isnan(value))
    except TypeError:
        return False


def _parse_prior(row: Mapping[str, Any], ident: str) -> tuple[str | None, tuple[float, ...]]:
    kind = row.get("objectivePriorType")
    if _is_missing(kind):
        return None, ()
    raw = row.get("objectivePriorParameters")
    if _is_missing(raw):
        raise ValidationError(f"parameter {ident!r}: objectivePriorType={kind!r} needs objectivePriorParameters")
    values = tuple(float(v) for v in str(raw).split(";"))
    if len(values) != 2:
        raise ValidationError(f"parameter {ident!r}: objectivePriorParameters={raw!r} must be two numbers 'a;b'")
    return str(kind), values


def _parameter_table(df: pd.DataFrame) -> tuple[PetabParameter, ...]:
    out = []
    for ident, row in df.iterrows():
        ident = str(ident)
        estimate = int(row.get("estimate", 1)) == 1
        nominal = row.get("nominalValue")
        nominal_f = float("nan") if _is_missing(nominal) else float(nominal)
        prior_type, prior_parameters = _parse_prior(row, ident)
        name = row.get("parameterName")
        out.append(
            PetabParameter(
                id=ident,
                scale=str(row.get("parameterScale", "lin")),  # type: ignore[arg-type]
                lower=float(row.get("lowerBound", -np.inf)) if not _is_missing(row.get("lowerBound")) else -np.inf,
                upper=float(row.get("upperBound", np.inf)) if not _is_missing(row.get("upperBound")) else np.inf,
                nominal=nominal_f,
                estimate=estimate,
                name="" if _is_missing(name) else str(name),
                prior_type=prior_type,
                prior_parameters=prior_parameters,
            )
        )
        if not estimate and not np.isfinite(nominal_f):
            raise ValidationError(f"parameter {ident!r} is fixed (estimate=0) but has no nominalValue")
    return tuple(out)


def _unique_id(base: str, taken: set[str]) -> str:
    ident, n = base, 1
    while ident in taken:
        n += 1
        ident = f"{base}_{n}"
    taken.add(ident)
    return ident


def _extend_model(
    sbml_model: Model, observable_df: pd.DataFrame, parameters: Sequence[PetabParameter]
) -> tuple[Model, tuple[PetabObservable, ...]]:
    taken = {c.id for c in sbml_model.compartments} | set(sbml_model.species_ids)
    taken |= set(sbml_model.parameter_ids) | {r.id for r in sbml_model.reactions}
    ruled = {r.variable for r in sbml_model.assignment_rules} | {r.variable for r in sbml_model.rate_rules}
    new_items: list[object] = []
    observables: list[PetabObservable] = []
    exprs = []
    for ident, row in observable_df.iterrows():
        ident = str(ident)
        if ident in taken:
            raise ModelError(
                f"observableId {ident!r} is also an id of the model; PEtab requires observable ids to be new"
            )
        formula = row.get("observableFormula")
        noise = row.get("noiseFormula")
        obs_expr = _parse_formula(formula, f"observable {ident!r} observableFormula")
        noise_expr = _parse_formula(noise, f"observable {ident!r} noiseFormula")
        transformation = row.get("observableTransformation")
        distribution = row.get("noiseDistribution")
        taken.add(ident)
        sigma_id = _unique_id(f"sigma_{ident}", taken)
        name = row.get("observableName")
        noise_placeholders = _placeholders(noise_expr, "noiseParameter", ident)
        dynamic = (set(sbml_model.species_ids) | ruled | {TIME.name}) - set(noise_placeholders)
        static = not ({sym.name for sym in noise_expr.free_symbols} & (dynamic | set(observable_df.index)))
        observables.append(
            PetabObservable(
                id=ident,
                formula=str(formula),
                noise_formula=str(noise),
                transformation="lin" if _is_missing(transformation) else str(transformation),  # type: ignore[arg-type]
                distribution="normal" if _is_missing(distribution) else str(distribution),  # type: ignore[arg-type]
                output_id=ident,
                sigma_id=sigma_id,
                observable_placeholders=_placeholders(obs_expr, "observableParameter", ident),
                noise_placeholders=noise_placeholders,
                name="" if _is_missing(name) else str(name),
                static_noise=static,
            )
        )
        exprs.append((ident, obs_expr))
        exprs.append((sigma_id, noise_expr))
    # placeholders and table parameters that the model does not define become runtime inputs
    extra: list[str] = []
    for o in observables:
        extra.extend(o.observable_placeholders + o.noise_placeholders)
    extra.extend(p.id for p in parameters)
    nominal = {p.id: p.nominal for p in parameters}
    for ident in dict.fromkeys(extra):
        if ident not in taken:
            taken.add(ident)
            value = nominal.get(ident, float("nan"))
            new_items.append(Parameter(ident, value if np.isfinite(value) else 0.0, name=ident))
    for ident, expr in exprs:
        new_items.append(Parameter(ident, 0.0, constant=False, name=ident))
        new_items.append(AssignmentRule(ident, expr))
    try:
        model = sbml_model.add(*new_items)
    except ModelError as exc:
        raise ModelError(f"adding the PEtab observables to model {sbml_model.id!r} failed: {exc}") from None
    return model, tuple(observables)


def _override_initial_assignments(model: Model, condition_df: pd.DataFrame) -> tuple[Model, dict[str, tuple[str, str]]]:
    """Let condition-table values win over the model's initial assignments (PEtab v1).

    PEtab v1: a value in the condition table overrides the model's value of that id. For an id
    that an SBML initial assignment also sets (a parameter, compartment or species), the
    compiled initialisation would otherwise re-run the assignment after the condition was
    applied and silently discard the condition's value (Liu_IFACPapersOnLine2025: ``u_2 = 0``
    in the table, ``1e9`` from the assignment). Each such assignment ``x = f`` becomes

        ``x = piecewise(petab_value_x, petab_override_x != 0, f)``

    with two new runtime inputs: a condition that sets ``x`` sets the flag to 1 and the value;
    other conditions (or empty cells) keep the flag at 0 and the model's assignment. Values of
    other initial assignments that read ``x`` then see the condition's value, as they would if
    the model had declared it. A species value is in the unit the condition table uses for
    species (its declared initial amount or concentration, as in :func:`_apply_species`),
    converted here to the species' own unit, which the assignment's math is in.
    """
    import sympy

    targets = {a.symbol for a in model.initial_assignments}
    columns = [str(c) for c in condition_df.columns if str(c) != "conditionName"]
    hit = [c for c in columns if c in targets and not all(_is_missing(v) for v in condition_df[c])]
    if not hit:
        return model, {}
    taken = {c.id for c in model.compartments} | set(model.species_ids) | set(model.parameter_ids)
    taken |= {r.id for r in model.reactions}
    species = {s.id: s for s in model.species}
    overrides: dict[str, tuple[str, str]] = {}
    new_params: list[Parameter] = []
    for ident in hit:
        flag = _unique_id(f"petab_override_{ident}", taken)
        value = _unique_id(f"petab_value_{ident}", taken)
        overrides[ident] = (flag, value)
        new_params += [Parameter(flag, 0.0, name=flag), Parameter(value, 0.0, name=value)]
    assignments = []
    for a in model.initial_assignments:
        if a.symbol not in overrides:
            assignments.append(a)
            continue
        flag, value = overrides[a.symbol]
        given: sympy.Expr = sympy.Symbol(value, real=True)
        s = species.get(a.symbol)
        if s is not None:
            size = sympy.Symbol(s.compartment, real=True)
            if s.initial_is_amount and not s.has_only_substance_units:
                given = given / size
            elif not s.initial_is_amount and s.has_only_substance_units:
                given = given * size
        math_ = sympy.Piecewise((given, sympy.Ne(sympy.Symbol(flag, real=True), 0)), (a.math, True))
        assignments.append(dataclasses.replace(a, math=math_))
    model = model.add(*new_params).replace(initial_assignments=tuple(assignments))
    return model, overrides


# ============================================================================ table validation
#
# Checked before the petab library reads anything, so that a malformed problem gives a her2sim
# error naming the file, the row and the column instead of a raw KeyError / ValueError /
# EmptyDataError / AttributeError from deep inside pandas or petab.


def _table_error(file: Path, row: int | None, column: str | None, problem: str) -> ValidationError:
    where = file.name
    if row is not None:
        where += f", row {row + 1} (line {row + 2})"
    if column is not None:
        where += f", column {column!r}"
    return ValidationError(f"PEtab {where}: {problem}")


def _read_yaml_config(path: Path) -> dict:
    import yaml  # a dependency of petab; safe_load only (no arbitrary objects)

    text = _limits.read_text(path, "PEtab yaml file")
    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValidationError(f"PEtab {path.name}: not valid YAML{where}: {problem}") from None
    if not isinstance(config, dict):
        raise ValidationError(
            f"PEtab {path.name}: the YAML must be a mapping with format_version, parameter_file and problems; "
            f"got {type(config).__name__}"
        )
    if not isinstance(config.get("parameter_file"), (str, list)):
        raise ValidationError(f"PEtab {path.name}: 'parameter_file' must name the parameter table")
    problems = config.get("problems")
    if not isinstance(problems, list) or not all(isinstance(p, dict) for p in problems):
        raise ValidationError(f"PEtab {path.name}: 'problems' must be a list of mappings (one per problem)")
    for n, prob in enumerate(problems):
        for key in ("sbml_files", "condition_files", "measurement_files", "observable_files"):
            files = prob.get(key)
            if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
                raise ValidationError(f"PEtab {path.name}: problems[{n}].{key} must be a non-empty list of file names")
    return config


def _read_table(path: Path, index_column: str | None = None) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(f"PEtab table {str(path)!r} (named in the yaml file) does not exist")
    text = _limits.read_text(path, "PEtab table")
    import io

    try:
        df = pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise _table_error(path, None, None, "the table is empty (a header line with column names is required)") from None
    except pd.errors.ParserError as exc:
        raise _table_error(path, None, None, f"not a tab-separated table: {str(exc).strip()}") from None
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _require_columns(path: Path, df: pd.DataFrame, required: Sequence[str]) -> None:
    from ..errors import closest

    for column in required:
        if column not in df.columns:
            near = closest(column, list(df.columns))
            hint = f" (did you mean {near!r}?)" if near else ""
            raise _table_error(path, None, column, f"required column is missing{hint}; columns: {list(df.columns)}")


def _number(path: Path, row: int, column: str, text: str, *, allow_empty: bool = False) -> float | None:
    text = text.strip()
    if text == "" and allow_empty:
        return None
    try:
        return float(text)
    except ValueError:
        raise _table_error(path, row, column, f"{text!r} is not a number") from None


def _validate_parameter_table(path: Path) -> None:
    df = _read_table(path)
    _require_columns(path, df, ("parameterId", "parameterScale", "nominalValue", "estimate"))
    seen: dict[str, int] = {}
    for i, row in enumerate(df.to_dict("records")):
        ident = row["parameterId"].strip()
        if not ident:
            raise _table_error(path, i, "parameterId", "empty parameter id")
        if ident in seen:
            raise _table_error(path, i, "parameterId", f"{ident!r} is listed twice (also row {seen[ident] + 1})")
        seen[ident] = i
        if row["estimate"].strip() not in ("0", "1"):
            raise _table_error(path, i, "estimate", f"{row['estimate']!r}: estimate must be 0 or 1")
        scale = row["parameterScale"].strip()
        if scale not in _SCALES:
            raise _table_error(path, i, "parameterScale", f"{scale!r}; allowed: {', '.join(_SCALES)}")
        nominal = _number(path, i, "nominalValue", row["nominalValue"], allow_empty=row["estimate"].strip() == "1")
        if row["estimate"].strip() != "1":
            continue
        _require_columns(path, df, ("lowerBound", "upperBound"))
        lower = _number(path, i, "lowerBound", row["lowerBound"])
        upper = _number(path, i, "upperBound", row["upperBound"])
        if not lower <= upper or math.isnan(lower) or math.isnan(upper):  # type: ignore[operator]
            raise _table_error(path, i, "lowerBound", f"bounds [{lower}, {upper}] of {ident!r} are not ordered")
        if scale != "lin" and not lower > 0:  # type: ignore[operator]
            raise _table_error(path, i, "lowerBound", f"{ident!r} is on {scale} scale, so its lowerBound must be > 0")
        if nominal is not None and math.isnan(nominal):
            raise _table_error(path, i, "nominalValue", f"{ident!r}: nominalValue is NaN")


def _direct_sigma_placeholders(paths: Sequence[Path]) -> dict[str, int]:
    """Observable id → the position (0-based) of the noise placeholder that *is* its sigma
    (noise formula ``noiseParameterN_<id>`` alone); observables with other formulas are absent.
    A numeric noise parameter is a sigma, and must be positive, only there: in a sum such as
    ``noiseParameter1_x + noiseParameter2_x`` (Bachmann 2011) a term may be 0."""
    out: dict[str, int] = {}
    for path in paths:
        if not path.is_file():
            continue
        for row in _read_table(path).to_dict("records"):
            ident = str(row.get("observableId", "")).strip()
            match = re.fullmatch(rf"noiseParameter([1-9][0-9]*)_{re.escape(ident)}", str(row.get("noiseFormula", "")).strip())
            if ident and match:
                out[ident] = int(match.group(1)) - 1
    return out


def _validate_measurement_table(path: Path, direct_sigma: Mapping[str, int] | None = None) -> None:
    df = _read_table(path)
    _require_columns(path, df, ("observableId", "simulationConditionId", "measurement", "time"))
    for i, row in enumerate(df.to_dict("records")):
        t = _number(path, i, "time", row["time"])
        # PEtab: time 'inf' means steady state; NaN or -inf would make every objective value infinite
        if t is None or math.isnan(t) or t == -math.inf:
            raise _table_error(path, i, "time", f"{row['time']!r}: times must be finite numbers (or inf for steady state)")
        m = _number(path, i, "measurement", row["measurement"])
        if m is None or not math.isfinite(m):
            raise _table_error(path, i, "measurement", f"{row['measurement']!r} is not a finite number")
        for column in ("observableId", "simulationConditionId"):
            if not row[column].strip():
                raise _table_error(path, i, column, "empty id")
        position = None if direct_sigma is None else direct_sigma.get(row["observableId"].strip())
        for j, part in enumerate(str(row.get("noiseParameters", "")).split(";")):
            part = part.strip()
            if not part or (direct_sigma is not None and j != position):
                continue
            try:
                sigma = float(part)
            except ValueError:
                continue  # a parameter id, checked when the problem is planned
            if not (math.isfinite(sigma) and sigma > 0):
                raise _table_error(path, i, "noiseParameters", f"{part!r}: a noise sigma must be a positive finite number")


def _validate_observable_table(path: Path) -> None:
    df = _read_table(path)
    _require_columns(path, df, ("observableId", "observableFormula", "noiseFormula"))
    for i, row in enumerate(df.to_dict("records")):
        if not row["observableId"].strip():
            raise _table_error(path, i, "observableId", "empty id")
        for column, allowed in (("observableTransformation", _SCALES), ("noiseDistribution", _DISTRIBUTIONS)):
            value = str(row.get(column, "")).strip()
            if value and value not in allowed:
                raise _table_error(path, i, column, f"{value!r}; allowed: {', '.join(allowed)}")
        try:
            sigma = float(row["noiseFormula"])
        except ValueError:
            continue  # a formula, evaluated per measurement (a negative value has zero likelihood)
        if not (math.isfinite(sigma) and sigma > 0):
            raise _table_error(path, i, "noiseFormula", f"{row['noiseFormula']!r}: a constant sigma must be positive")


def _validate_condition_table(path: Path) -> None:
    df = _read_table(path)
    _require_columns(path, df, ("conditionId",))
    for i, row in enumerate(df.to_dict("records")):
        if not row["conditionId"].strip():
            raise _table_error(path, i, "conditionId", "empty id")


def validate_petab_files(yaml_path: str | os.PathLike[str]) -> dict:
    """Check a PEtab v1 problem's yaml and tables before they are read; return the yaml config.

    Checked: the yaml parses (``safe_load``) to the expected mapping; every table exists, is
    tab-separated text within the size limit and has its required columns; parameter table:
    unique ids, ``estimate`` in {0, 1}, ``parameterScale`` in lin/log/log10, numeric nominal
    values, ordered numeric bounds for estimated parameters (positive on log scales);
    measurement table: numeric finite measurements, times finite or ``inf`` (steady state),
    numeric noise parameters > 0 where the noise formula is that parameter alone; observable table: constant noise formulas > 0, known
    transformations and distributions; condition table: ids.

    Raises
    ------
    ValidationError
        Naming the file, the row (and its line) and the column.
    FileNotFoundError
        For a missing file.
    """
    path = Path(yaml_path)
    if not path.is_file():
        raise FileNotFoundError(f"PEtab yaml file not found: {path}")
    config = _read_yaml_config(path)
    base = path.parent
    parameter_files = config["parameter_file"]
    for name in [parameter_files] if isinstance(parameter_files, str) else parameter_files:
        _validate_parameter_table(base / name)
    for prob in config["problems"]:
        direct_sigma = _direct_sigma_placeholders([base / name for name in prob["observable_files"]])
        for name in prob["measurement_files"]:
            _validate_measurement_table(base / name, direct_sigma)
        for name in prob["observable_files"]:
            _validate_observable_table(base / name)
        for name in prob["condition_files"]:
            _validate_condition_table(base / name)
    return config


def load_petab(yaml_path: str | os.PathLike[str]) -> PetabProblem:
    """Load a PEtab v1 problem (single model, single problem) for simulation.

    Parameters
    ----------
    yaml_path : str or path-like
        The problem's yaml file. Tables are read with the ``petab`` library's readers; the SBML
        model with :func:`her2sim.io.sbml.read_sbml`.

    Returns
    -------
    PetabProblem

    Raises
    ------
    FileNotFoundError
        If the yaml file does not exist.
    UnsupportedFeatureError
        For PEtab v2 files, more than one model or problem, or a model language other than SBML.
    ModelError
        If a formula does not parse or an observable id clashes with a model id.
    UnknownNameError
        If the measurement table names an observable or condition that is not defined.

    Examples
    --------
    >>> problem = load_petab("Fujita_SciSignal2010.yaml")  # doctest: +SKIP
    >>> simulate_petab(problem)["simulation"].head()  # doctest: +SKIP
    """
    from .sbml import read_sbml

    petab_v1 = _petab_v1()
    path = Path(yaml_path)
    if not path.is_file():
        raise FileNotFoundError(f"PEtab yaml file not found: {path}")
    config = _read_yaml_config(path)
    version = str(config.get("format_version", "1"))
    if not version.startswith("1"):
        raise UnsupportedFeatureError(f"{path.name}: PEtab format_version={version!r}; only version 1 is supported")
    problems = config.get("problems", [])
    if len(problems) != 1:
        raise UnsupportedFeatureError(f"{path.name}: {len(problems)} problems; exactly one is supported")
    sbml_files = problems[0].get("sbml_files", [])
    if len(sbml_files) != 1:
        raise UnsupportedFeatureError(f"{path.name}: {len(sbml_files)} SBML files; exactly one is supported")
    validate_petab_files(path)
    with warnings.catch_warnings():
        # petab's readers pass arguments that pandas>=3 deprecates (float_precision, inplace);
        # this is petab's business and does not change what is read.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"petab\.")
        try:
            problem = petab_v1.Problem.from_yaml(str(path))
        except (KeyError, ValueError, TypeError, AttributeError, pd.errors.ParserError) as exc:
            if isinstance(exc, Her2simError):
                raise
            raise ValidationError(
                f"PEtab {path.name}: the petab library could not read the problem ({type(exc).__name__}: "
                f"{str(exc)[:300]}); check the tables against the PEtab v1 specification"
            ) from None
    sbml_model = read_sbml(path.parent / sbml_files[0])
    parameters = _parameter_table(problem.parameter_df)
    model, observables = _extend_model(sbml_model, problem.observable_df, parameters)
    model, ia_overrides = _override_initial_assignments(model, problem.condition_df)
    measurements = problem.measurement_df.copy()
    if "preequilibrationConditionId" not in measurements.columns:
        measurements["preequilibrationConditionId"] = ""
    measurements["preequilibrationConditionId"] = [
        "" if _is_missing(v) else str(v) for v in measurements["preequilibrationConditionId"]
    ]
    conditions = problem.condition_df.copy()
    result = PetabProblem(
        model=model,
        sbml_model=sbml_model,
        observables=observables,
        parameters=parameters,
        conditions=conditions,
        measurements=measurements.reset_index(drop=True),
        source=str(yaml_path),
        ia_overrides=ia_overrides,
    )
    _plan(result)  # validates ids in the measurement table now, not at the first simulation
    return result


# ============================================================================ planning


@dataclass
class _Plan:
    """How measurement rows map onto ensemble members (independent of parameter values)."""

    member_pre: list[str]  # preequilibration condition id or ""
    member_cond: list[str]
    member_placeholders: list[dict[str, float | str]]
    row_member: np.ndarray
    row_output: np.ndarray  # index into the selected outputs (observable value)
    row_sigma: np.ndarray  # index into the selected outputs (noise value)
    row_time: np.ndarray
    row_steady: np.ndarray  # time == inf
    times: np.ndarray  # finite output times incl. 0
    row_time_index: np.ndarray
    outputs: list[str]
    condition_targets: dict[str, tuple[str, str]] = field(default_factory=dict)  # column -> (kind, id)
    row_observable: list[str] = field(default_factory=list)
    row_noise: list[tuple] = field(default_factory=list)  # (placeholder, value or id) pairs


def _split_overrides(value: Any) -> list[float | str]:
    if _is_missing(value):
        return []
    if isinstance(value, numbers.Number):
        return [float(value)]
    out: list[float | str] = []
    for part in str(value).split(";"):
        part = part.strip()
        try:
            out.append(float(part))
        except ValueError:
            out.append(part)
    return out


def _plan(problem: PetabProblem) -> _Plan:
    cached = problem._cache.get("plan")
    if cached is not None:
        return cached
    m = problem.measurements
    obs = {o.id: o for o in problem.observables}
    conditions = set(map(str, problem.conditions.index))
    model = problem.model
    species = set(model.species_ids)
    inputs = set(model.parameter_ids) | {c.id for c in model.compartments}
    ruled = {r.variable for r in model.assignment_rules} | {r.variable for r in model.rate_rules}
    targets: dict[str, tuple[str, str]] = {}
    for col in problem.conditions.columns:
        col = str(col)
        if col == "conditionName":
            continue
        if col in species:
            targets[col] = ("species", col)
        elif col in inputs and col not in ruled:
            targets[col] = ("input", col)
        elif col in ruled:
            raise UnsupportedFeatureError(
                f"condition table column {col!r} is the target of a rule in the model; PEtab cannot override it"
            )
        else:
            raise UnknownNameError("condition table column", col, species | inputs)

    outputs: list[str] = []
    out_index: dict[str, int] = {}

    def output(ident: str) -> int:
        if ident not in out_index:
            out_index[ident] = len(outputs)
            outputs.append(ident)
        return out_index[ident]

    groups: dict[tuple[str, str], dict[str, list[tuple]]] = {}
    row_assign: list[tuple[tuple[str, str], str, tuple]] = []
    row_noise: list[tuple] = []
    n = len(m)
    row_output = np.empty(n, dtype=np.int64)
    row_sigma = np.empty(n, dtype=np.int64)
    for i, (oid, cond, pre, op, npar) in enumerate(
        zip(
            m["observableId"],
            m["simulationConditionId"],
            m["preequilibrationConditionId"],
            m["observableParameters"] if "observableParameters" in m else [None] * n,
            m["noiseParameters"] if "noiseParameters" in m else [None] * n,
        )
    ):
        oid, cond, pre = str(oid), str(cond), str(pre)
        o = obs.get(oid)
        if o is None:
            raise UnknownNameError(f"measurement table row {i}: observableId", oid, obs)
        for c in (cond, pre) if pre else (cond,):
            if c not in conditions:
                raise UnknownNameError(f"measurement table row {i}: conditionId", c, conditions)
        op_values = _split_overrides(op)
        np_values = _split_overrides(npar)
        for kind, values, holders in (
            ("observableParameters", op_values, o.observable_placeholders),
            ("noiseParameters", np_values, o.noise_placeholders),
        ):
            if len(values) != len(holders):
                raise ValidationError(
                    f"measurement table row {i}: {kind} has {len(values)} values {values!r}, but observable "
                    f"{oid!r} has {len(holders)} placeholders {list(holders)}"
                )
            for v in values:
                if isinstance(v, str) and v not in problem.parameter_ids and v not in inputs:
                    raise UnknownNameError(f"measurement table row {i}: {kind}", v, problem.parameter_ids)
        noise_assignment = tuple(zip(o.noise_placeholders, np_values))
        assignment = tuple(zip(o.observable_placeholders, op_values))
        if not o.static_noise:
            assignment += noise_assignment
        row_noise.append(noise_assignment)
        key = (pre, cond)
        per_obs = groups.setdefault(key, {}).setdefault(oid, [])
        if assignment not in per_obs:
            per_obs.append(assignment)
        row_assign.append((key, oid, assignment))
        row_output[i] = output(o.output_id)
        row_sigma[i] = output(o.sigma_id)

    member_pre: list[str] = []
    member_cond: list[str] = []
    member_placeholders: list[dict[str, float | str]] = []
    first_member: dict[tuple[str, str], int] = {}
    for key, per_obs in groups.items():
        first_member[key] = len(member_pre)
        # member j takes each observable's j-th distinct placeholder assignment: as few members
        # as the most-varied observable needs
        width = max(len(v) for v in per_obs.values())
        for j in range(width):
            holders: dict[str, float | str] = {}
            for assignments in per_obs.values():
                holders.update(dict(assignments[min(j, len(assignments) - 1)]))
            member_pre.append(key[0])
            member_cond.append(key[1])
            member_placeholders.append(holders)
    row_member = np.asarray(
        [first_member[key] + groups[key][oid].index(a) for key, oid, a in row_assign], dtype=np.int64
    )
    row_time = np.asarray(m["time"], dtype=float)
    row_steady = np.isinf(row_time)
    if np.any(row_time[~row_steady] < 0) or np.any(row_time == -np.inf):
        raise ValidationError("measurement times must be >= 0 or inf")
    times = np.unique(np.concatenate([[0.0], row_time[~row_steady]]))
    row_time_index = np.where(row_steady, 0, np.searchsorted(times, np.where(row_steady, 0.0, row_time)))
    plan = _Plan(
        member_pre=member_pre,
        member_cond=member_cond,
        member_placeholders=member_placeholders,
        row_member=row_member,
        row_output=row_output,
        row_sigma=row_sigma,
        row_time=row_time,
        row_steady=row_steady,
        times=times,
        row_time_index=row_time_index,
        outputs=outputs,
        condition_targets=targets,
        row_observable=[str(o) for o in m["observableId"]],
        row_noise=row_noise,
    )
    problem._cache["plan"] = plan
    return plan


# ============================================================================ simulation


@dataclass
class _Result:
    simulation: np.ndarray
    sigma: np.ndarray
    member_status: np.ndarray
    member_message: list[str]


def _parameter_values(problem: PetabProblem, parameters: Mapping[str, float] | None) -> dict[str, float]:
    values = {p.id: p.nominal for p in problem.parameters}
    estimated = set(problem.estimated_parameter_ids)
    for k, v in (parameters or {}).items():
        if k not in values:
            raise UnknownNameError("parameters", k, estimated)
        values[k] = float(v)
    missing = [k for k, v in values.items() if not np.isfinite(v) and k in estimated]
    if missing:
        raise ValidationError(f"parameters: no value (and no nominalValue) for estimated parameters {missing}")
    return values


def _resolve(value: float | str, values: Mapping[str, float], model: Model, where: str) -> float:
    if isinstance(value, str):
        if value in values:
            return float(values[value])
        try:
            item = model.component(value)
        except UnknownNameError:
            raise UnknownNameError(where, value, values) from None
        if isinstance(item, Parameter):
            return float(item.value)
        size = getattr(item, "size", None)
        if size is not None:
            return float(size)
        raise UnknownNameError(where, value, values)
    return float(value)


def _apply_species(cm, x: np.ndarray, p: np.ndarray, overrides: Mapping[str, float]) -> None:
    """Set species (given in their initial unit) in the amount state ``x`` in place."""
    model: Model = cm.model
    for sid, value in overrides.items():
        s: Species = model.get_species(sid)
        i = cm.state_ids.index(sid)
        if s.initial_is_amount:
            x[i] = value
        else:
            try:
                size = p[cm.p_index(s.compartment)]
            except UnknownNameError:
                size = float(model.component(s.compartment).size)
            x[i] = value * size


@functools.lru_cache(maxsize=64)
def _options(rtol: float, atol: float, max_steps: int, ss_rtol: float, ss_atol: float, ss_tmax: float):
    # cached: validating SolverOptions costs ~10 us, a small problem's whole evaluation ~150 us;
    # the compiled model's run() copies the struct, so sharing it is safe
    return SolverOptions(rtol=rtol, atol=atol, max_steps=max_steps, steady_state_rtol=ss_rtol,
                         steady_state_atol=ss_atol, steady_state_tmax=ss_tmax).to_c()


def _run(
    problem: PetabProblem,
    parameters: Mapping[str, float] | None,
    *,
    rtol: float,
    atol: float,
    max_steps: int,
    steady_state_rtol: float,
    steady_state_atol: float,
    steady_state_tmax: float,
    n_threads: int | None,
) -> _Result:
    """Simulation and sigma per measurement row (the problem's compiled plan, see
    :class:`her2sim.io.petab_plan.CompiledPlan`)."""
    from .petab_plan import run

    return run(problem, parameters, rtol=rtol, atol=atol, max_steps=max_steps,
               steady_state_rtol=steady_state_rtol, steady_state_atol=steady_state_atol,
               steady_state_tmax=steady_state_tmax, n_threads=n_threads)


def simulate_petab(
    problem: PetabProblem,
    parameters: Mapping[str, float] | None = None,
    *,
    rtol: float = DEFAULT_SOLVER.rtol,
    atol: float = DEFAULT_SOLVER.atol,
    max_steps: int = DEFAULT_SOLVER.max_steps,
    steady_state_rtol: float = DEFAULT_SOLVER.steady_state_rtol,
    steady_state_atol: float = DEFAULT_SOLVER.steady_state_atol,
    steady_state_tmax: float = DEFAULT_SOLVER.steady_state_tmax,
    n_threads: int | None = None,
) -> pd.DataFrame:
    """Simulate every measurement of a PEtab problem.

    Parameters
    ----------
    problem : PetabProblem
        From :func:`load_petab`.
    parameters : mapping of parameter id → value, optional
        Values on the *linear* scale for ids of the parameter table (normally the estimated
        ones); ids not given take their ``nominalValue``.
    rtol, atol : float
        Solver tolerances (``atol`` on concentrations).

    Other Parameters
    ----------------
    max_steps : int
        Step limit per run.
    steady_state_rtol, steady_state_atol, steady_state_tmax : float
        Steady-state criterion (pre-equilibration and ``time = inf``) and its time limit.
    n_threads : int, optional
        Threads over ensemble members (default: every core); results do not depend on it.

    Returns
    -------
    pandas.DataFrame
        The measurement table with ``measurement`` replaced by ``simulation`` (the observable
        on the linear scale, as PEtab simulation tables hold it). ``attrs`` holds
        ``n_members``, ``n_failed`` and, per failed member, the solver message. Rows of failed
        members are NaN.

    Raises
    ------
    UnknownNameError
        If ``parameters`` names an id that is not in the parameter table.
    """
    result = _run(
        problem, parameters, rtol=rtol, atol=atol, max_steps=max_steps,
        steady_state_rtol=steady_state_rtol, steady_state_atol=steady_state_atol,
        steady_state_tmax=steady_state_tmax, n_threads=n_threads,
    )
    return _simulation_table(problem, result)


def _simulation_table(problem: PetabProblem, result: _Result) -> pd.DataFrame:
    plan = _plan(problem)
    df = problem.measurements.copy()
    position = list(df.columns).index("measurement")
    df = df.drop(columns="measurement")
    df.insert(position, "simulation", result.simulation)
    failed = np.flatnonzero(result.member_status)
    df.attrs["n_members"] = len(plan.member_cond)
    df.attrs["n_failed"] = int(failed.size)
    df.attrs["failures"] = {
        f"{plan.member_pre[k] + ' -> ' if plan.member_pre[k] else ''}{plan.member_cond[k]}": result.member_message[k]
        for k in failed
    }
    return df


# ============================================================================ likelihood


def _transform(values: np.ndarray, scales: np.ndarray) -> np.ndarray:
    out = np.array(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        is_log = scales == "log"
        is_log10 = scales == "log10"
        out[is_log] = np.log(out[is_log])
        out[is_log10] = np.log10(out[is_log10])
    return out


def noise_negative_log_likelihood(
    measurement: Any,
    simulation: Any,
    sigma: Any,
    *,
    transformation: str | Sequence[str] = "lin",
    distribution: str | Sequence[str] = "normal",
) -> np.ndarray:
    """Per-measurement negative log-likelihood of the PEtab noise models.

    With ``t`` the transformation (identity, ``ln`` or ``log10``) and ``r = (t(m) - t(y)) / σ``:

    * normal: ``0.5 log(2π σ²) + 0.5 r² + J``
    * laplace: ``log(2 σ) + |r| + J``

    where the change-of-variables term ``J`` is ``0`` (lin), ``log m`` (log) or
    ``log(m ln 10)`` (log10), as in ``petab.v1.calculate_single_llh``.

    Parameters
    ----------
    measurement, simulation, sigma : array_like
        Broadcastable arrays (linear scale; ``sigma`` on the transformed scale).
    transformation, distribution : str or sequence of str
        Per measurement or one for all.

    Returns
    -------
    numpy.ndarray
        NaN where the simulation is NaN; ``inf`` where a log-transformed simulation is <= 0 or
        where ``sigma <= 0``.

    Examples
    --------
    >>> float(noise_negative_log_likelihood(1.0, 1.0, 1.0))  # 0.5 log(2π)
    0.9189385332046727
    """
    m, y, s = np.broadcast_arrays(
        np.asarray(measurement, dtype=float), np.asarray(simulation, dtype=float), np.asarray(sigma, dtype=float)
    )
    shape = m.shape
    scales = np.broadcast_to(np.asarray(transformation, dtype=object), shape)
    dists = np.broadcast_to(np.asarray(distribution, dtype=object), shape)
    bad = set(np.unique(scales).tolist()) - set(_SCALES)
    if bad:
        raise ValidationError(f"transformation={sorted(bad)!r}; allowed: {_SCALES}")
    bad = set(np.unique(dists).tolist()) - set(_DISTRIBUTIONS)
    if bad:
        raise ValidationError(f"distribution={sorted(bad)!r}; allowed: {_DISTRIBUTIONS}")
    tm = _transform(m, scales)
    ty = _transform(y, scales)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (tm - ty) / s
        jac = np.zeros(shape)
        jac = np.where(scales == "log", np.log(m), jac)
        jac = np.where(scales == "log10", np.log(m * np.log(10.0)), jac)
        normal = 0.5 * np.log(2.0 * np.pi * s**2) + 0.5 * r**2
        laplace = np.log(2.0 * s) + np.abs(r)
        nllh = np.where(dists == "normal", normal, laplace) + jac
    # a non-positive simulation of a log-transformed observable has zero likelihood; so has a
    # non-positive sigma (a density needs sigma > 0: a negative one used to give a finite value)
    nonpositive = ((scales != "lin") & (y <= 0)) | (s <= 0)
    return np.where(nonpositive, np.inf, nllh)


def _prior_nllh(problem: PetabProblem, values: Mapping[str, float]) -> float:
    total = 0.0
    for p in problem.parameters:
        if p.prior_type is None or not p.estimate:
            continue
        a, b = p.prior_parameters
        x = values[p.id]
        kind = p.prior_type
        if kind.startswith("parameterScale"):
            x = p.to_scale(x)
            kind = kind[len("parameterScale") :].lower()
        if kind == "uniform":
            total += math.log(b - a) if a <= x <= b else math.inf
        elif kind == "normal":
            total += 0.5 * math.log(2 * math.pi * b**2) + 0.5 * ((x - a) / b) ** 2
        elif kind == "laplace":
            total += math.log(2 * b) + abs(x - a) / b
        elif kind == "logNormal":
            total += math.log(x) + 0.5 * math.log(2 * math.pi * b**2) + 0.5 * ((math.log(x) - a) / b) ** 2
        elif kind == "logLaplace":
            total += math.log(2 * b * x) + abs(math.log(x) - a) / b
    return total


def _row_arrays(problem: PetabProblem, result: _Result | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Measurements, transformations and noise distributions per measurement row (``result`` unused)."""
    obs = {o.id: o for o in problem.observables}
    m = problem.measurements
    ids = [str(o) for o in m["observableId"]]
    if "observableTransformation" in m.columns:
        # a measurement-table column overrides the observable table (PEtab 1 extension)
        scales = [
            obs[o].transformation if _is_missing(t) else str(t) for o, t in zip(ids, m["observableTransformation"])
        ]
    else:
        scales = [obs[o].transformation for o in ids]
    dists = [obs[o].distribution for o in ids]
    return np.asarray(m["measurement"], dtype=float), np.asarray(scales, dtype=object), np.asarray(dists, dtype=object)


def negative_log_likelihood(
    problem: PetabProblem,
    parameters: Mapping[str, float] | None = None,
    *,
    include_priors: bool = False,
    rtol: float = DEFAULT_SOLVER.rtol,
    atol: float = DEFAULT_SOLVER.atol,
    n_threads: int | None = None,
    max_steps: int = DEFAULT_SOLVER.max_steps,
) -> float:
    """Negative log-likelihood of the measurements (PEtab noise models).

    Parameters
    ----------
    problem : PetabProblem
    parameters : mapping, optional
        As in :func:`simulate_petab` (linear scale; default nominal values).
    include_priors : bool
        Add the negative log-density of the objective priors of estimated parameters.
    rtol, atol, n_threads
        As in :func:`simulate_petab`.
    max_steps : int
        Solver steps allowed per simulation; a run that needs more counts as failed.

    Returns
    -------
    float
        ``sum`` of :func:`noise_negative_log_likelihood` over all measurements; ``inf`` if any
        simulation failed.
    """
    from .petab_plan import compile_plan

    cp = compile_plan(problem)
    v = cp.values(parameters)
    opts = _options(rtol, atol, int(max_steps), DEFAULT_SOLVER.steady_state_rtol, DEFAULT_SOLVER.steady_state_atol,
                    DEFAULT_SOLVER.steady_state_tmax)
    threads = max(1, int(n_threads or os.cpu_count() or 1))
    total = cp.negative_log_likelihood(v, opts, threads)
    if not np.isfinite(total):
        return math.inf
    if include_priors:
        total += _prior_nllh(problem, dict(zip(cp.parameter_ids, v.tolist())))
    return total if np.isfinite(total) else math.inf


def chi2(
    problem: PetabProblem,
    parameters: Mapping[str, float] | None = None,
    *,
    rtol: float = DEFAULT_SOLVER.rtol,
    atol: float = DEFAULT_SOLVER.atol,
    n_threads: int | None = None,
) -> float:
    """Sum of squared weighted residuals ``((t(m) - t(y)) / σ)²`` on the transformed scale.

    Parameters and returns as in :func:`negative_log_likelihood` (``inf`` if a simulation failed).
    """
    result = _run(
        problem, parameters, rtol=rtol, atol=atol, max_steps=DEFAULT_SOLVER.max_steps, **_SS_DEFAULTS,
        n_threads=n_threads,
    )
    meas, scales, _ = _row_arrays(problem, result)
    if np.any(~np.isfinite(result.simulation)):
        return math.inf
    r = (_transform(meas, scales) - _transform(result.simulation, scales)) / result.sigma
    total = float(np.sum(r**2))
    return total if np.isfinite(total) else math.inf
