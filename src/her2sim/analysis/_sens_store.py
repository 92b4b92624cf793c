"""Chunked, resumable evaluation of :mod:`her2sim.analysis.sensitivity` samples (the chunk store)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import time as _time
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ValidationError
from ._sens_base import _STORE_FORMAT, Progress
from ._sens_plan import _evaluate, _Plan

# ------------------------------------------------------------------------------------------------
# chunked, resumable evaluation


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=str))


class _ChunkStore:
    """Finished chunks of model outputs in a folder, beside a manifest of the settings."""

    def __init__(self, path: Path, settings: dict[str, Any]):
        self.path = Path(path)
        self.settings = _jsonable(settings)

    def open(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        (self.path / "chunks").mkdir(exist_ok=True)
        for tmp in (self.path / "chunks").glob(".chunk-*.tmp"):  # left by a killed run
            pid = tmp.name.rsplit(".", 2)[-2]
            try:
                os.kill(int(pid), 0)  # a live writer (another run on this store): leave it
            except ProcessLookupError:
                tmp.unlink(missing_ok=True)
            except (ValueError, OSError):
                pass
        manifest = self.path / "manifest.json"
        if manifest.exists():
            try:
                stored = json.loads(manifest.read_text())
            except (OSError, ValueError) as exc:
                raise ValidationError(f"store: {manifest.name} in {self.path} cannot be read ({exc}); "
                                      "delete the folder or choose another one") from None
            if stored.get("format") != _STORE_FORMAT or stored.get("settings") != self.settings:
                raise ValidationError(self._mismatch(stored.get("settings") or {}))
            return
        _atomic_write_bytes(manifest, json.dumps({"format": _STORE_FORMAT, "settings": self.settings},
                                                 indent=1, sort_keys=True).encode())

    def _mismatch(self, stored: Mapping[str, Any]) -> str:
        # the sample digest differs whenever a sampling setting does: show it only if nothing else explains it
        keys = sorted(set(stored) | set(self.settings), key=lambda k: (k == "sample_sha256", k))
        diffs = []
        for key in keys:
            old, new = stored.get(key), self.settings.get(key)
            if old != new and not (key == "sample_sha256" and diffs):
                show = (lambda v: (json.dumps(v)[:60] + "...") if len(json.dumps(v)) > 60 else json.dumps(v))
                diffs.append(f"{key} (stored {show(old)}, requested {show(new)})")
        return (f"store={str(self.path)!r} holds chunks computed with other settings: {'; '.join(diffs)}. "
                "Results of different settings are never mixed: choose a new output folder, or delete this "
                "one to start again")

    def chunk_path(self, index: int) -> Path:
        return self.path / "chunks" / f"chunk-{index:05d}.npz"

    def load(self, index: int, rows: tuple[int, int], shapes: tuple[tuple[int, ...], tuple[int, ...]]):
        path = self.chunk_path(index)
        if not path.exists():
            return None
        try:
            # from memory: numpy leaks the file handle when a damaged zip raises
            with np.load(io.BytesIO(path.read_bytes()), allow_pickle=False) as data:
                values, status, span = data["values"], data["status"], tuple(int(x) for x in data["rows"])
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return None  # an unreadable (empty, truncated, damaged) chunk is recomputed
        if values.shape != shapes[0] or status.shape != shapes[1] or span != rows:
            return None
        return values, status

    def save(self, index: int, rows: tuple[int, int], values: np.ndarray, status: np.ndarray) -> None:
        import io

        buffer = io.BytesIO()
        np.savez(buffer, values=values, status=status, rows=np.asarray(rows, dtype=np.int64))
        _atomic_write_bytes(self.chunk_path(index), buffer.getvalue())


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _run_rows(plan: _Plan, log_multipliers: np.ndarray, *, method_settings: Mapping[str, Any],
              store: str | os.PathLike | None, chunk_size: int, n_threads: int | None,
              progress: Progress | None) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    n = log_multipliers.shape[0]
    if not (isinstance(chunk_size, (int, np.integer)) and chunk_size >= 1):
        raise ValidationError(f"chunk_size must be an integer >= 1, got {chunk_size!r}")
    bounds = [(i, min(i + int(chunk_size), n)) for i in range(0, n, int(chunk_size))]
    n_ctx, n_arm, n_ro = len(plan.contexts), len(plan.arms), len(plan.readouts)
    values = np.full((n, n_ro, n_ctx), np.nan)
    status = np.zeros((n, n_ctx, n_arm), dtype=np.int8)
    chunk_store = None
    if store is not None:
        settings = {**plan.settings(), **dict(method_settings), "chunk_size": int(chunk_size), "n_rows": int(n),
                    "sample_sha256": hashlib.sha256(np.ascontiguousarray(log_multipliers).tobytes()).hexdigest()}
        chunk_store = _ChunkStore(Path(store), settings)
        chunk_store.open()
    reused, computed = [], []
    start_time = _time.perf_counter()
    if progress is not None:
        progress(0, len(bounds))
    for index, (a, b) in enumerate(bounds):
        shapes = ((b - a, n_ro, n_ctx), (b - a, n_ctx, n_arm))
        hit = chunk_store.load(index, (a, b), shapes) if chunk_store is not None else None
        if hit is not None:
            values[a:b], status[a:b] = hit
            reused.append(index)
        else:
            values[a:b], status[a:b] = _evaluate(plan, log_multipliers[a:b], n_threads)
            if chunk_store is not None:
                chunk_store.save(index, (a, b), values[a:b], status[a:b])
            computed.append(index)
        if progress is not None:
            progress(index + 1, len(bounds))
    info = {"n_chunks": len(bounds), "chunks_computed": computed, "chunks_reused": reused,
            "wall_time_s": _time.perf_counter() - start_time}
    return values, status, info


