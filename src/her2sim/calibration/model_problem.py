"""PEtab problems on a her2sim model: calibrate any subset of its parameters to user data.

A user who has measurements on the flagship model (:func:`her2sim.library.her2_model.build`) —
or on any her2sim :class:`~her2sim.model.Model` — describes

* which parameters to **estimate** (``{id: (lower, upper, scale)}``),
* the experimental **conditions** (tumour context: genotypes or a cell line; drug doses; any
  direct parameter settings),
* the **observables** (formulas over model ids, e.g. ``"s_pAKT * pAKT_S473"``) and their noise
  model,
* the **measurements** (observable, condition, time, value),

and :func:`write_petab_problem` writes a PEtab v1 problem (SBML model, condition / observable /
measurement / parameter tables, yaml) that ``petab.v1.lint_problem`` accepts and that
:func:`her2sim.io.petab.load_petab` and :class:`her2sim.calibration.PetabObjective` evaluate.
:func:`synthetic_measurements` simulates such a problem at known parameter values and adds
seeded noise drawn from its own noise model, so a calibration can be checked against known
truth (``examples/calibration_synthetic``).

Protocol
--------
Every condition is pre-equilibrated to steady state under its own tumour context with every
drug at 0 and the cell number frozen (:func:`her2sim.library.protocols.untreated_parameters`),
then simulated under the condition (drugs on) from ``t = 0``: the protocol of
:func:`her2sim.library.protocols.treat` and the analyses. In PEtab terms each condition ``c``
gets a pre-equilibration condition (shared by conditions with the same context) named in
``preequilibrationConditionId``.

Conditions versus estimates
---------------------------
Genotype, cell-line and drug settings are *conditions*: they become columns of the condition
table and are fixed per experiment. PEtab forbids a parameter to be both a condition-table
column and a row of the parameter table, and here it would also be ambiguous which value wins,
so a parameter that any condition (or the pre-equilibration) sets cannot be estimated:
:class:`~her2sim.errors.ValidationError` names it and the conditions that set it. To estimate,
for example, a drug potency, estimate its ``IC50_*`` parameter, not its concentration.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import UnknownNameError, ValidationError
from ..model import TIME, Model
from ..engine.solver import DEFAULT_SOLVER, STEADY_STATE_DEFAULTS as _SS_DEFAULTS

__all__ = [
    "Estimate",
    "ObservableSpec",
    "ConditionSpec",
    "PetabTables",
    "petab_tables_for_model",
    "write_petab_problem",
    "measurement_design",
    "synthetic_measurements",
    "wald_intervals",
    "lint_petab",
]

Scale = Literal["lin", "log", "log10"]
_SCALES = ("lin", "log", "log10")
_DISTRIBUTIONS = ("normal", "laplace")
_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

#: File names of a written problem (inside ``out_dir``).
FILE_NAMES = {
    "sbml": "model.xml",
    "conditions": "conditions.tsv",
    "observables": "observables.tsv",
    "measurements": "measurements.tsv",
    "parameters": "parameters.tsv",
}


# ============================================================================ specifications


@dataclass(frozen=True)
class Estimate:
    """How one parameter is estimated.

    Parameters
    ----------
    lower, upper : float
        Bounds on the linear scale (``lower > 0`` for ``log``/``log10`` scales).
    scale : {"lin", "log", "log10"}
        PEtab ``parameterScale``: the scale on which an optimiser works.
    nominal : float, optional
        PEtab ``nominalValue`` (linear). Defaults to the model's value; required for parameters
        that only appear in observable or noise formulas (scale factors, offsets).
    """

    lower: float
    upper: float
    scale: Scale = "log10"
    nominal: float | None = None

    def __post_init__(self) -> None:
        if self.scale not in _SCALES:
            raise ValidationError(f"scale={self.scale!r}; allowed: {_SCALES}")
        lo, hi = float(self.lower), float(self.upper)
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValidationError(f"bounds must be finite with lower < upper, got ({self.lower!r}, {self.upper!r})")
        if self.scale != "lin" and lo <= 0:
            raise ValidationError(f"scale {self.scale!r} needs lower > 0, got {self.lower!r}")

    @classmethod
    def coerce(cls, value: Estimate | Sequence[Any] | Mapping[str, Any], where: str) -> Estimate:
        """An :class:`Estimate` from itself, ``(lower, upper[, scale[, nominal]])`` or a mapping."""
        if isinstance(value, Estimate):
            return value
        if isinstance(value, Mapping):
            return cls(**value)
        if isinstance(value, Sequence) and not isinstance(value, str) and 2 <= len(value) <= 4:
            return cls(*value)
        raise ValidationError(
            f"{where}: expected (lower, upper, scale[, nominal]) or an Estimate, got {value!r}"
        )


@dataclass(frozen=True)
class ObservableSpec:
    """One observable: a formula over model ids and its noise model.

    Parameters
    ----------
    formula : str
        PEtab observable formula (sympy/PEtab infix, ``**`` or ``^`` for powers), over model
        species, parameters and assignment-rule outputs (e.g. ``pAKT_S473``) and over
        observable parameters declared in ``estimate`` or ``fixed`` (e.g. a scale ``s_pAKT``).
    noise : float or str
        PEtab ``noiseFormula``: the noise standard deviation on the transformed scale (for
        ``transformation="log"``, 0.1 is about 10 % multiplicative noise).
    transformation : {"lin", "log", "log10"}
        PEtab ``observableTransformation``: the scale on which noise is additive.
    distribution : {"normal", "laplace"}
        PEtab ``noiseDistribution``.
    name : str
        PEtab ``observableName``.
    """

    formula: str
    noise: float | str = 0.1
    transformation: Scale = "log"
    distribution: Literal["normal", "laplace"] = "normal"
    name: str = ""

    def __post_init__(self) -> None:
        if self.transformation not in _SCALES:
            raise ValidationError(f"transformation={self.transformation!r}; allowed: {_SCALES}")
        if self.distribution not in _DISTRIBUTIONS:
            raise ValidationError(f"distribution={self.distribution!r}; allowed: {_DISTRIBUTIONS}")
        if isinstance(self.noise, (int, float)) and not (np.isfinite(self.noise) and self.noise > 0):
            raise ValidationError(f"noise must be a positive number or a formula, got {self.noise!r}")

    @classmethod
    def coerce(cls, value: ObservableSpec | str | Mapping[str, Any], where: str) -> ObservableSpec:
        if isinstance(value, ObservableSpec):
            return value
        if isinstance(value, str):
            return cls(value)
        if isinstance(value, Mapping):
            return cls(**value)
        raise ValidationError(f"{where}: expected a formula, a mapping or an ObservableSpec, got {value!r}")


@dataclass(frozen=True)
class ConditionSpec:
    """One experimental condition.

    Parameters
    ----------
    context : str, sequence of str or mapping, optional
        Tumour context as in :func:`her2sim.analysis._runs.resolve_context`: ``"parental"``, a
        genotype (``"PTEN loss"``), genotypes joined by ``" + "``, a cell line (``"JIMT-1"``),
        a list of genotypes, or ``{genotype: strength}``: the model family's vocabulary
        (:attr:`her2sim.family.ModelFamily.resolve_context`).
    drugs : mapping, optional
        ``{drug name: dose}``; a bare number is nM, ``(value, unit)`` is converted by the model
        family's drug vocabulary (:attr:`her2sim.family.ModelFamily.drug_settings`).
    parameters : mapping, optional
        Direct ``{parameter id: value}`` settings (they win over ``context``; drugs win over both).
    name : str
        PEtab ``conditionName``.
    """

    context: str | Sequence[str] | Mapping[str, float] = "parental"
    drugs: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, float] = field(default_factory=dict)
    name: str = ""

    _KEYS = ("context", "genotype", "genotypes", "cell_line", "drugs", "parameters", "name")

    @classmethod
    def coerce(cls, value: ConditionSpec | Mapping[str, Any], where: str) -> ConditionSpec:
        """From a :class:`ConditionSpec` or a mapping with keys ``context`` (or ``genotype(s)`` /
        ``cell_line``), ``drugs``, ``parameters``, ``name``."""
        if isinstance(value, ConditionSpec):
            return value
        if not isinstance(value, Mapping):
            raise ValidationError(f"{where}: expected a mapping or a ConditionSpec, got {value!r}")
        for key in value:
            if key not in cls._KEYS:
                raise UnknownNameError(f"{where} key", str(key), cls._KEYS)
        contexts = [k for k in ("context", "genotype", "genotypes", "cell_line") if k in value]
        if len(contexts) > 1:
            raise ValidationError(f"{where}: give one of {contexts}, not several")
        context = value[contexts[0]] if contexts else "parental"
        return cls(
            context=context,
            drugs=dict(value.get("drugs", {})),
            parameters=dict(value.get("parameters", {})),
            name=str(value.get("name", "")),
        )

    def settings(self, model: Model) -> tuple[str, dict[str, float], dict[str, float]]:
        """``(context label, context settings, drug settings)`` as parameter values."""
        context = self.context
        trivial = isinstance(context, str) and context.strip().lower() in ("parental", "wild type", "wt", "")
        if trivial:
            label, ctx = "parental", {}
        else:
            from ..analysis._runs import resolve_context

            label, ctx = resolve_context(context, family=_family_with(model, "context", "resolve_context"))
        ctx = dict(ctx)
        ctx.update({str(k): float(v) for k, v in self.parameters.items()})
        drugs: dict[str, float] = {}
        if self.drugs:
            family = _family_with(model, "drugs", "drug_settings")
            drugs = family.drug_settings(dict(self.drugs))
        return label, ctx, drugs


def _family_with(model: Model, what: str, part: str):
    """The model's family if it has the vocabulary ``part``, else a ValidationError naming what to do."""
    from ..family import family_of

    family = family_of(model)
    if family is None or getattr(family, part) is None:
        raise ValidationError(
            f"condition {what!r} uses the vocabulary (genotypes, cell lines, drugs) of a model family; "
            f"model {model.id!r} belongs to no family that has one: set parameters directly instead"
        )
    return family


