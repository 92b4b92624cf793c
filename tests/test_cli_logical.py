"""`her2sim logical attractors FILE`: a user's model file, progress and a time limit (issue #19)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from her2sim.cli import app
from her2sim.logical import LogicalModel, write_logical

runner = CliRunner()

# A = !B, B = A oscillate; C = C & A loses C whenever A turns off. Oracle (by hand): the one asynchronous
# attractor is the 4-state cycle of (A, B) with C = 0; the one minimal trap space is {C = 0, A and B free}.
TOY = {"A": "!B", "B": "A", "C": "C & A"}


@pytest.mark.parametrize("suffix", [".bnet", ".aeon", ".sbml"])
def test_attractors_of_a_user_model_file(tmp_path, suffix):
    path = write_logical(LogicalModel.from_rules("toy", TOY), tmp_path / f"toy{suffix}")
    engine = "mpbn" if suffix == ".sbml" else "aeon"
    result = runner.invoke(app, ["logical", "attractors", str(path), "--engine", engine, "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "attractor search" in result.output and "done in" in result.output  # progress on stderr
    table = pd.read_csv(tmp_path / "out" / "attractors.csv", index_col=0)
    assert len(table) == 1
    row = table.iloc[0]
    assert np.isnan(row["A"]) and np.isnan(row["B"]) and row["C"] == 0.0
    assert row["size [states]"] == 4.0


def test_twin_only_options_are_refused_with_a_file(tmp_path):
    path = write_logical(LogicalModel.from_rules("toy", TOY), tmp_path / "toy.bnet")
    result = runner.invoke(app, ["logical", "attractors", str(path), "-g", "PTEN loss"], env={"COLUMNS": "300"})
    assert result.exit_code == 2 and "--genotype" in result.output and "Traceback" not in result.output


def test_unknown_format_is_a_clean_refusal(tmp_path):
    from her2sim.logical import io as logical_io

    path = tmp_path / "model.bnd"
    path.write_text("Node A { logic = A; rate_up = 1; rate_down = 1; }\n")
    if hasattr(logical_io, "read_maboss"):
        pytest.skip("MaBoSS reader present: .bnd files are read (covered by the reader's own tests)")
    result = runner.invoke(app, ["logical", "attractors", str(path)], env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    assert "'.bnd' is not known" in result.output and "'.bnet'" in result.output


def test_time_limit_stops_a_long_search(peer_models):
    # Zañudo 2017 (asynchronous attractors with aeon) runs for minutes; a 1 s limit must stop it cleanly.
    path = peer_models / "zanudo2017" / "model.bnet"
    result = runner.invoke(app, ["logical", "attractors", str(path), "--time-limit", "1"], env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    assert "stopped after 1 s (--time-limit)" in result.output
    assert "--engine mpbn" in result.output
