"""Censored (one-sided) measurements in the PEtab likelihood (issue #14 item 1).

Oracles: the closed-form likelihood of a toy problem (``dA/dt = −k·A``, so ``y(t) = s·e^{−kt}``)
with ``scipy.stats.norm`` for Φ; the closed-form gradient; central finite differences of the
objective; the PEtab linter (``petab.v1.lint_problem``) on a table with the extension columns.
Tolerances: the solver's rtol 1e-8 makes simulated values exact to ~1e-7 relative, so values are
compared at 1e-6 relative and gradients at 1e-4 relative (the adjoint's backward pass runs at
10 × rtol; finite differences with step 1e-5 have truncation error ~1e-9).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm

import her2sim as hs
from her2sim.calibration import PetabObjective
from her2sim.calibration.censored import censored_rows, probit_nllh
from her2sim.errors import UnknownNameError, UnsupportedFeatureError, ValidationError
from her2sim.io.petab import load_petab

SIGMA_Y = 0.1
CENSOR_SIGMA = 0.05


def _write(folder: Path, measurement_rows: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    model = hs.Model(
        "decay",
        compartments=(hs.Compartment("cell", 1.0),),
        species=(hs.Species("A", "cell", 1.0),),
        parameters=(hs.Parameter("k", 0.3),),
        reactions=(hs.Reaction("degradation", (("A", 1),), (), hs.model.parse("k*A")),),
        time_units="minute",
    )
    hs.write_sbml(model, folder / "model.xml")
    (folder / "conditions.tsv").write_text("conditionId\tconditionName\nc0\tc0\n")
    (folder / "observables.tsv").write_text(
        "observableId\tobservableFormula\tnoiseFormula\tobservableTransformation\tnoiseDistribution\n"
        "y\tscale * A\tnoiseParameter1_y\tlin\tnormal\n")
    head = "observableId\tsimulationConditionId\tmeasurement\ttime\tnoiseParameters\t" \
           "her2simCensoring\ther2simRowId\ther2simConstraint"
    (folder / "measurements.tsv").write_text("\n".join([head, *measurement_rows]) + "\n")
    (folder / "parameters.tsv").write_text(
        "parameterId\tparameterScale\tlowerBound\tupperBound\tnominalValue\testimate\n"
        "k\tlog10\t0.01\t10\t0.3\t1\nscale\tlin\t0.1\t10\t1.0\t1\n")
    (folder / "problem.yaml").write_text(
        "format_version: 1\nparameter_file: parameters.tsv\nproblems:\n"
        "- condition_files: [conditions.tsv]\n  measurement_files: [measurements.tsv]\n"
        "  observable_files: [observables.tsv]\n  sbml_files: [model.xml]\n")
    return folder / "problem.yaml"


ROWS = [
    f"y\tc0\t0.5\t1.0\t{SIGMA_Y}\t\t\t",                      # ordinary: y(1) = 0.5 ± 0.1
    "y\tc0\t0.0\t2.0\t1.0\tauxiliary\ta2\t",                  # read by the constraint only
    "y\tc0\t0.0\t4.0\t1.0\tauxiliary\ta4\t",
    f"y\tc0\t0.3\t3.0\t{CENSOR_SIGMA}\tlower\t\t",             # y(3) ≥ 0.3
    f"y\tc0\t0.1\t2.0\t{CENSOR_SIGMA}\tupper\t\ta2 - 2 * a4",  # y(2) − 2 y(4) ≤ 0.1
    f"y\tc0\t1.0\t2.0\t{CENSOR_SIGMA}\tlower\t\tmin(a2, a4) / a2 * 2",  # 2 y(4)/y(2) ≥ 1 (min: a4)
]


def _closed_form(k: float, s: float, fim: bool = False):
    """Value and gradient (and Gauss-Newton information) on (log10 k, scale) of the toy's objective."""
    y = {t: s * math.exp(-k * t) for t in (1.0, 2.0, 3.0, 4.0)}
    dk = {t: -t * y[t] for t in y}          # ∂y/∂k
    ds = {t: y[t] / s for t in y}          # ∂y/∂s
    value = 0.5 * math.log(2 * math.pi * SIGMA_Y**2) + 0.5 * ((0.5 - y[1.0]) / SIGMA_Y) ** 2
    g = -(0.5 - y[1.0]) / SIGMA_Y**2 * np.array([dk[1.0], ds[1.0]])
    chain = np.array([k * math.log(10.0), 1.0])  # d(k, s)/d(log10 k, s)
    info = np.outer(np.array([dk[1.0], ds[1.0]]) * chain, np.array([dk[1.0], ds[1.0]]) * chain) / SIGMA_Y**2
    terms = [  # (sign, F, dF/dk, dF/ds, c)
        (1.0, y[3.0], dk[3.0], ds[3.0], 0.3),
        (-1.0, y[2.0] - 2 * y[4.0], dk[2.0] - 2 * dk[4.0], ds[2.0] - 2 * ds[4.0], 0.1),
        (1.0, 2 * y[4.0] / y[2.0], 2 * (dk[4.0] * y[2.0] - y[4.0] * dk[2.0]) / y[2.0] ** 2, 0.0, 1.0),
    ]
    for sign, f, fk, fs, c in terms:
        z = sign * (f - c) / CENSOR_SIGMA
        value -= norm.logcdf(z)
        w = -norm.pdf(z) / norm.cdf(z) * sign / CENSOR_SIGMA
        g += w * np.array([fk, fs])
        lam = norm.pdf(z) / norm.cdf(z)  # d²/dz² −log Φ = λ (λ + z)
        gf = np.array([fk, fs]) * chain
        info += lam * (lam + z) / CENSOR_SIGMA**2 * np.outer(gf, gf)
    g[0] *= k * math.log(10.0)  # on log10 k
    return (value, g, info) if fim else (value, g)


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Path:
    return _write(tmp_path_factory.mktemp("censored"), ROWS)