# ============================================================================ tables


@dataclass(frozen=True, eq=False)
class PetabTables:
    """The five parts of a PEtab v1 problem on a her2sim model.

    Attributes
    ----------
    model : Model
        The model written as SBML.
    conditions, observables, measurements, parameters : pandas.DataFrame
        PEtab tables with their id columns as ordinary columns (as written to tsv).
    true_values : dict
        Optional record of generating values (synthetic problems); not part of PEtab.
    """

    model: Model
    conditions: pd.DataFrame
    observables: pd.DataFrame
    measurements: pd.DataFrame
    parameters: pd.DataFrame

    def with_measurements(self, measurements: pd.DataFrame) -> PetabTables:
        """A copy with another measurement table (same columns required)."""
        return dataclasses.replace(self, measurements=measurements)

    def write(self, out_dir: str | os.PathLike[str], *, lint: bool = True) -> Path:
        """Write SBML, tables and yaml to ``out_dir``; return the yaml path.

        With ``lint`` the problem is checked with ``petab.v1.lint_problem`` and a failure
        raises :class:`~her2sim.errors.ValidationError`.
        """
        import yaml

        from ..io.sbml import write_sbml

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        write_sbml(self.model, out / FILE_NAMES["sbml"])
        for key, df in (
            ("conditions", self.conditions),
            ("observables", self.observables),
            ("measurements", self.measurements),
            ("parameters", self.parameters),
        ):
            df.to_csv(out / FILE_NAMES[key], sep="\t", index=False, lineterminator="\n")
        config = {
            "format_version": 1,
            "parameter_file": FILE_NAMES["parameters"],
            "problems": [
                {
                    "sbml_files": [FILE_NAMES["sbml"]],
                    "condition_files": [FILE_NAMES["conditions"]],
                    "observable_files": [FILE_NAMES["observables"]],
                    "measurement_files": [FILE_NAMES["measurements"]],
                }
            ],
        }
        yaml_path = out / "problem.yaml"
        yaml_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        if lint:
            lint_petab(yaml_path)
        return yaml_path


