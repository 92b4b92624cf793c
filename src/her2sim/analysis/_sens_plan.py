"""Parameters and the plan of :mod:`her2sim.analysis.sensitivity`: groups from roles, the members to simulate (one
ensemble through the protocol executor) and how read-outs are formed from them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UnknownNameError, ValidationError
from ..model.components import ParameterRole
from ._runs import resolve_contexts
from ._sens_base import PARAMETER_GROUPS, ContextSpec
from ._sens_readouts import Readout

# ------------------------------------------------------------------------------------------------
# parameters


def _default_model():
    from ._runs import default_model

    return default_model()


def parameter_groups(model=None) -> pd.DataFrame:
    """Every settable parameter with its group (:data:`PARAMETER_GROUPS`) and whether it is varied by default.

    The group follows the parameter's role (:data:`her2sim.model.roles.SENSITIVITY_GROUPS`): drug
    concentrations are ``treatment``; expression levels, genotype switches, ligands and protocol
    switches (cell growth) are ``input`` (a context sets them); drug potencies and mechanism
    constants are ``pharmacology``; kinetic constants and read-out weights are ``kinetic`` (every
    parameter of a model that declares no roles). Assignment-rule variables are computed, not
    set, and are left out. The default set varied is the ``kinetic`` group with a non-zero value
    (a multiplier cannot move a zero).

    Returns
    -------
    pandas.DataFrame
        Columns ``id, value, units, group, kind, default`` (``kind``: provenance kind).
    """
    from ..model.roles import sensitivity_group, with_role

    model = model if model is not None else _default_model()
    settable = set(with_role(model, *ParameterRole))
    rows = []
    for p in model.parameters:
        if p.id not in settable:
            continue
        group = sensitivity_group(p.role)
        kind = p.provenance.kind if getattr(p, "provenance", None) is not None else ""
        rows.append({"id": p.id, "value": float(p.value), "units": p.units, "group": group, "kind": kind,
                     "default": group == "kinetic" and float(p.value) != 0.0})
    return pd.DataFrame(rows, columns=["id", "value", "units", "group", "kind", "default"])


def _select_parameters(model, parameters: str | Sequence[str] | None) -> tuple[list[str], pd.DataFrame]:
    table = parameter_groups(model)
    settable = table.set_index("id")
    if parameters is None:
        parameters = "kinetic"
    if isinstance(parameters, str):
        key = parameters.strip()
        if key in PARAMETER_GROUPS or key == "all":
            groups = [g for g in PARAMETER_GROUPS if g != "treatment"] if key == "all" else [key]
            if key == "treatment":
                raise ValidationError("parameters='treatment': drug concentrations are set by the read-outs, "
                                      "not varied; choose 'kinetic', 'pharmacology', 'input', 'all' or ids")
            chosen = table[table["group"].isin(groups) & (table["value"] != 0.0)]["id"].tolist()
            if not chosen:
                raise ValidationError(f"parameters={key!r} selects no parameter with a non-zero value")
            return chosen, settable
        parameters = [key]
    ids = [str(p) for p in parameters]
    if not ids:
        raise ValidationError("parameters must name at least one parameter (or a group such as 'kinetic')")
    if len(set(ids)) != len(ids):
        raise ValidationError(f"parameters: a parameter is listed twice in {ids}")
    allowed = list(settable.index) + list(PARAMETER_GROUPS) + ["all"]
    for pid in ids:
        if pid not in settable.index:
            known = {p.id for p in model.parameters}
            if pid in known:
                raise ValidationError(f"parameters: {pid!r} is computed by a rule, not set; it cannot be varied")
            raise UnknownNameError("parameters", pid, allowed)
        if settable.loc[pid, "group"] == "treatment":
            raise ValidationError(f"parameters: {pid!r} is a drug concentration, set by the read-outs' drugs; "
                                  "vary a potency (IC50/Kd) instead")
    return ids, settable


def _factors(ids: Sequence[str], factor: float | Mapping[str, float]) -> np.ndarray:
    if isinstance(factor, Mapping):
        unknown = [k for k in factor if k not in ids]
        if unknown:
            raise UnknownNameError("factor", unknown[0], ids)
        values = [float(factor.get(pid, 3.0)) for pid in ids]
    else:
        values = [float(factor)] * len(ids)
    for pid, f in zip(ids, values):
        if not (np.isfinite(f) and f > 1.0):
            raise ValidationError(f"factor for {pid!r} must be a finite number > 1 (×/÷ range), got {f!r}")
    return np.asarray(values)


# ------------------------------------------------------------------------------------------------
# the plan: which members to simulate and how to form the read-outs


@dataclass(frozen=True)
class _Plan:
    model: Any
    parameters: tuple[str, ...]
    factors: np.ndarray
    readouts: tuple[Readout, ...]
    contexts: dict[str, dict[str, float]]
    arms: tuple[dict[str, float], ...]
    readout_arms: tuple[tuple[int, int], ...]
    times: tuple[float, ...]
    outputs: tuple[str, ...]
    output_units: dict[str, str]
    preequilibrate: Any
    nominal: np.ndarray          # (parameter, context)
    groups: tuple[str, ...]
    rtol: float
    atol: float

    def settings(self) -> dict[str, Any]:
        """Everything that determines the model outputs of a sample row (for the store manifest)."""
        pre = self.preequilibrate
        return {
            "model_id": self.model.id,
            "model_sha256": self.model.fingerprint(),
            "parameters": list(self.parameters),
            "factors": [float(f) for f in self.factors],
            "readouts": [r.as_dict() for r in self.readouts],
            "contexts": {k: dict(sorted(v.items())) for k, v in self.contexts.items()},
            "preequilibrate": dict(sorted(pre.items())) if isinstance(pre, Mapping) else bool(pre),
            "rtol": self.rtol,
            "atol": self.atol,
        }


def _as_readouts(readouts: Readout | Sequence[Readout]) -> tuple[Readout, ...]:
    items = (readouts,) if isinstance(readouts, Readout) else tuple(readouts)
    if not items:
        raise ValidationError("readouts must hold at least one Readout")
    for r in items:
        if not isinstance(r, Readout):
            raise ValidationError(f"readouts must be Readout objects (see parse_readout), got {r!r}")
    labels = [r.label for r in items]
    if len(set(labels)) != len(labels):
        raise ValidationError(f"readouts: a read-out is listed twice in {labels}")
    return items


def _resolve(model, contexts: ContextSpec) -> dict[str, dict[str, float]]:
    from ..family import family_of

    family = family_of(model)
    if contexts is None:
        return {family.default_context if family is not None else "nominal": {}}
    if family is None or family.resolve_context is None:
        if not isinstance(contexts, Mapping):
            raise ValidationError(f"contexts: model {model.id!r} belongs to no model family with a context "
                                  "vocabulary; give a mapping {label: {parameter id: value}}")
        return {str(k): {str(p): float(v) for p, v in dict(s).items()} for k, s in contexts.items()}
    return resolve_contexts(contexts, family=family)  # type: ignore[arg-type]


def _plan(readouts, *, contexts, parameters, factor, model, preequilibrate, rtol, atol) -> _Plan:
    from ..engine.compiler import compile_model

    model = model if model is not None else _default_model()
    items = _as_readouts(readouts)
    ctx = _resolve(model, contexts)
    ids, table = _select_parameters(model, parameters)
    factors = _factors(ids, factor)
    cm = compile_model(model)
    outputs = sorted({r.output for r in items})
    for name in outputs:
        if name not in cm.output_ids:
            raise UnknownNameError("readout output", name, cm.output_ids)
    # treatment arms (distinct drug settings); the untreated control ({}) only where a read-out needs it
    arms: list[dict[str, float]] = []
    readout_arms: list[tuple[int, int]] = []

    def arm_index(settings: dict[str, float]) -> int:
        if settings not in arms:
            arms.append(settings)
        return arms.index(settings)

    for r in items:
        settings = _drug_settings(r, model)
        clash = sorted(set(settings) & set(ids))
        if clash:
            raise ValidationError(f"parameters: {clash} are set by the drugs of read-out {r.label!r}; "
                                  "they cannot also be varied")
        readout_arms.append((arm_index(settings), arm_index({}) if r.needs_control else -1))
    for label, settings in ctx.items():
        for key in settings:
            cm.p_index(key, argument=f"contexts[{label!r}]")
    defaults = {p.id: float(p.value) for p in model.parameters}
    nominal = np.asarray([[float(ctx[c].get(pid, defaults[pid])) for c in ctx] for pid in ids])
    zero = [pid for pid, row in zip(ids, nominal) if np.all(row == 0.0)]
    if zero:
        raise ValidationError(f"parameters: {zero} are 0 in every context, so a multiplier cannot vary them; "
                              "leave them out or set a non-zero value through contexts")
    if preequilibrate is None:
        from ..model.roles import untreated_overrides

        # untreated steady state (drugs and protocol switches at 0) where the model declares them
        preequilibrate = untreated_overrides(model) or False
    times = tuple(sorted({0.0, *(r.time for r in items)}))
    units: dict[str, str] = {}
    for name in outputs:
        try:
            units[name] = getattr(model.component(name), "units", "") or ""
        except UnknownNameError:
            units[name] = ""
    return _Plan(model=model, parameters=tuple(ids), factors=factors, readouts=items, contexts=ctx,
                 arms=tuple(arms), readout_arms=tuple(readout_arms), times=times, outputs=tuple(outputs),
                 output_units=units, preequilibrate=preequilibrate, nominal=nominal,
                 groups=tuple(str(table.loc[pid, "group"]) for pid in ids), rtol=float(rtol), atol=float(atol))


def _drug_settings(readout: Readout, model) -> dict[str, float]:
    if not readout.drugs:
        return {}
    from ..family import family_of

    family = family_of(model)
    if family is None or family.drug_settings is None:
        raise ValidationError(f"readout {readout.label!r}: drugs need a model family with a drug vocabulary; "
                              f"model {model.id!r} has none")
    return family.drug_settings({n: (v, u) for n, v, u in readout.drugs})


def _evaluate(plan: _Plan, log_multipliers: np.ndarray, n_threads: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Read-outs ``(row, readout, context)`` and solver status ``(row, context, arm)`` of sample rows.

    All members (rows × contexts × arms) run in one :func:`her2sim.simulate_ensemble` call.
    """
    from ..simulation import simulate_ensemble

    u = np.asarray(log_multipliers, dtype=float)
    n, n_ctx, n_arm = u.shape[0], len(plan.contexts), len(plan.arms)
    defaults = {p.id: float(p.value) for p in plan.model.parameters}
    keys = set(plan.parameters) | {k for s in plan.contexts.values() for k in s} | {k for a in plan.arms for k in a}
    columns: dict[str, np.ndarray] = {}
    for key in sorted(keys):
        col = np.empty((n_ctx, n_arm, n))
        for ci, settings in enumerate(plan.contexts.values()):
            for ai, arm in enumerate(plan.arms):
                col[ci, ai, :] = arm.get(key, settings.get(key, defaults[key]))
        columns[key] = col
    for j, pid in enumerate(plan.parameters):
        columns[pid] = columns[pid] * np.exp(u[:, j])[None, None, :]
    ds = simulate_ensemble(plan.model, np.asarray(plan.times), {k: v.reshape(-1) for k, v in columns.items()},
                           preequilibrate=plan.preequilibrate, outputs=list(plan.outputs), rtol=plan.rtol,
                           atol=plan.atol, n_threads=n_threads)
    status = ds["status"].values.reshape(n_ctx, n_arm, n)
    out = {name: ds[name].values.reshape(n_ctx, n_arm, n, len(plan.times)) for name in plan.outputs}
    values = np.empty((n, len(plan.readouts), n_ctx))
    for r, (readout, (arm, control)) in enumerate(zip(plan.readouts, plan.readout_arms)):
        ti = plan.times.index(readout.time)
        y = out[readout.output][:, arm, :, ti]
        yc = out[readout.output][:, control, :, ti] if control >= 0 else None
        y0 = out[readout.output][:, control, :, 0] if control >= 0 else None
        values[:, r, :] = _form(readout.quantity, y, yc, y0).T
    return values, np.transpose(status, (2, 0, 1)).astype(np.int8)


def _form(quantity: str, y: np.ndarray, yc: np.ndarray | None, y0: np.ndarray | None) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if quantity == "value":
            return y.copy()
        if yc is None or y0 is None:
            raise ValidationError(f"quantity={quantity!r} needs the untreated control")  # the plan pairs them
        if quantity == "fold_change":
            return np.where(yc != 0, y / yc, np.nan)
        if quantity == "inhibition_percent":
            return np.where(yc != 0, 100.0 * (1.0 - y / yc), np.nan)
        growing = (yc > y0) & (y > 0) & (y0 > 0)
        gr = np.power(2.0, np.log2(y / y0) / np.log2(yc / y0)) - 1.0
        return np.where(growing, gr, np.nan)


