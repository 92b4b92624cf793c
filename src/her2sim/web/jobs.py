"""Server-side jobs: long work runs in a thread pool, its state and files live in a per-server folder.

A job is one call of a public her2sim function (through :mod:`her2sim.web.services`) with
validated parameters. Its state (``queued → running → done | failed | cancelled``), progress,
parameters, provenance, the equivalent CLI command and the list of result files are kept in
``<jobs_dir>/<job id>/job.json`` and in memory, so a page reload (or a server restart on the same
folder) finds the job again. Job ids are random 32-digit hex strings; every path the web layer
opens is built from a validated id and a file name listed in the job's own manifest.

Cancellation is cooperative: a queued job never starts; a running job is marked ``cancelled`` at
once and the result of the simulation it is in (compiled code, which cannot be interrupted
safely from Python) is discarded when that call returns. Progress is reported by the job
function through :meth:`Job.progress`; functions without finer progress report their stages.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Her2simError, Her2simWarning, ValidationError

__all__ = ["FILE_NAME", "JOB_ID", "MEDIA_TYPES", "STATES", "Job", "JobCancelled", "JobManager"]

#: A job id: 32 lower-case hex digits (``secrets.token_hex(16)``).
JOB_ID = re.compile(r"^[0-9a-f]{32}$")
#: A result file name: no directories, no leading dot.
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
STATES = ("queued", "running", "done", "failed", "cancelled")
#: Media type of each result-file suffix (anything else is served as application/octet-stream).
MEDIA_TYPES = {".csv": "text/csv", ".parquet": "application/vnd.apache.parquet", ".png": "image/png",
          ".svg": "image/svg+xml", ".json": "application/json", ".zip": "application/zip",
          ".xml": "application/xml", ".html": "text/html", ".md": "text/markdown", ".tsv": "text/tab-separated-values",
          ".yaml": "text/yaml", ".nc": "application/x-netcdf", "": "application/octet-stream"}


#: pyplot keeps global state: one figure is drawn at a time across job threads.
FIGURE_LOCK = threading.Lock()


class JobCancelled(Exception):
    """Raised inside a job function (by :meth:`Job.progress`) once the job was cancelled."""


@dataclass
class Job:
    """One unit of long work, its state and its result folder."""

    id: str
    kind: str
    params: dict[str, Any]
    folder: Path
    cli: str = ""
    state: str = "queued"
    progress_fraction: float = 0.0
    message: str = "queued"
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    error: str = ""
    files: list[str] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    files_pending: bool = False
    file_error: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _deferred: list[Callable[[], None]] = field(default_factory=list, repr=False)

    # ------------------------------------------------------------------ used by job functions
    def progress(self, fraction: float, message: str = "") -> None:
        """Record progress in [0, 1]; raises :class:`JobCancelled` when the job was cancelled."""
        if self.state == "cancelled":
            raise JobCancelled(self.id)
        with self._lock:
            self.progress_fraction = min(1.0, max(0.0, float(fraction)))
            if message:
                self.message = message

    def path(self, name: str) -> Path:
        """Path of a result file ``name`` in the job folder (the name is checked)."""
        if not FILE_NAME.match(name):
            raise ValidationError(f"file name {name!r} is not allowed (letters, digits, '_', '.', '-')")
        return self.folder / name

    def add_file(self, name: str) -> Path:
        """Register a *written* file for download (listed files are served at once); returns its path."""
        path = self.path(name)
        if name not in self.files:
            self.files.append(name)
        return path

    def save_table(self, frame, name: str, *, parquet: bool = True) -> None:
        """Write a pandas DataFrame as ``name.csv`` (and ``name.parquet`` when pyarrow is present)."""
        frame.to_csv(self.path(f"{name}.csv"), index=False)
        self.add_file(f"{name}.csv")
        if parquet:
            try:
                frame.to_parquet(self.path(f"{name}.parquet"), index=False)
            except (ImportError, ValueError, TypeError):  # no parquet engine, or mixed object columns
                return
            self.add_file(f"{name}.parquet")

    def save_figure(self, ax_or_fig, name: str) -> None:
        """Write a matplotlib figure (from an Axes or Figure) as ``name.png`` and ``name.svg``."""
        import matplotlib.pyplot as plt

        first = ax_or_fig[0] if hasattr(ax_or_fig, "__len__") else ax_or_fig
        fig = getattr(first, "figure", first)
        try:
            for suffix, options in ((".png", {"dpi": 110}), (".svg", {})):
                fig.savefig(self.path(name + suffix), bbox_inches="tight", **options)
                self.add_file(name + suffix)  # listed only once written: the page may fetch it at once
        finally:
            plt.close(fig)

    def defer_figure(self, draw: Callable[[], Any], name: str) -> None:
        """Draw a figure (``draw()`` returns Axes) and save it *after* the result is published.

        The page plots the JSON result itself; the PNG/SVG files are downloads, so they are
        written once the job is already ``done`` (``files_pending`` is true meanwhile). Drawing
        holds a process-wide lock: pyplot is not thread-safe.
        """
        def work() -> None:
            with FIGURE_LOCK:
                self.save_figure(draw(), name)

        self._deferred.append(work)

    # ------------------------------------------------------------------ views
    def public(self, *, with_result: bool = True) -> dict[str, Any]:
        """JSON view of the job for the API."""
        out = {
            "id": self.id, "kind": self.kind, "state": self.state, "progress": self.progress_fraction,
            "message": self.message, "created": self.created, "started": self.started, "finished": self.finished,
            "error": self.error, "params": self.params, "cli": self.cli, "provenance": self.provenance,
            "files": list(self.files), "files_pending": self.files_pending, "file_error": self.file_error,
        }
        if with_result:
            out["result"] = self.result
        return out

    def save_state(self) -> None:
        """Write ``job.json`` and, when present, ``result.json`` (atomically)."""
        state = self.public(with_result=False)
        _atomic_json(self.folder / "job.json", state)
        if self.result is not None:
            _atomic_json(self.folder / "result.json", self.result)


def _atomic_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, default=_json_default))
    tmp.replace(path)


def _json_default(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


JobFunction = Callable[[Job], dict[str, Any]]


class JobManager:
    """Runs job functions on a thread pool and keeps their state in memory and on disk.

    Parameters
    ----------
    folder
        The per-server job folder; existing job folders in it are loaded (finished jobs stay
        available across restarts; jobs that were running are marked failed).
    workers
        Threads running jobs at the same time.
    max_jobs
        Jobs kept; the oldest finished ones (and their folders) are removed beyond this.
    execute
        ``False`` accepts and validates jobs but never runs them (used by API schema tests).
    """

    def __init__(self, folder: str | Path, *, workers: int = 2, max_jobs: int = 200, execute: bool = True):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.max_jobs = int(max_jobs)
        self.execute = execute
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=max(1, int(workers)), thread_name_prefix="her2sim-job")
        self._load()

    # ------------------------------------------------------------------ lifecycle
    def _load(self) -> None:
        for sub in sorted(self.folder.iterdir()):
            if not (sub.is_dir() and JOB_ID.match(sub.name) and (sub / "job.json").is_file()):
                continue
            try:
                state = json.loads((sub / "job.json").read_text())
                job = Job(id=sub.name, kind=str(state["kind"]), params=dict(state.get("params", {})), folder=sub,
                          cli=str(state.get("cli", "")), state=str(state.get("state", "failed")),
                          progress_fraction=float(state.get("progress", 0.0)), message=str(state.get("message", "")),
                          created=float(state.get("created", 0.0)), started=state.get("started"),
                          finished=state.get("finished"), error=str(state.get("error", "")),
                          files=[f for f in state.get("files", []) if FILE_NAME.match(str(f))],
                          provenance=dict(state.get("provenance", {})))
                if job.state in ("queued", "running"):
                    job.state, job.error = "failed", "the server stopped before this job finished"
                if (sub / "result.json").is_file():
                    job.result = json.loads((sub / "result.json").read_text())
            except (OSError, ValueError, KeyError, TypeError):
                continue
            self._jobs[job.id] = job

    def shutdown(self) -> None:
        """Cancel queued jobs and stop the pool (running jobs finish in the background)."""
        for job in list(self._jobs.values()):
            if job.state == "queued":
                self.cancel(job.id)
        self._pool.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------------ API
    def submit(self, kind: str, params: Mapping[str, Any], function: JobFunction, *, cli: str = "",
               before: Callable[[Job], None] | None = None) -> Job:
        """Create a job folder, record the job and queue ``function(job)``.

        ``before(job)`` runs synchronously (e.g. to store an uploaded file and validate it, so
        that a bad upload is an immediate error rather than a failed job).
        """
        job_id = secrets.token_hex(16)
        folder = self.folder / job_id
        folder.mkdir()
        job = Job(id=job_id, kind=kind, params=dict(params), folder=folder, cli=cli)
        if before is not None:
            try:
                before(job)
            except BaseException:
                _remove_tree(folder)
                raise
        with self._lock:
            self._jobs[job_id] = job
        job.save_state()
        self._prune()
        if self.execute:
            self._pool.submit(self._run, job, function)
        return job

    def get(self, job_id: str) -> Job:
        """The job with this id (validated); :class:`KeyError` when unknown."""
        if not isinstance(job_id, str) or not JOB_ID.match(job_id):
            raise ValidationError(f"job id must be 32 hexadecimal digits, got {job_id[:40]!r}")
        try:
            return self._jobs[job_id]
        except KeyError:
            raise KeyError(job_id) from None

    def list(self) -> list[Job]:
        """All jobs, newest first."""
        return sorted(self._jobs.values(), key=lambda j: j.created, reverse=True)

    def cancel(self, job_id: str) -> Job:
        """Cancel a queued or running job (a finished job is left as it is)."""
        job = self.get(job_id)
        with job._lock:
            if job.state in ("queued", "running"):
                job.state, job.message, job.finished = "cancelled", "cancelled by the user", time.time()
        job.save_state()
        return job

    def file(self, job_id: str, name: str) -> tuple[Path, str]:
        """Path and media type of a result file of a job; only files in the job's manifest."""
        job = self.get(job_id)
        if not isinstance(name, str) or not FILE_NAME.match(name) or name not in job.files:
            raise KeyError(name)
        path = job.folder / name
        if not path.is_file():
            raise KeyError(name)
        return path, MEDIA_TYPES.get(path.suffix, "application/octet-stream")

    # ------------------------------------------------------------------ internals
    def _run(self, job: Job, function: JobFunction) -> None:
        if job.state == "cancelled":
            return
        job.state, job.started, job.message = "running", time.time(), "running"
        job.save_state()
        try:
            # a model-limitation warning is part of the answer, not an error: it is shown with the result
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", Her2simWarning)
                result = function(job)
            notes = list(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, Her2simWarning)))
            if notes and isinstance(result, dict):
                result = {**result, "notes": notes}
        except JobCancelled:
            return
        except Her2simError as exc:
            self._fail(job, str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - one failing job is data (its state), never a lost server
            self._fail(job, f"{type(exc).__name__}: {exc}", detail=traceback.format_exc())
            return
        with job._lock:
            if job.state == "cancelled":  # cancelled while the last call ran: discard its result
                return
            job.result = result
            job.files_pending = bool(job._deferred)
            job.state, job.progress_fraction, job.finished = "done", 1.0, time.time()
            job.message = "done; writing figures" if job._deferred else "done"
        job.save_state()
        if job._deferred:
            self._finish_files(job)

    def _finish_files(self, job: Job) -> None:
        """Run the deferred file writers of a published job (figures)."""
        for work in job._deferred:
            if job.state == "cancelled":
                break
            try:
                work()
            except Exception as exc:  # noqa: BLE001 - a figure that cannot be drawn does not undo the result
                job.file_error = f"{type(exc).__name__}: {exc}"
        job._deferred.clear()
        with job._lock:
            job.files_pending = False
            if job.state == "done":
                job.message = "done" if not job.file_error else "done (a figure failed: see file_error)"
        job.save_state()

    def _fail(self, job: Job, message: str, detail: str = "") -> None:
        with job._lock:
            if job.state == "cancelled":
                return
            job.state, job.error, job.message, job.finished = "failed", message, "failed", time.time()
        if detail:
            (job.folder / "traceback.txt").write_text(detail)
        job.save_state()

    def _prune(self) -> None:
        finished = [j for j in self.list() if j.state in ("done", "failed", "cancelled")]
        for job in finished[self.max_jobs:]:
            with self._lock:
                self._jobs.pop(job.id, None)
            _remove_tree(job.folder)


def _remove_tree(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
