"""Resumable outputs survive a kill mid-write (issue #19).

``her2sim sensitivity`` (chunk store): a truncated, empty or half-written chunk used to stop
the resume with ``BadZipFile``/"Aborted."; it is now recomputed, and the result is
bit-identical to an uninterrupted run (oracle: the deterministic engine on the same sample
rows). ``her2sim fit``: a temporary file left by a killed writer is removed on resume.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import her2sim as hs
from her2sim.analysis import sensitivity as sa
from her2sim.calibration import fit as fit_module


def decay_model() -> hs.Model:
    return hs.Model(
        "decay2", compartments=(hs.Compartment("c"),), species=(hs.Species("A", "c", 2.0), hs.Species("B", "c", 0.0)),
        parameters=(hs.Parameter("k", 0.5), hs.Parameter("k2", 0.2)),
        reactions=(hs.Reaction("r", (("A", 1),), (("B", 1),), hs.model.parse("k*A")),
                   hs.Reaction("r2", (("B", 1),), (), hs.model.parse("k2*B"))),
    )


def run(store):
    return sa.local_sensitivities([sa.Readout("B", 2.0)], model=decay_model(), parameters=["k", "k2"],
                                  store=store, n_threads=1)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("damage", ["truncate", "empty", "garbage"])
def test_sensitivity_resumes_past_a_damaged_chunk(tmp_path, damage):
    store = tmp_path / "store"
    first = run(store)
    chunks = sorted((store / "chunks").glob("chunk-*.npz"))
    assert chunks
    target = chunks[0]
    data = target.read_bytes()
    target.write_bytes({"truncate": data[: len(data) // 2], "empty": b"", "garbage": b"PK\x03\x04" + b"x" * 50}[damage])
    # and a temporary file of a writer killed mid-write
    stale = store / "chunks" / f".{target.name}.{dead_pid()}.tmp"
    stale.write_bytes(data[:10])
    again = run(store)
    np.testing.assert_array_equal(again["sensitivity"].values, first["sensitivity"].values)
    assert not stale.exists()
    with np.load(target) as z:  # rewritten whole
        assert set(z.files) == {"values", "status", "rows"}


def test_fit_resume_removes_stale_temporaries_only(tmp_path):
    folder = tmp_path / "starts"
    folder.mkdir()
    stale = folder / f".start_000002.json.{dead_pid()}.tmp"
    stale.write_text('{"start": 2, "trunc')
    other_live = folder / f".start_000004.json.{1}.tmp"  # pid 1 always exists: another writer
    other_live.write_text("{")
    assert fit_module._read_starts(tmp_path) == {}
    assert not stale.exists()
    assert other_live.exists()


REPO = Path(__file__).resolve().parents[1]


def test_sensitivity_killed_mid_run_resumes_to_identical_results(tmp_path):
    """A Morris run killed (os._exit, no clean-up) after its second chunk resumes from the store;
    oracle: an uninterrupted run with the same seed, bit-identical (deterministic engine)."""
    store = tmp_path / "killed"
    script = textwrap.dedent(
        """
        import os, sys
        sys.path.insert(0, sys.argv[2])
        from test_resumption import morris_run

        def die(done, total):
            if done == 2:
                os._exit(9)

        morris_run(sys.argv[1], die)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run([sys.executable, "-c", script, str(store), str(REPO / "tests")], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 9, proc.stderr[-2000:]
    kept = sorted(p.name for p in (store / "chunks").glob("chunk-*.npz"))
    assert kept == ["chunk-00000.npz", "chunk-00001.npz"]
    done: list[int] = []
    resumed = morris_run(store, lambda d, total: done.append(d))
    fresh = morris_run(None, None)
    np.testing.assert_array_equal(resumed["mu_star"].values, fresh["mu_star"].values)
    assert len(sorted((store / "chunks").glob("chunk-*.npz"))) > 2


def morris_run(store, progress):
    return sa.morris([sa.Readout("B", 2.0)], model=decay_model(), parameters=["k", "k2"], n_trajectories=4,
                     seed=3, chunk_size=3, store=store, progress=progress, n_threads=1, num_resamples=10)
