"""CLI commands of the analyses: thin shells that write tables and figures (small grids)."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from her2sim.cli import app

runner = CliRunner()


def test_dose_response_command(tmp_path):
    result = runner.invoke(app, ["dose-response", "lapatinib", "-c", "parental,PTEN loss", "--points", "5",
                                 "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    fits = pd.read_csv(tmp_path / "fits.csv")
    assert list(fits["context"]) == ["parental", "PTEN loss"]
    assert (tmp_path / "gr.png").exists()


def test_combination_and_matrix_commands(tmp_path):
    result = runner.invoke(app, ["combination", "trastuzumab", "lapatinib", "--points", "4", "-o", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    grid = pd.read_csv(tmp_path / "a" / "synergy.csv")
    # units in every column name (issue #19: no mixing of fractions and percentage points)
    assert {"bliss_excess [percentage points]", "loewe_excess [percentage points]", "zip_excess [percentage points]",
            "observed_inhibition [%]", "loewe_ci [1]"} <= set(grid.columns)
    # a user matrix of Bliss-independent drugs (viability = product of single-agent viabilities)
    doses = (0.0, 1.0, 10.0, 100.0)
    rows = [{"dose_a": a, "dose_b": b, "response": (1 - 0.9 * a / (a + 5)) * (1 - 0.6 * b / (b + 20))}
            for a in doses for b in doses]
    pd.DataFrame(rows).to_csv(tmp_path / "m.csv", index=False)
    result = runner.invoke(app, ["combination", "X", "Y", "--matrix", str(tmp_path / "m.csv"), "--response",
                                 "viability", "-o", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(tmp_path / "b" / "synergy_summary.csv")
    assert abs(summary.loc[0, "bliss_max_excess [percentage points]"]) < 1e-9  # oracle: Bliss independence by construction


def test_atlas_rescue_regimen_commands(tmp_path):
    r1 = runner.invoke(app, ["atlas", "-c", "parental,p95HER2", "-t", "trastuzumab,lapatinib", "--basis", "in_vitro",
                             "-o", str(tmp_path / "atlas")])
    assert r1.exit_code == 0, r1.output
    calls = pd.read_csv(tmp_path / "atlas" / "atlas.csv").set_index(["context", "therapy"])["call"]
    assert calls[("p95HER2", "trastuzumab")] == "resistant"
    r2 = runner.invoke(app, ["rescue", "p95HER2", "--max-size", "1", "--basis", "in_vitro", "--top", "3",
                             "-o", str(tmp_path / "rescue")])
    assert r2.exit_code == 0, r2.output
    r3 = runner.invoke(app, ["regimen", "lapatinib 1250 mg qd", "-c", "parental", "--weeks", "0.5",
                             "-o", str(tmp_path / "regimen")])
    assert r3.exit_code == 0, r3.output
    assert (tmp_path / "regimen" / "pk.csv").exists()
