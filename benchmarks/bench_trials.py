"""Virtual-trial throughput: tumours per second per core, distribution overhead, scaling, memory.

Protocol (one process; every ratio is against a reference measured in the same run):

1. **Python loop** over :func:`her2sim.simulate`: each tumour's two steady states (untreated and at
   its exposure) as two single simulations, for ``--loop`` tumours of the NeoALTTO cohort.
2. **Ensemble, no Dask**: the whole chunk pipeline (:func:`her2sim.trials.engine.chunk_table`:
   sampling, one compiled ensemble call of ``2 n`` members on one thread, the tumour model)
   in this process, ``--n`` tumours in chunks of ``--chunk``.
3. **Dask, 1 worker** and **2 workers** (``LocalCluster``, one thread each) on the same cohort,
   written to Parquet; the distribution overhead is 1 − (throughput of 1 worker / throughput of 2),
   and the 2-vs-1 speed-up is reported. Cluster start-up is timed separately and excluded.
4. **Memory per worker**: resident memory of each worker after cohorts of ``n/4`` and ``n``
   tumours (flat means the per-chunk design holds no cohort state).

Run: ``python benchmarks/bench_trials.py [--n 20000] [--chunk 2500] [--loop 100]``. The machine may
be shared; the figures printed are what this run measured, and the 10^6-tumour time is an
extrapolation from the 2-worker throughput (say so when quoting it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np


def python_loop(n: int) -> float:
    import her2sim as hs
    from her2sim.trials import CALIBRATED, _flagship, load_spec
    from her2sim.trials.population import sample_tumours
    from her2sim.trials.tumour import exposures

    spec = load_spec("neoaltto")
    df = sample_tumours(spec.seed, range(n), spec.population.target_profile(), allocation=(1, 1, 1))
    cm = _flagship.compiled_model()
    conc = {}
    for k, arm in enumerate(spec.arms):
        for drug, c in exposures(df, arm, CALIBRATED).items():
            conc.setdefault(drug, np.zeros(n))
            conc[drug] = np.where(df["arm_index"] == k, c, conc[drug])
    t0 = time.perf_counter()
    for i in range(n):
        base = {p: float(df[c].iloc[i]) for c, p in _flagship.MODEL_INPUTS.items()}
        for treated in (False, True):
            params = dict(base)
            for drug, c in conc.items():
                params[_flagship.drug_parameter(drug)] = float(c[i]) if treated else 0.0
            hs.simulate(cm, [0.0], parameters=params, preequilibrate={"cell_growth_switch": 0.0},
                        outputs=["growth_rate"], rtol=_flagship.RTOL, atol=_flagship.ATOL,
                        steady_state_rtol=_flagship.SS_RTOL, steady_state_atol=_flagship.SS_ATOL)
    return n / (time.perf_counter() - t0)


def in_process(n: int, chunk: int) -> float:
    from her2sim.trials import CALIBRATED, load_spec
    from her2sim.trials.engine import chunk_table

    spec = load_spec("neoaltto").with_(n=n)
    t0 = time.perf_counter()
    for a in range(0, n, chunk):
        chunk_table(spec, a, min(a + chunk, n), CALIBRATED, n_threads=1)
    return n / (time.perf_counter() - t0)


def dask_run(n: int, chunk: int, workers: int, root: Path) -> tuple[float, float, list[float], list[float]]:
    import psutil
    from dask.distributed import Client, LocalCluster

    from her2sim.trials import CALIBRATED, load_spec
    from her2sim.trials.engine import run_cohort

    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=50)
    client = Client(cluster)
    from her2sim.trials import _flagship

    client.run(_flagship.warm)  # imports and the compiled model loaded on every worker
    startup = time.perf_counter() - t0

    def rss() -> list[float]:
        return sorted(v / 2**20 for v in client.run(lambda: psutil.Process().memory_info().rss).values())

    try:
        spec = load_spec("neoaltto")
        small = spec.with_(n=max(chunk, n // 4), seed=2)
        run_cohort(small, root / f"small{workers}", model=CALIBRATED, chunk_size=chunk,
                   scheduler=cluster.scheduler_address)
        mem_small = rss()
        t0 = time.perf_counter()
        run_cohort(spec.with_(n=n), root / f"w{workers}", model=CALIBRATED, chunk_size=chunk,
                   scheduler=cluster.scheduler_address)
        rate = n / (time.perf_counter() - t0)
        mem_big = rss()
    finally:
        client.close()
        cluster.close()
    return rate, startup, mem_small, mem_big


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--chunk", type=int, default=2500)
    ap.add_argument("--loop", type=int, default=100)
    args = ap.parse_args()
    from her2sim.trials import _flagship

    _flagship.compiled_model()  # compile/load once (excluded from timings)
    root = Path(tempfile.mkdtemp(prefix="bench-trials-"))
    try:
        loop = python_loop(args.loop)
        print(f"python loop over simulate:       {loop:9.1f} tumours/s (1 core, {args.loop} tumours)")
        ens = in_process(args.n, args.chunk)
        print(f"ensemble chunks, no Dask:        {ens:9.1f} tumours/s (1 core, {args.n} tumours)  "
              f"= {ens / loop:.1f}x the loop")
        d1, s1, m1s, m1b = dask_run(args.n, args.chunk, 1, root)
        print(f"Dask, 1 worker:                  {d1:9.1f} tumours/s (start-up {s1:.1f} s excluded); "
              f"overhead vs no Dask {100 * (1 - d1 / ens):+.1f} %")
        d2, _s2, m2s, m2b = dask_run(args.n, args.chunk, 2, root)
        print(f"Dask, 2 workers:                 {d2:9.1f} tumours/s = {d2 / d1:.2f}x one worker "
              f"({d2 / 2:.1f} tumours/s/core)")
        print(f"worker RSS (MiB) after n/4 and n: 1 worker {m1s} -> {m1b}; 2 workers {m2s} -> {m2b}")
        print(f"extrapolated 1e6 tumours on 2 workers: {1e6 / d2 / 60:.1f} min (target < 10 min)")
        print(f"cpu count {os.cpu_count()}; load average {os.getloadavg()}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