def lint_petab(yaml_path: str | os.PathLike[str]) -> None:
    """Run ``petab.v1.lint_problem`` on a written problem; raise ``ValidationError`` on errors."""
    import logging

    import petab.v1 as petab_v1

    records: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                records.append(record.getMessage())

    logger = logging.getLogger("petab")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"petab\.")
            problem = petab_v1.Problem.from_yaml(str(yaml_path))
            failed = petab_v1.lint_problem(problem)
    finally:
        logger.removeHandler(handler)
    if failed:
        raise ValidationError(f"{Path(yaml_path).name}: petab lint failed: " + "; ".join(records))


def _parse_symbols(formula: str, where: str) -> set[str]:
    """Free symbol names of a PEtab formula (parsed by libSBML, never evaluated as text)."""
    from ..io.petab_plan import parse_formula as _parse_formula  # the loader's own PEtab → SBML L3 translation

    expr = _parse_formula(formula, where)
    return {s.name for s in expr.free_symbols} - {TIME.name}


def _slug(text: str) -> str:
    s = re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_")
    return s if s and s[0].isalpha() else f"c_{s}"


def _preequilibration_settings(
    model: Model, preequilibration: str | Mapping[str, float] | None
) -> dict[str, float] | None:
    if preequilibration is None:
        return None
    if isinstance(preequilibration, str):
        if preequilibration != "untreated":
            raise ValidationError(f"preequilibration={preequilibration!r}; allowed: 'untreated', a mapping or None")
        from ..model.roles import untreated_overrides

        return untreated_overrides(model)
    return {str(k): float(v) for k, v in preequilibration.items()}


