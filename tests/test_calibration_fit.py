"""Multi-start fitting, profile likelihoods and their CLI (her2sim.calibration.fit / .profile).

Oracles:

* a tiny PEtab problem written here — ``dA/dt = -k·A``, ``A(0) = 1``, observable
  ``scale·A + offset`` with Gaussian noise of known σ, synthetic data from a seeded generator:
  - with ``k`` estimated, the maximum-likelihood estimate is the least-squares fit of the closed
    form ``scale·exp(-k·t) + offset`` by :func:`scipy.optimize.curve_fit` (an independent
    optimiser on the analytic solution), and the optimal objective is the Gaussian negative
    log-likelihood evaluated in closed form at it;
  - with ``k`` fixed, the observable is linear in (``scale``, ``offset``), the profile likelihood
    is exactly quadratic and the profile interval equals the Wald interval
    ``θ̂ ± sqrt(χ²₁(0.95))·SE`` with ``SE`` from ``σ²(JᵀJ)⁻¹`` (closed form, linear least squares);
  - ``k_unused`` is in the parameter table but in no formula: its profile must be flat;
* resumability: file modification times, objective evaluation counts and a run killed by
  ``os._exit`` in a child process;
* Fujita 2010: the objective at the nominal parameters against
  :func:`her2sim.io.petab.negative_log_likelihood` (itself checked against the collection's
  stated likelihood in ``test_petab.py``), and a seeded multi-start reaching that value.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import curve_fit
from scipy.stats import chi2

import her2sim as hs
from her2sim.calibration import PetabObjective
from her2sim.calibration.fit import (
    DEFAULT_TOLERANCE,
    fraction_reaching,
    load_multistart,
    multistart,
    plot_waterfall,
    write_parameter_table,
)
from her2sim.calibration.profile import load_profiles, profile_likelihood, profile_threshold
from her2sim.errors import UnknownNameError, ValidationError
from her2sim.io.petab import load_petab, negative_log_likelihood

pytest.importorskip("petab.v1")

K_TRUE, SCALE_TRUE, OFFSET_TRUE, SIGMA = 0.7, 2.0, 0.3, 0.1
TIMES = np.linspace(0.0, 5.0, 11)
BOUNDS = {"k": (1e-2, 1e1), "scale": (0.1, 10.0), "offset": (-2.0, 2.0), "k_unused": (1e-2, 1e2)}


# ============================================================================ the toy problem


def write_decay_problem(folder: Path, observables: str, measurements: list[str], parameters: list[str]) -> Path:
    """A PEtab problem on ``dA/dt = -k·A``, ``A(0) = 1`` (one condition ``c0``) from table bodies.

    ``observables``: observable-table rows (header added); ``measurements``: the measurement table's
    lines, header included; ``parameters``: the parameter table's lines, header included.
    """
    folder.mkdir(parents=True, exist_ok=True)
    model = hs.Model(
        "decay",
        compartments=(hs.Compartment("cell", 1.0),),
        species=(hs.Species("A", "cell", 1.0),),
        parameters=(hs.Parameter("k", K_TRUE),),
        reactions=(hs.Reaction("degradation", (("A", 1),), (), hs.model.parse("k*A")),),
        time_units="minute",
    )
    hs.write_sbml(model, folder / "model.xml")
    (folder / "conditions.tsv").write_text("conditionId\tconditionName\nc0\tc0\n")
    (folder / "observables.tsv").write_text(
        "observableId\tobservableFormula\tnoiseFormula\tobservableTransformation\tnoiseDistribution\n" + observables
    )
    (folder / "measurements.tsv").write_text("\n".join(measurements) + "\n")
    (folder / "parameters.tsv").write_text("\n".join(parameters) + "\n")
    (folder / "problem.yaml").write_text(
        "format_version: 1\nparameter_file: parameters.tsv\nproblems:\n"
        "- condition_files: [conditions.tsv]\n  measurement_files: [measurements.tsv]\n"
        "  observable_files: [observables.tsv]\n  sbml_files: [model.xml]\n"
    )
    return folder / "problem.yaml"


def _write_toy(folder: Path, data: np.ndarray, *, estimate_k: bool, k_unused: bool) -> Path:
    lines = ["observableId\tsimulationConditionId\tmeasurement\ttime"]
    lines += [f"y\tc0\t{float(m)!r}\t{float(t)!r}" for t, m in zip(TIMES, data)]
    rows = [
        ("k", "k_{deg}", "log10", *BOUNDS["k"], K_TRUE, int(estimate_k)),
        ("scale", "scale", "lin", *BOUNDS["scale"], 1.0, 1),
        ("offset", "offset", "lin", *BOUNDS["offset"], 0.0, 1),
    ]
    if k_unused:
        rows.append(("k_unused", "not in any formula", "log10", *BOUNDS["k_unused"], 1.0, 1))
    table = ["parameterId\tparameterName\tparameterScale\tlowerBound\tupperBound\tnominalValue\testimate"]
    table += ["\t".join(str(v) for v in r) for r in rows]
    return write_decay_problem(folder, f"y\tscale * A + offset\t{SIGMA}\tlin\tnormal\n", lines, table)


def _curve(t, k, scale, offset):
    return scale * np.exp(-k * t) + offset


def _gaussian_nll(residuals: np.ndarray) -> float:
    return float(np.sum(0.5 * (residuals / SIGMA) ** 2 + np.log(np.sqrt(2 * np.pi) * SIGMA)))


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    rng = np.random.default_rng(20261124)
    return _curve(TIMES, K_TRUE, SCALE_TRUE, OFFSET_TRUE) + SIGMA * rng.standard_normal(TIMES.size)


@pytest.fixture(scope="module")
def nonlinear(tmp_path_factory, data) -> Path:
    """k, scale, offset estimated."""
    return _write_toy(tmp_path_factory.mktemp("nonlinear"), data, estimate_k=True, k_unused=False)


@pytest.fixture(scope="module")
def linear(tmp_path_factory, data) -> Path:
    """k fixed at its true value; scale, offset and k_unused estimated."""
    return _write_toy(tmp_path_factory.mktemp("linear"), data, estimate_k=False, k_unused=True)


@pytest.fixture(scope="module")
def oracle(data) -> tuple[np.ndarray, float]:
    """curve_fit's least-squares estimate (k, scale, offset) and the closed-form NLL there."""
    theta, _ = curve_fit(_curve, TIMES, data, p0=(K_TRUE, SCALE_TRUE, OFFSET_TRUE), xtol=1e-14, ftol=1e-14, gtol=1e-14)
    return theta, _gaussian_nll(data - _curve(TIMES, *theta))


