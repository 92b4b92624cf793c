"""PEtab benchmark: nominal likelihood (and value + gradient) per problem, her2sim against
libRoadRunner, both measured in the same run.

For every PEtab problem in ``../shared/peer-models/petab/`` (or ``$HER2SIM_PEER_MODELS/petab``),
plus every problem folder given with ``--collection DIR`` (e.g. a checkout of the PEtab benchmark
collection's ``Benchmark-Models`` folder, with ``--only`` to pick problems), it prints:

* ``her2sim``: CPU time of one ``negative_log_likelihood`` at the nominal parameters;
* ``solver``: the part of it spent in the compiled ensemble calls (same run, the plan's
  ``execute`` on the same inputs), and the rest (``overhead``: Python around the solver);
* ``rr``: CPU time of the same likelihood with libRoadRunner (CVODE): per ensemble member,
  set the member's inputs, ``reset()``, pre-equilibrate where the problem asks for it by
  integrating to t = 1e5, once per distinct pre-equilibration (``steadyState()`` is 100-500
  times slower and fails on some problems, see :class:`RoadRunnerPetab`), ``simulate(times=...)`` of the observable and noise
  outputs at the member's own times (up to its last measurement, as her2sim runs it),
  restarting at the member's time switches of piecewise math (CVODE stalls on them
  otherwise); steady-state rows by integration to t = 1e5; the inputs of every member are
  prepared before timing (so libRoadRunner's side is its solver plus the minimal per-member
  calls), and the likelihood sum uses her2sim's vectorised formula;
* the ratio ``rr / her2sim`` (> 1: her2sim faster) and both likelihood values (they agree to
  about the tolerance when both engines simulate the problem the same way);
* with ``--gradient``, the CPU time of ``PetabObjective.value_and_gradient`` (forward
  sensitivities) and its ratio to one value.

Protocol: rtol 1e-8 and atol 1e-12 for both engines (``--rtol``/``--atol``; ``--tol
NAME=RTOL,ATOL`` for one problem, e.g. Isensee 2018 at atol 1e-10, where both engines fail
at 1e-12), one thread, CPU
time (``time.process_time``), the minimum over ``--repeat`` evaluations after one warm-up
evaluation (compilation, loading and plan building excluded). The machine's load average is
printed first: the figures are only comparable within one run.

Run:  python benchmarks/bench_petab.py [--repeat 5] [--gradient] [--collection DIR --only A,B]
"""

from __future__ import annotations

import argparse
import math
import os
import time
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
PEER = Path(os.environ.get("HER2SIM_PEER_MODELS", REPO.parent / "shared" / "peer-models"))
#: libRoadRunner pre-equilibrates by integrating this long (model time units)
PREEQ_TIME = 1e5


def cpu_best(fn, repeat: int, budget: float = 30.0) -> tuple[float, object]:
    """Minimum CPU time of ``fn`` over ``repeat`` calls after a warm-up call (fewer repeats when
    one call is slow: at most about ``budget`` seconds in total)."""
    t0 = time.process_time()
    out = fn()  # warm-up
    first = time.process_time() - t0
    best = first
    for _ in range(max(1, min(repeat, int(budget / max(first, 1e-9))))):
        t0 = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t0)
    return best, out


def switch_functions(model):
    """Relations of the model's piecewise math that switch at a time set by parameters only
    (``time`` compared with an expression of constants, degree 1): ``(difference, parameter
    symbols)`` pairs whose root in ``time`` is a switch. libRoadRunner is restarted there, per
    member with that member's values: CVODE does not locate such switches and stalls on them."""
    import sympy

    from her2sim.model import TIME

    constants = {sympy.Symbol(p.id, real=True) for p in model.parameters if p.constant}
    constants |= {sympy.Symbol(c.id, real=True) for c in model.compartments}
    timed = {sympy.Symbol(r.variable, real=True): r.math for r in model.assignment_rules
             if r.math.free_symbols <= constants | {TIME}}
    exprs = [r.rate for r in model.reactions] + [a.math for a in model.assignment_rules]
    out = {}
    for expr in exprs:
        for rel in expr.atoms(sympy.core.relational.Relational):
            difference = (rel.lhs - rel.rhs).xreplace(timed)
            if TIME not in difference.free_symbols or not difference.free_symbols <= constants | {TIME}:
                continue
            if sympy.degree(difference, TIME) == 1:
                out[difference] = sorted(difference.free_symbols - {TIME}, key=str)
    return list(out.items())


