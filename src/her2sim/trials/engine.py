"""Running a cohort: chunks on Dask, one compiled ensemble call per chunk, Parquet per chunk.

Layout of an output folder::

    manifest.json                  spec digest, n, seed, chunk size, tumour model (a rerun must match)
    chunks/chunk-000000.parquet    one row per tumour: inputs, genotype, arm, rates, read-outs, status
    ...

A chunk file is written to a temporary name and renamed (atomic on POSIX), so a chunk file is
either complete or absent. A killed run (client or worker) resumes by computing only the missing
chunks; because every tumour's draw depends only on ``(seed, index)``, the result is identical
to an uninterrupted run. Tasks lost with a dead worker are retried by the scheduler.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ValidationError
from . import _flagship
from .population import sample_tumours
from .spec import TrialSpec
from .tumour import TumourModel, exposures, respond

__all__ = ["DEFAULT_CHUNK_SIZE", "chunk_table", "query", "read_tumours", "run_chunk", "run_cohort"]

DEFAULT_CHUNK_SIZE = 5000
MANIFEST = "manifest.json"
CHUNK_DIR = "chunks"


def horizon_weeks(spec: TrialSpec) -> float:
    """Weeks simulated: the longest finite arm (neoadjuvant) or the longest follow-up (metastatic)."""
    finite = max(sum(ph.weeks for ph in a.phases if ph.weeks is not None) for a in spec.arms)
    if any(ph.weeks is None for a in spec.arms for ph in a.phases) or "pfs" in spec.readouts:
        return max(finite, spec.followup_months[1] * 365.25 / 12 / 7)
    return finite


def chunk_table(spec: TrialSpec, start: int, stop: int, model: TumourModel, *, n_threads: int = 1) -> pd.DataFrame:
    """Simulate tumours ``start .. stop - 1`` of the trial: one row per tumour.

    One compiled ensemble call for the whole chunk (all arms; each tumour at its own arm's
    exposure), then the tumour model per arm (vectorised).
    """
    pop = spec.population
    df = sample_tumours(spec.seed, range(start, stop), pop.target_profile(), hr_status=pop.hr_status,
                        setting=pop.setting, allocation=tuple(a.allocation for a in spec.arms))
    arm_idx = df["arm_index"].to_numpy()
    df.insert(1, "arm", np.asarray(spec.arm_names(), dtype=object)[arm_idx])
    conc: dict[str, np.ndarray] = {}
    for k, arm in enumerate(spec.arms):
        mask = arm_idx == k
        for drug, c in exposures(df, arm, model).items():
            conc.setdefault(drug, np.zeros(len(df)))
            conc[drug][mask] = c[mask]
    for drug, c in conc.items():
        df[f"exposure_nM_{drug}"] = c
    inputs = {col: df[col].to_numpy() for col in _flagship.MODEL_INPUTS}
    rates = _flagship.signalling_rates(inputs, conc, n_threads=n_threads)
    for key, value in rates.items():
        df[key] = value
    return add_readouts(df, spec, model)


def add_readouts(df: pd.DataFrame, spec: TrialSpec, model: TumourModel) -> pd.DataFrame:
    """(Re)compute the tumour-level read-outs of a table that has the signalling rates."""
    horizon = horizon_weeks(spec)
    parts = []
    for arm in spec.arms:
        sub = df[df["arm"] == arm.name]
        if len(sub) == 0:
            continue
        parts.append(respond(sub, arm, model, horizon_weeks=horizon, assessment_weeks=spec.assessment_weeks,
                             followup_months=spec.followup_months,
                             surgery="pcr" in spec.readouts, setting=spec.population.setting).set_index("tumour"))
    readouts = pd.concat(parts) if parts else pd.DataFrame()
    base = df.drop(columns=[c for c in readouts.columns if c in df.columns]).set_index("tumour")
    return base.join(readouts).reset_index()


def _write_atomic(table: pd.DataFrame, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        table.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def run_chunk(spec: TrialSpec, start: int, stop: int, path: str, model: TumourModel) -> dict[str, int]:
    """Simulate one chunk and write it atomically to ``path`` (a Dask task; returns counts only)."""
    table = chunk_table(spec, start, stop, model, n_threads=1)
    _write_atomic(table, Path(path))
    return {"start": start, "n": len(table), "failed": int((table["status"] != 0).sum())}


def _manifest(spec: TrialSpec, chunk_size: int, model: TumourModel) -> dict[str, Any]:
    from .. import __version__

    return {"spec": spec.name, "spec_digest": spec.digest(), "n": spec.n, "seed": spec.seed,
            "chunk_size": chunk_size, "tumour_model": asdict(model), "her2sim": __version__}


def run_cohort(spec: TrialSpec, out: str | Path, *, model: TumourModel, chunk_size: int = DEFAULT_CHUNK_SIZE,
               scheduler: str | None = None, workers: int | None = None,
               progress: Callable[[int, int], None] | None = None) -> Path:
    """Simulate every tumour of ``spec`` into ``out`` (resuming what is there); returns ``out``.

    Parameters
    ----------
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); default a ``LocalCluster``.
    workers
        Worker processes of the local cluster (default: every core). ``0`` runs the chunks in
        this process without Dask (same files, same numbers).
    progress
        Called as ``progress(done, total)`` in tumours after each finished chunk.
    """
    if not (isinstance(chunk_size, int) and chunk_size >= 1):
        raise ValidationError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    if workers is not None and not (isinstance(workers, int) and workers >= 0):
        raise ValidationError(f"workers must be a non-negative integer, got {workers!r}")
    out = Path(out)
    (out / CHUNK_DIR).mkdir(parents=True, exist_ok=True)
    manifest = _manifest(spec, chunk_size, model)
    mpath = out / MANIFEST
    if mpath.exists():
        old = json.loads(mpath.read_text())
        if old != manifest:
            diff = sorted(k for k in set(old) | set(manifest) if old.get(k) != manifest.get(k))
            raise ValidationError(
                f"out={str(out)!r} holds a run with other settings ({', '.join(diff)}); "
                "use another folder or delete it")
    else:
        mpath.write_text(json.dumps(manifest, indent=2))
    chunks = [(start, min(start + chunk_size, spec.n)) for start in range(0, spec.n, chunk_size)]
    paths = {start: out / CHUNK_DIR / f"chunk-{start // chunk_size:06d}.parquet" for start, _ in chunks}
    todo = [(a, b) for a, b in chunks if not paths[a].exists()]
    done = spec.n - sum(b - a for a, b in todo)
    if progress:
        progress(done, spec.n)
    if not todo:
        return out
    _flagship.compiled_model()  # compile (or load) once here, so workers find the library in the cache
    if workers == 0 and scheduler is None:
        for a, b in todo:
            run_chunk(spec, a, b, str(paths[a]), model)
            done += b - a
            if progress:
                progress(done, spec.n)
        return out
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers or (os.cpu_count() or 1), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    else:
        client = Client(scheduler)
        _check_worker_cache(client)
    try:
        futures = [client.submit(run_chunk, spec, a, b, str(paths[a]), model, pure=False, retries=3,
                                 key=f"her2sim-trial-{spec.name}-{manifest['spec_digest']}-{a}")
                   for a, b in todo]
        for fut in as_completed(futures):
            res = fut.result()
            done += res["n"]
            if progress:
                progress(done, spec.n)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return out


def _cache_dir() -> str | None:
    return os.environ.get("HER2SIM_CACHE_DIR")


def _check_worker_cache(client: Any) -> None:
    """Warn when workers of an external cluster use another compile cache (each would compile)."""
    import warnings

    from ..errors import Her2simWarning

    mine = _cache_dir()
    theirs = set(client.run(_cache_dir).values())
    if theirs != {mine}:
        warnings.warn(f"Dask workers use HER2SIM_CACHE_DIR={sorted(map(str, theirs))}, this process {mine!r}: "
                      "workers without the compiled library compile it once each (start them with the same "
                      "HER2SIM_CACHE_DIR on a shared file system to avoid that)", Her2simWarning, stacklevel=3)


def query(out: str | Path, sql: str) -> pd.DataFrame:
    """Run DuckDB SQL over a run's tumours; the table is called ``tumours``.

    Examples
    --------
    ``query(out, "SELECT arm, avg(pcr) FROM tumours GROUP BY arm")``
    """
    import duckdb

    files = Path(out) / CHUNK_DIR / "chunk-*.parquet"
    if not list((Path(out) / CHUNK_DIR).glob("chunk-*.parquet")):
        raise ValidationError(f"out={str(out)!r} holds no chunk files")
    con = duckdb.connect()
    try:
        con.execute(f"CREATE VIEW tumours AS SELECT * FROM read_parquet('{_sql_str(str(files))}')")
        return con.execute(sql).fetchdf()
    finally:
        con.close()


def _sql_str(text: str) -> str:
    return text.replace("'", "''")


def read_tumours(out: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """All tumours of a run as one DataFrame, ordered by tumour index."""
    cols = "*" if not columns else ", ".join(f'"{c}"' for c in columns)
    return query(out, f"SELECT {cols} FROM tumours ORDER BY tumour")