# tight convergence so that the optimiser's own stopping rule is far below the asserted tolerances
TIGHT = {"gtol": 1e-10, "ftol": 1e-14, "maxiter": 2000}


# ============================================================================ multistart


def test_multistart_reaches_the_least_squares_optimum(nonlinear, oracle):
    theta, nll = oracle
    obj = PetabObjective(nonlinear)
    result = multistart(obj, 4, seed=3, options=TIGHT)
    assert result.n_starts == 4 and [s.start for s in result.starts] == [0, 1, 2, 3]
    # objective: the closed-form NLL at curve_fit's optimum; 1e-5 absolute covers the solver
    # tolerance (rtol 1e-8 on values of order 1, 11 points, residual/σ² weighting ~100, and the
    # solver's step sequence differing between nearby points: 1.3e-6 measured)
    assert result.fval_best == pytest.approx(nll, abs=1e-5)
    # parameters: curve_fit's estimate; 1e-4 relative is ~1e-3 of their standard errors here
    best = obj.to_linear(result.x_best)
    np.testing.assert_allclose([best["k"], best["scale"], best["offset"]], theta, rtol=1e-4)
    # every start of this convex-enough problem converges there (the tolerance of "reached")
    assert result.fraction_reaching(nll, DEFAULT_TOLERANCE) == 1.0
    frame = result.to_frame()
    assert list(frame["start"]) == [0, 1, 2, 3]
    assert {"fval", "fval0", "n_fev", "n_grad", "time_s", "status", "message", "x0_k", "x_k"} <= set(frame.columns)
    # every start ran the optimiser; scipy's own flag may say "not converged" when the line search
    # meets the objective's solver-tolerance noise below gtol 1e-10 (the values above are the test)
    assert (frame["n_grad"] > 0).all() and frame["status"].isin(["converged", "not-converged"]).all()


