"""Pharmacology conventions: GRmetrics' flat-fit rule and GRmax, censored potencies, IC at any level,
and the Chou-Talalay (Loewe) combination index. No simulation: synthetic data with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from her2sim.analysis.dose_response import censor, fit_measured, gr_metrics, log_logistic
from her2sim.analysis.synergy import combination_index, median_effect_fit, synergy, synergy_table


def _gr_dataset(rows: dict[str, list[float]], conc) -> xr.Dataset:
    return xr.Dataset({"gr": (("context", "concentration"), np.asarray(list(rows.values())))},
                      coords={"context": list(rows), "concentration": np.asarray(conc, dtype=float)})


def test_gr_metrics_match_the_published_grmetrics_example():
    # Oracle: the worked example in the docstring of gr_metrics() of the gr50_tools Python package
    # (Hafner/Niepel/Sorger lab; same rules as the GRmetrics Bioconductor package). Published output:
    #   A: GR50 0.114025, GRmax 0.0188, GR_AOC 0.481125, GEC50 0.110411, GRinf 0.018109, h 1.145262,
    #      p 0.000054 (sigmoid);  B: GR50 inf, GRmax 0.936, GR_AOC 0.026375, GEC50 0, GRinf 0.971, h 0.01 (flat).
    conc = [0.001, 0.01, 0.1, 1.0, 10.0]
    ds = _gr_dataset({"A": [0.965, 0.953, 0.533, 0.0976, 0.0188], "B": [0.985, 0.916, 0.978, 1.04, 0.936]}, conc)
    m = gr_metrics(ds)
    a, b = m.sel(context="A"), m.sel(context="B")
    # a different optimiser converges to the same least-squares optimum: agreement to 1e-4 relative
    np.testing.assert_allclose([float(a.GR50), float(a.GEC50), float(a.GRinf), float(a.h_GR)],
                               [0.114025, 0.110411, 0.018109, 1.145262], rtol=1e-4)
    assert float(a.pval) == pytest.approx(0.000054, abs=5e-6)
    assert str(a.fit.values) == "sigmoid"
    # exact definitions (no fit): GRmax = min of the two highest doses; AOC by the trapezoid rule
    assert float(a.GRmax) == pytest.approx(0.0188, abs=1e-12)
    assert float(b.GRmax) == pytest.approx(0.936, abs=1e-12)  # not 1.04 (highest dose alone would be 0.936 too)
    assert float(a.GR_AOC) == pytest.approx(0.481125, abs=1e-6)
    assert float(b.GR_AOC) == pytest.approx(0.026375, abs=1e-6)
    # the flat-fit rule: GEC50 = 0, h = 0.01, GRinf = mean GR, GR50 = +inf (mean > 0.5)
    assert str(b.fit.values) == "flat"
    assert float(b.GEC50) == 0.0 and float(b.h_GR) == 0.01
    assert float(b.GRinf) == pytest.approx(np.mean([0.985, 0.916, 0.978, 1.04, 0.936]), abs=1e-12)
    assert float(b.GR50) == np.inf


def test_flat_fit_rule_is_an_option_and_grmax_definition_too():
    conc = [0.001, 0.01, 0.1, 1.0, 10.0]
    flat_low = [0.21, 0.18, 0.22, 0.19, 0.20]  # no dose dependence, all below 0.5 → GR50 = -inf
    grmax_case = [1.0, 0.9, 0.5, 0.1, 0.3]     # highest dose rebounds: GRmetrics takes min(0.1, 0.3)
    ds = _gr_dataset({"flat": flat_low, "rebound": grmax_case}, conc)
    m = gr_metrics(ds)
    assert float(m.GR50.sel(context="flat")) == -np.inf
    assert float(m.GRinf.sel(context="flat")) == pytest.approx(0.2, abs=1e-12)
    assert float(m.GRmax.sel(context="rebound")) == pytest.approx(0.1, abs=1e-12)
    legacy = gr_metrics(ds, flat_fit_pvalue_threshold=None, grmax_doses=1)
    assert str(legacy.fit.sel(context="flat").values) == "sigmoid"
    assert float(legacy.GRmax.sel(context="rebound")) == pytest.approx(0.3, abs=1e-12)
    with pytest.raises(ValueError, match="grmax_doses"):
        gr_metrics(ds, grmax_doses=0)


def test_censor_qualifiers():
    assert censor(0.001, 0.03, 300.0) == (0.03, "<")
    assert censor(np.inf, 0.03, 300.0) == (300.0, ">")
    assert censor(1e5, 0.03, 300.0) == (300.0, ">")
    assert censor(3.0, 0.03, 300.0) == (3.0, "")


def _measured(ec50: float, doses, bottom: float = 0.05, hill: float = 1.0) -> pd.DataFrame:
    rows = [{"dose": d, "response": float(log_logistic(d, 1.0, bottom, ec50, hill)), "replicate": r}
            for d in doses for r in range(2)]
    return pd.DataFrame(rows)


def test_potency_outside_the_tested_range_is_censored_and_marked():
    # Oracle: exact Hill data with EC50 = 0.1 tested only from 3 to 3000 (30x above the EC50).
    doses = np.geomspace(3.0, 3000.0, 7)
    fits = fit_measured(_measured(0.1, doses), n_boot=0, top=1.0)
    row = fits.isel(group=0)
    assert str(row.ic50_censored.values) == "<" and str(row.ec50_censored.values) == "<"
    assert float(row.ic50) == pytest.approx(3.0)  # reported as the lowest tested dose, qualified "<"
    # the curve's own value is kept, clearly labelled as an extrapolation (exact data: recovered closely)
    assert float(row.ec50_extrapolated) == pytest.approx(0.1, rel=1e-3)
    # never reached (bottom above 0.5) → "> highest"
    fits = fit_measured(_measured(30.0, doses, bottom=0.7), n_boot=0, top=1.0)
    assert str(fits.ic50_censored.values[0]) == ">" and float(fits.ic50.values[0]) == pytest.approx(3000.0)


def test_einf_of_viability_is_never_negative():
    # responses that overshoot below 0 through noise: the asymptote stays at the physical limit 0
    doses = np.geomspace(1.0, 1e4, 9)
    rng = np.random.default_rng(3)
    frame = _measured(50.0, doses, bottom=0.0, hill=2.0)
    frame["response"] = frame["response"] - 0.03 + rng.normal(0, 0.01, len(frame))
    fits = fit_measured(frame, n_boot=0, top=1.0)
    assert float(fits.einf.values[0]) >= 0.0
    unconstrained = fit_measured(frame, n_boot=0, top=1.0, nonnegative=False)
    assert float(unconstrained.einf.values[0]) < 0.0  # the defect this guards against


def test_measured_ic_at_any_level():
    # Oracle: for y = 1/(1 + (c/EC50)^h) (top 1, bottom 0) the concentration of response level L is
    # EC50·((1 − L)/L)^(1/h): IC70 (L = 0.3) = 100·(7/3)^(1/1.5).
    doses = np.geomspace(1.0, 1e4, 9)
    fits = fit_measured(_measured(100.0, doses, bottom=0.0, hill=1.5), n_boot=20, seed=1, top=1.0,
                        ic_levels=(0.5, 0.3))
    expected = 100.0 * (0.7 / 0.3) ** (1 / 1.5)
    assert float(fits.ic70.values[0]) == pytest.approx(expected, rel=1e-5)
    assert str(fits.ic70_censored.values[0]) == ""
    assert {"ic70_lower", "ic70_upper"} <= set(fits.data_vars)
    with pytest.raises(ValueError, match="ic_levels"):
        fit_measured(_measured(100.0, doses), n_boot=0, ic_levels=(70,))


def _surface(ci_target: float, dm_a=20.0, dm_b=5.0, m=1.3):
    # Oracle: with equal slopes m, the effect E at which a/Dx_A(E) + b/Dx_B(E) = CI has the closed form
    # (E/(1-E))^(1/m) = (a/Dm_a + b/Dm_b)/CI, i.e. a surface whose Chou-Talalay CI is CI everywhere.
    da = np.concatenate([[0.0], np.geomspace(1.0, 200.0, 6)])
    db = np.concatenate([[0.0], np.geomspace(0.2, 50.0, 6)])
    u = (da[:, None] / dm_a + db[None, :] / dm_b)
    inner = (da[:, None] > 0) & (db[None, :] > 0)
    u = np.where(inner, u / ci_target, u)
    e = u**m / (1.0 + u**m)
    return xr.Dataset({"inhibition": (("dose_a", "dose_b"), e)}, coords={"dose_a": da, "dose_b": db}), da, db


@pytest.mark.parametrize("ci_target", [1.0, 0.5, 2.0])
def test_combination_index_recovers_a_known_surface(ci_target):
    ds, da, db = _surface(ci_target)
    e = ds["inhibition"].values
    ci, fits = combination_index(e, da, db)
    np.testing.assert_allclose([fits["Dm_a"], fits["m_a"], fits["Dm_b"], fits["m_b"]], [20.0, 1.3, 5.0, 1.3], rtol=1e-9)
    inner = ci[1:, 1:]
    np.testing.assert_allclose(inner, ci_target, rtol=1e-8)  # floating-point level: everything is closed form
    scores = synergy(ds)
    assert float(scores["loewe_ci_median"]) == pytest.approx(ci_target, rel=1e-8)


def test_median_effect_fit_needs_two_partial_effects():
    dm, m = median_effect_fit([0.0, 1.0, 10.0], [0.0, 1.0, 1.0])
    assert np.isnan(dm) and np.isnan(m)


def test_synergy_table_has_one_unit_per_quantity():
    ds, _, _ = _surface(0.5)
    ds["dose_a"].attrs["units"] = "nM"
    table = synergy_table(synergy(ds))
    assert all("[" in c for c in table.columns if c != "loewe_defined")
    fractions = [c for c in table.columns if c.endswith("_inhibition [%]")]
    assert fractions and all(table[c].max() > 1.0 for c in fractions)  # percent, not fractions
    # observed − expected in % equals the excess in percentage points (same scale, no mixing)
    diff = table["observed_inhibition [%]"] - table["bliss_expected_inhibition [%]"]
    np.testing.assert_allclose(diff, table["bliss_excess [percentage points]"], rtol=0, atol=1e-9)


def test_measured_fits_apply_the_flat_fit_rule():
    """GRmetrics' flat-fit rule on measured data. Oracle: a noisy 4PL (top 1, bottom 0.2, EC50 10, Hill 1) is a
    sigmoid (F-test p far below 0.05) with EC50 within 15 % of 10; pure noise around 0.9 is flat, its IC50
    censored above the highest dose and its einf the mean response (exact)."""
    import pandas as pd

    from her2sim.analysis.dose_response import fit_measured, log_logistic

    rng = np.random.default_rng(1)
    d = np.repeat([0.1, 0.3, 1, 3, 10, 30, 100], 3)
    y1 = log_logistic(d, 1.0, 0.2, 10.0, 1.0) + rng.normal(0, 0.02, d.size)
    y2 = 0.9 + rng.normal(0, 0.05, d.size)
    frame = pd.concat([pd.DataFrame({"drug": "A", "cell_line": "x", "dose": d, "response": y1}),
                       pd.DataFrame({"drug": "B", "cell_line": "x", "dose": d, "response": y2})])
    fits = fit_measured(frame, n_boot=10, seed=0)
    a, b = fits.sel(group="A | x"), fits.sel(group="B | x")
    assert str(a["fit"].values) == "sigmoid" and float(a["pval"]) < 1e-6
    assert float(a["ec50"]) == pytest.approx(10.0, rel=0.15)
    assert str(b["fit"].values) == "flat" and float(b["pval"]) >= 0.05
    assert float(b["einf"]) == pytest.approx(float(np.mean(y2)), rel=1e-12)
    assert str(b["ic50_censored"].values) == ">" and float(b["ic50"]) == pytest.approx(100.0)
    assert np.isnan(float(b["ic50_lower"]))  # no bootstrap interval for a flat fit
    kept = fit_measured(frame, n_boot=0, flat_fit_pvalue_threshold=None)
    assert list(kept["fit"].values) == ["sigmoid", "sigmoid"]
