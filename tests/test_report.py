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
                  "Time courses under clinical regimens", "Parameter provenance"):
        assert f"<h2>{title}</h2>" in page
    # no absolute path of the machine the report was built on
    assert str(Path(__file__).resolve().parents[1]) not in page


def test_report_writes_data_behind_figures(report_dir):
    data = report_dir / "data"
    atlas = pd.read_csv(data / "atlas_free_average.csv")
    assert {"context", "therapy", "inhibition_percent", "call", "route"} <= set(atlas.columns)
    params = pd.read_csv(data / "parameters.csv")
    assert {"id", "value", "kind", "source"} <= set(params.columns)
    assert (data / "synergy_summary.csv").exists()
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return
    assert (data / "atlas_free_average.parquet").exists()