def test_starts_do_not_depend_on_worker_count(nonlinear):
    obj = PetabObjective(nonlinear)
    serial = multistart(obj, 3, seed=11, options=TIGHT, n_workers=1)
    parallel = multistart(obj, 3, seed=11, options=TIGHT, n_workers=2)
    # same seeded points and the same deterministic optimiser: identical to the last bit
    for a, b in zip(serial.starts, parallel.starts):
        assert a.x0 == b.x0 and a.x == b.x and a.fval == b.fval


def test_start_points_depend_on_seed_and_index_only(nonlinear):
    obj = PetabObjective(nonlinear)
    few = multistart(obj, 2, seed=5, options={"maxiter": 1})
    more = multistart(obj, 4, seed=5, options={"maxiter": 1})
    assert [s.x0 for s in few.starts] == [s.x0 for s in more.starts[:2]]
    x0 = np.array([s.x0 for s in more.starts])
    assert np.all(x0 >= obj.lb) and np.all(x0 <= obj.ub)
    assert len({s.x0 for s in more.starts}) == 4


def test_indices_run_a_part_of_the_design(nonlinear):
    obj = PetabObjective(nonlinear)
    whole = multistart(obj, 4, seed=5, options={"maxiter": 3})
    part = multistart(obj, 4, seed=5, options={"maxiter": 3}, indices=[3, 1])
    assert [s.start for s in part.starts] == [1, 3]
    for s in part.starts:
        w = whole.starts[s.start]
        assert s.x0 == w.x0 and s.x == w.x and s.fval == w.fval
    with pytest.raises(ValidationError, match="indices"):
        multistart(obj, 4, seed=5, indices=[4])


def test_resume_skips_finished_starts(nonlinear, tmp_path):
    obj = PetabObjective(nonlinear)
    store = tmp_path / "fit"
    first = multistart(obj, 3, seed=7, store=store)
    files = sorted((store / "starts").glob("start_*.json"))
    assert len(files) == 3
    mtimes = {f.name: f.stat().st_mtime_ns for f in files}

    # the same request again: nothing is evaluated
    count = obj.n_evaluations
    again = multistart(obj, 3, seed=7, store=store)
    assert obj.n_evaluations == count
    assert again.starts == first.starts and again.resumed == (0, 1, 2)

    # more starts: only the new ones run; the old files are untouched and read back identically
    seen = []
    more = multistart(obj, 5, seed=7, store=store, progress=lambda n, total, rec: seen.append(rec and rec.start))
    assert seen == [None, 3, 4]
    assert more.starts[:3] == first.starts
    assert {f.name: f.stat().st_mtime_ns for f in files} == mtimes
    assert load_multistart(store).starts == more.starts


