"""The HTML report: self-contained, with the data behind every figure (scorecard left out for time)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    from her2sim.report import write_report

    out = tmp_path_factory.mktemp("report")
    write_report(out, scorecard=False)
    return out


def test_report_is_self_contained(report_dir, capfd):
    page = (report_dir / "report.html").read_text(encoding="utf-8")
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert len(sources) >= 8  # atlas ×2, dose-response ×2, synergy ×3, regimens ×3
    assert all(src.startswith("data:image/png;base64,") for src in sources)
    for title in ("Resistance atlas", "Dose-response and GR curves", "Combinations and synergy", "Rescue search",
                  "Time courses under clinical regimens", "Parameter provenance",
                  "Plausible ensemble: bands and cross-validated scorecard"):
        assert re.search(rf'<h2 id="sec-[a-z0-9-]+">{title}</h2>', page), title
    # a table of contents linking every section, and the legend of the atlas's call codes
    anchors = re.findall(r'<li><a href="#(sec-[a-z0-9-]+)">', page)
    assert len(anchors) >= 6 and all(f'<h2 id="{a}">' in page for a in anchors)
    assert "<b>R</b>: resistant" in page and "<b>r</b>: partially resistant" in page and "<b>S</b>: sensitive" in page
    # T-DM1 is in the exposure table: its unmodelled payload is said on the page
    assert "T-DM1: payload not modelled" in page
    # JIMT-1 (MUC4-high preset) equals the parental line under lapatinib: the limitation is named on the page
    import html

    assert "'JIMT-1' is kinetically identical to 'parental'" in html.unescape(page)
    assert "lapatinib: resistant" in html.unescape(page)
    # no absolute path of the machine the report was built on
    assert str(Path(__file__).resolve().parents[1]) not in page


def test_report_writes_data_behind_figures(report_dir):
    data = report_dir / "data"
    atlas = pd.read_csv(data / "atlas_free_average.csv")
    assert {"context", "therapy", "inhibition_percent", "call", "route"} <= set(atlas.columns)
    params = pd.read_csv(data / "parameters.csv")
    assert {"id", "value", "kind", "source"} <= set(params.columns)
    assert (data / "synergy_summary.csv").exists()
    # units in every exported column of the tables that carry quantities (issue #19)
    for name in ("dose_response_trastuzumab", "dose_response_fits_trastuzumab", "synergy_trastuzumab_lapatinib_parental",
                 "atlas_free_average", "rescue_PTEN_loss"):
        frame = pd.read_csv(data / f"{name}.csv")
        numeric = [c for c in frame.columns if frame[c].dtype.kind == "f" and not c.endswith("_censored")]
        assert all(c.endswith("]") or c.endswith(("_percent", "_nM")) for c in numeric), (name, numeric)
    # the shipped ensemble: bands simulated, scorecard read from the stored results (training / cross-validated)
    card = pd.read_csv(data / "ensemble_scorecard.csv")
    assert {"finding", "role", "training_fraction", "cv_fraction", "counted"} <= set(card.columns)
    band = pd.read_csv(data / "ensemble_dose_response_lapatinib.csv")
    assert (band["relative_growth_p05 [1]"] <= band["relative_growth_p95 [1]"]).all()
    regimen = pd.read_csv(data / "regimen_trastuzumab_pertuzumab.csv")
    assert regimen["time [h]"].is_unique  # one row per time point
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return
    assert (data / "atlas_free_average.parquet").exists()
