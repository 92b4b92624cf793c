"""The web workbench's HTTP API: results equal the public API's, limits and safety hold, jobs behave.

Oracles: the public her2sim API called directly (the web layer must add no science, so its
numbers equal the library's to the last bit of the same deterministic compiled code, rtol 1e-12);
the CLI run with the command a job shows (same files); analytic curves (a noise-free 4PL is
recovered, a Bliss-independent matrix scores 0); the plotly file in the installed package.
"""

from __future__ import annotations

import io
import re
import shlex
import sys
import threading
import time
import types
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from her2sim.errors import ValidationError

# ------------------------------------------------------------------------------------------------
# pages and assets

def test_pages_and_assets_are_served_locally(web_server):
    with web_server.client() as c:
        page = c.get("/")
        assert page.status_code == 200 and "her2sim" in page.text
        texts = [page.text]
        for name in ("app.js", "style.css"):
            r = c.get(f"/static/{name}")
            assert r.status_code == 200
            texts.append(r.text)
        plotly = c.get("/vendor/plotly.min.js")
        assert plotly.status_code == 200
        bundled = Path(str(resources.files("plotly").joinpath("package_data/plotly.min.js"))).read_bytes()
        assert plotly.content == bundled  # oracle: the file of the installed plotly package
        assert c.get("/static/..%2Fapp.py").status_code == 404
        assert c.get("/static/jobs.py").status_code == 404
    # offline: nothing is fetched from another origin (the SVG namespace is an identifier, not a fetch)
    for text in texts:
        urls = set(re.findall(r"https?://[^\s\"'`)]+", text)) - {"http://www.w3.org/2000/svg"}
        assert not urls, urls
    assert '"/vendor/plotly.min.js"' in texts[1]  # app.js loads it from this server


# ------------------------------------------------------------------------------------------------
# numbers equal the public API's

def test_time_course_equals_the_public_api(web_server):
    from her2sim.library.her2_logical import NODE_MAP, kinetic_to_logical
    from her2sim.library.her2_model import cell_line_settings
    from her2sim.library.protocols import treat

    body = {"tumour": {"cell_line": "MDA-MB-453"}, "drugs": {"trastuzumab": {"value": 10, "unit": "ug/mL"}},
            "hours": 48, "points": 49}
    with web_server.client() as c:
        r = c.post("/api/time-course", json=body)
    assert r.status_code == 200, r.text
    got = r.json()
    times = np.linspace(0, 48, 49)
    outputs = ["pAKT_S473", "pERK", "cells", *(e.observable for e in NODE_MAP)]
    ref = treat({"trastuzumab": (10, "ug/mL")}, times=times, parameters=cell_line_settings("MDA-MB-453"),
                outputs=list(dict.fromkeys(outputs)))
    ctrl = treat({}, times=times, parameters=cell_line_settings("MDA-MB-453"), outputs=["pAKT_S473"])
    np.testing.assert_allclose(got["time"], times, rtol=0, atol=0)
    for key in ("pAKT_S473", "pERK", "cells"):
        np.testing.assert_allclose(got["series"][key]["treated"], ref[key].values, rtol=1e-12, atol=0)
    np.testing.assert_allclose(got["series"]["pAKT_S473"]["untreated"], ctrl["pAKT_S473"].values, rtol=1e-12, atol=0)
    states = kinetic_to_logical({e.observable: float(ref[e.observable].values[-1]) for e in NODE_MAP})
    assert {n: a["state"] for n, a in got["activity"].items()} == states
    assert got["provenance"]["her2sim_version"]
    assert got["provenance"]["model_sha256"]


def test_unknown_names_are_clear_errors(web_server):
    with web_server.client() as c:
        r = c.post("/api/time-course", json={"drugs": {"trastuzumb": {"value": 1, "unit": "nM"}}})
        assert r.status_code == 400 and "Did you mean 'trastuzumab'" in r.json()["detail"]
        r = c.post("/api/jobs/dose-response", json={"treatment": "lapatinib", "contexts": ["PTEN los"]})
        assert r.status_code == 400 and "PTEN loss" in r.json()["detail"]
        r = c.post("/api/time-course", json={"drugs": {"lapatinib": {"value": 1, "unit": "furlong"}}})
        assert r.status_code == 400 and "unit" in r.json()["detail"]
        r = c.post("/api/time-course", json={"tumour": {"cell_line": "JIMT-1", "genotypes": {"PTEN loss": 1}}})
        assert r.status_code == 422 and "not both" in r.text


