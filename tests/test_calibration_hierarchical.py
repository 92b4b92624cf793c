"""Analytic (hierarchical) scalings and the fides trust-region optimiser.

Oracles:

* a PEtab problem written here — ``dA/dt = -k·A``, ``A(0) = 1`` (so ``A = exp(-k t)``), with
  - ``y_lin = s_lin · A`` (normal noise, untransformed): ``s* = Σ h m / Σ h²`` in closed form;
  - ``y_log = s_log · A`` (normal noise on log10): ``log10 s* = mean(log10 m − log10 h)``;
  - ``y_off = s_off · A + offset`` (not a pure scaling: must stay numeric);
  - ``y_sd = A`` with noise parameter ``s_sd`` (a noise parameter: must stay numeric);
  and, as an independent check of the closed forms, scipy's bounded scalar minimiser of the full
  objective in each scaling with everything else fixed;
* central differences of the hierarchical objective for its gradient;
* the Fisher information against ``JᵀJ`` of :meth:`PetabObjective.residuals_and_jacobian`;
* Fujita 2010: the full objective at the resolved point equals the hierarchical value, which is
  not above the full objective at the nominal point (a minimum over the scalings).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from her2sim.calibration import HierarchicalObjective, PetabObjective, analytic_scalings, multistart
from her2sim.calibration.fit import load_multistart
from her2sim.errors import UnknownNameError, ValidationError
from test_calibration_fit import write_decay_problem

pytest.importorskip("petab.v1")

K, S_LIN, S_LOG, S_OFF, OFFSET, SIGMA, SIGMA_LOG = 0.5, 3.0, 0.02, 1.5, 0.2, 0.05, 0.04
TIMES = np.linspace(0.5, 6.0, 12)


def _write(folder: Path, rng: np.random.Generator, *, s_lin_bounds=(1e-3, 1e3)) -> Path:
    # the decay model of test_calibration_fit; k is estimated, so its nominal here (K) is the one used
    a = np.exp(-K * TIMES)
    lines = ["observableId\tsimulationConditionId\tmeasurement\ttime\tobservableParameters\tnoiseParameters"]
    for t, v in zip(TIMES.tolist(), S_LIN * a + SIGMA * rng.standard_normal(a.size)):
        lines.append(f"y_lin\tc0\t{float(v)!r}\t{t!r}\ts_lin\t{SIGMA}")
    for t, v in zip(TIMES.tolist(), S_LOG * a * 10 ** (SIGMA_LOG * rng.standard_normal(a.size))):
        lines.append(f"y_log\tc0\t{float(v)!r}\t{t!r}\ts_log\t{SIGMA_LOG}")
    for t, v in zip(TIMES.tolist(), S_OFF * a + OFFSET + SIGMA * rng.standard_normal(a.size)):
        lines.append(f"y_off\tc0\t{float(v)!r}\t{t!r}\ts_off\t{SIGMA}")
    for t, v in zip(TIMES.tolist(), a + SIGMA * rng.standard_normal(a.size)):
        lines.append(f"y_sd\tc0\t{float(v)!r}\t{t!r}\t\ts_sd")
    rows = [
        ("k", "log10", 1e-2, 1e1, K),
        ("s_lin", "log10", *s_lin_bounds, 1.0),
        ("s_log", "log10", 1e-4, 1e2, 1.0),
        ("s_off", "log10", 1e-2, 1e2, 1.0),
        ("offset", "lin", -2.0, 2.0, 0.0),
        ("s_sd", "log10", 1e-3, 1e1, 0.1),
    ]
    table = ["parameterId\tparameterScale\tlowerBound\tupperBound\tnominalValue\testimate"]
    table += ["\t".join(str(v) for v in r) + "\t1" for r in rows]
    observables = (
        "y_lin\tobservableParameter1_y_lin * A\tnoiseParameter1_y_lin\tlin\tnormal\n"
        "y_log\tA * observableParameter1_y_log\tnoiseParameter1_y_log\tlog10\tnormal\n"
        "y_off\tobservableParameter1_y_off * A + offset\tnoiseParameter1_y_off\tlin\tnormal\n"
        "y_sd\tA\tnoiseParameter1_y_sd\tlin\tnormal\n"
    )
    return write_decay_problem(folder, observables, lines, table)


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Path:
    return _write(tmp_path_factory.mktemp("hier"), np.random.default_rng(11))


@pytest.fixture(scope="module")
def tight_objective(toy) -> PetabObjective:
    return PetabObjective(toy, rtol=1e-11, atol=1e-14)


def _data(obj: PetabObjective, oid: str) -> np.ndarray:
    m = obj.problem.measurements
    return np.asarray(m.loc[m["observableId"] == oid, "measurement"], dtype=float)


def test_detection_keeps_offsets_noise_and_model_parameters_numeric(toy):
    obj = PetabObjective(toy)
    # s_off shares its observable with an offset; s_sd is a noise parameter; k is in the model
    assert analytic_scalings(obj.problem) == {"s_lin": "lin", "s_log": "log10"}
    h = HierarchicalObjective(obj)
    assert h.analytic_ids == ("s_lin", "s_log")
    with pytest.raises(UnknownNameError, match="s_of"):
        HierarchicalObjective(obj, analytic=["s_of"])


def test_closed_forms_and_independent_inner_minimisation(tight_objective):
    obj = tight_objective
    h = HierarchicalObjective(obj)
    x = obj.from_linear({"k": 0.4, "s_lin": 1.0, "s_log": 1.0, "s_off": 1.2, "offset": 0.1, "s_sd": 0.07})
    a = np.exp(-0.4 * TIMES)
    m_lin, m_log = _data(obj, "y_lin"), _data(obj, "y_log")
    s_lin = float(a @ m_lin / (a @ a))
    s_log = 10 ** float(np.mean(np.log10(m_log) - np.log10(a)))
    xr = h.resolve(x)
    got = obj.to_linear(xr)
    # closed forms on the analytic solution; 1e-8 relative covers the solver at rtol 1e-11
    assert got["s_lin"] == pytest.approx(s_lin, rel=1e-8)
    assert got["s_log"] == pytest.approx(s_log, rel=1e-8)
    # the other entries are untouched
    for k in ("k", "s_off", "offset", "s_sd"):
        assert got[k] == pytest.approx(obj.to_linear(x)[k], rel=1e-15)
    # value: the full objective at the resolved point ...
    assert h(x) == pytest.approx(obj(xr), abs=1e-9)
    # ... which an independent bounded 1-D minimiser of the full objective cannot beat
    for name in ("s_lin", "s_log"):
        i = obj.x_ids.index(name)

        def f(v, i=i):
            z = xr.copy()
            z[i] = v
            return obj(z)

        res = minimize_scalar(f, bounds=(obj.lb[i], obj.ub[i]), method="bounded", options={"xatol": 1e-10})
        assert res.x == pytest.approx(xr[i], abs=1e-5)  # log10 units
        assert res.fun >= obj(xr) - 1e-9


def test_bounds_clip_the_closed_form(tmp_path):
    # s* ≈ 3 lies above the upper bound 2: the convex 1-D objective is minimal at the bound
    obj = PetabObjective(_write(tmp_path, np.random.default_rng(11), s_lin_bounds=(1e-3, 2.0)), rtol=1e-11, atol=1e-14)
    h = HierarchicalObjective(obj)
    xr = h.resolve(obj.x_nominal)
    assert obj.to_linear(xr)["s_lin"] == pytest.approx(2.0, rel=1e-12)
    assert h(obj.x_nominal) == pytest.approx(obj(xr), abs=1e-9)


def test_gradient_matches_central_differences(tight_objective):
    obj = tight_objective
    h = HierarchicalObjective(obj)
    x = obj.from_linear({"k": 0.7, "s_off": 2.0, "offset": 0.05, "s_sd": 0.2})
    f, g = h.value_and_gradient(x)
    # forward-sensitivity and value-only runs take different steps (the error test covers the
    # sensitivities): 1e-6 absolute on a value of ~100 at rtol 1e-11
    assert f == pytest.approx(h(x), abs=1e-6)
    # ∂F/∂s = 0 exactly for the analytic entries (envelope theorem)
    assert np.all(g[h.analytic_index] == 0.0)
    step = 1e-4
    for i in range(obj.dim):
        if i in h.analytic_index:
            continue
        e = np.zeros(obj.dim)
        e[i] = step
        fd = (h(x + e) - h(x - e)) / (2 * step)
        # central differences: O(step²) ≈ 1e-8 relative truncation, and value noise between
        # runs (≈1e-7 absolute at rtol 1e-11) / step ≈ 1e-3 absolute
        assert g[i] == pytest.approx(fd, rel=1e-4, abs=2e-3), obj.x_ids[i]


def test_fisher_information_is_jtj_of_the_residuals(tmp_path):
    # fixed sigmas (no s_sd): the FIM is exactly J^T J of the weighted residuals
    folder = tmp_path / "fixed"
    path = _write(folder, np.random.default_rng(3))
    text = (folder / "measurements.tsv").read_text().replace("\ts_sd\n", f"\t{SIGMA}\n")
    (folder / "measurements.tsv").write_text(text)
    table = (folder / "parameters.tsv").read_text().splitlines()
    (folder / "parameters.tsv").write_text("\n".join(line for line in table if not line.startswith("s_sd")) + "\n")
    obj = PetabObjective(path, rtol=1e-10, atol=1e-14)
    x = obj.x_nominal + 0.1
    f, g, fim = obj.value_gradient_fim(x)
    r, jac, c = obj.residuals_and_jacobian(x)
    np.testing.assert_allclose(fim, jac.T @ jac, rtol=1e-12, atol=1e-12 * np.abs(fim).max())
    np.testing.assert_allclose(g, jac.T @ r, rtol=1e-10, atol=1e-10 * np.abs(g).max())
    assert f == pytest.approx(0.5 * float(r @ r) + c, rel=1e-12)


@pytest.mark.parametrize("method", ["fides", "L-BFGS-B"])
def test_multistart_with_analytic_scalings_reaches_the_full_optimum(toy, tmp_path, method):
    full = PetabObjective(toy)
    h = HierarchicalObjective(PetabObjective(toy))
    reference = multistart(full, 3, seed=2, method="L-BFGS-B", options={"gtol": 1e-10, "maxiter": 3000})
    store = tmp_path / "store"
    result = multistart(h, 3, seed=2, method=method, store=store)
    # the same optimum as the full problem fitted numerically (0.01 NLL units: far below the
    # 1.92 of a likelihood-ratio interval, above both optimisers' stopping noise)
    assert result.fval_best == pytest.approx(reference.fval_best, abs=1e-2)
    assert result.fval_best <= reference.fval_best + 1e-3 or method == "L-BFGS-B"
    # results are full parameter vectors with the analytic entries resolved: the full objective
    # there is the reported value
    best = result.best
    assert full(np.asarray(best.x)) == pytest.approx(best.fval, abs=1e-6)
    assert result.settings["analytic_parameters"] == ["s_lin", "s_log"]
    assert load_multistart(store).fval_best == result.fval_best


def test_fides_options_are_validated(toy):
    with pytest.raises(UnknownNameError, match="hessian"):
        multistart(PetabObjective(toy), 1, seed=0, method="fides", options={"hessian": "fmi"})
    with pytest.raises(UnknownNameError, match="L-BFGS-B"):
        multistart(PetabObjective(toy), 1, seed=0, method="fides", options={"polish": "LBFGSB"})


@pytest.mark.parametrize("hessian", ["hybrid", "bfgs"])
def test_fides_hessians_and_polish_reach_the_optimum(toy, hessian):
    full = PetabObjective(toy)
    reference = multistart(full, 3, seed=2, method="L-BFGS-B", options={"gtol": 1e-10, "maxiter": 3000})
    h = HierarchicalObjective(PetabObjective(toy))
    result = multistart(h, 3, seed=2, method="fides", options={"hessian": hessian, "maxiter": 30, "polish": "L-BFGS-B"})
    # starts 0 and 1 of seed 2 have k ≈ 6.4 and 3.6 /min: A(6 min) is below the solver's atol,
    # the log10 observable meets A <= 0 and the likelihood is 0 (for the full problem too)
    ran = [s for s in result.starts if s.status != "failed"]
    assert ran and all("then L-BFGS-B" in s.message for s in ran)
    assert all("not finite at the starting point" in s.message for s in result.starts if s.status == "failed")
    # 0.01 NLL units, as above
    assert result.fval_best == pytest.approx(reference.fval_best, abs=1e-2)


def test_no_scaling_is_an_error(tmp_path):
    from test_calibration_fit import _write_toy  # a problem whose only scaling comes with an offset

    path = _write_toy(tmp_path, np.zeros(11), estimate_k=True, k_unused=False)
    with pytest.raises(ValidationError, match="no estimated parameter"):
        HierarchicalObjective(PetabObjective(path))


def test_fujita_resolved_point_is_the_minimum_over_scalings(peer_models):
    path = peer_models / "petab" / "Fujita_SciSignal2010" / "Fujita_SciSignal2010.yaml"
    obj = PetabObjective(path)
    h = HierarchicalObjective(obj)
    assert set(h.analytic_ids) == {"scaling_pAkt_tot", "scaling_pEGFR_tot", "scaling_pS6_tot"}
    x = obj.x_nominal
    xr = h.resolve(x)
    # same simulation, same rows: equal to rounding
    assert h(x) == pytest.approx(obj(xr), abs=1e-9)
    # a minimum over the scalings is not above the nominal scalings' value (1e-6: solver noise)
    assert h(x) <= obj(x) + 1e-6
    # the nominal scalings are close to optimal already (the collection's fit): within 0.1 %
    assert np.all(np.abs(10 ** (xr - x)[h.analytic_index] - 1) < 1e-3)
    assert not math.isnan(h.value_and_gradient(x)[0])


def test_cli_fit_with_analytic_scalings_and_profile(toy, tmp_path):
    import json

    import pandas as pd
    from typer.testing import CliRunner

    from her2sim.cli import app

    runner = CliRunner()
    out = tmp_path / "fit"
    args = ["fit", str(toy), "--starts", "3", "--seed", "2", "--method", "fides", "--analytic-scalings",
            "--polish", "L-BFGS-B", "--max-steps", "20000", "--out", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["settings"]["analytic_parameters"] == ["s_lin", "s_log"]
    assert manifest["settings"]["max_steps"] == 20000 and manifest["settings"]["options"]["polish"] == "L-BFGS-B"
    # the written table holds the resolved scalings: the full objective there is the best value
    table = pd.read_csv(out / "best_parameters.tsv", sep="\t").set_index("parameterId")
    obj = PetabObjective(toy, max_steps=20000)
    x = obj.from_linear({k: float(table.loc[k, "nominalValue"]) for k in obj.x_ids})
    starts = pd.read_csv(out / "starts.csv")
    assert obj(x) == pytest.approx(starts["fval"].min(), abs=1e-6)
    # another setting of the analytic scalings is another fit: refused, not mixed
    res = runner.invoke(app, [a for a in args if a != "--analytic-scalings"], env={"COLUMNS": "400"})
    # a her2sim error ends as a message with exit code 2, not a traceback (issue #19)
    assert res.exit_code == 2 and "analytic_parameters" in res.output
    # profiles of a hierarchical fit are computed on the full objective (scalings included)
    pout = tmp_path / "profile"
    res = runner.invoke(app, ["profile", str(toy), "--fit", str(out), "--out", str(pout), "--parameters", "s_lin"])
    assert res.exit_code == 0, res.output
    assert pd.read_csv(pout / "profiles.csv")["identifiability"].iloc[0] == "identifiable"


class _NoFisher:
    """A PetabObjective without value_gradient_fim: what fides may call with hessian='bfgs'."""

    def __init__(self, objective: PetabObjective):
        self._objective = objective
        self.n_value_and_gradient = 0

    def __getattr__(self, name):
        if name == "value_gradient_fim":
            raise AttributeError(name)
        return getattr(self._objective, name)

    def __call__(self, x):
        return self._objective(x)

    def value_and_gradient(self, x):
        self.n_value_and_gradient += 1
        return self._objective.value_and_gradient(x)


def test_fides_bfgs_uses_the_objectives_gradient_not_the_fisher_information(toy):
    # with hessian="bfgs" fides builds its own Hessian: a Fisher-information (forward
    # sensitivity) run per iteration would be thrown away, and on the flagship it costs 100x the
    # adjoint gradient. Oracle: the same optimum as L-BFGS-B on the full objective (0.01 NLL
    # units, as above), reached with value_gradient_fim absent.
    full = PetabObjective(toy)
    reference = multistart(full, 3, seed=2, method="L-BFGS-B", options={"gtol": 1e-10, "maxiter": 3000})
    wrapped = _NoFisher(PetabObjective(toy))
    result = multistart(wrapped, 3, seed=2, method="fides", options={"hessian": "bfgs", "maxiter": 200})
    assert wrapped.n_value_and_gradient > 0
    assert not [s.message for s in result.starts if s.status == "error"]
    assert result.fval_best == pytest.approx(reference.fval_best, abs=1e-2)
    # the Fisher information is still required where it is used
    with pytest.raises(ValidationError, match="value_gradient_fim"):
        multistart(wrapped, 1, seed=0, method="fides", options={"hessian": "hybrid"})
