"""Ensembles of plausible parameter sets (issue #14): storage, version check, bands, plausible population.

Oracles: the toy family's analytic steady state ``K* = a/(a + k_off)`` (``her2sim.testing.toy``)
evaluated on the members' own parameter values, and the population quantiles of a known
log-normal spread pushed through that monotone solution.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from her2sim.calibration.ensemble import (
    Ensemble,
    ensemble_dose_response,
    ensemble_time_course,
    load_ensemble,
    plausible_population,
    plot_band,
)
from her2sim.errors import ValidationError
from her2sim.testing import TOY_FAMILY
from her2sim.testing.toy import build_toy_model

SPREAD = 0.3  # sd of ln(k_off) across members
N = 400


def _toy_ensemble(seed: int = 1) -> Ensemble:
    rng = np.random.default_rng(seed)
    k_off = np.exp(rng.normal(0.0, SPREAD, N))
    return Ensemble.create(build_toy_model(), pd.DataFrame({"k_off": k_off}), procedure="test: log-normal k_off",
                           seed=seed)


def _k_star(k_off, lapatinib_nM=0.0):
    a = 1.0 * 1.0 * 1.0 / (1.0 + lapatinib_nM / 10.0)  # k_on * R_expression * (1 + L) / (1 + lap/IC50)
    return a / (a + k_off)


def test_time_course_band_matches_analytic_band():
    ens = _toy_ensemble()
    ds = ensemble_time_course(TOY_FAMILY, ens, [0.0, 400.0], drugs={"lapatinib": 30.0}, readouts=["K"],
                              keep_members=True)
    assert int(ds["n_failed"]) == 0
    k = ens.parameters["k_off"].to_numpy()
    # oracle 1: the analytic steady state on each member, then the same quantiles (solver tolerance)
    exact = np.percentile(_k_star(k, 30.0), [5, 50, 95])
    got = ds[["K_p05", "K_median", "K_p95"]].sel(time=400.0)
    np.testing.assert_allclose([float(got[v]) for v in got.data_vars], exact, rtol=1e-4)
    # oracle 2: K* decreases in k_off, so its 5th percentile is K* at the 95th of the log-normal spread;
    # the sample 95 % quantile of ln k_off has standard error sqrt(p(1-p)/n)/pdf(z_p)·sd; allow 3 of them
    z = 1.6448536
    se = 3 * np.sqrt(0.05 * 0.95 / N) / 0.1031  # in units of the sd (pdf(1.645) = 0.1031)
    lo, hi = _k_star(np.exp(SPREAD * (z + se)), 30.0), _k_star(np.exp(SPREAD * (z - se)), 30.0)
    assert lo <= float(ds["K_p05"].sel(time=400.0)) <= hi
    # at t = 0 every member sits at its untreated steady state
    np.testing.assert_allclose(ds["K"].sel(time=0.0).to_numpy(), _k_star(k), rtol=1e-4)


def test_dose_response_band_and_plot(tmp_path):
    ens = _toy_ensemble()
    ds = ensemble_dose_response(TOY_FAMILY, ens, "alpelisib", [1.0, 10.0, 1000.0], time=72.0)
    med = ds["relative_growth_median"].to_numpy()
    assert np.all(np.diff(med) < 0), med  # more drug, less growth (direction of the toy's kinase block)
    assert np.all(ds["relative_growth_p05"] <= ds["relative_growth_median"])
    assert np.all(ds["relative_growth_median"] <= ds["relative_growth_p95"])
    assert ds["concentration"].attrs["units"] == "nM"
    ax = plot_band(ds, "relative_growth")
    assert ax.get_xscale() == "log" and len(ax.collections) == 1  # the shaded band
    with pytest.raises(Exception, match="readout"):
        plot_band(ds, "relative_grwth")


def test_store_round_trip_and_version_refused(tmp_path):
    ens = _toy_ensemble()
    folder = ens.save(tmp_path / "ens")
    back = load_ensemble(folder, build_toy_model())
    pd.testing.assert_frame_equal(back.parameters, ens.parameters)
    assert back.header["procedure"] == "test: log-normal k_off" and back.header["seed"] == 1
    assert TOY_FAMILY.ensemble(folder).n_members == N
    # another model version: same id, one parameter value changed
    other = build_toy_model().with_parameters({"k_on": 2.0})
    header = dict(ens.header, model_fingerprint="0" * 64)
    Ensemble(ens.parameters, header).save(tmp_path / "old")
    with pytest.raises(ValidationError, match="version"):
        TOY_FAMILY.ensemble(tmp_path / "old")
    with pytest.raises(ValidationError, match="version"):
        load_ensemble(folder, other)
    with pytest.raises(ValidationError, match="no calibrated ensemble is shipped"):
        TOY_FAMILY.ensemble()


class _Quadratic:
    """A Gaussian negative log-likelihood on the toy's k_off (log10 scale): the acceptance region is known."""

    x_ids = ("k_off",)
    lb = np.array([-2.0])
    ub = np.array([2.0])

    def __call__(self, x):
        return 0.5 * ((float(x[0]) - 0.0) / 0.1) ** 2

    def value_gradient_fim(self, x):
        return self(x), np.array([float(x[0]) / 0.01]), np.array([[1 / 0.01]])

    def to_linear(self, x):
        return {"k_off": 10 ** float(x[0])}