# ------------------------------------------------------------------------------------------------
# limits

def test_request_sizes_are_bounded(web_server):
    with web_server.client() as c:
        r = c.post("/api/time-course", json={"points": 100_000})
        assert r.status_code == 422 and "400" in r.text
        r = c.post("/api/jobs/dose-response", json={"contexts": ["parental"] * 13})
        assert r.status_code == 422
        r = c.post("/api/jobs/combination", json={"points": 13})
        assert r.status_code == 422
        r = c.post("/api/time-course", content=b"{" + b" " * 300_000 + b"}", headers={"Content-Type": "application/json"})
        assert r.status_code == 413 and "exceeds the limit" in r.json()["detail"]
        chunks = (part for part in (b'{"points":', b' 10}'))  # no Content-Length: size unknown in advance
        r = c.post("/api/time-course", content=chunks, headers={"Content-Type": "application/json"})
        assert r.status_code == 411
        big = b"dose,response,replicate\n" + b"1,0.5,1\n" * 300_000  # 2.4 MB
        r = c.post("/api/upload/dose-response", files={"file": ("big.csv", big, "text/csv")})
        assert r.status_code == 413
        axis = [0.0, *np.geomspace(1, 100, 12)]
        rows = [f"{a},{b},0.1" for a in axis for b in axis]
        r = c.post("/api/upload/combination", files={"file": ("m.csv", "dose_a,dose_b,response\n" + "\n".join(rows))})
        assert r.status_code == 400 and "at most 12" in r.json()["detail"]


# ------------------------------------------------------------------------------------------------
# jobs: results, files, provenance, CLI

def test_dose_response_job_is_reproduced_by_its_cli_command(web_server, tmp_path):
    from typer.testing import CliRunner

    import her2sim
    from her2sim.cli import app as cli_app
    from her2sim.library.her2_model import build

    body = {"treatment": "trastuzumab", "contexts": ["parental", "MDA-MB-453"], "low": 0.1, "high": 100,
            "points": 5}
    with web_server.client() as c:
        job = c.post("/api/jobs/dose-response", json=body).json()
        state = web_server.wait(c, job)
        assert state["state"] == "done", state["error"]
        assert {"curves.csv", "fits.csv", "gr_metrics.csv", "dose_response.png", "gr.svg"} <= set(state["files"])
        fits_web = pd.read_csv(io.BytesIO(c.get(f"/api/jobs/{job['id']}/files/fits.csv").content))
        png = c.get(f"/api/jobs/{job['id']}/files/dose_response.png")
        assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    prov = state["provenance"]
    assert prov["her2sim_version"] == her2sim.__version__
    assert prov["model_sha256"] == build().fingerprint()
    assert prov["parameters"]["contexts"] == body["contexts"]
    assert [r["context"] for r in state["result"]["fits"]] == body["contexts"]
    args = shlex.split(state["cli"])
    assert args[:2] == ["her2sim", "dose-response"]
    out = tmp_path / "cli"
    result = CliRunner().invoke(cli_app, [*args[1:], "--out", str(out)])
    assert result.exit_code == 0, result.output
    fits_cli = pd.read_csv(out / "fits.csv")
    pd.testing.assert_frame_equal(fits_web, fits_cli, rtol=1e-10)


def _measured_csv() -> str:
    from her2sim.analysis.dose_response import log_logistic

    lines = ["dose,response,replicate,drug,cell_line"]
    for dose in (0.0, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000):
        y = float(log_logistic(np.array([dose]), 1.0, 0.2, 10.0, 1.0)[0])
        for rep in (1, 2):
            lines.append(f"{dose},{y:.12f},{rep},drugX,lineY")
    return "\n".join(lines) + "\n"


