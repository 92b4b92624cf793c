"""The public runtime surface of a PEtab problem: its simulation plan, parameter values, run and
likelihood pieces, for code built on :mod:`her2sim.io.petab` (the calibration objectives).

:mod:`her2sim.io.petab` loads and validates problems; this module names, as a documented API,
the steps between a loaded problem and a likelihood, so that :mod:`her2sim.calibration` needs no
private import:

``plan(problem)``
    members (condition × pre-equilibration × placeholders), output times and, per measurement
    row, the member, output, time index and noise column (:class:`Plan`);
``parameter_values(problem, parameters)``
    nominal values with overrides, in linear scale;
``resolve(value, values, model, where)``
    a number or a parameter id (placeholder override) as a number;
``run(problem, parameters, ...)``
    the protocol of every member through :func:`her2sim.protocol.execute` (pre-equilibration
    once per distinct vector, species reset, simulation, steady-state measurements):
    :class:`RunResult` with simulation and sigma per measurement row and a status per member;
``row_arrays(problem, result)``
    measurements, noise scales and distributions per row;
``transform``, ``prior_nllh``, ``split_overrides``, ``is_missing``, ``parse_formula``,
``noise_negative_log_likelihood``
    scale transforms, the prior term, override lists, PEtab empty cells, formula parsing, the
    noise models' negative log-likelihood.

``compile_plan(problem)``
    the :class:`CompiledPlan` of a problem: everything that does not depend on parameter values
    (condition and placeholder overrides, species resets, output selection, noise sources,
    measurement transforms) as integer and float arrays, built once and cached on the problem.
    One evaluation is then array arithmetic plus at most five compiled ensemble calls
    (pre-equilibration, main run with and without a pre-equilibrated start, steady-state
    read-outs), whatever the number of conditions; no pandas and no per-condition Python.

The functions are those the simulator itself uses (one implementation); the code stays in
:mod:`her2sim.io.petab` until that module is split into a package.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import UnknownNameError
from .petab import (  # noqa: F401  (re-exported as the public runtime API)
    PetabProblem,
    _Plan as Plan,
    _Result as RunResult,
    _is_missing as is_missing,
    _parameter_values as parameter_values,
    _parse_formula as parse_formula,
    _plan as plan,
    _prior_nllh as prior_nllh,
    _resolve as resolve,
    _row_arrays as row_arrays,
    _split_overrides as split_overrides,
    _transform as transform,
    noise_negative_log_likelihood,
)

__all__ = [
    "Plan",
    "RunResult",
    "CompiledPlan",
    "compile_plan",
    "plan",
    "parameter_values",
    "resolve",
    "run",
    "row_arrays",
    "transform",
    "prior_nllh",
    "split_overrides",
    "is_missing",
    "parse_formula",
    "noise_negative_log_likelihood",
]

_LIN, _LOG, _LOG10 = 0, 1, 2
_SCALE_CODE = {"lin": _LIN, "log": _LOG, "log10": _LOG10}


class _Sources:
    """Where the entries of a (members × slots) input matrix come from.

    ``template`` holds every constant (model defaults, numbers of the condition table and of
    placeholders, values of model ids named there); ``rows``/``cols``/``src`` list the entries
    that take a value of the parameter table (``src`` indexes :attr:`CompiledPlan.parameter_ids`).
    """

    def __init__(self, template: np.ndarray, links: dict[tuple[int, int], int]):
        self.template = template
        keys = sorted(links)
        self.rows = np.asarray([k[0] for k in keys], dtype=np.int64)
        self.cols = np.asarray([k[1] for k in keys], dtype=np.int64)
        self.src = np.asarray([links[k] for k in keys], dtype=np.int64)

    def fill(self, v: np.ndarray) -> np.ndarray:
        out = self.template.copy()
        out[self.rows, self.cols] = v[self.src]
        return out


class CompiledPlan:
    """A PEtab problem's evaluation, compiled to arrays once (see the module docstring).

    Parameters
    ----------
    problem : PetabProblem

    Notes
    -----
    Values of the parameter table are a vector in the order of :attr:`parameter_ids` (linear
    scale; :meth:`values` builds it from a mapping). Every input slot of every ensemble member
    is either a constant or one entry of that vector, so the members' inputs are one gather.
    PEtab's rules are those of :func:`her2sim.io.petab.simulate_petab`: pre-equilibration under
    the pre-equilibration condition (shared between members with the same inputs), then the
    simulation condition's species values reset the state (empty cells keep it), then the
    main run; rows at ``time = inf`` are read at the steady state under the simulation
    condition. A member without pre-equilibration takes the condition's species values as
    its initial values (so initial assignments that read them see them).

    Attributes
    ----------
    cm : CompiledModel
    plan : Plan
    parameter_ids : tuple of str
        Order of the values vector.
    n_members : int
    pre : bool array (members)
        Pre-equilibrated members; ``pre_rows``/``fresh_rows`` are their indices and the others'.
    P, P_pre
        Input sources (template + links) of the main run and of pre-equilibration.
    reset_sources : tuple of arrays
        Species resets after pre-equilibration: member, state, constant, parameter link (or -1),
        compartment slot (or -1), constant size.
    sigma_sources : tuple of arrays
        Rows with a constant-only noise formula of one symbol: row, constant, parameter link (or
        -1), input slot (or -1); ``sigma_formula_rows`` are the other constant-only rows.
    sel, times
        Selected outputs (observables and noise) and output times of every member.
    """

    def __init__(self, problem: PetabProblem):
        from ..engine.compiler import compile_model
        from ..simulation import SolveStatus

        self.problem = problem
        pl = plan(problem)
        self.plan = pl
        cm = compile_model(problem.model)
        self.cm = cm
        model = problem.model
        self.parameter_ids: tuple[str, ...] = problem.parameter_ids
        index = {k: i for i, k in enumerate(self.parameter_ids)}
        self._index = index
        self.nominal = np.asarray([p.nominal for p in problem.parameters], dtype=float)
        self._estimated = np.asarray([p.estimate for p in problem.parameters], dtype=bool)
        n_m = len(pl.member_cond)
        self.n_members = n_m
        n_p = cm.n_p_base
        self._messages = {int(s): s.message for s in SolveStatus}

        def source(raw: Any, where: str) -> tuple[float, int]:
            """(constant, -1) or (nan, parameter-table index) of a table cell."""
            if isinstance(raw, str):
                text = raw.strip()
                try:
                    return float(text), -1
                except ValueError:
                    pass
                if text in index:
                    return math.nan, index[text]
                return resolve(text, {}, model, where), -1
            return float(raw), -1

        # per condition: (kind, id, constant, link) of every non-empty cell
        cond_cells: dict[str, list[tuple[str, str, float, int]]] = {}
        conditions = problem.conditions
        for c in dict.fromkeys(pl.member_cond + [x for x in pl.member_pre if x]):
            cells = []
            for col, (kind, ident) in pl.condition_targets.items():
                raw = conditions.at[c, col]
                if is_missing(raw):
                    continue
                const, link = source(raw, f"condition {c!r} column {col!r}")
                cells.append((kind, ident, const, link))
                override = problem.ia_overrides.get(ident)
                if override is not None:
                    cells.append(("input", override[0], 1.0, -1))
                    cells.append(("input", override[1], const, link))
            cond_cells[c] = cells

        base_links = {cm.p_index(k): i for k, i in index.items() if k in cm._p_index}

        def inputs(rows: list[int], cond_of: list[str], species_to_init: np.ndarray) -> _Sources:
            template = np.tile(cm.p_default[:n_p], (n_m, 1))
            links: dict[tuple[int, int], int] = {}
            for m in rows:
                for j, i in base_links.items():
                    links[(m, j)] = i
                slots: list[tuple[int, float, int]] = []
                for kind, ident, const, link in cond_cells[cond_of[m]]:
                    if kind == "species":
                        if species_to_init[m]:
                            slots.append((cm.init_index(ident), const, link))
                    else:
                        slots.append((cm.p_index(ident), const, link))
                for ident, raw in pl.member_placeholders[m].items():
                    const, link = source(raw, f"placeholder {ident!r}")
                    slots.append((cm.p_index(ident), const, link))
                for j, const, link in slots:
                    links.pop((m, j), None)
                    if link >= 0:
                        links[(m, j)] = link
                    else:
                        template[m, j] = const
            return _Sources(template, links)

        pre = np.asarray([bool(x) for x in pl.member_pre], dtype=bool)
        self.pre = pre
        self.pre_rows = np.flatnonzero(pre)
        self.fresh_rows = np.flatnonzero(~pre)
        # a pre-equilibrated member's main inputs hold no species initial values (its state
        # comes from pre-equilibration, then the reset below)
        self.P = inputs(list(range(n_m)), pl.member_cond, species_to_init=~pre)
        self.P_pre = inputs(list(self.pre_rows), pl.member_pre, species_to_init=np.ones(n_m, dtype=bool))

        # species resets after pre-equilibration: x[member, state] = value * size
        r_m, r_x, r_const, r_link, r_size_slot, r_size_const = [], [], [], [], [], []
        for m in self.pre_rows:
            for kind, ident, const, link in cond_cells[pl.member_cond[m]]:
                if kind != "species":
                    continue
                s = model.get_species(ident)
                r_m.append(m)
                r_x.append(cm.state_ids.index(ident))
                r_const.append(const)
                r_link.append(link)
                if s.initial_is_amount:
                    r_size_slot.append(-1)
                    r_size_const.append(1.0)
                else:
                    try:
                        r_size_slot.append(cm.p_index(s.compartment))
                        r_size_const.append(math.nan)
                    except UnknownNameError:
                        r_size_slot.append(-1)
                        r_size_const.append(float(model.component(s.compartment).size))
        self.reset_sources = (
            np.asarray(r_m, dtype=np.int64), np.asarray(r_x, dtype=np.int64), np.asarray(r_const, dtype=float),
            np.asarray(r_link, dtype=np.int64), np.asarray(r_size_slot, dtype=np.int64),
            np.asarray(r_size_const, dtype=float),
        )

        self.sel = np.asarray([cm.output_index(o) for o in pl.outputs], dtype=np.int32)
        self.times = np.ascontiguousarray(pl.times, dtype=float)
        self._steady_members = np.unique(pl.row_member[pl.row_steady])

        # measurements, transforms and noise models per row
        meas, scales, dists = row_arrays(problem)
        self.measurement = np.asarray(meas, dtype=float)
        self.scale = np.asarray([_SCALE_CODE[str(x)] for x in scales], dtype=np.int8)
        self.laplace = np.asarray([d == "laplace" for d in dists], dtype=bool)
        self.scale_names = np.asarray(scales, dtype=object)
        self.distribution_names = np.asarray(dists, dtype=object)
        with np.errstate(divide="ignore", invalid="ignore"):
            self._tm = np.where(self.scale == _LOG, np.log(meas), np.where(self.scale == _LOG10, np.log10(meas), meas))
            self._change = np.where(
                self.scale == _LOG, np.log(meas), np.where(self.scale == _LOG10, np.log(meas * math.log(10.0)), 0.0)
            )

        # noise formulas of constants only: sigma per row from a constant, a parameter-table
        # value or a member input; anything else through the formula (per distinct key)
        obs = {o.id: o for o in problem.observables}
        rules = {r.variable: r.math for r in model.assignment_rules}
        n_rows = len(pl.row_member)
        self._sigma_dynamic = np.ones(n_rows, dtype=bool)
        s_rows, s_const, s_link, s_slot = [], [], [], []
        self.sigma_formula_rows: list[int] = []
        for r, oid in enumerate(pl.row_observable):
            o = obs[oid]
            if not o.static_noise:
                continue
            self._sigma_dynamic[r] = False
            expr = rules[o.sigma_id]
            holders = dict(pl.row_noise[r])
            if expr.is_Number:
                s_rows.append(r)
                s_const.append(float(expr))
                s_link.append(-1)
                s_slot.append(-1)
            elif expr.is_Symbol and expr.name in holders:
                const, link = source(holders[expr.name], f"noise placeholder {expr.name!r}")
                s_rows.append(r)
                s_const.append(const)
                s_link.append(link)
                s_slot.append(-1)
            elif expr.is_Symbol and expr.name in cm._p_index:
                s_rows.append(r)
                s_const.append(math.nan)
                s_link.append(-1)
                s_slot.append(cm.p_index(expr.name))
            else:
                self.sigma_formula_rows.append(r)
        self.sigma_sources = (
            np.asarray(s_rows, dtype=np.int64), np.asarray(s_const, dtype=float),
            np.asarray(s_link, dtype=np.int64), np.asarray(s_slot, dtype=np.int64),
        )

    # ---------------------------------------------------------------- values
    def values(self, parameters: Mapping[str, float] | None = None) -> np.ndarray:
        """The parameter-table vector (linear scale): nominal values with ``parameters`` set.

        Raises
        ------
        UnknownNameError
            For an id that is not in the parameter table.
        ValidationError
            If an estimated parameter has neither a value nor a nominal value.
        """
        v = self.nominal.copy()
        if parameters:
            index = self._index
            for k, x in parameters.items():
                i = index.get(k)
                if i is None:
                    raise UnknownNameError("parameters", k, self.problem.estimated_parameter_ids)
                v[i] = float(x)
        bad = self._estimated & ~np.isfinite(v)
        if bad.any():
            from ..errors import ValidationError

            missing = [self.parameter_ids[i] for i in np.flatnonzero(bad)]
            raise ValidationError(f"parameters: no value (and no nominalValue) for estimated parameters {missing}")
        return v

    def inputs(self, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Member input matrices ``(P, P_pre)`` of the compiled model for values ``v``.

        ``P`` row ``m`` is the main-run input of member ``m``; for a member without
        pre-equilibration it includes the condition's species initial values. ``P_pre`` holds the
        pre-equilibration inputs (rows of members without pre-equilibration are unused).
        """
        P = self.P.fill(v)
        return P, (self.P_pre.fill(v) if self.pre_rows.size else P)

    # ---------------------------------------------------------------- running
    def execute(self, cm: Any, P: np.ndarray, P_pre: np.ndarray, sel: np.ndarray, opts: Any, n_threads: int,
                reset: Any = None) -> tuple[Any, np.ndarray, np.ndarray | None]:
        """Run every member of the plan on ``cm`` (the model or its sensitivity system).

        ``reset(x_start)`` changes the pre-equilibrated start states (rows of the
        pre-equilibrated members, in that order) in place. Returns ``(out, status,
        steady_out)``: outputs (members × times × ``sel``), status per member (first failure
        kept), steady-state outputs (members × ``sel``, NaN where not requested) or None.
        """
        n = self.n_members
        times = self.times
        pre, fresh = self.pre_rows, self.fresh_rows
        # the outputs of a sensitivity system are large (Raimundez 2020: 170 x 15 x 43,134): when
        # all members are of one kind, the run's own array is the result (no copy)
        out = np.empty((n, times.size, sel.size)) if pre.size and fresh.size else None
        status = np.zeros(n, dtype=np.int64)
        x_pre = None
        if pre.size:
            unique, inverse = np.unique(P_pre[pre], axis=0, return_inverse=True)
            res = cm.run(unique, np.zeros(1), np.zeros(1, dtype=np.int32), opts, P_pre=unique,
                         n_threads=n_threads, want_final_state=True)
            inverse = np.asarray(inverse).reshape(-1)
            x_pre = res["x_final"][inverse]
            status[pre] = res["status"][inverse]
            if reset is not None:
                reset(x_pre)
            x_pre[status[pre] != 0] = np.nan
            res = cm.run(P if not fresh.size else P[pre], times, sel, opts, X0=x_pre, n_threads=n_threads)
            if out is None:
                out = res["out"]
            else:
                out[pre] = res["out"]
            status[pre] = np.where(status[pre] != 0, status[pre], res["status"])
        if fresh.size:
            res = cm.run(P if not pre.size else P[fresh], times, sel, opts, n_threads=n_threads)
            if out is None:
                out = res["out"]
            else:
                out[fresh] = res["out"]
            status[fresh] = res["status"]
        steady = None
        if self._steady_members.size:
            steady = np.full((n, sel.size), np.nan)
            members = self._steady_members[status[self._steady_members] == 0]
            is_pre = self.pre[members]
            for subset, start in ((members[is_pre], True), (members[~is_pre], False)):
                if not subset.size:
                    continue
                X0 = x_pre[np.searchsorted(pre, subset)] if (start and x_pre is not None) else None
                Ps = P[subset]
                res = cm.run(Ps, np.zeros(1), sel, opts, P_pre=Ps, X0=X0, n_threads=n_threads)
                steady[subset] = res["out"][:, 0, :]
                status[subset] = res["status"]
        return out, status, steady

    def reset_values(self, v: np.ndarray, P: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Species resets after pre-equilibration: ``(row in the pre-equilibrated block, state,
        value, size)``; the state becomes ``value * size`` (size 1 for amounts)."""
        m, x, const, link, size_slot, size_const = self.reset_sources
        value = np.where(link >= 0, v[np.maximum(link, 0)], const)
        size = np.where(size_slot >= 0, P[m, np.maximum(size_slot, 0)], size_const)
        return np.searchsorted(self.pre_rows, m), x, value, size

    def __getstate__(self) -> dict:
        return {"problem": self.problem}  # arrays and the library handle are rebuilt on unpickling

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["problem"])  # type: ignore[misc]

    def simulate(self, v: np.ndarray, opts: Any, n_threads: int = 1) -> RunResult:
        """Simulation and sigma per measurement row for the parameter-table values ``v``."""
        pl = self.plan
        P, P_pre = self.inputs(v)
        rows, states, value, size = self.reset_values(v, P)

        def reset(x: np.ndarray) -> None:
            x[rows, states] = value * size

        out, status, steady = self.execute(self.cm, P, P_pre, self.sel, opts, n_threads, reset)
        rm, rt = pl.row_member, pl.row_time_index
        if steady is None:
            simulation = out[rm, rt, pl.row_output]
            sigma = out[rm, rt, pl.row_sigma]
        else:
            simulation = np.where(pl.row_steady, steady[rm, pl.row_output], out[rm, rt, pl.row_output])
            sigma = np.where(pl.row_steady, steady[rm, pl.row_sigma], out[rm, rt, pl.row_sigma])
        self.static_sigma(v, P, sigma)
        failed = status[rm] != 0
        if failed.any():
            simulation[failed] = np.nan
            sigma[failed] = np.nan
        messages = [self._messages.get(int(s), "failed") for s in status]
        return RunResult(simulation=simulation, sigma=sigma, member_status=status, member_message=messages)

    def static_sigma(self, v: np.ndarray, P: np.ndarray, sigma: np.ndarray) -> None:
        """Fill ``sigma`` (in place) on the rows whose noise formula has constants only."""
        rows, const, link, slot = self.sigma_sources
        if rows.size:
            m = self.plan.row_member[rows]
            value = np.where(link >= 0, v[np.maximum(link, 0)], const)
            sigma[rows] = np.where(slot >= 0, P[m, np.maximum(slot, 0)], value)
        if self.sigma_formula_rows:
            self._formula_sigma(v, P, sigma)

    def _formula_sigma(self, v: np.ndarray, P: np.ndarray, sigma: np.ndarray) -> None:
        """Noise formulas of several constants: numbers substituted into the parsed formula and
        folded by sympy, once per distinct set of numbers; nothing is evaluated as text."""
        pl, cm = self.plan, self.cm
        values = dict(zip(self.parameter_ids, v.tolist()))
        rules = {r.variable: r.math for r in self.problem.model.assignment_rules}
        obs = {o.id: o for o in self.problem.observables}
        cache: dict[tuple, float] = {}
        for r in self.sigma_formula_rows:
            o = obs[pl.row_observable[r]]
            expr = rules[o.sigma_id]
            holders = dict(pl.row_noise[r])
            m = pl.row_member[r]
            subs = {}
            for sym in expr.free_symbols:
                if sym.name in holders:
                    subs[sym] = resolve(holders[sym.name], values, self.problem.model, f"noise placeholder {sym.name!r}")
                else:
                    subs[sym] = float(P[m, cm.p_index(sym.name, argument="noise formula")])
            key = (o.id, tuple(sorted((s.name, x) for s, x in subs.items())))
            value = cache.get(key)
            if value is None:
                value = float(expr.xreplace(subs)) if subs else float(expr)
                cache[key] = value
            sigma[r] = value

    # ---------------------------------------------------------------- likelihood
    def row_nllh(self, simulation: np.ndarray, sigma: np.ndarray) -> np.ndarray:
        """Per-row negative log-likelihood (as :func:`noise_negative_log_likelihood`)."""
        y = simulation
        with np.errstate(divide="ignore", invalid="ignore"):
            ty = np.where(self.scale == _LOG, np.log(y), np.where(self.scale == _LOG10, np.log10(y), y))
            r = (self._tm - ty) / sigma
            normal = 0.5 * np.log(2.0 * np.pi * sigma**2) + 0.5 * r**2
            laplace = np.log(2.0 * sigma) + np.abs(r)
            nllh = np.where(self.laplace, laplace, normal) + self._change
        bad = ((self.scale != _LIN) & (y <= 0)) | (sigma <= 0)
        return np.where(bad, np.inf, nllh)

    def negative_log_likelihood(self, v: np.ndarray, opts: Any, n_threads: int = 1) -> float:
        """Sum of the rows' negative log-likelihoods; ``inf`` if a simulation failed."""
        result = self.simulate(v, opts, n_threads)
        if not np.all(np.isfinite(result.simulation)):
            return math.inf
        nll = self.row_nllh(result.simulation, result.sigma)
        from ..calibration import censored as _censored  # her2sim censored rows (a no-op without them)

        if _censored.censored_rows(self.problem) is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                ty = np.where(self.scale == _LOG, np.log(result.simulation),
                              np.where(self.scale == _LOG10, np.log10(result.simulation), result.simulation))
            nll = _censored.apply(self.problem, result.simulation, result.sigma, nll, self._tm, ty)
        total = float(np.sum(nll))
        return total if np.isfinite(total) else math.inf


def compile_plan(problem: PetabProblem) -> CompiledPlan:
    """The problem's :class:`CompiledPlan` (built on first use, then cached on the problem)."""
    cached = problem._cache.get("compiled_plan")
    if cached is None:
        cached = CompiledPlan(problem)
        problem._cache["compiled_plan"] = cached
    return cached


def run(
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
) -> RunResult:
    """Simulation and sigma per measurement row, status per member (see :class:`CompiledPlan`)."""
    from .petab import _options

    cp = compile_plan(problem)
    opts = _options(rtol, atol, max_steps, steady_state_rtol, steady_state_atol, steady_state_tmax)
    threads = max(1, int(n_threads or os.cpu_count() or 1))
    return cp.simulate(cp.values(parameters), opts, threads)