def breakpoints(switches, values: dict, t_end: float) -> list[float]:
    """Switch times in (0, t_end) of ``switch_functions`` under the parameter ``values``."""
    import sympy

    from her2sim.model import TIME

    out: set[float] = set()
    for difference, symbols in switches:
        d = difference.xreplace({s: values.get(s.name, 0.0) for s in symbols})
        a, b = sympy.Poly(d, TIME).all_coeffs()
        if a != 0:
            root = float(-b / a)
            if 0 < root < t_end:
                out.add(root)
    return sorted(out)


def problem_yaml(folder: Path) -> Path | None:
    named = folder / f"{folder.name}.yaml"
    if named.is_file():
        return named
    found = sorted(folder.glob("*.yaml"))
    return found[0] if found else None


class RoadRunnerPetab:
    """The PEtab likelihood with libRoadRunner, on the members of her2sim's compiled plan.

    Per member: set its inputs, ``reset()``; pre-equilibrate where the problem asks for it by
    integrating to t = PREEQ_TIME, once per distinct pre-equilibration input vector as
    her2sim does (the state is copied for the others; CVODE, same tolerances; ``steadyState()`` (NLEQ2) costs
    100-500 ms per call on Zheng 2012, Weber 2015 and Brannmark 2010 and fails on Zheng and
    Raimundez, integration takes about 1 ms), set the main inputs; simulate the member's own
    output times only (up to its last measurement), restarting at the member's time switches;
    steady-state rows (time = inf) are read after integrating to PREEQ_TIME from the start.
    """

    def __init__(self, problem, rtol: float, atol: float):
        import roadrunner

        import her2sim as hs
        from her2sim.io.petab_plan import compile_plan

        cp = compile_plan(problem)
        cm = cp.cm
        self.cp = cp
        rr = roadrunner.RoadRunner(hs.write_sbml(problem.model))
        rr.integrator.relative_tolerance = rtol
        rr.integrator.absolute_tolerance = atol
        rr.integrator.maximum_num_steps = 100000
        self.rr = rr
        known = set(rr.model.getGlobalParameterIds()) | set(rr.model.getCompartmentIds())
        ruled = {r.variable for r in problem.model.assignment_rules}
        settable = [k for k in cm.param_ids if k in known and k not in ruled]
        cols = [cm.p_index(k) for k in settable]
        v = cp.values(None)
        P, P_pre = cp.inputs(v)
        self.settable = settable
        self.rows = [list(map(float, P[m, cols])) for m in range(cp.n_members)]
        self.rows_pre = [list(map(float, P_pre[m, cols])) for m in range(cp.n_members)]
        self.pre = cp.pre
        self.selection = ["time"] + [o for o in cp.plan.outputs]
        times = [float(t) for t in cp.times]
        switches = switch_functions(problem.model)
        steady = set(cp.plan.row_member[cp.plan.row_steady].tolist())
        # each member's last output time (computed here, so that older trees are measured alike)
        last = np.full(cp.n_members, -1, dtype=np.int64)
        timed = ~cp.plan.row_steady
        np.maximum.at(last, cp.plan.row_member[timed], cp.plan.row_time_index[timed])
        # per member: pieces between its switches (times to ask for, which are outputs), the
        # time index of its first output and whether it has steady-state rows
        self.members = []
        for m in range(cp.n_members):
            k = int(last[m])
            own = times[: k + 1]
            pieces = []
            if own:
                t_end = own[-1]
                edges = [own[0], *breakpoints(switches, dict(zip(settable, self.rows[m])), t_end), t_end]
                for a, b in zip(edges[:-1], edges[1:]):
                    ts = sorted({a, b, *[t for t in own if a <= t <= b]})
                    pieces.append((ts, np.asarray([t in own and (t > a or a == edges[0]) for t in ts])))
            self.members.append((pieces, m in steady))
        self.share = not problem.model.rate_rules
        self.shared: dict = {}
        species_columns = [c for c, (k, _) in cp.plan.condition_targets.items() if k == "species"]
        if species_columns:
            raise NotImplementedError("species columns in the condition table are not benchmarked against libRoadRunner")

    def start(self, m: int) -> None:
        rr = self.rr
        if self.pre[m]:
            # members with the same pre-equilibration inputs share it, as her2sim's plan does
            # (the species amounts are its whole state unless the model has rate rules)
            key = tuple(self.rows_pre[m])
            state = self.shared.get(key) if self.share else None
            if state is None:
                rr.setValues(self.settable, self.rows_pre[m])
                rr.reset()
                rr.simulate(0.0, PREEQ_TIME, 2)
                if self.share:
                    self.shared[key] = rr.model.getFloatingSpeciesAmounts()
            else:
                rr.model.setFloatingSpeciesAmounts(state)
            rr.setValues(self.settable, self.rows[m])
        else:
            rr.setValues(self.settable, self.rows[m])
            rr.reset()

    def outputs(self) -> tuple[np.ndarray, np.ndarray]:
        rr = self.rr
        self.shared = {}  # pre-equilibrated states of this evaluation only
        n = self.cp.n_members
        n_out = len(self.selection) - 1
        out = np.full((n, self.cp.times.size, n_out), np.nan)
        steady = np.full((n, n_out), np.nan)
        for m, (pieces, has_steady) in enumerate(self.members):
            if pieces:
                self.start(m)
                rows = []
                for ts, keep in pieces:
                    if len(ts) == 1:  # a member read at t = 0 only: the values of the start state
                        rows.append(np.asarray([[rr.getValue(k) for k in self.selection[1:]]]))
                        continue
                    res = np.asarray(rr.simulate(times=ts, selections=self.selection))
                    rows.append(res[keep, 1:])
                block = np.vstack(rows)
                out[m, : block.shape[0]] = block
            if has_steady:
                self.start(m)
                steady[m] = np.asarray(rr.simulate(0.0, PREEQ_TIME, 2, selections=self.selection))[-1, 1:]
        return out, steady

    def negative_log_likelihood(self) -> float:
        pl = self.cp.plan
        try:
            out, steady = self.outputs()
        except RuntimeError:
            return math.inf
        rm, rt = pl.row_member, pl.row_time_index
        y = np.where(pl.row_steady, steady[rm, pl.row_output], out[rm, rt, pl.row_output])
        sigma = np.where(pl.row_steady, steady[rm, pl.row_sigma], out[rm, rt, pl.row_sigma])
        v = self.cp.values(None)
        self.cp.static_sigma(v, self.cp.inputs(v)[0], sigma)
        total = float(np.sum(self.cp.row_nllh(y, sigma)))
        return total if np.isfinite(total) else math.inf