def petab_tables_for_model(
    model: Model,
    *,
    estimate: Mapping[str, Estimate | Sequence[Any] | Mapping[str, Any]],
    conditions: Mapping[str, ConditionSpec | Mapping[str, Any]],
    observables: Mapping[str, ObservableSpec | str | Mapping[str, Any]],
    measurements: pd.DataFrame,
    fixed: Mapping[str, float] | None = None,
    preequilibration: str | Mapping[str, float] | None = "untreated",
) -> PetabTables:
    """Build the PEtab v1 tables of a calibration problem on ``model``.

    Parameters
    ----------
    model : Model
        A her2sim model, e.g. :func:`her2sim.library.her2_model.build`.
    estimate : mapping
        ``{parameter id: (lower, upper, scale[, nominal])}`` or :class:`Estimate` values. Ids
        are model parameters (not assignment-rule outputs) or observable/noise parameters that
        appear in the observable formulas. Bounds are linear.
    conditions : mapping
        ``{condition id: ConditionSpec or mapping}`` (see :class:`ConditionSpec`).
    observables : mapping
        ``{observable id: ObservableSpec, formula or mapping}``. Observable ids must be new
        (not model ids).
    measurements : pandas.DataFrame
        Columns ``observableId``, ``simulationConditionId``, ``time`` (hours), ``measurement``;
        optionally ``noiseParameters``/``observableParameters`` and
        ``preequilibrationConditionId`` (filled in from the protocol if absent).
    fixed : mapping, optional
        Values of non-estimated parameters that appear only in observable or noise formulas.
    preequilibration : "untreated", mapping or None
        Settings of the pre-equilibration of every condition on top of its context:
        ``"untreated"`` = every drug at 0 and the cell number frozen (the her2sim protocol);
        a mapping of parameter overrides; ``None`` = no pre-equilibration (start from the
        model's initial state).

    Returns
    -------
    PetabTables

    Raises
    ------
    UnknownNameError
        An unknown parameter, observable, condition, genotype, cell line or drug, or a
        formula symbol that is neither a model id nor declared in ``estimate``/``fixed``.
    ValidationError
        A parameter that is both estimated and set by a condition (see the module docstring),
        bad bounds, an estimated assignment-rule output, or a malformed table.

    Examples
    --------
    >>> from her2sim.library.her2_model import build
    >>> tables = petab_tables_for_model(  # doctest: +SKIP
    ...     build(),
    ...     estimate={"k_T308": (6.0, 600.0, "log10")},
    ...     conditions={"untreated": {}, "lapatinib": {"drugs": {"lapatinib": 1000}}},
    ...     observables={"obs_pAKT": "pAKT_S473"},
    ...     measurements=measurement_design(["untreated", "lapatinib"], ["obs_pAKT"], [1, 24]),
    ... )
    """
    if not estimate:
        raise ValidationError("estimate must name at least one parameter")
    if not conditions:
        raise ValidationError("conditions must name at least one condition")
    if not observables:
        raise ValidationError("observables must name at least one observable")
    fixed = {str(k): float(v) for k, v in (fixed or {}).items()}
    model_ids = set(model.species_ids) | set(model.parameter_ids) | {c.id for c in model.compartments}
    model_ids |= {r.id for r in model.reactions}
    ruled = {r.variable for r in model.assignment_rules} | {r.variable for r in model.rate_rules}
    settable = [p.id for p in model.parameters if p.id not in ruled]
    defaults = {p.id: float(p.value) for p in model.parameters}

    # ---------------------------------------------------------------- observables
    obs_rows = []
    formula_only: dict[str, list[str]] = {}
    specs = {}
    for oid, raw in observables.items():
        oid = str(oid)
        if not _ID.match(oid):
            raise ValidationError(f"observable id {oid!r} is not a valid identifier")
        if oid in model_ids:
            raise ValidationError(f"observable id {oid!r} is also a model id; choose a new id (e.g. 'obs_{oid}')")
        spec = ObservableSpec.coerce(raw, f"observables[{oid!r}]")
        specs[oid] = spec
        noise = spec.noise if isinstance(spec.noise, str) else repr(float(spec.noise))
        for column, text in (("observableFormula", spec.formula), ("noiseFormula", noise)):
            for sym in _parse_symbols(text, f"observable {oid!r} {column}"):
                if sym in model_ids:
                    continue
                if re.match(rf"^(observable|noise)Parameter\d+_{re.escape(oid)}$", sym):
                    continue  # PEtab placeholder, set per measurement
                if sym not in estimate and sym not in fixed:
                    raise UnknownNameError(
                        f"observables[{oid!r}] {column} symbol", sym,
                        sorted(model_ids | set(estimate) | set(fixed)),
                    )
                formula_only.setdefault(sym, []).append(oid)
        obs_rows.append({
            "observableId": oid,
            "observableName": spec.name or oid,
            "observableFormula": spec.formula,
            "observableTransformation": spec.transformation,
            "noiseFormula": noise,
            "noiseDistribution": spec.distribution,
        })
    observable_df = pd.DataFrame(obs_rows)

    # ---------------------------------------------------------------- estimated / fixed parameters
    allowed = sorted(set(settable) | set(formula_only))
    param_rows = []
    for pid, raw in estimate.items():
        pid = str(pid)
        if pid in ruled:
            raise ValidationError(
                f"estimate={pid!r} is computed by an assignment rule of the model; estimate the parameters "
                f"its rule reads instead"
            )
        if pid not in defaults and pid not in formula_only:
            raise UnknownNameError("estimate", pid, allowed)
        est = Estimate.coerce(raw, f"estimate[{pid!r}]")
        nominal = est.nominal if est.nominal is not None else defaults.get(pid)
        if nominal is None:
            raise ValidationError(f"estimate[{pid!r}]: an observable parameter needs a nominal value (4th entry)")
        if not est.lower <= nominal <= est.upper:
            raise ValidationError(
                f"estimate[{pid!r}]: nominal value {nominal!r} is outside the bounds ({est.lower!r}, {est.upper!r})"
            )
        param_rows.append({
            "parameterId": pid,
            "parameterName": pid,
            "parameterScale": est.scale,
            "lowerBound": float(est.lower),
            "upperBound": float(est.upper),
            "nominalValue": float(nominal),
            "estimate": 1,
        })
    for pid, value in fixed.items():
        if pid in estimate:
            raise ValidationError(f"parameter {pid!r} is both estimated and fixed")
        if pid not in formula_only:
            raise ValidationError(
                f"fixed={pid!r} does not appear in any observable or noise formula (model parameters "
                f"are fixed at their model value already)"
            )
        param_rows.append({
            "parameterId": pid, "parameterName": pid, "parameterScale": "lin",
            "lowerBound": value, "upperBound": value, "nominalValue": value, "estimate": 0,
        })
    missing = sorted(set(formula_only) - {r["parameterId"] for r in param_rows})
    if missing:  # pragma: no cover - caught above at the formula check
        raise ValidationError(f"observable parameters without a value: {missing}")
    parameter_df = pd.DataFrame(param_rows)

    # ---------------------------------------------------------------- conditions
    pre = _preequilibration_settings(model, preequilibration)
    if pre is not None:  # settings equal to the model's value add nothing but columns
        pre = {k: v for k, v in pre.items() if k not in defaults or v != defaults[k]}
    cond_settings: dict[str, dict[str, float]] = {}
    cond_names: dict[str, str] = {}
    cond_pre: dict[str, str] = {}
    pre_settings: dict[str, dict[str, float]] = {}
    pre_key: dict[tuple, str] = {}
    setters: dict[str, list[str]] = {}
    for cid, raw in conditions.items():
        cid = str(cid)
        if not _ID.match(cid):
            raise ValidationError(f"condition id {cid!r} is not a valid identifier")
        spec = ConditionSpec.coerce(raw, f"conditions[{cid!r}]")
        label, ctx, drugs = spec.settings(model)
        settings = {**ctx, **drugs}
        cond_settings[cid] = settings
        cond_names[cid] = spec.name or (label + (" + " + ", ".join(f"{k} {v:g}" for k, v in spec.drugs.items())
                                                 if spec.drugs else ""))
        for k in settings:
            setters.setdefault(k, []).append(cid)
        if pre is not None:
            ps = {**ctx, **pre}
            key = tuple(sorted(ps.items()))
            if key not in pre_key:
                base = f"preeq_{_slug(label)}"
                name, n = base, 1
                while name in pre_settings or name in conditions:
                    n += 1
                    name = f"{base}_{n}"
                pre_key[key] = name
                pre_settings[name] = ps
                cond_names[name] = f"pre-equilibration of {label}"
                for k in ps:
                    setters.setdefault(k, []).append(name)
            cond_pre[cid] = pre_key[key]
        else:
            cond_pre[cid] = ""
    for k, where in setters.items():
        if k in ruled:
            raise ValidationError(
                f"condition setting {k!r} (in {sorted(set(where))}) is computed by an assignment rule"
            )
        if k not in defaults and k not in model.species_ids:
            raise UnknownNameError("condition setting", k, settable)
        if k in estimate:
            raise ValidationError(
                f"parameter {k!r} is estimated but also set by conditions {sorted(set(where))}; a parameter is "
                f"either a condition setting (genotype, drug, direct setting) or estimated, not both"
            )
    columns = sorted(setters)
    rows = []
    for cid, settings in list(cond_settings.items()) + list(pre_settings.items()):
        row: dict[str, Any] = {"conditionId": cid, "conditionName": cond_names[cid]}
        for k in columns:
            row[k] = float(settings.get(k, defaults.get(k, math.nan)))
        rows.append(row)
    condition_df = pd.DataFrame(rows, columns=["conditionId", "conditionName", *columns])

    # ---------------------------------------------------------------- measurements
    measurement_df = _measurement_table(measurements, cond_pre, specs)
    return PetabTables(model, condition_df, observable_df, measurement_df, parameter_df)