def test_killed_run_keeps_finished_starts(nonlinear, tmp_path):
    store = tmp_path / "killed"
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(
        """
        import os, sys
        from her2sim.calibration import PetabObjective
        from her2sim.calibration.fit import multistart

        def die_after_two(n_done, n_total, record):
            if record is not None and n_done == 2:
                os._exit(9)  # a kill: no clean-up, no exception handling

        multistart(PetabObjective(sys.argv[1]), 4, seed=13, store=sys.argv[2], progress=die_after_two)
        """
    ))
    proc = subprocess.run([sys.executable, str(script), str(nonlinear), str(store)], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    kept = sorted(p.name for p in (store / "starts").glob("start_*.json"))
    assert kept == ["start_000000.json", "start_000001.json"]
    # a write interrupted by the kill leaves only a hidden temporary file, which is ignored
    (store / "starts" / ".start_000002.json.999.tmp").write_text('{"start": 2, "trunc')
    mtimes = {p: (store / "starts" / p).stat().st_mtime_ns for p in kept}

    obj = PetabObjective(nonlinear)
    resumed = multistart(obj, 4, seed=13, store=store)
    assert resumed.resumed == (0, 1)
    assert {p: (store / "starts" / p).stat().st_mtime_ns for p in kept} == mtimes
    fresh = multistart(obj, 4, seed=13)
    assert [s.x for s in resumed.starts] == [s.x for s in fresh.starts]


def test_store_refuses_other_settings(nonlinear, linear, tmp_path):
    store = tmp_path / "fit"
    multistart(PetabObjective(nonlinear), 1, seed=1, store=store, options={"maxiter": 2})
    with pytest.raises(ValidationError, match="seed: stored 1, now 2"):
        multistart(PetabObjective(nonlinear), 1, seed=2, store=store, options={"maxiter": 2})
    with pytest.raises(ValidationError, match="method"):
        multistart(PetabObjective(nonlinear), 1, seed=1, store=store, method="TNC")
    with pytest.raises(ValidationError, match="problem_sha256"):
        multistart(PetabObjective(linear), 1, seed=1, store=store, options={"maxiter": 2})


def test_bad_arguments_name_the_argument(nonlinear):
    obj = PetabObjective(nonlinear)
    with pytest.raises(UnknownNameError, match=r"method='LBFGSB'.*Did you mean 'L-BFGS-B'"):
        multistart(obj, 2, seed=0, method="LBFGSB")
    with pytest.raises(UnknownNameError, match=r"sampling='uniforme'.*Did you mean 'uniform'"):
        multistart(obj, 2, seed=0, sampling="uniforme")
    with pytest.raises(ValidationError, match="n_starts=0"):
        multistart(obj, 0, seed=0)
    with pytest.raises(ValidationError, match="tolerance"):
        fraction_reaching([1.0], 0.0, tolerance=-1)


def test_failed_start_is_data(nonlinear):
    class Failing:  # an objective that cannot simulate anywhere
        def __init__(self, obj):
            self.x_ids, self.lb, self.ub, self.x_nominal = obj.x_ids, obj.lb, obj.ub, obj.x_nominal

        def __call__(self, x):
            return math.inf

        def value_and_gradient(self, x):
            return math.inf, np.full(len(self.x_ids), np.nan)

    result = multistart(Failing(PetabObjective(nonlinear)), 2, seed=0)
    assert [s.status for s in result.starts] == ["failed", "failed"]
    assert np.all(np.isinf(result.fvals))
    assert result.fraction_reaching(0.0) == 0.0

    class NoGradient(Failing):  # finite values, but the gradient (e.g. sensitivities) fails
        def __init__(self, obj):
            super().__init__(obj)
            self._obj = obj

        def __call__(self, x):
            return self._obj(x)

    result = multistart(NoGradient(PetabObjective(nonlinear)), 1, seed=0)
    start = result.starts[0]
    assert start.status == "failed" and "gradient evaluations not finite" in start.message
    assert np.isfinite(start.fval) and start.x == start.x0  # kept where it started, not "converged"


def test_latin_hypercube_is_stratified(nonlinear):
    obj = PetabObjective(nonlinear)
    n = 6
    result = multistart(obj, n, seed=2, sampling="latin-hypercube", options={"maxiter": 1})
    x0 = np.array([s.x0 for s in result.starts])
    # one point per 1/n stratum of every coordinate (definition of a Latin hypercube)
    strata = np.floor((x0 - obj.lb) / (obj.ub - obj.lb) * n).astype(int)
    for j in range(obj.dim):
        assert sorted(strata[:, j]) == list(range(n))


def test_nominal_jitter_starts_at_nominal_then_around_it(nonlinear):
    """Start 0 is the nominal point exactly; the others are nominal + jitter·N(0, 1), clipped into the
    bounds (oracle: the definition; with 200 coordinates drawn, their SD is jitter within 25 %)."""
    obj = PetabObjective(nonlinear)
    result = multistart(obj, 3, seed=4, sampling="nominal-jitter", jitter=0.05, options={"maxiter": 1})
    x0 = np.array([s.x0 for s in result.starts])
    np.testing.assert_array_equal(x0[0], np.clip(obj.x_nominal, obj.lb, obj.ub))
    assert np.all(x0 >= obj.lb) and np.all(x0 <= obj.ub) and not np.array_equal(x0[1], x0[2])
    assert result.settings["jitter"] == 0.05
    from her2sim.calibration.fit import sample_starts

    lb, ub = np.full(200, -10.0), np.full(200, 10.0)
    pts = sample_starts(lb, ub, [1, 2], seed=0, sampling="nominal-jitter", center=np.zeros(200), jitter=0.1)
    assert 0.075 < float(np.std(pts)) < 0.125
    with pytest.raises(ValidationError, match="center"):
        sample_starts(lb, ub, [0], seed=0, sampling="nominal-jitter")
    with pytest.raises(ValidationError, match="jitter"):
        sample_starts(lb, ub, [0], seed=0, sampling="nominal-jitter", center=np.zeros(200), jitter=-1.0)


def test_parameter_table_round_trip(nonlinear, oracle, tmp_path):
    obj = PetabObjective(nonlinear)
    result = multistart(obj, 2, seed=3, options=TIGHT)
    folder = tmp_path / "refit"
    folder.mkdir()
    for name in ("model.xml", "conditions.tsv", "observables.tsv", "measurements.tsv", "problem.yaml"):
        (folder / name).write_bytes((nonlinear.parent / name).read_bytes())
    written = write_parameter_table(obj.problem, result.x_best, folder / "parameters.tsv")
    original = pd.read_csv(nonlinear.parent / "parameters.tsv", sep="\t", dtype=str, keep_default_na=False)
    again = pd.read_csv(folder / "parameters.tsv", sep="\t", dtype=str, keep_default_na=False)
    others = [c for c in original.columns if c != "nominalValue"]
    pd.testing.assert_frame_equal(original[others], again[others])  # every other column as written
    linear = obj.to_linear(result.x_best)
    for k, v in linear.items():
        assert float(written.loc[k, "nominalValue"]) == v  # repr round-trips exactly
    # the refitted problem's nominal objective is the fit's best value (same simulations)
    refit = PetabObjective(folder / "problem.yaml")
    assert refit(refit.x_nominal) == pytest.approx(result.fval_best, abs=1e-9)


def test_waterfall_plot(nonlinear):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = multistart(PetabObjective(nonlinear), 3, seed=3)
    ax = plot_waterfall(result, reference=result.fval_best + 0.5, reference_label="reference")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(label.startswith("reference") for label in labels)
    assert "3 of 3 starts within 0.1" in ax.get_title()
    plt.close(ax.figure)


# ============================================================================ profiles


@pytest.fixture(scope="module")
def linear_optimum(linear, data):
    """Closed-form least squares of the linear problem and Wald standard errors."""
    J = np.column_stack([np.exp(-K_TRUE * TIMES), np.ones_like(TIMES)])
    theta, *_ = np.linalg.lstsq(J, data, rcond=None)
    se = np.sqrt(np.diag(SIGMA**2 * np.linalg.inv(J.T @ J)))
    return theta, se


def test_profile_matches_wald_interval_and_flags_unused_parameter(linear, linear_optimum, tmp_path):
    theta, se = linear_optimum
    obj = PetabObjective(linear)
    x_opt = obj.from_linear({"scale": theta[0], "offset": theta[1], "k_unused": 1.0})
    result = profile_likelihood(obj, x_opt, store=tmp_path / "profile", options={"gtol": 1e-10, "ftol": 1e-14})
    assert result.threshold == pytest.approx(0.5 * chi2.ppf(0.95, 1), rel=1e-12)
    table = result.summary().set_index("parameter")
    half = math.sqrt(chi2.ppf(0.95, 1)) * se
    # linear-Gaussian: the profile is exactly quadratic and its interval is the Wald interval.
    # The crossing is located to |PL - f - Δ| <= 1e-3 (ci_tolerance), i.e. to
    # 1e-3 / (2Δ) ≈ 2.6e-4 of the half-width; assert 1e-3 of it.
    for j, name in enumerate(("scale", "offset")):
        assert table.loc[name, "identifiability"] == "identifiable"
        assert table.loc[name, "ci_lower"] == pytest.approx(theta[j] - half[j], abs=1e-3 * half[j])
        assert table.loc[name, "ci_upper"] == pytest.approx(theta[j] + half[j], abs=1e-3 * half[j])
        assert not table.loc[name, "better_optimum"]
    assert table.loc["k_unused", "identifiability"] == "structurally non-identifiable (flat)"
    assert (table.loc["k_unused", "lower_end"], table.loc["k_unused", "upper_end"]) == ("bound", "bound")
    assert np.isnan(table.loc["k_unused", "ci_lower"]) and np.isnan(table.loc["k_unused", "ci_upper"])

    # resumable: a second call reads the three files back and evaluates nothing
    count = obj.n_evaluations
    again = profile_likelihood(obj, x_opt, store=tmp_path / "profile", options={"gtol": 1e-10, "ftol": 1e-14})
    assert obj.n_evaluations == count
    pd.testing.assert_frame_equal(again.summary(), result.summary())
    pd.testing.assert_frame_equal(load_profiles(tmp_path / "profile").summary(), result.summary())
    with pytest.raises(ValidationError, match="confidence"):
        profile_likelihood(obj, x_opt, store=tmp_path / "profile", confidence=0.9)


def test_profile_reaching_a_bound_is_practically_non_identifiable(linear, linear_optimum):
    theta, se = linear_optimum
    obj = PetabObjective(linear)
    # put the offset optimum 1 SE from its upper bound: that side cannot cross Δ = 1.92
    # (a rise of 0.5 at one SE), the other side can
    x_opt = obj.from_linear({"scale": theta[0], "offset": theta[1], "k_unused": 1.0})
    bounded = _Shifted(obj, "offset", upper=theta[1] + se[1])
    result = profile_likelihood(bounded, x_opt, parameters=["offset"])
    p = result["offset"]
    assert (p.lower_end, p.upper_end) == ("crossed", "bound")
    assert p.identifiability == "practically non-identifiable"
    with pytest.raises(UnknownNameError, match="Did you mean 'offset'"):
        profile_likelihood(obj, x_opt, parameters=["ofset"])


class _Shifted:
    """An objective with one upper bound moved (the model is unchanged)."""

    def __init__(self, obj, name, upper):
        self._obj = obj
        self.x_ids, self.x_scales = obj.x_ids, obj.x_scales
        self.lb = obj.lb.copy()
        self.ub = obj.ub.copy()
        self.ub[obj.x_ids.index(name)] = upper

    def __call__(self, x):
        return self._obj(x)

    def value_and_gradient(self, x):
        return self._obj.value_and_gradient(x)


# ============================================================================ CLI


def test_cli_fit_and_profile(nonlinear, tmp_path):
    from typer.testing import CliRunner

    from her2sim.cli import app

    runner = CliRunner()
    out = tmp_path / "fit"
    res = runner.invoke(app, ["fit", str(nonlinear), "--starts", "3", "--seed", "1", "--out", str(out)])
    assert res.exit_code == 0, res.output
    for name in ("manifest.json", "starts.csv", "waterfall.png", "best_parameters.tsv"):
        assert (out / name).is_file(), name
    assert len(pd.read_csv(out / "starts.csv")) == 3
    assert "fraction of starts reaching it" in res.output
    # resumed: nothing new to run
    res = runner.invoke(app, ["fit", str(nonlinear), "--starts", "3", "--seed", "1", "--out", str(out)])
    assert res.exit_code == 0 and "3 resumed" in res.output
    pout = tmp_path / "profile"
    res = runner.invoke(app, ["profile", str(nonlinear), "--fit", str(out), "--out", str(pout),
                              "--parameters", "scale,offset"])
    assert res.exit_code == 0, res.output
    summary = pd.read_csv(pout / "profiles.csv")
    assert list(summary["parameter"]) == ["scale", "offset"]
    assert (summary["identifiability"] == "identifiable").all()
    assert (pout / "profiles.png").is_file()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["settings"]["problem_file"] == "problem.yaml"  # a file name, never a machine path


# ============================================================================ Fujita 2010


def _fujita(peer_models: Path) -> Path:
    return peer_models / "petab" / "Fujita_SciSignal2010" / "Fujita_SciSignal2010.yaml"


def test_fujita_objective_at_nominal(peer_models):
    problem = load_petab(_fujita(peer_models))
    obj = PetabObjective(problem)
    # oracle: negative_log_likelihood, which test_petab.py checks against the collection's stated
    # value (within 0.05); here only the log10 round trip of the parameters differs (last bits),
    # which can change the solver's step sequence: differences are at the solver tolerance
    # (rtol 1e-8; 5e-8 relative measured), so 1e-6 relative
    assert obj(obj.x_nominal) == pytest.approx(negative_log_likelihood(problem, include_priors=True), rel=1e-6)


@pytest.mark.slow
def test_fujita_multistart_reaches_reference_optimum(peer_models):
    obj = PetabObjective(_fujita(peer_models))
    f_nominal = obj(obj.x_nominal)
    # Starts are drawn within one decade of the collection's optimum (a factor 10 either way on
    # every parameter). From the full 16-decade box most starts land on a plateau where all
    # observables are ~0 and the gradient vanishes, so only a minority reach the optimum
    # (measured with 100 starts, reported with the issue). A start that does costs ~500
    # gradient evaluations (30-60 s), so two seeded starts on two workers fit the 3-minute budget.
    box = (np.maximum(obj.x_nominal - 1.0, obj.lb), np.minimum(obj.x_nominal + 1.0, obj.ub))
    result = multistart(obj, FUJITA_STARTS, seed=FUJITA_SEED, n_workers=2, start_bounds=box)
    # reaching the optimum: f <= f_nominal + 0.1 (DEFAULT_TOLERANCE, ~5 % of the 1.92
    # likelihood-ratio threshold; 10x the 0.008 integration difference to the reference tool)
    assert result.fval_best <= f_nominal + DEFAULT_TOLERANCE, result.to_frame(parameters=False).to_string()
    assert result.fraction_reaching(f_nominal) > 0


FUJITA_STARTS, FUJITA_SEED = 2, 0


@pytest.mark.slow
def test_fujita_full_box_start_reaches_reference_optimum(peer_models):
    """One start of the full-box (16 decades per parameter) multi-start reported with the issue.

    The fit of record: 200 uniform starts over the whole box, seed 1, fides with the Fisher
    information (300 iterations) then L-BFGS-B, scalings analytic, at most 50,000 solver steps
    per simulation. Start 26 of that design is one that reached the optimum; it is rerun alone
    here (``indices``: its point depends on the seed and its index only).
    """
    from her2sim.calibration import HierarchicalObjective

    full = PetabObjective(_fujita(peer_models), max_steps=50_000)
    f_nominal = full(full.x_nominal)
    obj = HierarchicalObjective(PetabObjective(_fujita(peer_models), max_steps=50_000))
    result = multistart(obj, 200, seed=1, method="fides", options={"maxiter": 300, "polish": "L-BFGS-B"},
                        indices=[26])
    best = result.best
    # the starting point is far from the optimum (start values 10^±8 apart from it) ...
    assert np.max(np.abs(np.asarray(best.x0) - full.x_nominal)) > 3.0
    # ... and the fit ends at least as low as the collection's optimum (f_nominal; the
    # collection states -53.092, her2sim's integration of the same point gives -53.084)
    assert best.fval <= f_nominal + DEFAULT_TOLERANCE, result.to_frame(parameters=False).to_string()
    # a full parameter vector of the problem: the plain objective there is the reported value
    assert full(np.asarray(best.x)) == pytest.approx(best.fval, abs=1e-6)
