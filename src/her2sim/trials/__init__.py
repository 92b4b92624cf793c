"""Virtual cohorts and virtual clinical trials of HER2-positive breast cancer.

A virtual trial (:class:`TrialSpec`, shipped as YAML: :func:`list_specs`, :func:`load_spec`)
enrols virtual tumours (:mod:`her2sim.trials.population`: genotype from the prevalence tables,
expression, patient PK, tumour-level parameters, selected as in Allen 2016), runs each tumour's
signalling response to its drug exposure through the compiled flagship model (one ensemble call
per chunk), turns it into a tumour burden over the treatment course
(:mod:`her2sim.trials.tumour`) and reports pCR, ORR and PFS per arm beside the published values.

Contract (used by the web workbench)
------------------------------------
* ``list_specs() -> list[str]``: shipped spec names.
* ``load_spec(name_or_path) -> TrialSpec``.
* ``run_trial(spec, *, n=None, out, seed=None, scheduler=None, workers=None, progress=None) -> TrialResult``.
* ``TrialResult.summary() -> pandas.DataFrame``: one row per arm (pCR and CI, published value).
* ``write_report(result, path) -> Path``: self-contained HTML.

Example
-------
>>> from her2sim import trials                                     # doctest: +SKIP
>>> result = trials.run_trial("neoaltto", n=2000, out="runs/neoaltto")   # doctest: +SKIP
>>> result.summary()[["arm", "pcr", "pcr_ci_low", "pcr_ci_high", "published_pcr"]]   # doctest: +SKIP
>>> trials.query("runs/neoaltto", "SELECT arm, avg(pcr) FROM tumours GROUP BY arm")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .calibration import CALIBRATED, calibrate
from .engine import query, read_tumours
from .population import PROFILES, sample_tumours
from .report import write_report
from .results import TrialResult
from .spec import TrialSpec, list_specs, load_spec
from .tumour import TumourModel

__all__ = [
    "CALIBRATED",
    "PROFILES",
    "TrialResult",
    "TrialSpec",
    "TumourModel",
    "calibrate",
    "list_specs",
    "load_spec",
    "query",
    "read_tumours",
    "run_cohort",
    "run_trial",
    "sample_tumours",
    "write_report",
]


def run_trial(spec: TrialSpec | str | Path, *, n: int | None = None, out: str | Path, seed: int | None = None,
              scheduler: str | None = None, workers: int | None = None,
              progress: Callable[[int, int], None] | None = None, chunk_size: int | None = None,
              model: TumourModel | None = None) -> TrialResult:
    """Run (or resume) a virtual trial and return its result.

    Parameters
    ----------
    spec
        A :class:`TrialSpec`, a shipped spec name (:func:`list_specs`) or a YAML path.
    n, seed
        Override the spec's size and seed.
    out
        Output folder (Parquet chunks and a manifest). A folder holding the same run resumes;
        one holding a run with other settings is refused.
    scheduler
        Address of a running Dask scheduler; default a local cluster.
    workers
        Local Dask worker processes (default: every core); 0 runs in this process without Dask.
    progress
        ``progress(done, total)`` in tumours, after each chunk.
    chunk_size
        Tumours per chunk (default 5000, or fewer so that every worker gets work).
    model
        Tumour-level parameters (default: the calibrated :data:`CALIBRATED`).
    """
    from .engine import DEFAULT_CHUNK_SIZE
    from .engine import run_cohort as _run

    if not isinstance(spec, TrialSpec):
        spec = load_spec(spec)
    changes = {k: v for k, v in (("n", n), ("seed", seed)) if v is not None}
    if changes:
        spec = spec.with_(**changes)
    if chunk_size is None:
        import os

        n_workers = workers if workers else (os.cpu_count() or 1)
        chunk_size = max(1, min(DEFAULT_CHUNK_SIZE, -(-spec.n // max(1, 2 * n_workers))))
    model = model or CALIBRATED
    path = _run(spec, out, model=model, chunk_size=chunk_size, scheduler=scheduler, workers=workers,
                progress=progress)
    return TrialResult(spec, Path(path), model)


def run_cohort(spec: TrialSpec | str | Path, *, out: str | Path, **kwargs) -> Path:
    """Simulate the tumours of a spec into ``out`` without building the result tables (see :func:`run_trial`)."""
    return run_trial(spec, out=out, **kwargs).out
