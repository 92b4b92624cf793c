"""Overhead of ``simulate()`` around the compiled solve, on the flagship model (issue #16 item 1).

One flagship run as in the README example (trastuzumab 10 µg/mL, pre-equilibrated untreated,
145 output times, every default output): the wall time of ``her2sim.simulate`` against the bare
compiled solve (``CompiledModel.run`` with the same inputs) measured in the same process, median
of repeated calls. Prints the two times, their difference (the Python and Dataset overhead) and
the ratio. Because separate loops see different load on a shared machine, the overhead is also
measured inside each ``simulate`` call (its wall time minus the time spent in
``CompiledModel.run`` during that call), which is the figure to quote.

Run:  python benchmarks/bench_simulate_overhead.py [--repeats 50]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def _median_time(fn, repeats: int) -> float:
    fn()  # warm up (compile, caches)
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return float(np.median(samples))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()

    import her2sim as hs
    from her2sim.engine.compiler import compile_model
    from her2sim.library import her2_model
    from her2sim.library.protocols import untreated_parameters
    from her2sim.simulation import _default_outputs

    model = her2_model.build()
    times = np.linspace(0, 72, 145)
    parameters = {**her2_model.genotype_settings(["PTEN loss (complete)"]),
                  **her2_model.drug_settings({"trastuzumab": (10, "ug/mL")})}
    pre = untreated_parameters(model)
    cm = compile_model(model)
    P = cm.parameter_vector(parameters)[None, :]
    P_pre = P.copy()
    for k, v in pre.items():
        P_pre[:, cm.p_index(k)] = v
    sel = np.asarray([cm.output_index(n) for n in _default_outputs(cm)], dtype=np.int32)
    try:
        from her2sim import SolverOptions

        opts = SolverOptions().to_c()
    except (ImportError, AttributeError):  # before SolverOptions existed
        from her2sim.simulation import _options

        opts = _options(1e-8, 1e-12, 500_000, None, 1e-10, 1e-14, 1e10)

    solve = _median_time(lambda: cm.run(P, times, sel, opts, P_pre=P_pre, want_final_state=True), args.repeats)
    full = _median_time(lambda: hs.simulate(model, times, parameters=parameters, preequilibrate=pre), args.repeats)
    print(f"outputs: {sel.size}, times: {times.size}, repeats: {args.repeats} (medians)")
    print(f"compiled solve       {solve * 1e3:8.3f} ms")
    print(f"simulate()           {full * 1e3:8.3f} ms")
    print(f"overhead             {(full - solve) * 1e3:8.3f} ms   (simulate / solve = {full / solve:.2f})")

    # the overhead inside each call: simulate's wall time minus its time in CompiledModel.run
    from her2sim.engine.compiler import CompiledModel

    original = CompiledModel.run
    spent: list[float] = []

    def timed_run(self, *a, **k):
        t0 = time.perf_counter()
        try:
            return original(self, *a, **k)
        finally:
            spent.append(time.perf_counter() - t0)

    CompiledModel.run = timed_run
    try:
        inside = []
        for _ in range(args.repeats):
            spent.clear()
            t0 = time.perf_counter()
            hs.simulate(model, times, parameters=parameters, preequilibrate=pre)
            inside.append(time.perf_counter() - t0 - sum(spent))
    finally:
        CompiledModel.run = original
    print(f"overhead per call    {np.median(inside) * 1e3:8.3f} ms   (median of wall time minus solve, same call)")


if __name__ == "__main__":
    main()
