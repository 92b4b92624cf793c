"""The CLI as a newcomer meets it (issue #19): clear errors instead of tracebacks, name lists, the flagship
`simulate`, units in exported columns, one row per time point, and visible model-limitation notes."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from her2sim.cli import app

runner = CliRunner()


def _fails_cleanly(args: list[str], *needles: str) -> str:
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        result = runner.invoke(app, args, env={"COLUMNS": "200"})
        assert not list(Path(".").iterdir())  # a refused command leaves no output folder behind
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # Typer's error path, no traceback
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in result.output, result.output
    return result.output


@pytest.mark.parametrize(("args", "needles"), [
    (["dose-response", "lapatinib", "--low", "0"], ["--low", "> 0"]),
    (["dose-response", "lapatinib", "--low", "10", "--high", "1"], ["--high"]),
    (["dose-response", "lapatinib", "--unit", "uMol"], ["--unit", "'uM'"]),
    (["dose-response", "lapatinib", "--ic", "150"], ["--ic"]),
    (["dose-response", "lapatnib", "--points", "4"], ["TREATMENT", "drug='lapatnib'", "Did you mean 'lapatinib'"]),
    (["dose-response", "lapatinib", "-c", "PTEN los", "--points", "4"], ["--contexts", "Did you mean 'PTEN loss'"]),
    (["rescue", "PTEN loss", "--top", "-3"], ["--top"]),
    (["atlas", "--basis", "free_avg"], ["--basis", "Did you mean 'free_average'"]),
    (["simulate", "--t-end", "0"], ["--t-end", "> 0"]),
    (["simulate", "-d", "lapatinib=abc"], ["--drug", "DRUG=VALUE"]),
    (["simulate", "-g", "PTEN los"], ["--genotype", "Did you mean 'PTEN loss'"]),
    (["simulate", "-r", "pAKT"], ["--readout"]),
    (["simulate", "-d", "lapatinib=1 uMol"], ["--drug (unit)", "'uM'"]),
    (["simulate", "-l", "JIMT1x"], ["--cell-line", "JIMT-1"]),
    (["rescue", "PTEN los"], ["CONTEXT", "Did you mean 'PTEN loss'"]),
    (["rescue", "PTEN loss", "--backbone", "trastuzumab,alpelisb"], ["--backbone", "Did you mean 'alpelisib'"]),
    (["atlas", "-t", "trastuzumab + lapatnib"], ["--therapies", "Did you mean 'lapatinib'"]),
    (["simulate", "--plot", "x.gif"], ["--plot", "'.svg'"]),
    (["list", "genotype"], ["WHAT", "Did you mean 'genotypes'"]),
    (["regimen", "trastuzumab q4w"], ["trastuzumab q3w"]),
    (["regimen", "trastuzumab q3w", "--weeks", "-1"], ["--weeks"]),
    (["sensitivity", "--factor", "0.5"], ["--factor", "> 1"]),
    (["sensitivity", "-m", "sobl"], ["--method", "Did you mean 'sobol'"]),
    (["logical", "attractors", "--engine", "mpnb"], ["--engine", "Did you mean 'mpbn'"]),
    (["combination", "trastuzumab", "lapatinib", "--response", "viabilty"], ["--response", "Did you mean 'viability'"]),
])
def test_user_errors_are_messages_not_tracebacks(args, needles):
    _fails_cleanly(args, *needles)


def test_malformed_measured_csv_is_a_clean_error(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    _fails_cleanly(["dose-response", "x", "--measured", str(tmp_path / "empty.csv"), "-o", str(tmp_path / "o")],
                   "not a readable CSV")


def test_output_in_a_missing_folder_is_created(tmp_path):
    target = tmp_path / "new" / "deeper" / "parameters.csv"
    result = runner.invoke(app, ["parameters", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(target)) > 50


@pytest.mark.parametrize("what", ["genotypes", "cell-lines", "drugs", "regimens", "readouts"])
def test_list_tables_fit_the_terminal(what):
    result = runner.invoke(app, ["list", what], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) > 3
    assert max(len(line) for line in lines) <= 100
    if what == "genotypes":  # the README example's name is listed (and accepted: see the simulate test)
        assert "PTEN loss (complete)" in result.output


@pytest.mark.parametrize("command", ["parameters", "drugs"])
def test_catalogue_tables_are_cut_to_the_terminal_unless_wide(command):
    narrow = runner.invoke(app, [command], env={"COLUMNS": "80"})
    assert narrow.exit_code == 0
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80  # was 786 characters (issue #19)
    wide = runner.invoke(app, [command, "--wide"], env={"COLUMNS": "80"})
    assert max(len(line) for line in wide.stdout.splitlines()) > 80


def test_flagship_simulate_matches_the_library_protocol(tmp_path):
    from her2sim.library.protocols import treat

    out = tmp_path / "sim" / "tc.csv"
    result = runner.invoke(app, ["simulate", "-g", "PTEN loss (complete)", "-g", "PIK3CA H1047R:0.5",
                                 "-d", "trastuzumab=10 ug/mL", "--t-end", "48", "--points", "9", "-o", str(out),
                                 "--plot", str(tmp_path / "sim" / "tc.svg")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert len(table) == 9                                  # one row per time point
    assert all(c.endswith("]") for c in table.columns)      # units in every column name
    assert table.columns[0] == "time [h]"
    assert (tmp_path / "sim" / "tc.svg").read_text().lstrip().startswith("<?xml")
    # Oracle: the same protocol called through the Python API (README example's genotype name), bit-equal
    ds = treat({"trastuzumab": (10, "ug/mL")}, times=np.linspace(0, 48, 9),
               genotype={"PTEN loss (complete)": 1.0, "PIK3CA H1047R": 0.5}, outputs=["pAKT_S473", "cells"])
    np.testing.assert_allclose(table["pAKT_S473 [1]"], ds["pAKT_S473"].values, rtol=1e-12, atol=0)
    np.testing.assert_allclose(table["cells [1]"], ds["cells"].values, rtol=1e-12, atol=0)


def test_simulate_looks_names_up_as_the_library_does(tmp_path):
    """Issue #12 item 7: ``--genotype`` and ``--cell-line`` take any case, hyphens and aliases, as the Python API.
    Oracle: the library call with the canonical names, bit-equal."""
    from her2sim.library.protocols import treat

    out = tmp_path / "tc.csv"
    result = runner.invoke(app, ["simulate", "-g", "pten-LOSS", "-g", "E542K", "-l", "t47d", "--t-end", "24",
                                 "--points", "3", "-r", "pAKT_S473", "-o", str(out)])
    assert result.exit_code == 0, result.output
    from her2sim.family import default_family

    ds = treat({}, times=np.linspace(0, 24, 3), genotype={"PTEN loss": 1.0, "PIK3CA E542K": 1.0},
               parameters=default_family().resolve_context("T-47D")[1], outputs=["pAKT_S473"])
    np.testing.assert_allclose(pd.read_csv(out)["pAKT_S473 [1]"], ds["pAKT_S473"].values, rtol=1e-12, atol=0)


def test_simulate_keeps_user_sbml_files(tmp_path):
    sbml = tmp_path / "decay.xml"
    sbml.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1">
  <model id="decay" timeUnits="second">
    <listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>
    <listOfSpecies><species id="A" compartment="c" initialAmount="1" hasOnlySubstanceUnits="false"
      boundaryCondition="false" constant="false"/></listOfSpecies>
    <listOfParameters><parameter id="k" value="0.5" constant="true"/></listOfParameters>
    <listOfReactions><reaction id="r" reversible="false" fast="false"><listOfReactants>
      <speciesReference species="A" stoichiometry="1" constant="true"/></listOfReactants>
      <kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><ci>k</ci><ci>A</ci></apply></math>
      </kineticLaw></reaction></listOfReactions>
  </model>
</sbml>""")
    _fails_cleanly(["simulate", str(sbml)], "--t-end", "required")
    _fails_cleanly(["simulate", str(sbml), "--t-end", "2", "-g", "PTEN loss"], "flagship")
    out = tmp_path / "missing" / "a.csv"
    result = runner.invoke(app, ["simulate", str(sbml), "--t-end", "2", "--points", "5", "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    column = next(c for c in table.columns if c.startswith("A "))
    # Oracle: A(t) = exp(-k t), k = 0.5 (solver rtol 1e-8)
    np.testing.assert_allclose(table[column], np.exp(-0.5 * np.linspace(0, 2, 5)), rtol=1e-6)


def test_atlas_adds_the_reference_context(tmp_path):
    result = runner.invoke(app, ["atlas", "-c", "PTEN loss", "-t", "trastuzumab", "--basis", "in_vitro",
                                 "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "atlas.csv")
    assert set(table["context"]) == {"parental", "PTEN loss"}
    assert {"inhibition_percent", "gr [1]", "code"} <= set(table.columns)
    assert "R = resistant" in result.output


def test_identical_presets_and_unmodelled_payloads_are_flagged(tmp_path):
    # JIMT-1's preset (HER2 level 1, MUC4 masking) changes nothing lapatinib acts through: the model cannot tell it
    # from the parental line, while the catalogue calls it innately resistant
    result = runner.invoke(app, ["dose-response", "lapatinib", "-c", "parental,JIMT-1,BT-474", "--points", "4",
                                 "-o", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    assert "warning: cell line 'JIMT-1' is kinetically identical to 'parental'" in result.output
    assert "lapatinib: resistant" in result.output       # the catalogue's call is quoted
    assert "cell line 'BT-474'" not in result.output     # BT-474's preset (K111N, HER2 level) differs
    result = runner.invoke(app, ["dose-response", "T-DM1", "--points", "4", "-o", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert "warning: T-DM1: payload not modelled" in result.output


def test_dose_response_reports_censored_potencies(tmp_path):
    # lapatinib at 0.01-0.1 nM barely inhibits growth (its IC50 is far above): IC50 not reached → "> 0.1"
    result = runner.invoke(app, ["dose-response", "lapatinib", "--low", "0.01", "--high", "0.1", "--points", "4",
                                 "--ic", "70", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    fits = pd.read_csv(tmp_path / "fits.csv")
    assert fits.loc[0, "ic50_censored"] == ">" and fits.loc[0, "ic50 [nM]"] == pytest.approx(0.1)
    assert "ic70 [nM]" in fits.columns and "> 0.1" in result.output
    grm = pd.read_csv(tmp_path / "gr_metrics.csv")
    assert {"fit", "pval [1]", "GR50 [nM]", "GR50_censored"} <= set(grm.columns)


def test_rescue_ranks_comparable_exposures_unless_asked(tmp_path):
    base = ["rescue", "PTEN loss", "--max-size", "1", "-o"]
    result = runner.invoke(app, [*base, str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "a" / "rescue.csv")
    assert set(table["exposure"]) == {"clinical"}
    # tucatinib has a clinical exposure since issue #13 (label PK, K13); pelitinib still has none
    assert "left out (no clinical exposure" in result.output and "pelitinib" in result.output
    result = runner.invoke(app, [*base, str(tmp_path / "b"), "--include-unexposed", "--top", "30"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "b" / "rescue.csv")
    flagged = table[table["exposure"].str.startswith("NOT COMPARABLE")]
    assert "pelitinib" in set(flagged["combination"])
    assert "[NOT COMPARABLE" in result.output


def test_regimen_exports_one_row_per_time_point(tmp_path):
    result = runner.invoke(app, ["regimen", "trastuzumab q3w,pertuzumab q3w", "-c", "parental,PTEN loss",
                                 "--weeks", "0.5", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    tumour = pd.read_csv(tmp_path / "time_course.csv")
    plasma = pd.read_csv(tmp_path / "pk.csv")
    expected_times = np.arange(0.0, 0.5 * 168 + 3, 6.0)  # 6-hourly outputs over 84 h
    np.testing.assert_array_equal(tumour["time [h]"], expected_times)
    np.testing.assert_array_equal(plasma["time [h]"], expected_times)  # no repetition per drug
    assert all("[" in c for c in tumour.columns) and all("[" in c for c in plasma.columns)
    assert {"free trastuzumab q3w [nM]", "free pertuzumab q3w [nM]"} <= set(plasma.columns)


def test_main_job_installs_what_the_cli_needs():
    # `pip install .` (the README's main job) must bring the logical engines and pyarrow (Parquet in the report)
    import re
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=!~ \[;]", dep, maxsplit=1)[0].lower() for dep in project["dependencies"]}
    assert {"biodivine-aeon", "mpbn", "cmaboss", "pyarrow", "typer", "matplotlib"} <= names
