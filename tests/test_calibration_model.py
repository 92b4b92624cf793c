"""Calibrating the flagship model to a user's PEtab problem (issue #5 item 5).

Oracle: the known generating values of the shipped synthetic example
(``examples/calibration_synthetic``, ``example.json``): data simulated at those values plus
seeded 10 % log-normal noise. A fit must recover them within their 95 % confidence intervals.

Fits: :func:`her2sim.calibration.multistart` (L-BFGS-B, seeded uniform starts). Confidence
intervals: in the fast test **Wald intervals from the Gauss–Newton Fisher information**
(:func:`her2sim.calibration.model_problem.wald_intervals`, ~1 s); in the slow tests also
**profile-likelihood intervals** (:func:`her2sim.calibration.profile_likelihood`) of the two
parameters the Wald intervals are least sure of. As a check that does not rest on the quadratic
approximation, the truth must also lie in the joint 95 % likelihood-ratio region
``2 (f(θ_true) − f(θ̂)) ≤ χ²₆(0.95)``.
"""

from __future__ import annotations

import importlib.util
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2 as chi2_dist

from her2sim.calibration import PetabObjective, multistart, profile_likelihood
from her2sim.calibration.model_problem import (
    ConditionSpec,
    Estimate,
    ObservableSpec,
    measurement_design,
    petab_tables_for_model,
    synthetic_measurements,
    wald_intervals,
    write_petab_problem,
)
from her2sim.errors import UnknownNameError, ValidationError
from her2sim.io.petab import chi2, load_petab, negative_log_likelihood, simulate_petab
from her2sim.library.her2_model import build
from her2sim.model import Compartment, Model, Parameter, Reaction, Species, parse

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "calibration_synthetic"


