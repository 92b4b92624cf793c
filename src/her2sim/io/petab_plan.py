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
    One evaluation is then array arithmetic plus a few compiled ensemble calls (one for the
    distinct pre-equilibrations, one per group of members with similar last output times, with
    and without a pre-equilibrated start, steady-state read-outs), whatever the number of
    conditions; no pandas and no per-condition Python.

The functions are those the simulator itself uses (one implementation); the code stays in
:mod:`her2sim.io.petab` until that module is split into a package.
"""

from __future__ import annotations

import math
import os
import time
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
    "MemberOutputs",
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
#: members ending at or after this fraction of a group's end time run with that group (see
#: CompiledPlan: at most this much of a member's run is spent past its last output time)
MERGE_END_FRACTION = 0.5
#: a compiled call with less work than this (seconds, measured on its previous run) runs on
#: one thread: a thread pool costs ~0.2 ms to start, and more on a loaded machine
THREADS_MIN_SECONDS = 2e-3
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


def _can_evaluate(expr: Any) -> bool:
    """Whether :func:`_evaluate` handles every node of ``expr``."""
    import sympy

    if expr.is_Number or expr.is_Symbol:
        return True
    if isinstance(expr, (sympy.Add, sympy.Mul, sympy.Pow, sympy.exp, sympy.log, sympy.Abs)):
        return all(_can_evaluate(a) for a in expr.args)
    return False


def _evaluate(expr: Any, env: Mapping[str, np.ndarray]) -> np.ndarray:
    """A parsed formula (sums, products, powers, exp, log, abs of numbers and symbols) on arrays
    of symbol values: a walk of the expression tree, nothing evaluated as text."""
    import sympy

    if expr.is_Number:
        return np.asarray(float(expr))
    if expr.is_Symbol:
        return env[expr.name]
    args = [_evaluate(a, env) for a in expr.args]
    out: np.ndarray
    if isinstance(expr, sympy.Add):
        out = args[0]
        for a in args[1:]:
            out = out + a
    elif isinstance(expr, sympy.Mul):
        out = args[0]
        for a in args[1:]:
            out = out * a
    elif isinstance(expr, sympy.Pow):
        out = np.power(args[0], args[1])
    elif isinstance(expr, sympy.exp):
        out = np.exp(args[0])
    elif isinstance(expr, sympy.log):
        out = np.log(args[0]) if len(args) == 1 else np.log(args[0]) / np.log(args[1])
    else:  # sympy.Abs, the last kind _can_evaluate admits
        out = np.abs(args[0])
    return np.asarray(out)


class MemberOutputs:
    """Outputs of the members of a plan, run in groups that end at different times.

    Indexed like the (members × times × outputs) array it stands for, with three integer
    arrays of one shape: ``out[member, time_index, output]``; entries after the end of a
    member's group (its last output time, or a later member's of the same group) are NaN. :meth:`CompiledPlan.execute` returns a plain array instead when one
    run covered every member and every time.
    """

    def __init__(self, n_members: int, n_times: int, n_outputs: int, blocks: list[tuple[np.ndarray, np.ndarray]]):
        self.shape = (n_members, n_times, n_outputs)
        self.blocks = blocks
        self._block = np.full(n_members, -1, dtype=np.int64)
        self._position = np.zeros(n_members, dtype=np.int64)
        for b, (members, _) in enumerate(blocks):
            self._block[members] = b
            self._position[members] = np.arange(members.size)

    def __getitem__(self, key: tuple[Any, Any, Any]) -> np.ndarray:
        m, t, c = np.broadcast_arrays(*(np.asarray(k) for k in key))
        result = np.full(m.shape, np.nan)
        block = self._block[m]
        for b, (_, values) in enumerate(self.blocks):
            hit = (block == b) & (t < values.shape[1])
            if hit.any():
                result[hit] = values[self._position[m[hit]], t[hit], c[hit]]
        return result

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        full = np.full(self.shape, np.nan)
        for members, values in self.blocks:
            full[members, : values.shape[1]] = values
        return full if dtype is None else full.astype(dtype)


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
        Selected outputs (observables and noise) and the output times of all members.
    last_time_index : int array (members)
        Index in ``times`` of each member's last output time (-1: steady-state rows only).
    pre_inverse, pre_unique : int arrays
        Per pre-equilibrated member (order of ``pre_rows``) its distinct pre-equilibration, and
        one member per distinct pre-equilibration (same constants and parameter links).
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

        # placeholders that the SBML model does not know enter observable and noise formulas only,
        # never the dynamics: pre-equilibration leaves them at their defaults, so that members
        # differing only in them share one pre-equilibration
        sbml_ids = set(problem.sbml_model.parameter_ids) | {c.id for c in problem.sbml_model.compartments}

        def inputs(rows: list[int], cond_of: list[str], species_to_init: np.ndarray,
                   placeholders: bool = True) -> _Sources:
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
                    if not placeholders and ident not in sbml_ids:
                        continue
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
        self.P_pre = inputs(list(self.pre_rows), pl.member_pre, species_to_init=np.ones(n_m, dtype=bool),
                            placeholders=False)
        # pre-equilibrations with the same sources (same constants, same parameter links) are
        # the same run whatever the values: found once here, not by comparing rows per call
        keys: dict[tuple, int] = {}
        pre_inverse = []
        src_of_row: dict[int, list[tuple[int, int]]] = {}
        for r, c, i in zip(self.P_pre.rows.tolist(), self.P_pre.cols.tolist(), self.P_pre.src.tolist()):
            src_of_row.setdefault(r, []).append((c, i))
        for member in self.pre_rows.tolist():
            key = (self.P_pre.template[member].tobytes(), tuple(src_of_row.get(member, ())))
            pre_inverse.append(keys.setdefault(key, len(keys)))
        #: per pre-equilibrated member (order of ``pre_rows``): its distinct pre-equilibration;
        #: ``pre_unique`` holds one member per distinct pre-equilibration
        self.pre_inverse = np.asarray(pre_inverse, dtype=np.int64)
        first: dict[int, int] = {}
        for j, u in enumerate(pre_inverse):
            first.setdefault(u, j)
        self.pre_unique = self.pre_rows[np.asarray([first[u] for u in range(len(keys))], dtype=np.int64)]

        # the last output time each member needs (-1: none, steady-state rows only): members are
        # run in groups that end at their own last time, not at the problem's
        last = np.full(n_m, -1, dtype=np.int64)
        timed = ~pl.row_steady
        np.maximum.at(last, pl.row_member[timed], pl.row_time_index[timed])
        self.last_time_index = last
        # a member whose last time is at least MERGE_END_FRACTION of a longer group's end joins
        # that group: one compiled call less (~15 us) for a stretch late in the run, where
        # steps are long (Weber 2015: 27 and 30 -> one call; Bachmann 2011: 10 end times -> 4)
        self._groups: list[tuple[bool, int, np.ndarray]] = []
        times_ = np.asarray(pl.times, dtype=float)
        for is_pre, rows in ((True, self.pre_rows), (False, self.fresh_rows)):
            ends = sorted({int(k) for k in last[rows].tolist() if k >= 0}, reverse=True)
            open_end: int | None = None
            assigned: dict[int, int] = {}
            for k in ends:
                if open_end is None or times_[k] < MERGE_END_FRACTION * times_[open_end]:
                    open_end = k
                assigned[k] = open_end
            for end in sorted(set(assigned.values())):
                in_group = rows[np.isin(last[rows], [k for k, e in assigned.items() if e == end])]
                self._groups.append((is_pre, end, in_group))

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
        self._all_steady = bool(pl.row_steady.all()) and pl.row_steady.size > 0
        self._ok_messages = [SolveStatus(0).message] * n_m
        self._call_seconds: dict[tuple, float] = {}
        self._t0 = np.zeros(1)
        self._sel0 = np.zeros(1, dtype=np.int32)

        # measurements, transforms and noise models per row
        meas, scales, dists = row_arrays(problem)
        self.measurement = np.asarray(meas, dtype=float)
        self.scale = np.asarray([_SCALE_CODE[str(x)] for x in scales], dtype=np.int8)
        self.laplace = np.asarray([d == "laplace" for d in dists], dtype=bool)
        self.scale_names = np.asarray(scales, dtype=object)
        self.distribution_names = np.asarray(dists, dtype=object)
        self._all_lin = bool(np.all(self.scale == _LIN))
        self._all_log10 = bool(np.all(self.scale == _LOG10))
        self._any_laplace = bool(self.laplace.any())
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
        self._sigma_constant = bool(s_rows) and not any(k >= 0 for k in s_link) and not any(k >= 0 for k in s_slot)
        # the other constant-only noise formulas (e.g. Bachmann 2011's noiseParameter1 +
        # noiseParameter2), per observable: the parsed formula and, per symbol, where each row's
        # number comes from; evaluated on arrays by walking the formula (see _evaluate)
        self._formula_groups: list[tuple[Any, np.ndarray, np.ndarray, dict[str, tuple]]] = []
        self._formula_fallback: list[int] = []
        by_observable: dict[str, list[int]] = {}
        for r in self.sigma_formula_rows:
            by_observable.setdefault(pl.row_observable[r], []).append(r)
        for oid, f_rows in by_observable.items():
            expr = rules[obs[oid].sigma_id]
            if not _can_evaluate(expr):
                self._formula_fallback.extend(f_rows)
                continue
            symbols: dict[str, tuple] = {}
            for sym in expr.free_symbols:
                f_const: list[float] = []
                f_link: list[int] = []
                f_slot: list[int] = []
                for r in f_rows:
                    noise_holders = dict(pl.row_noise[r])
                    if sym.name in noise_holders:
                        f_c, f_k = source(noise_holders[sym.name], f"noise placeholder {sym.name!r}")
                        f_const.append(f_c)
                        f_link.append(f_k)
                        f_slot.append(-1)
                    else:
                        f_const.append(math.nan)
                        f_link.append(-1)
                        f_slot.append(cm.p_index(sym.name, argument="noise formula"))
                symbols[sym.name] = (np.asarray(f_const, dtype=float), np.asarray(f_link, dtype=np.int64),
                                     np.asarray(f_slot, dtype=np.int64))
            rows_arr = np.asarray(f_rows, dtype=np.int64)
            self._formula_groups.append((expr, rows_arr, pl.row_member[rows_arr], symbols))

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
        steady_out)``: outputs (members × times × ``sel``; see :class:`MemberOutputs`), status
        per member (first failure kept), steady-state outputs (members × ``sel``, NaN where not
        requested) or None.

        Each distinct pre-equilibration runs once; the main runs go in one compiled call per
        group of members with similar last output times (a member is run at most to twice its
        last output time, see ``MERGE_END_FRACTION``; its outputs after its group's end are NaN).
        """
        n = self.n_members
        times = self.times
        pre = self.pre_rows
        status = np.zeros(n, dtype=np.int64)
        x_pre = None
        if pre.size:
            res = self._run(("pre",), cm, n_threads, P_pre[self.pre_unique], self._t0, self._sel0, opts,
                            P_pre=P_pre[self.pre_unique], want_final_state=True)
            x_pre = np.asarray(res["x_final"])[self.pre_inverse]
            status[pre] = res["status"][self.pre_inverse]
            if reset is not None:
                reset(x_pre)
            x_pre[status[pre] != 0] = np.nan
        blocks: list[tuple[np.ndarray, np.ndarray]] = []
        for is_pre, k, members in self._groups:
            whole = members.size == n
            Pg = P if whole else P[members]
            X0 = None
            if is_pre and x_pre is not None:
                X0 = x_pre if members.size == pre.size else x_pre[np.searchsorted(pre, members)]
            res = self._run(("main", is_pre, k), cm, n_threads, Pg, times if k == times.size - 1 else times[: k + 1],
                            sel, opts, X0=X0)
            blocks.append((members, res["out"]))
            status[members] = np.where(status[members] != 0, status[members], res["status"])
        out: MemberOutputs | np.ndarray = MemberOutputs(n, times.size, sel.size, blocks)
        if len(blocks) == 1 and blocks[0][0].size == n and blocks[0][1].shape[1] == times.size:
            # one call covered every member in order and every time: the run's own array (the
            # outputs of a sensitivity system are large: Raimundez 2020, 170 x 15 x 43,134)
            out = blocks[0][1]
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
                res = self._run(("steady", start), cm, n_threads, Ps, self._t0, sel, opts, P_pre=Ps, X0=X0)
                steady[subset] = res["out"][:, 0, :]
                status[subset] = res["status"]
        return out, status, steady

    def _run(self, key: tuple, cm: Any, n_threads: int, *args: Any, **kwargs: Any) -> dict[str, np.ndarray]:
        """``cm.run`` on threads only where the call is worth it: a call whose work took less
        than THREADS_MIN_SECONDS the last time runs on one thread (starting a thread pool on
        a 2-core machine under load turned Fujita 2010's 0.55 ms evaluation into 3.5 ms).
        Results do not depend on the number of threads, so neither do they on this choice."""
        record = (id(cm), key)
        work = self._call_seconds.get(record)
        threads = 1 if (n_threads <= 1 or (work is not None and work < THREADS_MIN_SECONDS)) else n_threads
        start = time.perf_counter()
        res: dict[str, np.ndarray] = cm.run(*args, n_threads=threads, **kwargs)
        # wall time x threads bounds the work from above
        self._call_seconds[record] = (time.perf_counter() - start) * min(threads, len(args[0]))
        return res

    def reset_values(self, v: np.ndarray, P: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Species resets after pre-equilibration: ``(row in the pre-equilibrated block, state,
        value, size)``; the state becomes ``value * size`` (size 1 for amounts)."""
        m, x, const, link, size_slot, size_const = self.reset_sources
        if not m.size:
            return m, x, const, size_const
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

        out, status, steady = self.execute(self.cm, P, P_pre, self.sel, opts, n_threads, reset if rows.size else None)
        rm = pl.row_member
        if steady is None:
            rt = pl.row_time_index
            simulation = out[rm, rt, pl.row_output]
            sigma = out[rm, rt, pl.row_sigma]
        elif self._all_steady:
            simulation = steady[rm, pl.row_output]
            sigma = steady[rm, pl.row_sigma]
        else:
            rt = pl.row_time_index
            simulation = np.where(pl.row_steady, steady[rm, pl.row_output], out[rm, rt, pl.row_output])
            sigma = np.where(pl.row_steady, steady[rm, pl.row_sigma], out[rm, rt, pl.row_sigma])
        self.static_sigma(v, P, sigma)
        if status.any():
            failed = status[rm] != 0
            simulation[failed] = np.nan
            sigma[failed] = np.nan
            messages = [self._messages.get(int(s), "failed") for s in status]
        else:
            messages = self._ok_messages
        return RunResult(simulation=simulation, sigma=sigma, member_status=status, member_message=list(messages))

    def static_sigma(self, v: np.ndarray, P: np.ndarray, sigma: np.ndarray) -> None:
        """Fill ``sigma`` (in place) on the rows whose noise formula has constants only."""
        rows, const, link, slot = self.sigma_sources
        if self._sigma_constant:
            sigma[rows] = const  # numbers only (the common case): no gather
        elif rows.size:
            m = self.plan.row_member[rows]
            value = np.where(link >= 0, v[np.maximum(link, 0)], const)
            sigma[rows] = np.where(slot >= 0, P[m, np.maximum(slot, 0)], value)
        for expr, rows, members, symbols in self._formula_groups:
            env = {}
            for name, (const, link, slot) in symbols.items():
                value = np.where(link >= 0, v[np.maximum(link, 0)], const)
                env[name] = np.where(slot >= 0, P[members, np.maximum(slot, 0)], value)
            with np.errstate(all="ignore"):
                sigma[rows] = _evaluate(expr, env)
        if self._formula_fallback:
            self._formula_sigma(v, P, sigma)

    def _formula_sigma(self, v: np.ndarray, P: np.ndarray, sigma: np.ndarray) -> None:
        """Noise formulas of several constants: numbers substituted into the parsed formula and
        folded by sympy, once per distinct set of numbers; nothing is evaluated as text."""
        pl, cm = self.plan, self.cm
        values = dict(zip(self.parameter_ids, v.tolist()))
        rules = {r.variable: r.math for r in self.problem.model.assignment_rules}
        obs = {o.id: o for o in self.problem.observables}
        cache: dict[tuple, float] = {}
        for r in self._formula_fallback:
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
            # only the transforms and distributions the problem uses (most use one of each)
            if self._all_lin:
                ty = y
            elif self._all_log10:
                ty = np.log10(y)
            else:
                ty = np.where(self.scale == _LOG, np.log(y), np.where(self.scale == _LOG10, np.log10(y), y))
            r = (self._tm - ty) / sigma
            if not self._any_laplace:
                nllh = 0.5 * np.log(2.0 * np.pi * sigma**2) + 0.5 * r**2 + self._change
            else:
                normal = 0.5 * np.log(2.0 * np.pi * sigma**2) + 0.5 * r**2
                laplace = np.log(2.0 * sigma) + np.abs(r)
                nllh = np.where(self.laplace, laplace, normal) + self._change
        bad = sigma <= 0
        if not self._all_lin:
            bad |= (self.scale != _LIN) & (y <= 0)
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