def test_measured_upload_recovers_a_known_curve(web_server, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from her2sim.cli import app as cli_app

    with web_server.client() as c:
        job = c.post("/api/upload/dose-response", files={"file": ("curve.csv", _measured_csv(), "text/csv")},
                     data={"n_boot": "4", "seed": "3"}).json()
        state = web_server.wait(c, job)
        fits_web = pd.read_csv(io.BytesIO(c.get(f"/api/jobs/{job['id']}/files/fits.csv").content))
    assert state["state"] == "done", state["error"]
    # the equivalent CLI command on the same file gives the same table (bootstrap seeded alike)
    (tmp_path / "curve.csv").write_text(_measured_csv())  # the user's file, where the CLI command names it
    args = shlex.split(state["cli"])
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli_app, [*args[1:], "--out", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(fits_web, pd.read_csv(tmp_path / "cli" / "fits.csv"), rtol=1e-10)
    (fit,) = state["result"]["fits"]
    # oracle: the generating 4PL (top 1, bottom 0.2, EC50 10, Hill 1), noise-free
    assert fit["group"] == "drugX | lineY"
    assert abs(fit["ec50"] / 10.0 - 1) < 1e-3 and abs(fit["einf"] - 0.2) < 1e-3 and abs(fit["hill"] - 1) < 1e-3
    assert state["provenance"]["seed"] == 3 and "upload.csv" in state["files"]


def test_petab_job_is_a_linted_problem_reproduced_by_its_command(web_server, tmp_path):
    import subprocess
    import zipfile

    from her2sim.io.petab import load_petab

    body = {"context": "PTEN loss", "drugs": {"lapatinib": {"value": 1, "unit": "uM"}}, "readouts": ["pAKT_S473"],
            "estimate": ["k_T308", "kcat_PTEN"], "times": [1.0, 24.0], "seed": 11}
    with web_server.client() as c:
        job = c.post("/api/jobs/petab", json=body).json()
        state = web_server.wait(c, job)
        assert state["state"] == "done", state["error"]
        archive = c.get(f"/api/jobs/{job['id']}/files/petab_problem.zip").content
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        z.extractall(tmp_path / "web")
    problem = load_petab(tmp_path / "web" / "problem.yaml")  # linted by the job; loads with our reader
    assert set(problem.estimated_parameter_ids) == {"k_T308", "kcat_PTEN"}
    args = shlex.split(state["cli"])
    assert args[:2] == ["python", "-c"]
    run = subprocess.run([sys.executable, "-c", args[2]], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    web = pd.read_csv(tmp_path / "web" / "measurements.tsv", sep="\t")
    cli = pd.read_csv(tmp_path / "petab" / "measurements.tsv", sep="\t")
    pd.testing.assert_frame_equal(web, cli, rtol=1e-10)  # same seed, same synthetic table


def test_cancel_through_the_api(schema_server):
    with schema_server.client() as c:  # this server records jobs without running them
        job = c.post("/api/jobs/atlas", json={"contexts": ["parental"], "therapies": ["trastuzumab"]}).json()
        assert c.get(f"/api/jobs/{job['id']}").json()["state"] == "queued"
        assert c.delete(f"/api/jobs/{job['id']}").json()["state"] == "cancelled"
        assert c.get(f"/api/jobs/{job['id']}").json()["state"] == "cancelled"
        assert job["id"] in [j["id"] for j in c.get("/api/jobs").json()]


def test_bliss_independent_matrix_scores_zero(web_server):
    d = np.array([0.0, 1.0, 10.0, 100.0])
    ea, eb = d / (d + 3.0), d / (d + 30.0)
    e = ea[:, None] + eb[None, :] - ea[:, None] * eb[None, :]
    rows = [f"{d[i]},{d[j]},{e[i, j]:.15f}" for i in range(d.size) for j in range(d.size)]
    with web_server.client() as c:
        job = c.post("/api/upload/combination", files={"file": ("bliss.csv", "dose_a,dose_b,response\n" + "\n".join(rows))},
                     data={"drug_a": "A", "drug_b": "B"}).json()
        state = web_server.wait(c, job)
    assert state["state"] == "done", state["error"]
    # oracle: Bliss independence by construction -> excess 0 (to rounding of the 15-digit CSV)
    assert abs(state["result"]["summary"]["bliss_mean_excess"]) < 1e-9
    assert len(state["result"]["maps"]["zip"]) == 4
    assert "her2sim combination A B --matrix bliss.csv" in state["cli"]


def test_bad_upload_names_the_users_file_not_the_server_folder(web_server):
    with web_server.client() as c:
        r = c.post("/api/upload/dose-response", files={"file": ("../../my data.csv", "a,b\n1,2\n")})
        assert r.status_code == 400
        detail = r.json()["detail"]
        assert "my data.csv" in detail and "missing column" in detail
        assert str(web_server.jobs_dir) not in detail and ".." not in detail
        r = c.post("/api/upload/dose-response", files={"file": ("x.csv", b"\x00\xff\xfe garbage \x00")})
        assert r.status_code == 400
        r = c.post("/api/upload/dose-response", files={"file": ("empty.csv", b"")})
        assert r.status_code == 400 and "empty" in r.json()["detail"]


def test_job_ids_and_file_names_are_checked(web_server):
    with web_server.client() as c:
        job = c.post("/api/jobs/atlas", json={"contexts": ["parental", "JIMT-1"], "therapies": ["trastuzumab"]}).json()
        web_server.wait(c, job)
        for bad in ("nope", "../etc", "0" * 31 + "g", "A" * 32):
            assert c.get(f"/api/jobs/{bad}").status_code == 404
        assert c.get(f"/api/jobs/{'0' * 32}").status_code == 404
        base = f"/api/jobs/{job['id']}/files"
        assert c.get(f"{base}/atlas.csv").status_code == 200
        for name in ("job.json", "result.json", "..%2Fjob.json", "%2Fetc%2Fpasswd", ".hidden", "atlas.csv%00.png"):
            assert c.get(f"{base}/{name}").status_code == 404, name
        assert c.delete(f"/api/jobs/{'f' * 32}").status_code == 404


def test_trials_page_reports_a_missing_module(web_server):
    from her2sim.web.app import trials_module

    module, reason = trials_module()
    if module is not None:
        pytest.skip("her2sim.trials is installed: the unavailable path cannot be shown")
    with web_server.client() as c:
        specs = c.get("/api/trials/specs").json()
        assert specs == {"available": False, "reason": reason, "specs": []}
        r = c.post("/api/jobs/trial", json={"spec": "any", "n": 5})
        assert r.status_code == 503 and "her2sim.trials" in r.json()["detail"]


def test_trial_job_follows_the_trials_contract(tmp_path, monkeypatch, serve_app):
    """A stand-in module with the agreed contract: the web layer calls it as specified."""
    import her2sim.web.app as web_app
    from her2sim.web import create_app

    calls = {}
    fake = types.ModuleType("her2sim_fake_trials")

    class Result:
        def summary(self):
            return pd.DataFrame({"arm": ["A", "B"], "response_rate": [0.25, 0.5]})

    def run_trial(spec, *, n, out, seed=None, scheduler=None, workers=None, progress=None):
        calls.update(spec=spec, n=n, out=Path(out), seed=seed, scheduler=scheduler)
        for done in range(n + 1):
            progress(done, n)
        return Result()

    def write_report(result, path):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "index.html").write_text("<html>trial</html>")
        return path / "index.html"

    fake.list_specs = lambda: ["demo"]
    fake.load_spec = lambda name: {"name": name}
    fake.run_trial, fake.write_report = run_trial, write_report
    monkeypatch.setitem(sys.modules, "her2sim_fake_trials", fake)
    monkeypatch.setattr(web_app, "TRIALS_MODULE", "her2sim_fake_trials")
    app = create_app(jobs_dir=tmp_path / "jobs", workers=1, warm=False, scheduler="tcp://127.0.0.1:8786")
    server, stop = serve_app(app, tmp_path / "jobs")
    try:
        with server.client() as c:
            assert c.get("/api/trials/specs").json()["specs"] == ["demo"]
            assert c.post("/api/jobs/trial", json={"spec": "dmo", "n": 4}).status_code == 400
            job = c.post("/api/jobs/trial", json={"spec": "demo", "n": 4, "seed": 7}).json()
            state = server.wait(c, job)
            assert state["state"] == "done", state["error"]
            assert c.get(f"/api/jobs/{job['id']}/files/trial_report.html").text == "<html>trial</html>"
    finally:
        stop()
    assert calls["spec"] == {"name": "demo"} and calls["n"] == 4 and calls["seed"] == 7
    assert calls["scheduler"] == "tcp://127.0.0.1:8786"
    assert calls["out"].parent == tmp_path / "jobs" / job["id"]
    assert state["result"]["summary"] == [{"arm": "A", "response_rate": 0.25}, {"arm": "B", "response_rate": 0.5}]
    assert "trials.run_trial(trials.load_spec('demo'), n=4, out='trial', seed=7)" in shlex.split(state["cli"])[2]


# ------------------------------------------------------------------------------------------------
# token, loopback

def test_token_is_required_when_set(tmp_path, serve_app):
    from her2sim.web import create_app
    from her2sim.web.app import TOKEN_HEADER

    app = create_app(jobs_dir=tmp_path / "jobs", token="s3cret-token", warm=False)
    server, stop = serve_app(app, tmp_path / "jobs")
    try:
        with server.client() as c:
            assert c.get("/api/health").status_code == 401
            assert c.get("/").status_code == 401
            assert c.get("/api/health", headers={TOKEN_HEADER: "wrong"}).status_code == 401
            assert c.get("/api/health", headers={TOKEN_HEADER: "s3cret-token"}).json()["token_required"] is True
            first = c.get("/?token=s3cret-token")
            assert first.status_code == 200
            assert c.get("/api/health").status_code == 200  # the cookie set by the page load
    finally:
        stop()


def test_non_loopback_needs_a_token():
    from her2sim.web import serve
    from her2sim.web.app import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.3.2.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")
    with pytest.raises(ValidationError, match="token is required"):
        serve("0.0.0.0", 8765)


def test_serve_is_a_cli_command():
    from typer.testing import CliRunner

    from her2sim.cli import app as cli_app

    result = CliRunner().invoke(cli_app, ["serve", "--help"])
    assert result.exit_code == 0 and "--jobs-dir" in result.output and "127.0.0.1" in result.output


# ------------------------------------------------------------------------------------------------
# the job manager

def _axes():
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    return ax


def _broken_axes():
    raise ValueError("no axes here")


def test_job_manager_cancel_failure_and_restart(tmp_path):
    from her2sim.web.jobs import JobManager

    manager = JobManager(tmp_path, workers=1)
    release, started, ran = threading.Event(), threading.Event(), []

    def blocking(job):
        started.set()
        release.wait(10)
        return {"value": 1}

    def never(job):
        ran.append(job.id)
        return {}

    def failing(job):
        raise ValidationError("dose of 'x' must be >= 0")

    def fine(job):
        job.progress(0.5, "half way")
        (job.folder / "t.csv").write_text("a\n1\n")
        job.add_file("t.csv")
        job.defer_figure(_axes, "fig")
        job.defer_figure(_broken_axes, "broken")
        return {"value": 2}

    running = manager.submit("t", {}, blocking)
    assert started.wait(10)
    queued = manager.submit("t", {}, never)
    bad = manager.submit("t", {}, failing)
    good = manager.submit("t", {}, fine)
    assert manager.cancel(queued.id).state == "cancelled"
    assert manager.cancel(running.id).state == "cancelled"
    release.set()
    deadline = time.monotonic() + 60  # generous: figures share one lock with other jobs of this process
    while good.state != "done" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ran == []                                   # a cancelled queued job never starts
    assert running.state == "cancelled" and running.result is None  # result of a cancelled run discarded
    assert bad.state == "failed" and "must be >= 0" in bad.error     # one failure is a state
    assert good.state == "done" and good.result == {"value": 2}      # ...and the others go on
    while good.files_pending and time.monotonic() < deadline:
        time.sleep(0.02)
    assert {"fig.png", "fig.svg"} <= set(good.files) and (tmp_path / good.id / "fig.svg").is_file()
    assert "no axes here" in good.file_error and good.result == {"value": 2}  # a figure failure keeps the result
    manager.shutdown()

    again = JobManager(tmp_path, workers=1, execute=False)  # a restart on the same folder
    restored = again.get(good.id)
    assert restored.state == "done" and restored.result == {"value": 2}
    assert restored.files == ["t.csv", "fig.png", "fig.svg"]
    assert again.file(good.id, "t.csv")[0].read_text() == "a\n1\n"
    assert again.get(bad.id).state == "failed"
    with pytest.raises(ValidationError):
        again.get("../../etc")
    with pytest.raises(KeyError):
        again.file(good.id, "job.json")
    again.shutdown()


def test_shown_python_commands_survive_the_shell():
    """A ``python -c`` command shown on a page splits back into exactly its code (oracle: shlex)."""
    from her2sim.web.services import _py

    for code in ("print(1)", "print('a \"b\" $HOME `x` \\\\ !')", "x = {'k': [1, 2]}; print(x)"):
        assert shlex.split(_py(code)) == ["python", "-c", code]