def test_plausible_population_accepts_the_likelihood_region_and_constraints():
    ens = plausible_population(_Quadratic(), [0.0], 200, seed=3, model=build_toy_model(),
                               constraints={"k_off below 1.2": lambda v: v["k_off"] < 1.2})
    x = np.log10(ens.parameters["k_off"].to_numpy())
    delta = ens.header["details"]["delta"]
    assert delta == pytest.approx(0.5 * 3.841459, rel=1e-6)  # ½ χ²₀.₉₅(1)
    # oracle: accepted iff ½(x/0.1)² ≤ Δ, i.e. |x| ≤ 0.1·sqrt(2Δ), and the constraint
    assert np.all(np.abs(x) <= 0.1 * np.sqrt(2 * delta) + 1e-12)
    assert np.all(10 ** x < 1.2)
    assert ens.n_members == 200
    assert ens.header["details"]["rejected_by"]["k_off below 1.2"] > 0  # the constraint did bite


def test_over_ensemble_runs_an_existing_analysis_per_member():
    """The generic wrapper on simulate_dose_response agrees member by member with the batched path."""
    from her2sim.analysis import simulate_dose_response
    from her2sim.calibration.ensemble import over_ensemble

    ens = Ensemble(_toy_ensemble().parameters.iloc[:8].reset_index(drop=True), _toy_ensemble().header)
    conc = [1.0, 100.0]
    ds = over_ensemble(simulate_dose_response, ens, family=TOY_FAMILY, treatment="alpelisib", concentrations=conc,
                       readouts=(), readout_times=())
    # the analysis may hand the model free rather than nominal doses (serum binding): compare at what it used
    used = ds.coords.get("free_concentration_alpelisib", ds.coords.get("concentration_alpelisib"))
    used = conc if used is None else [float(c) for c in np.asarray(used).reshape(-1)[:len(conc)]]
    batched = ensemble_dose_response(TOY_FAMILY, ens, "alpelisib", used, keep_members=True)
    var = "relative_viability"
    assert f"{var}_median" in ds and ds.sizes["member"] == 8
    got = ds[var].squeeze(drop=True).transpose("member", ...).to_numpy()
    want = batched["relative_growth"].transpose("member", ...).to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6)  # same executor, two paths: solver round-off only
    with pytest.raises(ValidationError, match="model="):
        over_ensemble(simulate_dose_response, ens, family=TOY_FAMILY, treatment="alpelisib", model=None)


def test_posterior_ensemble_recovers_a_gaussian_posterior():
    """emcee on exp(-objective) with objective = ½((x - 0)/0.1)²: samples of x (log10 k_off) ~ N(0, 0.1)."""
    from her2sim.calibration.ensemble import posterior_ensemble

    ens = posterior_ensemble(_Quadratic(), [0.0], 400, seed=4, model=build_toy_model(), n_walkers=16, n_steps=1500)
    x = np.log10(ens.parameters["k_off"].to_numpy())
    # tolerance: 400 picks from a chain of ~12 000 correlated draws (tau ~ 10-30 steps): the sd of the
    # sample mean is ~0.1/sqrt(400·0.3) ≈ 0.01; we allow 4 of those, and 20 % on the sd
    assert abs(x.mean()) < 0.04
    assert x.std() == pytest.approx(0.1, rel=0.2)
    d = ens.header["details"]
    assert ens.header["procedure"] == "posterior-emcee" and 0.2 < d["acceptance_fraction"] < 0.9