def test_probit_term_matches_scipy():
    z = np.array([-40.0, -5.0, -1.0, 0.0, 1.0, 8.0, 40.0])
    value, dz = probit_nllh(z)
    np.testing.assert_allclose(value, -norm.logcdf(z), rtol=1e-12, atol=1e-300)
    # d/dz −log Φ = −φ/Φ; far in the lower tail it tends to z (Mills ratio), no overflow
    with np.errstate(under="ignore"):
        ratio = -np.exp(norm.logpdf(z) - norm.logcdf(z))
    np.testing.assert_allclose(dz, ratio, rtol=1e-10, atol=1e-300)
    assert dz[0] == pytest.approx(-40.025, rel=1e-3)


@pytest.mark.parametrize("k, s", [(0.3, 1.0), (0.15, 0.8), (0.6, 1.3)])
def test_value_matches_closed_form(toy, k, s):
    obj = PetabObjective(toy, rtol=1e-10, atol=1e-12, include_priors=False)
    x = np.array([math.log10(k), s])
    assert obj(x) == pytest.approx(_closed_form(k, s)[0], rel=1e-6)


@pytest.mark.parametrize("method", ["forward", "adjoint"])
@pytest.mark.parametrize("k, s", [(0.3, 1.0), (0.6, 1.3)])
def test_gradient_matches_closed_form_and_finite_differences(toy, method, k, s):
    obj = PetabObjective(toy, rtol=1e-10, atol=1e-12, include_priors=False, gradient=method)
    x = np.array([math.log10(k), s])
    value, grad = obj.value_and_gradient(x)
    ref_value, ref_grad = _closed_form(k, s)
    assert value == pytest.approx(ref_value, rel=1e-6)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-4, atol=1e-6)
    fd = PetabObjective(toy, rtol=1e-10, atol=1e-12, include_priors=False, gradient="finite-differences")
    np.testing.assert_allclose(grad, fd.value_and_gradient(x)[1], rtol=1e-4, atol=1e-6)


def test_censored_term_is_small_when_met_and_grows_when_violated(toy):
    """One-sidedness: the lower bound y(3) ≥ 0.3 costs ~0 at y(3) = 0.9, ≈ z²/2 when violated by z σ."""
    obj = PetabObjective(toy, rtol=1e-10, atol=1e-12, include_priors=False)
    rows = censored_rows(obj.problem)
    assert rows is not None and rows.n_constraints == 3 and rows.plain.tolist() == [True] + [False] * 5
    met, _ = probit_nllh(np.array([(0.9 - 0.3) / CENSOR_SIGMA]))
    violated, _ = probit_nllh(np.array([-3.0]))
    assert met[0] < 1e-12 and violated[0] == pytest.approx(-norm.logcdf(-3.0))


def test_extension_columns_are_lint_clean(toy):
    petab = pytest.importorskip("petab.v1")
    problem = petab.Problem.from_yaml(str(toy))  # a plain PEtab reader loads the problem
    assert not petab.lint_problem(problem)
    assert "her2simCensoring" in problem.measurement_df.columns


def test_least_squares_refuses_censored_rows(toy):
    obj = PetabObjective(toy, include_priors=False)
    with pytest.raises(UnsupportedFeatureError, match="censored"):
        obj.residuals_and_jacobian(obj.x_nominal)


@pytest.mark.parametrize("row, error, match", [
    (f"y\tc0\t0.3\t3.0\t{CENSOR_SIGMA}\tabove\t\t", UnknownNameError, "lower"),
    (f"y\tc0\t0.3\t3.0\t{CENSOR_SIGMA}\tlower\t\ta2 - a9", UnknownNameError, "a9"),
    (f"y\tc0\t0.3\t3.0\t{CENSOR_SIGMA}\t\t\ta2 - a4", ValidationError, "her2simCensoring"),
    (f"y\tc0\t0.3\t3.0\t{CENSOR_SIGMA}\tauxiliary\ta2\t", ValidationError, "a2"),
])
def test_bad_censoring_declarations_are_named(tmp_path, row, error, match):
    yaml_path = _write(tmp_path, ROWS + [row])
    problem = load_petab(yaml_path)
    with pytest.raises(error, match=match):
        censored_rows(problem)


def test_fisher_information_counts_censored_curvature_and_skips_auxiliary_rows(toy):
    """Gauss-Newton information (fides' default Hessian, the plausible population's proposal):
    ordinary rows ∇y∇yᵀ/σ², censored rows λ(λ + z)/σ² ∇F∇Fᵀ, auxiliary rows nothing (closed form)."""
    obj = PetabObjective(toy, rtol=1e-10, atol=1e-12, include_priors=False, gradient="forward")
    x = np.array([math.log10(0.3), 1.0])
    _, _, info = obj.value_gradient_fim(x)
    np.testing.assert_allclose(info, _closed_form(0.3, 1.0, fim=True)[2], rtol=1e-5)