def _measurement_table(
    measurements: pd.DataFrame, cond_pre: Mapping[str, str], specs: Mapping[str, ObservableSpec]
) -> pd.DataFrame:
    required = ("observableId", "simulationConditionId", "time", "measurement")
    if not isinstance(measurements, pd.DataFrame):
        raise ValidationError(f"measurements must be a pandas DataFrame, got {type(measurements).__name__}")
    absent = [c for c in required if c not in measurements.columns]
    if absent:
        raise ValidationError(f"measurements lacks columns {absent}; required: {list(required)}")
    if measurements.empty:
        raise ValidationError("measurements has no rows")
    m = measurements.copy().reset_index(drop=True)
    for i, (oid, cid) in enumerate(zip(m["observableId"], m["simulationConditionId"])):
        if str(oid) not in specs:
            raise UnknownNameError(f"measurements row {i} observableId", str(oid), specs)
        if str(cid) not in cond_pre:
            raise UnknownNameError(f"measurements row {i} simulationConditionId", str(cid), cond_pre)
    m["time"] = m["time"].astype(float)
    if np.any(m["time"] < 0):
        raise ValidationError("measurement times must be >= 0 (hours from treatment start)")
    if "preequilibrationConditionId" not in m.columns:
        m["preequilibrationConditionId"] = [cond_pre[str(c)] for c in m["simulationConditionId"]]
    order = ["observableId", "preequilibrationConditionId", "simulationConditionId", "time", "measurement"]
    rest = [c for c in m.columns if c not in order]
    m = m[order + rest]
    if not any(m["preequilibrationConditionId"].astype(str).str.len() > 0):
        m = m.drop(columns="preequilibrationConditionId")
    return m