def bench(yaml: Path, repeat: int, rtol: float, atol: float, gradient: bool, with_rr: bool = True) -> None:
    from her2sim.calibration import PetabObjective
    from her2sim.io.petab import _options, load_petab, negative_log_likelihood
    from her2sim.engine.solver import DEFAULT_SOLVER

    name = yaml.parent.name
    t0 = time.perf_counter()
    problem = load_petab(yaml)
    try:
        from her2sim.io.petab_plan import compile_plan
    except ImportError:  # a tree from before the compiled plans: her2sim's own figures only
        compile_plan = None
    t_value, f = cpu_best(lambda: negative_log_likelihood(problem, rtol=rtol, atol=atol, n_threads=1), repeat)
    setup = time.perf_counter() - t0
    if compile_plan is None:
        print(f"{name:32s} her2sim {t_value * 1e3:9.2f} ms nll {f:.6g} (tree without compiled plans)", flush=True)
        if gradient:
            obj = PetabObjective(problem, rtol=rtol, atol=atol, n_threads=1, include_priors=False)
            t_grad, _ = cpu_best(lambda: obj.value_and_gradient(obj.x_nominal), max(1, repeat // 2))
            print(f"{'':32s} value+gradient ({obj.dim} parameters, forward) {t_grad * 1e3:9.2f} ms", flush=True)
        return
    cp = compile_plan(problem)
    v = cp.values(None)
    P, P_pre = cp.inputs(v)
    opts = _options(rtol, atol, DEFAULT_SOLVER.max_steps, DEFAULT_SOLVER.steady_state_rtol,
                    DEFAULT_SOLVER.steady_state_atol, DEFAULT_SOLVER.steady_state_tmax)
    t_solver, _ = cpu_best(lambda: cp.execute(cp.cm, P, P_pre, cp.sel, opts, 1), repeat)
    line = (f"{name:32s} members {cp.n_members:4d} rows {len(cp.measurement):5d} | her2sim {t_value * 1e3:9.2f} ms "
            f"(solver {t_solver * 1e3:9.2f}, overhead {max(t_value - t_solver, 0) * 1e3:6.2f}) nll {f:.6g}")
    try:
        if not with_rr:
            raise NotImplementedError("skipped (--no-rr)")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rr = RoadRunnerPetab(problem, rtol, atol)
            t_rr, f_rr = cpu_best(rr.negative_log_likelihood, repeat)
        line += f" | rr {t_rr * 1e3:9.2f} ms nll {f_rr:.6g} | rr/her2sim {t_rr / t_value:6.2f}x"
    except Exception as exc:  # noqa: BLE001 - a benchmark reports what it could not measure
        line += f" | rr: not measured ({type(exc).__name__}: {str(exc)[:80]})"
    line += f" | load+compile+warm-up {setup:.1f} s"
    print(line, flush=True)
    if gradient:
        obj = PetabObjective(problem, rtol=rtol, atol=atol, n_threads=1, include_priors=False)
        t_grad, _ = cpu_best(lambda: obj.value_and_gradient(obj.x_nominal), max(1, repeat // 2))
        print(f"{'':32s} value+gradient ({obj.dim} parameters, forward) {t_grad * 1e3:9.2f} ms "
              f"= {t_grad / t_value:6.1f} x one value", flush=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rtol", type=float, default=1e-8)
    ap.add_argument("--atol", type=float, default=1e-12)
    ap.add_argument("--gradient", action="store_true")
    ap.add_argument("--collection", type=Path, action="append", default=[])
    ap.add_argument("--only", default="", help="comma-separated problem names")
    ap.add_argument("--skip", default="", help="comma-separated problem names")
    ap.add_argument("--no-rr", default="", help="comma-separated problem names measured without libRoadRunner")
    ap.add_argument("--tol", action="append", default=[], metavar="NAME=RTOL,ATOL",
                    help="tolerances of one problem for both engines (e.g. Isensee_JCB2018=1e-8,1e-10: at atol "
                         "1e-12 both fail on 40 of its 123 members)")
    args = ap.parse_args(argv)
    tolerances = {}
    for item in args.tol:
        name, _, pair = item.partition("=")
        rtol, atol = (float(x) for x in pair.split(","))
        tolerances[name] = (rtol, atol)
    only = {s for s in args.only.split(",") if s}
    skip = {s for s in args.skip.split(",") if s}
    no_rr = {s for s in args.no_rr.split(",") if s}
    folders = sorted(p for p in (PEER / "petab").iterdir() if p.is_dir())
    for root in args.collection:
        folders += sorted(p for p in root.iterdir() if p.is_dir())
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; rtol {args.rtol:g}, atol {args.atol:g}, "
          f"one thread, CPU time, best of {args.repeat}")
    for folder in folders:
        if (only and folder.name not in only) or folder.name in skip:
            continue
        yaml = problem_yaml(folder)
        if yaml is None:
            continue
        try:
            rtol, atol = tolerances.get(folder.name, (args.rtol, args.atol))
            if folder.name in tolerances:
                print(f"{folder.name}: rtol {rtol:g}, atol {atol:g} for both engines")
            bench(yaml, args.repeat, rtol, atol, args.gradient, folder.name not in no_rr)
        except Exception as exc:  # noqa: BLE001
            print(f"{folder.name:32s} failed: {type(exc).__name__}: {str(exc)[:200]}", flush=True)


if __name__ == "__main__":
    main()
