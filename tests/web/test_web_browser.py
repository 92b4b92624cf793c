"""The pages in a real headless Chromium (Debian's ``chromium`` driven by Playwright's Python API).

Each test clicks through a page's main path and asserts on what is shown: a plot whose traces
hold data, a table with the expected rows, an error message for a bad upload. The oracle of
every number is the JSON API (itself a call of the public her2sim API, checked in
``test_web_api.py``); here we check that the page shows it. A screenshot of every page is saved
in ``$HER2SIM_SCREENSHOTS`` (default: a pytest temporary folder, printed), never in the repo.

No browser is downloaded: Playwright is pointed at the system Chromium. Without one these tests
skip with a loud reason (CI installs ``chromium`` with apt before the tests).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")

CHROMIUM = os.environ.get("HER2SIM_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("NO CHROMIUM FOUND: the browser tests of the web workbench did not run. Install Debian's "
                "'chromium' (apt-get install -y chromium) or set HER2SIM_CHROMIUM to a Chromium binary.",
                allow_module_level=True)

LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync"]
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("HER2SIM_SCREENSHOTS") or tmp_path_factory.mktemp("web-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nweb screenshots: {folder}")
    return folder


@pytest.fixture
def page(browser, web_server):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, base_url=web_server.url)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def open_page(page, name: str) -> None:
    page.goto(f"/#{name}")
    page.wait_for_selector("body[data-ready='1']")


def trace_length(page, element_id: str, trace: int = 0, key: str = "y") -> int:
    return page.evaluate(f"(id) => {{ const d = document.getElementById(id).data; "
                         f"return d && d[{trace}] ? d[{trace}].{key}.length : 0; }}", element_id)


def rows(page, container: str) -> int:
    return page.locator(f"#{container} tbody tr").count()


def test_tumour_page_time_course_and_pathway(page, shots):
    open_page(page, "tumour")
    assert page.locator("#tc-cell-line").input_value() == "MDA-MB-453"
    page.click("#tc-run")
    page.wait_for_selector("#tc-plot-pAKT_S473 .main-svg")
    for readout in ("pHER2_total", "pHER3", "pAKT_S473", "pS6", "pERK", "growth_rate", "cells"):
        assert trace_length(page, f"tc-plot-{readout}") == 145, readout          # treated, 145 time points
        assert trace_length(page, f"tc-plot-{readout}", trace=1) == 145, readout  # untreated
    mapped = page.locator("#tc-pathway g.node[data-state='1'], #tc-pathway g.node[data-state='0']").count()
    assert mapped >= 25  # every NodeMap node (29) coloured; inputs stay white
    assert "MDA-MB-453" in page.locator("#tc-title").inner_text()
    page.screenshot(path=str(shots / "tumour.png"), full_page=True)


def test_tumour_page_regimen_job(page, shots):
    open_page(page, "tumour")
    page.check("input[name=tc-mode][value=regimen]")
    page.select_option("#tc-regimens", ["trastuzumab q3w"])
    page.fill("#tc-weeks", "1")
    page.click("#tc-run")
    page.wait_for_selector("#tc-job .job[data-state='done']")
    page.wait_for_selector("#tc-plots .main-svg")
    assert trace_length(page, "tc-plot-pAKT_S473") == 29  # 0-168 h every 6 h
    assert "her2sim regimen 'trastuzumab q3w'" in page.locator("#tc-job pre.cli").text_content()


def test_dose_response_page_simulate_and_upload(page, shots, tmp_path):
    open_page(page, "dose")
    page.fill("#dr-contexts", "parental, MDA-MB-453")
    page.fill("#dr-points", "8")
    page.click("#dr-run")
    page.wait_for_selector("#dr-job .job[data-state='done']")
    page.wait_for_selector("#dr-fits tbody tr")
    assert rows(page, "dr-fits") == 2 and rows(page, "dr-grm") == 2
    assert trace_length(page, "dr-plot") == 8
    assert "her2sim dose-response trastuzumab" in page.locator("#dr-job pre.cli").text_content()
    page.screenshot(path=str(shots / "dose_response.png"), full_page=True)

    bad = tmp_path / "bad.csv"
    bad.write_text("concentration,viability\n1,0.9\n10,0.5\n")
    page.set_input_files("#dr-file", str(bad))
    page.click("#dr-fit")
    page.wait_for_selector("#dr-error:not([hidden])")
    message = page.locator("#dr-error").inner_text()
    assert "missing column" in message and "bad.csv" in message
    page.screenshot(path=str(shots / "dose_response_bad_upload.png"), full_page=True)

    good = tmp_path / "measured.csv"
    lines = ["dose,response,replicate"]
    for dose in (0, 0.1, 1, 10, 100, 1000):
        for rep in (1, 2):
            lines.append(f"{dose},{1.0 / (1.0 + dose / 10.0):.6f},{rep}")
    good.write_text("\n".join(lines) + "\n")
    page.set_input_files("#dr-file", str(good))
    page.fill("#dr-nboot", "5")
    page.click("#dr-fit")
    page.wait_for_selector("#dr-job .job[data-state='done']")
    page.wait_for_function("document.querySelectorAll('#dr-fits tbody tr').length === 1")
    assert page.locator("#dr-error").is_hidden()


def test_combination_page_matrix(page, shots):
    open_page(page, "combination")
    page.fill("#cb-points", "4")
    page.click("#cb-run")
    page.wait_for_selector("#cb-job .job[data-state='done']")
    page.wait_for_selector("#cb-map-zip .main-svg")
    for name in ("observed", "bliss", "hsa", "loewe", "zip"):
        z = page.evaluate(f"document.getElementById('cb-map-{name}').data[0].z")
        assert len(z) == 4 and all(len(row) == 4 for row in z), name
    page.wait_for_function("document.getElementById('cb-iso').naturalWidth > 0")
    assert rows(page, "cb-summary") == 1
    page.screenshot(path=str(shots / "combination.png"), full_page=True)


def test_atlas_click_route_then_rescue(page, shots):
    open_page(page, "atlas")
    page.fill("#at-contexts", "parental, PTEN loss, MDA-MB-453")
    page.fill("#at-therapies", "trastuzumab, lapatinib, alpelisib, trastuzumab + alpelisib")
    page.click("#at-run")
    page.wait_for_selector("#at-job .job[data-state='done']")
    page.wait_for_selector("#at-heat .main-svg")
    z = page.evaluate("document.getElementById('at-heat').data[0].z")
    assert len(z) == 3 and len(z[0]) == 4
    # click the (MDA-MB-453, trastuzumab) cell of the heat map with the mouse
    point = page.evaluate("""() => {
        const g = document.getElementById('at-heat'), fl = g._fullLayout, box = g.getBoundingClientRect();
        return {x: box.left + fl._size.l + fl.xaxis.l2p(0), y: box.top + fl._size.t + fl.yaxis.l2p(2)};
    }""")
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector("#at-detail:not([hidden])")
    detail = page.locator("#at-detail").inner_text()
    assert "MDA-MB-453 under trastuzumab" in detail and "Route of resistance" in detail
    page.screenshot(path=str(shots / "atlas.png"), full_page=True)
    page.click("#at-to-rescue")
    page.wait_for_selector("#rs-job .job[data-state='done']")
    page.wait_for_selector("#rs-table tbody tr")
    assert rows(page, "rs-table") == 10
    assert "MDA-MB-453" in page.locator("#rs-head").inner_text()
    page.screenshot(path=str(shots / "rescue.png"), full_page=True)


def test_job_survives_reload(page):
    open_page(page, "atlas")
    page.fill("#at-contexts", "parental, JIMT-1")
    page.fill("#at-therapies", "trastuzumab")
    page.click("#at-run")
    page.wait_for_selector("#at-job .job")
    job_id = page.locator("#at-job .job").get_attribute("data-job")
    assert f"at={job_id}" in page.url
    page.reload()
    page.wait_for_selector(f"#at-job .job[data-job='{job_id}'][data-state='done']")
    page.wait_for_selector("#at-heat .main-svg")


def test_logical_page_attractors_and_scan(page, shots):
    open_page(page, "logical")
    page.click("#lg-run")
    page.wait_for_selector("#lg-table tbody tr")
    n_nodes = page.locator("#lg-network g.node").count()
    assert n_nodes >= 40 and rows(page, "lg-table") == n_nodes
    page.fill("#sc-drugs", "trastuzumab, alpelisib, capivasertib")
    page.click("#sc-run")
    page.wait_for_selector("#sc-job .job[data-state='done']")
    page.wait_for_selector("#sc-table tbody tr")
    assert rows(page, "sc-table") == 3 and trace_length(page, "sc-plot") == 3
    page.screenshot(path=str(shots / "logical.png"), full_page=True)


def test_model_page_search_and_downloads(page, shots):
    open_page(page, "model")
    page.wait_for_selector("#md-table tbody tr")
    total = rows(page, "md-table")
    page.fill("#md-search", "PTEN")
    page.wait_for_function(f"document.querySelectorAll('#md-table tbody tr').length < {total}")
    assert rows(page, "md-table") >= 1
    assert all("pten" in t.lower() for t in page.locator("#md-table tbody tr").all_inner_texts())
    page.click("#md-tabs button[data-table=species]")
    page.fill("#md-search", "")
    # oracle: the species tab lists every species of the flagship model
    from her2sim.library.her2_model import build

    n_species = len(build().species)
    page.wait_for_function(f"document.querySelectorAll('#md-table tbody tr').length === {n_species}")
    sbml = page.request.get("/api/model/sbml")
    assert sbml.status == 200 and "<sbml" in sbml.text()
    qual = page.request.get("/api/model/sbml-qual")
    assert qual.status == 200 and "qual" in qual.text()
    page.screenshot(path=str(shots / "model.png"), full_page=True)


def _trials_importable() -> tuple[bool, str]:
    from her2sim.web.app import trials_module

    module, reason = trials_module()
    return module is not None, reason


def test_trials_page_says_when_unavailable(page, shots):
    available, _ = _trials_importable()
    open_page(page, "trials")
    if available:
        page.wait_for_selector("#tr-form:not([hidden])")
        return
    page.wait_for_selector("#tr-unavailable:not([hidden])")
    assert "not available" in page.locator("#tr-unavailable").inner_text()
    page.screenshot(path=str(shots / "trials.png"), full_page=True)


def test_trials_page_runs_a_trial(page, shots):
    available, reason = _trials_importable()
    if not available:
        pytest.skip(reason)
    open_page(page, "trials")
    page.wait_for_selector("#tr-form:not([hidden])")
    page.fill("#tr-n", "8")
    page.click("#tr-run")
    page.wait_for_selector("#tr-job .job[data-state='done']", timeout=180_000)
    page.wait_for_selector("#tr-table tbody tr")
    page.screenshot(path=str(shots / "trials_run.png"), full_page=True)


def test_newcomer_click_path_mda_mb_453(page, shots):
    """Issue #18's "done when": is an MDA-MB-453-like tumour resistant to trastuzumab, why, and
    what rescues it? Default values only; five clicks. The elapsed time is printed."""
    import time

    start = time.perf_counter()
    open_page(page, "tumour")                       # 1. the first page: MDA-MB-453 + trastuzumab preselected
    page.click("#tc-run")                           # 2. Simulate: pAKT stays near its untreated level
    page.wait_for_selector("#tc-plot-pAKT_S473 .main-svg")
    assert page.locator("#tc-pathway g.node[data-node='AKT']").get_attribute("data-state") == "1"
    page.click("#nav a[data-page=atlas]")           # 3. the atlas page (defaults include MDA-MB-453)
    page.click("#at-run")                           # 4. Run atlas
    page.wait_for_selector("#at-job .job[data-state='done']")
    point = page.evaluate("""() => {
        const g = document.getElementById('at-heat'), fl = g._fullLayout, box = g.getBoundingClientRect();
        const i = g.data[0].y.indexOf('MDA-MB-453'), j = g.data[0].x.indexOf('trastuzumab');
        return {x: box.left + fl._size.l + fl.xaxis.l2p(j), y: box.top + fl._size.t + fl.yaxis.l2p(i)};
    }""")
    page.mouse.click(point["x"], point["y"])        # 5. click the MDA-MB-453 × trastuzumab cell: call + route
    page.wait_for_selector("#at-detail:not([hidden])")
    detail = page.locator("#at-detail").inner_text()
    assert "MDA-MB-453 under trastuzumab: resistant" in detail and "pAKT" in detail
    page.click("#at-to-rescue")                     # 6. what rescues it
    page.wait_for_selector("#rs-table tbody tr")
    top = page.locator("#rs-table tbody tr").first.inner_text()
    assert "switches off" in top
    elapsed = time.perf_counter() - start
    print(f"\nnewcomer click path answered in {elapsed:.1f} s of machine time; top rescue: {top.splitlines()[0]}")
    page.screenshot(path=str(shots / "newcomer_path.png"), full_page=True)