def measurement_design(
    conditions: Sequence[str],
    observables: Sequence[str],
    times: Sequence[float],
    *,
    replicates: int = 1,
) -> pd.DataFrame:
    """A full-factorial measurement table (``measurement`` NaN) to simulate or fill in.

    Parameters
    ----------
    conditions, observables : sequence of str
        Condition and observable ids.
    times : sequence of float
        Hours after treatment start.
    replicates : int
        Rows per (condition, observable, time).

    Returns
    -------
    pandas.DataFrame
        Columns ``observableId, simulationConditionId, time, measurement``, ordered by
        condition, observable, time, replicate.
    """
    if replicates < 1:
        raise ValidationError(f"replicates must be >= 1, got {replicates!r}")
    rows = [
        {"observableId": o, "simulationConditionId": c, "time": float(t), "measurement": math.nan}
        for c in conditions for o in observables for t in times for _ in range(replicates)
    ]
    return pd.DataFrame(rows, columns=["observableId", "simulationConditionId", "time", "measurement"])


def write_petab_problem(
    model: Model,
    out_dir: str | os.PathLike[str],
    *,
    estimate: Mapping[str, Estimate | Sequence[Any] | Mapping[str, Any]],
    conditions: Mapping[str, ConditionSpec | Mapping[str, Any]],
    observables: Mapping[str, ObservableSpec | str | Mapping[str, Any]],
    measurements: pd.DataFrame,
    fixed: Mapping[str, float] | None = None,
    preequilibration: str | Mapping[str, float] | None = "untreated",
    lint: bool = True,
) -> Path:
    """Write a PEtab v1 problem on ``model`` to ``out_dir`` and return its yaml path.

    Arguments as in :func:`petab_tables_for_model`; ``lint`` runs ``petab.v1.lint_problem``.
    Files: ``model.xml`` (:func:`her2sim.io.sbml.write_sbml`), ``conditions.tsv``,
    ``observables.tsv``, ``measurements.tsv``, ``parameters.tsv``, ``problem.yaml``.
    """
    tables = petab_tables_for_model(
        model, estimate=estimate, conditions=conditions, observables=observables,
        measurements=measurements, fixed=fixed, preequilibration=preequilibration,
    )
    return tables.write(out_dir, lint=lint)


