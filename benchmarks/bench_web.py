"""Web workbench budget: first page, a flagship time course, a 6 × 6 combination matrix.

Budgets of issue #18: the first page is usable in < 1 s; a time course of the flagship model
takes < 0.5 s of server time; a 6 × 6 combination matrix (with its synergy maps, isobologram and
files) is done in < 3 s. Each figure is printed with its budget and with the same work done by
calling the public API directly in the same run (the web layer's overhead ratio).

Protocol: the app is served by uvicorn on a free 127.0.0.1 port in this process, with the model
warmed (compiled and loaded) first, as ``her2sim serve`` does at start.

* first page: headless Chromium (Debian's ``chromium``; skipped if absent) opens ``/`` in a fresh
  context (empty cache, so plotly.min.js is fetched every time) and waits until the page has
  loaded its catalogue and pathway and marked itself ready; median of 5. Without Chromium the
  HTML, scripts and the two JSON calls are fetched with httpx instead.
* time course: ``POST /api/time-course`` (MDA-MB-453, trastuzumab 10 µg/mL, 72 h, 145 points,
  treated and untreated runs); server time from the ``Server-Timing`` header; median of 20.
* combination: ``POST /api/jobs/combination`` (trastuzumab × alpelisib, 6 doses per axis with 0)
  to ``done`` (simulation, Bliss/HSA/Loewe/ZIP scores, tables as CSV + Parquet: what the page
  draws); then to all 5 matplotlib figures written as PNG + SVG (downloads, drawn after the result
  is published); median of 3.

Run:  python benchmarks/bench_web.py
"""

from __future__ import annotations

import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

BODY = {"tumour": {"cell_line": "MDA-MB-453"}, "drugs": {"trastuzumab": {"value": 10, "unit": "ug/mL"}},
        "hours": 72, "points": 145}
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync"]


def serve(app):
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server


def line(name: str, value: float, budget: float, reference: float | None = None, ref_name: str = "") -> None:
    ratio = f"{value / budget:5.2f} of budget"
    ref = f"; {ref_name} {reference:.3f} s (web / direct {value / reference:.2f}×)" if reference else ""
    verdict = "OK" if value < budget else "OVER BUDGET"
    print(f"{name:<38} {value:7.3f} s   budget {budget:.1f} s ({ratio}) {verdict}{ref}")


def main() -> int:
    import httpx

    from her2sim.analysis import synergy as syn
    from her2sim.library.her2_model import build, cell_line_settings
    from her2sim.library.protocols import treat
    from her2sim.web import create_app

    jobs = Path(tempfile.mkdtemp(prefix="her2sim-bench-web-"))
    app = create_app(jobs_dir=jobs, workers=2, warm=False)
    url, server = serve(app)
    client = httpx.Client(base_url=url, timeout=120)
    try:
        t0 = time.perf_counter()
        build()
        client.post("/api/time-course", json=BODY).raise_for_status()  # compile/load + matplotlib-free warm-up
        client.get("/api/catalogue").raise_for_status()
        print(f"warm-up (model build, compile or cache load, first simulation): {time.perf_counter() - t0:.2f} s")

        # (a) first page
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        loads = []
        if chromium:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
                for _ in range(5):
                    context = browser.new_context()
                    page = context.new_page()
                    start = time.perf_counter()
                    page.goto(url + "/")
                    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
                    loads.append(time.perf_counter() - start)
                    context.close()
                browser.close()
            what = "first page in Chromium (ready)"
        else:
            print("chromium not found: first page measured with httpx (HTML, JS, CSS, plotly, 2 JSON calls)")
            for _ in range(5):
                start = time.perf_counter()
                for path in ("/", "/static/app.js", "/static/style.css", "/vendor/plotly.min.js", "/api/catalogue",
                             "/api/pathway"):
                    client.get(path).raise_for_status()
                loads.append(time.perf_counter() - start)
            what = "first page (httpx, all resources)"
        line(what, statistics.median(loads), 1.0)

        # (b) time course: server time, and the same two simulations through the public API
        server_times, direct = [], []
        settings = cell_line_settings("MDA-MB-453")
        times = np.linspace(0, 72, 145)
        for _ in range(20):
            r = client.post("/api/time-course", json=BODY)
            r.raise_for_status()
            server_times.append(float(r.headers["Server-Timing"].split("dur=")[1]) / 1000.0)
            start = time.perf_counter()
            treat({"trastuzumab": (10, "ug/mL")}, times=times, parameters=settings)
            treat({}, times=times, parameters=settings)
            direct.append(time.perf_counter() - start)
        line("flagship time course (server time)", statistics.median(server_times), 0.5,
             statistics.median(direct), "2 × protocols.treat")

        # (c) 6 x 6 combination job, submit to done
        walls, with_files, direct = [], [], []
        for _ in range(3):
            start = time.perf_counter()
            job = client.post("/api/jobs/combination", json={"drug_a": "trastuzumab", "drug_b": "alpelisib",
                                                              "points": 6}).json()
            while True:
                state = client.get(f"/api/jobs/{job['id']}").json()
                if state["state"] in ("done", "failed", "cancelled"):
                    break
                time.sleep(0.02)
            walls.append(time.perf_counter() - start)
            assert state["state"] == "done", state["error"]
            while state["files_pending"]:
                time.sleep(0.02)
                state = client.get(f"/api/jobs/{job['id']}").json()
            with_files.append(time.perf_counter() - start)
            start = time.perf_counter()
            ds = syn.simulate_combination("trastuzumab", "alpelisib", syn.default_grid("trastuzumab", 6),
                                          syn.default_grid("alpelisib", 6))
            syn.synergy(ds)
            direct.append(time.perf_counter() - start)
        line("6 × 6 combination job (submit → done)", statistics.median(walls), 3.0,
             statistics.median(direct), "simulate + score")
        print(f"{'  ... and its 5 figures (PNG + SVG) written':<38} {statistics.median(with_files):7.3f} s   "
              "(downloads; drawn after the result is shown)")
    finally:
        server.should_exit = True
        app.state.jobs.shutdown()
        shutil.rmtree(jobs, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
