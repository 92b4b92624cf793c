"""PEtab tables are validated with errors naming file, row and column (issue #19).

Each case copies the Fujita 2010 problem from the peer models, breaks one cell or column, and
checks that loading raises a her2sim ValidationError naming the place, before any simulation.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from her2sim.errors import Her2simError, ValidationError
from her2sim.io import petab as pt

FUJITA = "petab/Fujita_SciSignal2010"
PARAMS = "parameters_Fujita_SciSignal2010.tsv"
MEAS = "measurementData_step_Fujita_SciSignal2010.tsv"
OBS = "observables_Fujita_SciSignal2010.tsv"
COND = "experimentalCondition_Fujita_SciSignal2010.tsv"
YAML = "Fujita_SciSignal2010.yaml"


@pytest.fixture
def problem_dir(peer_models, tmp_path) -> Path:
    dest = tmp_path / "fujita"
    shutil.copytree(peer_models / FUJITA, dest, ignore=shutil.ignore_patterns("test_data", "*.xlsx"))
    return dest


def edit(folder: Path, name: str, change) -> None:
    df = pd.read_csv(folder / name, sep="\t", dtype=str, keep_default_na=False)
    df = change(df)
    df.to_csv(folder / name, sep="\t", index=False)


def set_cell(column: str, value: str, row: int = 2):
    def change(df):
        df.loc[row, column] = value
        return df
    return change


def drop(column: str):
    return lambda df: df.drop(columns=[column])


CASES = [
    (MEAS, set_cell("noiseParameters", "-0.01"), "row 3 (line 4), column 'noiseParameters'", "positive"),
    (MEAS, set_cell("noiseParameters", "0"), "column 'noiseParameters'", "positive"),
    (MEAS, set_cell("time", "nan"), "row 3 (line 4), column 'time'", "finite"),
    (MEAS, set_cell("time", "soon"), "column 'time'", "not a number"),
    (MEAS, set_cell("measurement", ""), "column 'measurement'", "not a number"),
    (MEAS, drop("time"), "column 'time'", "required column is missing"),
    (PARAMS, set_cell("estimate", "2"), "row 3 (line 4), column 'estimate'", "0 or 1"),
    (PARAMS, drop("estimate"), "column 'estimate'", "required column is missing"),
    (PARAMS, drop("parameterScale"), "column 'parameterScale'", "required column is missing"),
    (PARAMS, drop("lowerBound"), "column 'lowerBound'", "required column is missing"),
    (PARAMS, set_cell("parameterScale", "ln"), "column 'parameterScale'", "allowed: lin, log, log10"),
    (PARAMS, set_cell("lowerBound", "0"), "column 'lowerBound'", "must be > 0"),
    (PARAMS, set_cell("upperBound", "1e-10"), "column 'lowerBound'", "not ordered"),
    (PARAMS, set_cell("nominalValue", "abc"), "column 'nominalValue'", "not a number"),
    (OBS, set_cell("noiseFormula", "-1", row=0), "row 1 (line 2), column 'noiseFormula'", "positive"),
    (OBS, set_cell("observableTransformation", "sqrt", row=0), "column 'observableTransformation'", "allowed"),
    (OBS, drop("noiseFormula"), "column 'noiseFormula'", "required column is missing"),
    (COND, drop("conditionId"), "column 'conditionId'", "required column is missing"),
]


@pytest.mark.parametrize("name, change, where, what", CASES,
                         ids=[f"{c[0].split('_')[0]}-{c[3]}-{i}" for i, c in enumerate(CASES)])
def test_broken_tables_are_named(problem_dir, name, change, where, what):
    edit(problem_dir, name, change)
    with pytest.raises(ValidationError) as info:
        pt.load_petab(problem_dir / YAML)
    message = str(info.value)
    assert name in message and where in message and what in message, message


@pytest.mark.parametrize("text, match", [
    ("format_version: 1\nproblems: [\n", r"not valid YAML at line \d+"),
    ("- just\n- a list\n", "must be a mapping"),
    ("format_version: 1\nparameter_file: p.tsv\nproblems: 3\n", "'problems' must be a list"),
    ("format_version: 1\nparameter_file: p.tsv\nproblems:\n- sbml_files: m.xml\n", "sbml_files must be a non-empty list"),
    ("!!python/object/apply:os.system ['echo hi']\n", "not valid YAML"),  # unsafe tags are refused
])
def test_malformed_yaml_names_the_file(problem_dir, text, match):
    (problem_dir / YAML).write_text(text)
    with pytest.raises(ValidationError, match=match) as info:
        pt.load_petab(problem_dir / YAML)
    assert YAML in str(info.value)


def test_empty_and_binary_tables(problem_dir):
    (problem_dir / COND).write_text("")
    with pytest.raises(ValidationError, match="the table is empty"):
        pt.load_petab(problem_dir / YAML)
    (problem_dir / COND).write_bytes(b"conditionId\tEGF_0\n\xff\xfe\x00\n")
    with pytest.raises(Her2simError, match="not UTF-8"):
        pt.load_petab(problem_dir / YAML)


def test_negative_sigma_has_zero_likelihood():
    """Oracle: a normal density needs sigma > 0; the objective must not reward a negative sigma
    (it used to: 132.8 vs -53.1 on Fujita)."""
    nll = pt.noise_negative_log_likelihood([1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, -1.0, 0.0])
    assert nll[0] == pytest.approx(0.5 * np.log(2 * np.pi), rel=1e-15)
    assert np.isinf(nll[1]) and nll[1] > 0 and np.isinf(nll[2])


def test_the_unmodified_problem_still_loads(problem_dir):
    problem = pt.load_petab(problem_dir / YAML)
    assert len(problem.estimated_parameter_ids) > 0