# ============================================================================ synthetic data


def synthetic_measurements(
    problem: Any,
    true_values: Mapping[str, float],
    *,
    seed: int,
    rtol: float = DEFAULT_SOLVER.rtol,
    atol: float = DEFAULT_SOLVER.atol,
    n_threads: int | None = 1,
) -> pd.DataFrame:
    """Simulate a PEtab problem at known parameter values and add noise from its noise model.

    For each measurement row with simulated value ``y``, noise ``σ`` (the noise formula) and
    transformation ``t`` (``lin``, ``log``, ``log10``), the synthetic measurement is
    ``t⁻¹(t(y) + σ ε)`` with ``ε`` standard normal (``noiseDistribution`` normal) or standard
    Laplace (laplace): exactly the density :func:`her2sim.io.petab.negative_log_likelihood`
    evaluates, so at ``true_values`` the weighted residuals are i.i.d. draws of ``ε``.

    Parameters
    ----------
    problem : PetabProblem, PetabTables or path of a PEtab yaml file
        A :class:`PetabTables` is written to a temporary directory and loaded.
    true_values : mapping
        ``{parameter id: linear value}`` for estimated parameters; others take their nominal.
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same table.
    rtol, atol, n_threads
        As in :func:`her2sim.io.petab.simulate_petab`.

    Returns
    -------
    pandas.DataFrame
        The measurement table with ``measurement`` replaced by the noisy values.

    Raises
    ------
    SolverError
        If a simulation fails at ``true_values``.
    """
    import tempfile

    from ..errors import SolverError
    from ..io.petab import PetabProblem, load_petab
    from ..io.petab_plan import row_arrays as _row_arrays, run as _run

    if isinstance(problem, PetabTables):
        with tempfile.TemporaryDirectory() as tmp:
            base = problem.measurements.copy()
            base["measurement"] = 1.0
            loaded = load_petab(problem.with_measurements(base).write(tmp, lint=False))
        template = problem.measurements
    elif isinstance(problem, PetabProblem):
        loaded = problem
        template = None
    else:
        loaded = load_petab(Path(problem))
        template = None
    # _run also returns sigma per row, which simulate_petab does not expose.
    result = _run(
        loaded, dict(true_values), rtol=rtol, atol=atol, max_steps=DEFAULT_SOLVER.max_steps, **_SS_DEFAULTS,
        n_threads=n_threads,
    )
    if np.any(~np.isfinite(result.simulation)):
        bad = sorted({m for m, s in zip(result.member_message, result.member_status) if s != 0})
        raise SolverError(f"simulation at the true values failed: {bad}")
    _, scales, dists = _row_arrays(loaded, result)
    rng = np.random.default_rng(seed)
    n = result.simulation.size
    eps = np.where(dists == "normal", rng.standard_normal(n), rng.laplace(0.0, 1.0, n))
    y = result.simulation
    sigma = result.sigma
    out = np.empty(n)
    for scale, fwd, inv in (("lin", lambda v: v, lambda v: v), ("log", np.log, np.exp),
                            ("log10", np.log10, lambda v: 10.0**v)):
        sel = scales == scale
        if np.any(sel):
            if scale != "lin" and np.any(y[sel] <= 0):
                raise ValidationError("a log-transformed observable is <= 0 at the true values")
            out[sel] = inv(fwd(y[sel]) + sigma[sel] * eps[sel])
    table = (template if template is not None else loaded.measurements).copy().reset_index(drop=True)
    table["measurement"] = out
    return table


