"""Gradient benchmark: objective + gradient by compiled forward sensitivities, by adjoint
sensitivities and by central finite differences (2·n + 1 objective evaluations), all measured in
the same run.

For each PEtab problem (Fujita 2010: 19 parameters; Raimundez 2020: 136 parameters, with
pre-equilibration; with ``--flagship`` our own calibration problem, 162 parameters) it prints

* the time of one objective value (plain simulation),
* the time of value + gradient by forward sensitivities,
* the time of value + gradient by adjoint sensitivities, the ratio forward / adjoint, and the
  largest difference between the two gradients relative to the largest entry,
* the time of value + gradient by central differences (measured in full for Fujita; for
  Raimundez measured in full with ``--full-fd``, otherwise 2·n + 1 times the measured value time,
  stated as such),
* the ratio, and the largest difference between the two gradients relative to the largest entry.

Every timing is the minimum over ``--repeat`` runs after one warm-up (compilation excluded). Run:

    python benchmarks/bench_gradient.py [--repeat 3] [--full-fd] [--skip-raimundez] [--flagship]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
PEER = Path(os.environ.get("HER2SIM_PEER_MODELS", REPO.parent / "shared" / "peer-models"))


def best_of(fn, repeat: int) -> tuple[float, object]:
    out = fn()  # warm-up: compilation and loading
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def flagship_yaml() -> Path:
    """The flagship calibration problem (CCLE dose responses + literature findings) as PEtab."""
    import tempfile
    import warnings

    from her2sim.calibration.flagship_problem import family_problem

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # model-limitation notes of the problem builder
        problem = family_problem(dose_response=REPO.parent / "shared" / "data" / "ccle-dose-response.csv")
    return Path(problem.write(Path(tempfile.mkdtemp(prefix="her2sim-bench-gradient-"))))


def bench(name: str, repeat: int, full_fd: bool, rtol: float, atol: float, yaml: Path | None = None) -> None:
    from her2sim.calibration import PetabObjective

    yaml = yaml or PEER / "petab" / name / f"{name}.yaml"
    fwd = PetabObjective(yaml, rtol=rtol, atol=atol, n_threads=1, gradient="forward")
    adj = PetabObjective(fwd.problem, rtol=rtol, atol=atol, n_threads=1, gradient="adjoint")
    fd = PetabObjective(fwd.problem, rtol=rtol, atol=atol, n_threads=1, gradient="finite-differences")
    x = fwd.x_nominal
    t_value, f0 = best_of(lambda: fwd(x), repeat)
    t_fwd, (f1, g1) = best_of(lambda: fwd.value_and_gradient(x), repeat)
    t_adj, (f3, g3) = best_of(lambda: adj.value_and_gradient(x), repeat)
    n = fwd.dim
    if full_fd:
        t_fd, (f2, g2) = best_of(lambda: fd.value_and_gradient(x), max(1, repeat if n < 50 else 1))
        how = "measured"
    else:
        t_fd = (2 * n + 1) * t_value
        g2 = None
        how = "(2n+1) x value time"
    print(f"\n{name}: {n} estimated parameters, rtol {rtol:g}, atol {atol:g}, one thread")
    print(f"  objective value            {t_value * 1e3:10.1f} ms   f = {f0:.6f}")
    print(f"  value + gradient, forward  {t_fwd * 1e3:10.1f} ms   f = {f1:.6f}")
    print(f"  value + gradient, FD       {t_fd * 1e3:10.1f} ms   ({how})")
    print(f"  value + gradient, adjoint  {t_adj * 1e3:10.1f} ms   f = {f3:.6f}")
    print(f"  ratio FD / forward         {t_fd / t_fwd:10.1f} x")
    print(f"  forward / value            {t_fwd / t_value:10.1f} x")
    print(f"  adjoint / value            {t_adj / t_value:10.1f} x")
    print(f"  ratio forward / adjoint    {t_fwd / t_adj:10.1f} x")
    diff_fa = float(np.max(np.abs(np.asarray(g1) - np.asarray(g3))) / np.max(np.abs(g1)))
    print(f"  max |g_fwd - g_adj| / max |g_fwd| = {diff_fa:.2e}")
    if g2 is not None:
        diff = float(np.max(np.abs(np.asarray(g1) - np.asarray(g2))) / np.max(np.abs(g2)))
        print(f"  max |g_fwd - g_fd| / max |g_fd| = {diff:.2e} (FD step 1e-5 on the parameter scale)")
        diff = float(np.max(np.abs(np.asarray(g3) - np.asarray(g2))) / np.max(np.abs(g2)))
        print(f"  max |g_adj - g_fd| / max |g_fd| = {diff:.2e}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--full-fd", action="store_true", help="measure Raimundez's FD gradient in full (~4 min)")
    ap.add_argument("--skip-raimundez", action="store_true")
    ap.add_argument("--flagship", action="store_true",
                    help="also the flagship calibration problem (162 parameters; forward ~1-2 min per gradient)")
    args = ap.parse_args()
    bench("Fujita_SciSignal2010", args.repeat, True, 1e-8, 1e-12)
    if not args.skip_raimundez:
        bench("Raimundez_PCB2020", max(1, args.repeat // 2), args.full_fd, 1e-8, 1e-12)
    if args.flagship:
        bench("flagship", 1, False, 1e-8, 1e-12, yaml=flagship_yaml())


if __name__ == "__main__":
    main()