def _make_example_module():
    """The example's generator script as a module (it is not part of the package)."""
    spec = importlib.util.spec_from_file_location("make_example", EXAMPLE / "make_example.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example():
    problem = load_petab(EXAMPLE / "problem.yaml")
    record = json.loads((EXAMPLE / "example.json").read_text(encoding="utf-8"))
    return problem, record


@pytest.fixture(scope="module")
def objective(example):
    return PetabObjective(example[0], n_threads=1)


def _small_inputs(estimate=None):
    """A two-condition problem; ``estimate`` replaces k_T308 (the read-out scale stays estimated)."""
    conditions = {"ctrl": {"context": "parental"}, "lap": {"drugs": {"lapatinib": 1000.0}}}
    observables = {"obs_pAKT": "s_pAKT * pAKT_S473"}
    estimate = {**(estimate or {"k_T308": (6.0, 600.0, "log10")}), "s_pAKT": (0.1, 10.0, "log10", 1.0)}
    design = measurement_design(list(conditions), list(observables), [1.0, 8.0])
    return dict(estimate=estimate, conditions=conditions, observables=observables, measurements=design)


# ============================================================================ name validation


def test_unknown_estimate_name_suggests_the_closest():
    inputs = _small_inputs({"k_T380": (6.0, 600.0, "log10")})
    with pytest.raises(UnknownNameError) as info:
        petab_tables_for_model(build(), **inputs)
    assert info.value.argument == "estimate"
    assert info.value.suggestion == "k_T308"


def test_estimating_a_condition_setting_is_refused():
    inputs = _small_inputs({"lapatinib_nM": (1.0, 1e4, "log10", 100.0)})
    with pytest.raises(ValidationError, match="lapatinib_nM.*set by conditions"):
        petab_tables_for_model(build(), **inputs)
    inputs["estimate"] = {"PTEN_level": (0.1, 2.0, "log10"), "s_pAKT": (0.1, 10.0, "log10", 1.0)}
    inputs["conditions"] = {"ctrl": {"context": "parental"}, "lap": {"context": "PTEN loss"}}
    with pytest.raises(ValidationError, match="PTEN_level"):
        petab_tables_for_model(build(), **inputs)


def test_rule_outputs_and_unknown_formula_symbols_are_refused():
    inputs = _small_inputs({"pAKT_S473": (0.1, 1.0, "lin")})
    with pytest.raises(ValidationError, match="assignment rule"):
        petab_tables_for_model(build(), **inputs)
    inputs = _small_inputs()
    inputs["observables"] = {"obs_pAKT": "s_pAKT * pAKT_S437"}
    with pytest.raises(UnknownNameError) as info:
        petab_tables_for_model(build(), **inputs)
    assert info.value.suggestion == "pAKT_S473"
    inputs = _small_inputs()
    inputs["observables"] = {"pERK": "s_pAKT * pERK"}
    with pytest.raises(ValidationError, match="also a model id"):
        petab_tables_for_model(build(), **inputs)


def test_unknown_genotype_and_drug_names():
    inputs = _small_inputs()
    inputs["conditions"] = {"ctrl": {"context": "PTEN los"}, "lap": {}}
    with pytest.raises(UnknownNameError) as info:
        petab_tables_for_model(build(), **inputs)
    assert info.value.suggestion == "PTEN loss"
    inputs["conditions"] = {"ctrl": {}, "lap": {"drugs": {"lapatinb": 1.0}}}
    with pytest.raises(UnknownNameError):
        petab_tables_for_model(build(), **inputs)
    inputs["conditions"] = {"ctrl": {"genotype": "PTEN loss", "cell_line": "BT-474"}, "lap": {}}
    with pytest.raises(ValidationError, match="one of"):
        petab_tables_for_model(build(), **inputs)


def test_bounds_and_specs_are_validated():
    with pytest.raises(ValidationError, match="lower > 0"):
        Estimate(0.0, 1.0, "log10")
    with pytest.raises(ValidationError, match="lower < upper"):
        Estimate(2.0, 1.0, "lin")
    with pytest.raises(ValidationError, match="transformation"):
        ObservableSpec("pERK", 0.1, "ln")
    inputs = _small_inputs({"k_T308": (100.0, 600.0, "log10")})  # nominal 60 outside
    with pytest.raises(ValidationError, match="outside the bounds"):
        petab_tables_for_model(build(), **inputs)


def test_condition_table_follows_the_protocol():
    """Each condition is pre-equilibrated untreated (drugs 0, growth frozen) in its own context."""
    inputs = _small_inputs()
    inputs["conditions"] = {
        "ctrl": ConditionSpec("parental"),
        "pten_lap": {"genotype": "PTEN loss", "drugs": {"lapatinib": 1000.0}},
    }
    inputs["measurements"] = measurement_design(["ctrl", "pten_lap"], ["obs_pAKT"], [1.0])
    tables = petab_tables_for_model(build(), **inputs)
    c = tables.conditions.set_index("conditionId")
    # doses are nominal in 10 % serum: lapatinib (fu 0.01) is free at 1000/(1 + 0.1*99) nM (issue #13)
    assert c.loc["pten_lap", "lapatinib_nM"] == pytest.approx(1000.0 / 10.9, rel=1e-12)
    assert c.loc["pten_lap", "PTEN_level"] == 0.0
    assert c.loc["preeq_PTEN_loss", "lapatinib_nM"] == 0.0
    assert c.loc["preeq_PTEN_loss", "cell_growth_switch"] == 0.0
    assert c.loc["preeq_PTEN_loss", "PTEN_level"] == 0.0
    assert list(tables.measurements["preequilibrationConditionId"]) == ["preeq_parental", "preeq_PTEN_loss"]


def test_generic_model_problem_round_trip(tmp_path):
    """Any her2sim model: direct parameter settings, lint, load, simulate (analytic oracle)."""
    model = Model(
        id="decay",
        compartments=(Compartment("cell"),),
        species=(Species("A", "cell", initial=10.0, units="nM"),),
        parameters=(Parameter("k", 0.1, units="1/h"), Parameter("A0", 10.0)),
        reactions=(Reaction("R1", (("A", 1.0),), (), parse("k*A*cell")),),
    )
    with pytest.raises(ValidationError, match="'decay' belongs to no family"):
        petab_tables_for_model(model, estimate={"k": (0.01, 1.0, "log10")},
                               conditions={"c": {"drugs": {"lapatinib": 1.0}}},
                               observables={"obs_A": "A"},
                               measurements=measurement_design(["c"], ["obs_A"], [1.0]))
    design = measurement_design(["fast", "slow"], ["obs_A"], [1.0, 5.0])
    design["measurement"] = 1.0
    yaml_path = write_petab_problem(
        model, tmp_path, estimate={"k": (0.01, 1.0, "log10")},
        conditions={"fast": {}, "slow": {"parameters": {"A0": 5.0}}},
        observables={"obs_A": ObservableSpec("A", 0.05, "lin")},
        measurements=design, preequilibration=None,
    )
    problem = load_petab(yaml_path)
    sim = simulate_petab(problem, {"k": 0.2}, n_threads=1)
    expected = 10.0 * np.exp(-0.2 * sim["time"].to_numpy())
    # oracle: A(t) = 10 exp(-k t); tolerance from the solver rtol 1e-8
    np.testing.assert_allclose(sim["simulation"].to_numpy(), expected, rtol=1e-6)


# ============================================================================ the shipped example


def test_example_is_current(tmp_path, example):
    """Regenerating the example gives the committed files: the SBML matches the current model.

    Tables and SBML are compared exactly; measurements to rtol 1e-6 (simulated at rtol 1e-8,
    the noise draws are seeded, so only solver round-off can differ between machines).
    """
    make_example = _make_example_module()
    make_example.write_example(tmp_path)
    record = json.loads((tmp_path / "example.json").read_text(encoding="utf-8"))
    assert record["model_sha256"] == build().fingerprint() == example[1]["model_sha256"], (
        "the flagship model changed: run examples/calibration_synthetic/make_example.py and commit"
    )
    for name in ("model.xml", "conditions.tsv", "observables.tsv", "parameters.tsv", "problem.yaml"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (EXAMPLE / name).read_text(encoding="utf-8"), (
            f"{name} differs from a regeneration: run examples/calibration_synthetic/make_example.py and commit"
        )
    new = pd.read_csv(tmp_path / "measurements.tsv", sep="\t")
    old = pd.read_csv(EXAMPLE / "measurements.tsv", sep="\t")
    pd.testing.assert_frame_equal(new.drop(columns="measurement"), old.drop(columns="measurement"))
    np.testing.assert_allclose(new["measurement"], old["measurement"], rtol=1e-6)
    assert record["true_values"] == pytest.approx(example[1]["true_values"], rel=1e-15)


def test_example_passes_petab_lint():
    from her2sim.calibration.model_problem import lint_petab

    lint_petab(EXAMPLE / "problem.yaml")  # raises ValidationError with petab's messages


def test_example_noise_is_consistent_with_its_model(example):
    """At the true values the data are the model plus the declared noise.

    Oracles (n measurements, normal noise on the log scale): the χ² of the weighted residuals is
    χ²ₙ (mean n, sd √(2n)); the NLL is its PEtab constant plus χ²/2. Tolerance: 3 sd.
    """
    problem, record = example
    truth = record["true_values"]
    n = len(problem.measurements)
    c2 = chi2(problem, truth, n_threads=1)
    assert abs(c2 - n) <= 3 * math.sqrt(2 * n), (c2, n)
    m = problem.measurements["measurement"].to_numpy()
    sigma = 0.1  # every observable's noiseFormula (observables.tsv)
    constant = np.sum(0.5 * np.log(2 * np.pi * sigma**2) + np.log(m))  # PEtab log-normal density terms
    nll = negative_log_likelihood(problem, truth, n_threads=1)
    assert nll == pytest.approx(constant + 0.5 * c2, rel=1e-12)  # identity, not statistics
    assert abs(nll - (constant + 0.5 * n)) <= 3 * math.sqrt(n / 2)


def test_synthetic_measurements_are_seeded(example):
    problem, record = example
    a = synthetic_measurements(problem, record["true_values"], seed=1)
    b = synthetic_measurements(problem, record["true_values"], seed=1)
    c = synthetic_measurements(problem, record["true_values"], seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["measurement"], c["measurement"])


# ============================================================================ recovery


def _fit(objective, n_starts: int, seed: int):
    """Best point, best value and all final values of a multi-start L-BFGS-B fit."""
    result = multistart(objective, n_starts, seed=seed)
    return result.x_best, result.fval_best, result.fvals


def _check_recovery(problem, objective, record, x_hat, f_hat):
    truth = record["true_values"]
    x_true = objective.from_linear(truth)
    f_true = objective(x_true)
    # the optimum is at least as good as the truth (tolerance 1e-6: optimiser stopping criterion)
    assert f_hat <= f_true + 1e-6
    # joint 95 % likelihood-ratio region (oracle: Wilks, χ² with dim degrees of freedom)
    assert 2 * (f_true - f_hat) <= chi2_dist.ppf(0.95, objective.dim)
    # per-parameter intervals at the Bonferroni level 1 - 0.05/dim, so that all of them cover the truth
    # with >= 95 % probability (six separate 95 % intervals all cover it only ~74 % of the time: the
    # example regenerated for issue #13 missed kcat_PTEN's by 6e-5 on the log10 scale)
    ci = wald_intervals(problem, x_hat, level=1.0 - 0.05 / objective.dim)
    assert list(ci.index) == list(objective.x_ids)
    for pid, xt in zip(objective.x_ids, x_true):
        row = ci.loc[pid]
        # identifiable: finite interval narrower than one decade either side (log10 scale)
        assert np.isfinite(row["std_error"]) and row["upper"] - row["lower"] < 2.0, (pid, row.to_dict())
        assert row["lower"] <= xt <= row["upper"], (pid, xt, row.to_dict())
    return ci


def test_objective_evaluation_is_fast(objective, example):
    """One evaluation of the example objective (168 measurements, 6 conditions)."""
    x = objective.from_linear(example[1]["true_values"])
    objective(x)  # compile / warm up
    t0 = time.perf_counter()
    for _ in range(5):
        assert np.isfinite(objective(x))
    per_eval = (time.perf_counter() - t0) / 5
    assert per_eval < 0.5, per_eval  # measured ~0.03 s; 0.5 s leaves room for a loaded CI machine


def test_recovers_true_parameters(example, objective):
    """Two starts (≲ 30 s): the truth lies in every 95 % Wald interval and in the LR region."""
    problem, record = example
    x_hat, f_hat, _ = _fit(objective, 2, seed=1)
    _check_recovery(problem, objective, record, x_hat, f_hat)


@pytest.fixture(scope="module")
def thorough_fit(objective):
    """Six starts (seed 2): the slow tests' optimum."""
    return _fit(objective, 6, seed=2)


@pytest.mark.slow
def test_recovers_true_parameters_thoroughly(example, objective, thorough_fit):
    """Six starts: most reach the best value; recovery as in the fast test; and the
    Gauss–Newton standard errors agree with the observed information (finite-difference
    Hessian of the objective from its gradient) within 30 % — they differ by the residual
    curvature term, which is small when the model fits."""
    problem, record = example
    x_hat, f_hat, fvals = thorough_fit
    assert np.mean(np.abs(fvals - f_hat) <= 0.1) >= 0.5, fvals  # tolerance 0.1 in NLL (fit module default)
    ci = _check_recovery(problem, objective, record, x_hat, f_hat)
    h = 1e-3
    H = np.empty((objective.dim, objective.dim))
    for i in range(objective.dim):
        xp, xm = x_hat.copy(), x_hat.copy()
        xp[i] += h
        xm[i] -= h
        H[:, i] = (objective.value_and_gradient(xp)[1] - objective.value_and_gradient(xm)[1]) / (2 * h)
    H = 0.5 * (H + H.T)
    se_observed = np.sqrt(np.diag(np.linalg.inv(H)))
    np.testing.assert_allclose(se_observed, ci["std_error"].to_numpy(), rtol=0.3)


@pytest.mark.slow
def test_profile_likelihood_intervals_contain_the_truth(example, objective, thorough_fit):
    """Profile-likelihood 95 % intervals (``calibration.profile``) of the two parameters the
    Wald intervals are least sure of: ``kdeg_HER3`` (widest interval) and ``HER3_FOXO_fold``
    (truth nearest an interval end). All six take ~4.5 min on one core, too long here; the
    example's README lists all six."""
    _, record = example
    x_hat, f_hat, _ = thorough_fit
    x_true = dict(zip(objective.x_ids, objective.from_linear(record["true_values"])))
    result = profile_likelihood(objective, x_hat, f_opt=f_hat, parameters=["kdeg_HER3", "HER3_FOXO_fold"])
    for pid, p in result.profiles.items():
        assert p.identifiability == "identifiable", (pid, p.lower_end, p.upper_end)
        assert not p.better_optimum, pid
        assert p.ci_lower <= x_true[pid] <= p.ci_upper, (pid, p.ci_lower, x_true[pid], p.ci_upper)
