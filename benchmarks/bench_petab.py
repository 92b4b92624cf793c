"""PEtab benchmark: nominal likelihood (and value + gradient) per problem, her2sim against
libRoadRunner, both measured in the same run.

For every PEtab problem in ``../shared/peer-models/petab/`` (or ``$HER2SIM_PEER_MODELS/petab``),
plus every problem folder given with ``--collection DIR`` (e.g. a checkout of the PEtab benchmark
collection's ``Benchmark-Models`` folder, with ``--only`` to pick problems), it prints:

* ``her2sim``: CPU time of one ``negative_log_likelihood`` at the nominal parameters;
* ``solver``: the part of it spent in the compiled ensemble calls (same run, the plan's
  ``execute`` on the same inputs), and the rest (``overhead``: Python around the solver);
* ``rr``: CPU time of the same likelihood with libRoadRunner (CVODE): per ensemble member,
  set the member's inputs, ``reset()``, pre-equilibrate where the problem asks for it
  (``steadyState()``; if it fails on the first such member, as on Raimundez 2020, by
  integrating to t = 1e5), restart at
  time switches of piecewise math (CVODE stalls on them otherwise), ``simulate(times=...)`` of the observable and noise outputs; the inputs of every
  member are prepared before timing (so libRoadRunner's side is its solver plus the minimal
  per-member calls), and the likelihood sum uses her2sim's vectorised formula;
* the ratio ``rr / her2sim`` (> 1: her2sim faster) and both likelihood values (they agree to
  about the tolerance when both engines simulate the problem the same way);
* with ``--gradient``, the CPU time of ``PetabObjective.value_and_gradient`` (forward
  sensitivities) and its ratio to one value.

Protocol: rtol 1e-8 and atol 1e-12 for both engines (``--rtol``/``--atol``), one thread, CPU
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


def time_breakpoints(model, t_end: float) -> list[float]:
    """Times at which piecewise math of the model switches (``time`` compared with a constant),
    where libRoadRunner is restarted: CVODE does not locate such switches and stalls on them."""
    import sympy

    from her2sim.model import TIME

    values = {sympy.Symbol(p.id, real=True): p.value for p in model.parameters if p.constant}
    for rule in model.assignment_rules:
        if rule.math.free_symbols == {TIME}:
            values[sympy.Symbol(rule.variable, real=True)] = rule.math
    exprs = [r.rate for r in model.reactions] + [a.math for a in model.assignment_rules]
    out: set[float] = set()
    for expr in exprs:
        for rel in expr.atoms(sympy.core.relational.Relational):
            rel = rel.xreplace(values)
            if not isinstance(rel, sympy.core.relational.Relational) or TIME not in rel.free_symbols:
                continue
            difference = rel.lhs - rel.rhs
            if difference.free_symbols == {TIME} and sympy.degree(difference, TIME) == 1:
                root = float(sympy.solve(difference, TIME)[0])
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
    """The PEtab likelihood with libRoadRunner, on the members of her2sim's compiled plan."""

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
        self.times = list(map(float, cp.times))
        t_end = self.times[-1]
        edges = [self.times[0], *time_breakpoints(problem.sbml_model, t_end), t_end]
        # per piece between switches: the times to ask for, and which of them are outputs
        self.pieces = []
        for a, b in zip(edges[:-1], edges[1:]):
            ts = sorted({a, b, *[t for t in self.times if a <= t <= b]})
            self.pieces.append((ts, [t in self.times and (t > a or a == edges[0]) for t in ts]))
        # steadyState() where it works on the first pre-equilibrated member (checked here, not
        # timed); else (NLEQ2 fails on Raimundez 2020) integration to t = PREEQ_TIME
        self.newton = True
        if cp.pre_rows.size:
            rr.setValues(settable, self.rows_pre[int(cp.pre_rows[0])])
            rr.reset()
            try:
                rr.steadyState()
            except RuntimeError:
                self.newton = False
        if cp.plan.row_steady.any():
            raise NotImplementedError("steady-state measurements are not benchmarked against libRoadRunner")
        species_columns = [c for c, (k, _) in cp.plan.condition_targets.items() if k == "species"]
        if species_columns:
            raise NotImplementedError("species columns in the condition table are not benchmarked against libRoadRunner")

    def outputs(self) -> np.ndarray:
        rr = self.rr
        n = self.cp.n_members
        out = np.empty((n, len(self.times), len(self.selection) - 1))
        for m in range(n):
            if self.pre[m]:
                rr.setValues(self.settable, self.rows_pre[m])
                rr.reset()
                if self.newton:
                    rr.steadyState()
                else:
                    rr.simulate(0.0, PREEQ_TIME, 2)
                rr.setValues(self.settable, self.rows[m])
            else:
                rr.setValues(self.settable, self.rows[m])
                rr.reset()
            rows = []
            for ts, keep in self.pieces:
                res = np.asarray(rr.simulate(times=ts, selections=self.selection))
                rows.append(res[np.asarray(keep), 1:])
            out[m] = np.vstack(rows)
        return out

    def negative_log_likelihood(self) -> float:
        pl = self.cp.plan
        try:
            out = self.outputs()
        except RuntimeError:
            return math.inf
        y = out[pl.row_member, pl.row_time_index, pl.row_output]
        sigma = out[pl.row_member, pl.row_time_index, pl.row_sigma]
        self.cp.static_sigma(self.cp.values(None), self.cp.inputs(self.cp.values(None))[0], sigma)
        return float(np.sum(self.cp.row_nllh(y, sigma)))


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
    args = ap.parse_args(argv)
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
            bench(yaml, args.repeat, args.rtol, args.atol, args.gradient, folder.name not in no_rr)
        except Exception as exc:  # noqa: BLE001
            print(f"{folder.name:32s} failed: {type(exc).__name__}: {str(exc)[:200]}", flush=True)


if __name__ == "__main__":
    main()