# ============================================================================ confidence intervals


def wald_intervals(
    problem: Any,
    x: Sequence[float],
    *,
    level: float = 0.95,
    step: float = 1e-4,
    rtol: float = 1e-10,
    atol: float = 1e-14,
    n_threads: int | None = 1,
) -> pd.DataFrame:
    """Wald confidence intervals from the Gauss–Newton Fisher information at ``x``.

    With weighted residuals ``r_i = (t(m_i) − t(y_i(x))) / σ_i`` (σ not estimated), the Fisher
    information on the parameter scales is ``F = Jᵀ J`` with ``J = ∂r/∂x`` (central finite
    differences with relative step ``step`` on the parameter scale), and the interval is
    ``x̂ ± z σ̂`` with ``σ̂ = sqrt(diag F⁻¹)``, ``z`` the normal quantile of ``level``.

    Parameters
    ----------
    problem : PetabProblem or path of a PEtab yaml file
    x : sequence of float
        Estimate on the parameter scales, in the order of the estimated parameters.
    level : float
        Two-sided confidence level.

    Returns
    -------
    pandas.DataFrame
        Indexed by parameter id: ``scale, estimate, std_error, lower, upper`` (on the parameter
        scale) and ``estimate_linear, lower_linear, upper_linear``. ``std_error`` is ``inf``
        where ``F`` is singular (a non-identifiable direction). ``attrs["condition_number"]``
        holds the condition number of ``F``.

    Notes
    -----
    Wald intervals are a local, quadratic approximation; profile likelihoods are exact for
    the likelihood-ratio test and preferred for strongly nonlinear problems.
    """
    from scipy.stats import norm

    from ..io.petab import PetabProblem, load_petab
    from ..io.petab_plan import row_arrays as _row_arrays, run as _run, transform as _transform

    if not isinstance(problem, PetabProblem):
        problem = load_petab(Path(problem))
    params = [p for p in problem.parameters if p.estimate]
    x = np.asarray(x, dtype=float).reshape(-1)
    if x.size != len(params):
        raise ValidationError(f"x has {x.size} entries; the problem estimates {len(params)}")
    if not 0 < level < 1:
        raise ValidationError(f"level must be in (0, 1), got {level!r}")

    def residuals(xv: np.ndarray) -> np.ndarray:
        values = {p.id: p.from_scale(float(v)) for p, v in zip(params, xv)}
        res = _run(problem, values, rtol=rtol, atol=atol, max_steps=DEFAULT_SOLVER.max_steps, **_SS_DEFAULTS,
                   n_threads=n_threads)
        meas, scales, _ = _row_arrays(problem, res)
        return (_transform(meas, scales) - _transform(res.simulation, scales)) / res.sigma

    J = np.empty((len(problem.measurements), x.size))
    for i in range(x.size):
        h = step * max(1.0, abs(x[i]))
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        J[:, i] = (residuals(xp) - residuals(xm)) / (2 * h)
    F = J.T @ J
    cond = float(np.linalg.cond(F))
    try:
        cov = np.linalg.inv(F) if np.isfinite(cond) and cond < 1e14 else np.full_like(F, np.inf)
    except np.linalg.LinAlgError:
        cov = np.full_like(F, np.inf)
    se = np.sqrt(np.abs(np.diag(cov)))
    z = float(norm.ppf(0.5 + level / 2))
    lo, hi = x - z * se, x + z * se
    df = pd.DataFrame({
        "scale": [p.scale for p in params],
        "estimate": x,
        "std_error": se,
        "lower": lo,
        "upper": hi,
        "estimate_linear": [p.from_scale(v) for p, v in zip(params, x)],
        "lower_linear": [p.from_scale(v) if np.isfinite(v) else (0.0 if p.scale != "lin" else -np.inf)
                         for p, v in zip(params, lo)],
        "upper_linear": [p.from_scale(v) if np.isfinite(v) else np.inf for p, v in zip(params, hi)],
    }, index=pd.Index([p.id for p in params], name="parameterId"))
    df.attrs["condition_number"] = cond
    df.attrs["level"] = level
    df.attrs["method"] = "Wald, Gauss-Newton Fisher information (central finite-difference Jacobian)"
    return df
