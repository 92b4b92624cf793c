"""Virtual trials on Dask: same numbers as in-process, and a killed run resumes losing nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd

from her2sim import trials

# The script runs a trial on its own LocalCluster (passed to run_trial as --scheduler), kills one
# worker with SIGKILL after the first finished chunk and then kills itself (the client) after the
# third, so the run is cut mid-way with chunks in flight.
_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from dask.distributed import Client, LocalCluster
    from her2sim import trials

    out, n, chunk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=50)
    client = Client(cluster)
    pids = sorted(client.run(os.getpid).values())
    state = {"worker_killed": False}

    def progress(done, total):
        if done >= chunk and not state["worker_killed"]:
            state["worker_killed"] = True
            os.kill(pids[0], signal.SIGKILL)
        if done >= 3 * chunk:
            os.kill(os.getpid(), signal.SIGKILL)

    trials.run_trial("neoaltto", n=n, out=out, chunk_size=chunk, scheduler=cluster.scheduler_address,
                     progress=progress)
    print("FINISHED WITHOUT BEING KILLED")
""")


def test_killed_worker_and_client_resume_without_loss(tmp_path):
    n, chunk = 480, 40
    out = tmp_path / "run"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(trials.__file__).parents[2]), env.get("PYTHONPATH", "")])
    proc = subprocess.Popen([sys.executable, "-c", _SCRIPT, str(out), str(n), str(chunk)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        stdout, _ = proc.communicate(timeout=120)
    finally:
        # the cluster's processes were orphaned by the client's death: end that process group
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert proc.returncode == -signal.SIGKILL, stdout
    files = sorted((out / "chunks").glob("chunk-*.parquet"))
    assert 3 <= len(files) < n // chunk  # cut mid-way, with finished chunks kept
    t0 = time.perf_counter()
    resumed = trials.run_trial("neoaltto", n=n, out=out, chunk_size=chunk, workers=0)
    assert time.perf_counter() - t0 < 60
    reference = trials.run_trial("neoaltto", n=n, out=tmp_path / "ref", chunk_size=chunk * 3, workers=0)
    pd.testing.assert_frame_equal(resumed.tumours, reference.tumours, check_exact=True)
    assert len(resumed.tumours) == n and resumed.tumours["tumour"].is_unique


def test_local_cluster_gives_the_in_process_numbers(tmp_path):
    a = trials.run_trial("neosphere", n=120, out=tmp_path / "dask", workers=2, chunk_size=30)
    b = trials.run_trial("neosphere", n=120, out=tmp_path / "local", workers=0, chunk_size=120)
    pd.testing.assert_frame_equal(a.tumours, b.tumours, check_exact=True)
