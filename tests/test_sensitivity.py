"""Sensitivity analysis: local, Morris and Sobol against analytic oracles, the flagship's biology, the CLI.

Oracles
-------
* Linear decay ``x(t) = x0·exp(−k t)``: ``d ln x/d ln k = −k t`` and ``d ln x/d ln x0 = 1`` exactly.
* ``y = a·b`` with ``ln a, ln b`` uniform: first-order and total Sobol indices in closed form
  (product of independent factors); ``ln y = ln a + ln b``: additive, ``S1 = ST ∝ (ln f)²``.
* A parameter absent from the read-out's equations has Morris ``μ* = 0`` and Sobol indices 0 exactly.
* ``dA/dt = a·A²`` from ``A(0) = 1`` blows up at ``t = 1/a``: read at ``t = 0.5``, exactly the
  members with ``a > 2`` must fail, and be counted.
* Flagship biology from MECHANISMS.md (mechanisms 1-3): with PTEN loss, PTEN's parameters have no
  influence on pAKT; HER2 → PI3K/AKT, not RAF/MEK/ERK, carries trastuzumab's growth inhibition in
  HER2-amplified PTEN/PIK3CA wild-type cells; the PIK3CA-mutant (p110α) share matters only with
  the mutation.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import her2sim as hs
from her2sim.analysis import sensitivity as sa
from her2sim.errors import UnknownNameError, ValidationError
from her2sim.model import parse

# ------------------------------------------------------------------------------------------------
# toy models


def _decay_model() -> hs.Model:
    return hs.Model(
        "decay", compartments=(hs.Compartment("c"),), species=(hs.Species("A", "c", 1.0),),
        parameters=(hs.Parameter("k", 0.5), hs.Parameter("x0", 2.0)),
        initial_assignments=(hs.InitialAssignment("A", parse("x0")),),
        reactions=(hs.Reaction("r", (("A", 1),), (), parse("k*A")),),
    )


def _product_model() -> hs.Model:
    return hs.Model(
        "product", compartments=(hs.Compartment("c"),), species=(hs.Species("A", "c", 1.0),),
        parameters=(hs.Parameter("a", 1.0), hs.Parameter("b", 1.0), hs.Parameter("c_inert", 1.0),
                    hs.Parameter("y", 0.0, constant=False), hs.Parameter("log_y", 0.0, constant=False)),
        assignment_rules=(hs.AssignmentRule("y", parse("a*b")),
                          hs.AssignmentRule("log_y", parse("ln(a) + ln(b)"))),
        reactions=(hs.Reaction("r", (("A", 1),), (), parse("0*A")),),
    )


def _blowup_model() -> hs.Model:
    return hs.Model(
        "blowup", compartments=(hs.Compartment("c"),),
        species=(hs.Species("A", "c", 1.0), hs.Species("B", "c", 1.0)),
        parameters=(hs.Parameter("a", 1.0), hs.Parameter("b", 1.0)),
        reactions=(hs.Reaction("grow", (), (("A", 1),), parse("a*A^2")),
                   hs.Reaction("decay", (("B", 1),), (), parse("b*B")),),
    )


# ------------------------------------------------------------------------------------------------
# local sensitivities


def test_local_decay_matches_analytic_sensitivities():
    k, t1, t2 = 0.5, 2.0, 5.0
    ds = sa.local_sensitivities([sa.Readout("A", t1), sa.Readout("A", t2)], model=_decay_model(), step=0.01,
                                rtol=1e-10, atol=1e-14)
    s = ds["sensitivity"].sel(context="nominal")
    # oracle: d ln x / d ln k = -k t. Central difference of -t·e^s over ln k has relative truncation error
    # sinh(h)/h - 1 = h²/6 = 1.7e-5 at h = 0.01; rtol 1e-4 leaves room for the solver (rtol 1e-10).
    np.testing.assert_allclose(s.sel(parameter="k").values, [-k * t1, -k * t2], rtol=1e-4, atol=0)
    # oracle: d ln x / d ln x0 = 1 (x is linear in x0, so the central difference has no truncation
    # error). What remains is solver noise: the runs at x0·e^{±h} take different adaptive steps, each
    # with a relative global error up to ~10·rtol = 1e-9, and the quotient divides their difference by
    # 2h = 0.02, so |error| <= 2e-9 / 0.02 = 1e-7. Measured: 2.3e-8 (portable build), 1.3e-8
    # (-march=native on an AMD EPYC), so 1e-8 was below the noise.
    np.testing.assert_allclose(s.sel(parameter="x0").values, [1.0, 1.0], rtol=0, atol=1e-7)
    # step halving: h²/6 - (h/2)²/6 = 1.25e-5 relative for k; atol 5e-5 covers it at k t = 2.5
    assert ds.attrs["max_abs_step_halving_difference"] < 5e-5
    np.testing.assert_allclose(ds["step_halving_difference"].sel(parameter="k").values.ravel(),
                               [k * t1 * 0.01 ** 2 / 8, k * t2 * 0.01 ** 2 / 8], rtol=0.05, atol=1e-8)
    # nominal y = x0 e^{-k t}; semi-normalised dy/d ln x0 = y, whose central difference over ln x0 is
    # exactly y·sinh(h)/h (y is proportional to e^{ln x0}); rtol 1e-7 is 1000x the solver rtol
    np.testing.assert_allclose(ds["readout_nominal"].values.ravel(), [2 * math.exp(-k * t1), 2 * math.exp(-k * t2)],
                               rtol=1e-8, atol=0)
    np.testing.assert_allclose(ds["semi_sensitivity"].sel(parameter="x0").values.ravel(),
                               ds["readout_nominal"].values.ravel() * math.sinh(0.01) / 0.01, rtol=1e-7, atol=0)
    assert ds.attrs["step"] == 0.01 and ds.attrs["n_failed_members"] == 0
    assert ds.sizes["row"] == 4 * 2 + 1  # 4k+1 members in one ensemble call


# ------------------------------------------------------------------------------------------------
# Sobol and Morris on closed forms


def _exact_product_indices(fa: float, fb: float) -> dict[str, float]:
    """Sobol indices of y = e^{Ua} e^{Ub}, Ua ~ U(-ln fa, ln fa), Ub ~ U(-ln fb, ln fb)."""
    def m1(alpha):
        return math.sinh(alpha) / alpha

    def m2(alpha):
        return math.sinh(2 * alpha) / (2 * alpha)

    al, bl = math.log(fa), math.log(fb)
    total = m2(al) * m2(bl) - m1(al) ** 2 * m1(bl) ** 2
    va = (m2(al) - m1(al) ** 2) * m1(bl) ** 2
    vb = m1(al) ** 2 * (m2(bl) - m1(bl) ** 2)
    return {"S1_a": va / total, "S1_b": vb / total, "ST_a": 1 - vb / total, "ST_b": 1 - va / total}


@pytest.fixture(scope="module")
def product_sobol():
    factors = {"a": 2.0, "b": 4.0, "c_inert": 3.0}
    readouts = [sa.Readout("y", 1.0), sa.Readout("log_y", 1.0)]
    return sa.sobol(readouts, model=_product_model(), factor=factors, n_base=1024, seed=1, num_resamples=200)


def test_sobol_product_matches_closed_form(product_sobol):
    ds = product_sobol
    exact = _exact_product_indices(2.0, 4.0)
    got = ds.sel(readout="y at 1 h", context="nominal")
    # Saltelli/Jansen estimators on 1024 scrambled Sobol' points: observed error < 0.005 (bootstrap
    # half-widths 0.04-0.09); atol 0.02 is 4x the observed error and well inside the intervals.
    for name in ("a", "b"):
        assert float(got["S1"].sel(parameter=name)) == pytest.approx(exact[f"S1_{name}"], abs=0.02)
        assert float(got["ST"].sel(parameter=name)) == pytest.approx(exact[f"ST_{name}"], abs=0.02)
    # oracle: the inert parameter never changes y, so both estimators' numerators are exactly 0
    assert float(got["S1"].sel(parameter="c_inert")) == pytest.approx(0.0, abs=1e-12)
    assert float(got["ST"].sel(parameter="c_inert")) == pytest.approx(0.0, abs=1e-12)
    # the product is not additive: interactions make ST - S1 = V_ab / V > 0 for both
    assert float(got["ST"].sel(parameter="a") - got["S1"].sel(parameter="a")) > 0.05


def test_sobol_log_additive_has_s1_equal_st(product_sobol):
    ds = product_sobol.sel(readout="log_y at 1 h", context="nominal")
    # oracle: ln y = Ua + Ub, uniform terms with variances (ln f)²/3, so S1 = ST = (ln f)² / Σ (ln f)²
    la, lb = math.log(2.0) ** 2, math.log(4.0) ** 2
    for name, share in (("a", la / (la + lb)), ("b", lb / (la + lb))):
        assert float(ds["S1"].sel(parameter=name)) == pytest.approx(share, abs=0.02)  # as above
        assert float(ds["ST"].sel(parameter=name)) == pytest.approx(share, abs=0.02)
    # sample size and provenance are recorded
    assert product_sobol.attrs["n_base"] == 1024 and product_sobol.attrs["seed"] == 1
    assert product_sobol.sizes["row"] == 1024 * (3 + 2)
    assert int(product_sobol["n_used"].sel(readout="y at 1 h", context="nominal")) == 1024


def test_morris_recovers_inert_parameter():
    ds = sa.morris(sa.Readout("y", 1.0), model=_product_model(), parameters=["a", "b", "c_inert"],
                   n_trajectories=12, seed=3)
    mu_star = ds["mu_star"].sel(readout="y at 1 h", context="nominal")
    # oracle: c_inert is absent from y's equation, so every elementary effect is exactly 0
    assert float(mu_star.sel(parameter="c_inert")) == pytest.approx(0.0, abs=1e-12)
    # y = a·b grows with both: every elementary effect is positive (oracle: monotonicity), so μ = μ* > 0
    for name in ("a", "b"):
        assert float(mu_star.sel(parameter=name)) > 0.1
        assert float(ds["mu"].sel(parameter=name).squeeze()) == pytest.approx(float(mu_star.sel(parameter=name)),
                                                                              rel=1e-12)
    ranking = sa.rank_drivers(ds)
    assert ranking["parameter"].iloc[-1] == "c_inert" and ranking["effect"].iloc[-1] == ""
    assert set(ranking["effect"].iloc[:2]) == {"raises"}
    assert ds.attrs["n_trajectories"] == 12 and ds.sizes["row"] == 12 * 4


def test_failed_members_are_counted_not_dropped():
    r = 16
    ds = sa.morris([sa.Readout("A", 0.5), sa.Readout("B", 0.5)], model=_blowup_model(), factor=3.0,
                   n_trajectories=r, seed=5)
    # oracle: A = 1/(1 - a t) blows up before t = 0.5 exactly when a > 2 (levels of a: 3^{±1/3}, 3^{±1})
    a_values = np.exp(ds["sample_log_multiplier"].sel(parameter="a").values)
    expected_failed = a_values > 2.0
    failed = ds["status"].values[:, 0, 0] != 0
    np.testing.assert_array_equal(failed, expected_failed)
    assert 0 < expected_failed.sum() < a_values.size
    assert ds.attrs["n_failed_members"] == int(expected_failed.sum())
    assert "STEP_TOO_SMALL" in ds.attrs["failures"] or "NONFINITE" in ds.attrs["failures"]
    # a failed member makes every read-out of that row NaN, and each is counted
    for label in ds["readout"].values:
        assert int(ds["n_nonfinite"].sel(readout=label, context="nominal")) == int(expected_failed.sum())
    # whole trajectories with a failure are left out of the estimator, and their number is reported
    complete = ~expected_failed.reshape(r, 3).any(axis=1)
    assert int(ds["n_used"].sel(readout="B at 0.5 h", context="nominal")) == int(complete.sum())
    assert 0 < complete.sum() < r
    assert np.isfinite(ds["mu_star"].values).all()


def test_seeded_thread_independent_and_picklable():
    kwargs = dict(model=_product_model(), parameters=["a", "b"], n_trajectories=6)
    one = sa.morris(sa.Readout("y", 1.0), seed=7, n_threads=1, **kwargs)
    two = sa.morris(sa.Readout("y", 1.0), seed=7, n_threads=2, **kwargs)
    other = sa.morris(sa.Readout("y", 1.0), seed=8, n_threads=2, **kwargs)
    # oracle: members are independent, so threads change speed, not results (bit-identical)
    np.testing.assert_array_equal(one["readout_value"].values, two["readout_value"].values)
    np.testing.assert_array_equal(one["mu_star"].values, two["mu_star"].values)
    assert not np.array_equal(one["sample_log_multiplier"].values, other["sample_log_multiplier"].values)
    restored = pickle.loads(pickle.dumps(one))
    np.testing.assert_array_equal(restored["mu_star"].values, one["mu_star"].values)
    readout = sa.Readout.growth_inhibition({"trastuzumab": (10, "ug/mL")})
    assert pickle.loads(pickle.dumps(readout)) == readout and hash(readout) == hash(pickle.loads(pickle.dumps(readout)))


# ------------------------------------------------------------------------------------------------
# declarations and validation


def test_readout_declarations_and_parsing():
    assert sa.parse_readout("pAKT_S473@24h") == sa.Readout("pAKT_S473", 24.0)
    gi = sa.parse_readout("gi@72h", drugs=sa.parse_doses("lapatinib=1000nM"))
    assert gi == sa.Readout.growth_inhibition({"lapatinib": 1000.0})
    assert sa.parse_readout("fold:pERK@4 h", drugs={"trametinib": 10}).quantity == "fold_change"
    assert sa.parse_doses("trastuzumab=10ug/mL, lapatinib=300") == {"trastuzumab": (10.0, "ug/mL"),
                                                                      "lapatinib": (300.0, "nM")}
    assert sa.Readout.gr({"lapatinib": 1000}).label == "GR at 72 h under lapatinib 1000 nM"
    with pytest.raises(ValidationError, match="readout"):
        sa.parse_readout("pAKT_S473 at 24")
    with pytest.raises(UnknownNameError, match="fold"):
        sa.parse_readout("folds:pAKT_S473@24h")
    with pytest.raises(ValidationError, match="drugs"):
        sa.Readout("cells", 72.0, quantity="inhibition_percent")
    with pytest.raises(UnknownNameError, match="inhibition_percent"):
        sa.Readout("cells", 72.0, quantity="inhibition_percnt")


def test_parameter_groups_of_the_flagship():
    table = sa.parameter_groups().set_index("id")
    assert table.loc["lapatinib_nM", "group"] == "treatment"
    assert table.loc["IC50_lapatinib_HER2", "group"] == "pharmacology"
    assert table.loc["trastuzumab_signalling_block", "group"] == "pharmacology"
    for pid in ("PTEN_level", "HER2_expression", "PIK3CA_mut_gain", "HRG_nM", "cell_growth_switch"):
        assert table.loc[pid, "group"] == "input", pid
    assert table.loc["kcat_PTEN", "group"] == "kinetic" and bool(table.loc["kcat_PTEN", "default"])
    assert not table.loc[table["value"] == 0.0, "default"].any()


def test_bad_input_names_argument_and_closest_value():
    model = _product_model()
    with pytest.raises(UnknownNameError, match="kcat_PTEN"):
        sa.morris(sa.Readout("pAKT_S473", 24.0), parameters=["kcat_PTN"])
    with pytest.raises(UnknownNameError, match="readout output.*'y'"):
        sa.local_sensitivities(sa.Readout("yy", 1.0), model=model)
    with pytest.raises(ValidationError, match="factor"):
        sa.morris(sa.Readout("y", 1.0), model=model, factor=1.0)
    with pytest.raises(ValidationError, match="n_base.*power of 2"):
        sa.sobol(sa.Readout("y", 1.0), model=model, n_base=100)
    with pytest.raises(UnknownNameError, match="morris"):
        sa.run_sensitivity("moris", sa.Readout("y", 1.0), model=model)
    with pytest.raises(ValidationError, match="drug concentration"):
        sa.local_sensitivities(sa.Readout("pAKT_S473", 24.0), parameters=["lapatinib_nM"])
    with pytest.raises(ValidationError, match="0 in every context"):
        sa.local_sensitivities(sa.Readout("pAKT_S473", 24.0), parameters=["p95HER2_expression"])
    with pytest.raises(UnknownNameError, match="PTEN loss"):
        sa.local_sensitivities(sa.Readout("pAKT_S473", 24.0), contexts=["PTEN los"], parameters=["kcat_PTEN"])


# ------------------------------------------------------------------------------------------------
# the flagship model: biology that could fail


_PTEN_PARAMETERS = ["kcat_PTEN", "Km_PTEN", "PTEN_ref", "k_Src_PTEN", "kdp_PTEN"]


@pytest.fixture(scope="module")
def flagship_local():
    readouts = [sa.Readout.level("pAKT_S473", 24.0, {"trastuzumab": (10, "ug/mL")}),
                sa.Readout.growth_inhibition({"lapatinib": 1000.0})]
    return sa.local_sensitivities(readouts, contexts=["parental", "PTEN loss"],
                                  parameters=[*_PTEN_PARAMETERS, "kcat_PI3K", "mu_max"])


def test_pten_loss_removes_pten_parameters_influence_on_pakt(flagship_local):
    s = flagship_local["sensitivity"].sel(readout="pAKT_S473 at 24 h under trastuzumab 10 ug/mL")
    # MECHANISMS.md 2: with PTEN gone (PTEN_level 0, no synthesis), PTEN's rate constants act on nothing.
    # Oracle: exactly 0; atol 1e-6 is the finite-difference noise of the solver (rtol 1e-8 / h 1e-2).
    np.testing.assert_allclose(s.sel(context="PTEN loss", parameter=_PTEN_PARAMETERS).values, 0.0, atol=1e-6, rtol=0)
    # ...while in the PTEN wild-type tumour PTEN's catalytic rate is a strong brake on pAKT
    assert float(s.sel(context="parental", parameter="kcat_PTEN")) < -0.1
    # PI3K still drives pAKT without PTEN (PIP3 is then removed by other phosphatases): > 0.05
    assert float(s.sel(context="PTEN loss", parameter="kcat_PI3K")) > 0.05
    # the growth law has no feedback on signalling: mu_max cannot move pAKT (oracle: structure, 0).
    # mu_max still moves the cell count, a state of the same error-controlled system, so the
    # solver's step sequence (and with it pAKT) changes at the level of its tolerance: atol 1e-6,
    # the same finite-difference noise bound as above (rtol 1e-8 / h 1e-2)
    np.testing.assert_allclose(s.sel(parameter="mu_max").values, 0.0, atol=1e-6, rtol=0)
    # step halving: the estimate is stable to 1e-3 (O(h²) truncation plus rtol/h solver noise)
    assert flagship_local.attrs["max_abs_step_halving_difference"] < 1e-3


def test_flagship_local_matches_forward_sensitivities(flagship_local):
    from her2sim.library.her2_model import build, drug_settings
    from her2sim.library.protocols import untreated_parameters
    from her2sim.simulation import simulate_sensitivities

    model = build()
    wrt = ["kcat_PTEN", "kcat_PI3K", "mu_max"]
    # oracle: the engine's forward sensitivity system (an independent integration of d x/d p, carried
    # through the pre-equilibrated steady state) for the same protocol
    forward = simulate_sensitivities(model, [0.0, 24.0], wrt, parameters=drug_settings({"trastuzumab": (10, "ug/mL")}),
                                     preequilibrate=untreated_parameters(model), outputs=["pAKT_S473"])
    expected = forward["sensitivity:pAKT_S473"].sel(time=24.0, parameter=wrt).values
    got = flagship_local["sensitivity"].sel(readout="pAKT_S473 at 24 h under trastuzumab 10 ug/mL",
                                            context="parental", parameter=wrt).values
    # central differences at h = 0.01: O(h²) ≈ 2e-5 relative truncation plus solver noise; rtol 1e-4
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


def test_flagship_growth_inhibition_matches_the_protocol(flagship_local):
    from her2sim.library.protocols import growth_inhibition

    nominal = flagship_local["readout_nominal"].sel(readout="growth inhibition at 72 h under lapatinib 1000 nM")
    for context, genotype in (("parental", None), ("PTEN loss", ["PTEN loss"])):
        # oracle: the protocol module's own two simulate() calls (independent code path); rtol 1e-6 is
        # 100x the solver rtol
        expected = growth_inhibition({"lapatinib": 1000.0}, time=72.0, genotype=genotype)["inhibition_percent"]
        assert float(nominal.sel(context=context)) == pytest.approx(expected, rel=1e-6)


_PI3K_AXIS = ["HER3_ref", "kcat_PI3K", "kcat_PTEN"]
_MAPK = ["k_RAF_act", "k_MEK_p", "kdp_MEK", "k_ERK_p", "kdp_ERK"]


@pytest.fixture(scope="module")
def flagship_morris():
    return sa.morris(sa.Readout.growth_inhibition({"trastuzumab": (10, "ug/mL")}),
                     contexts=["parental", "PIK3CA H1047R"], parameters=[*_PI3K_AXIS, "p110alpha_share", *_MAPK],
                     n_trajectories=10, seed=11)


def test_trastuzumab_response_runs_through_the_pi3k_axis(flagship_morris):
    mu_star = flagship_morris["mu_star"].sel(readout="growth inhibition at 72 h under trastuzumab 10 ug/mL")
    parental = mu_star.sel(context="parental")
    # MECHANISMS.md 1-2: in HER2-amplified PTEN/PIK3CA wild-type cells trastuzumab inhibits growth by
    # lowering PI3K/AKT; every PI3K-axis parameter must outrank every RAF/MEK/ERK rate constant
    assert float(parental.sel(parameter=_PI3K_AXIS).min()) > float(parental.sel(parameter=_MAPK).max())
    # the p110α-mutant share acts only through the mutant: exactly 0 in the wild type (atol: round-off)...
    assert float(parental.sel(parameter="p110alpha_share")) == pytest.approx(0.0, abs=1e-9)
    # ...and among the drivers with PIK3CA H1047R (MECHANISMS.md 3): at least 20 % of the strongest
    mutant = mu_star.sel(context="PIK3CA H1047R")
    assert float(mutant.sel(parameter="p110alpha_share")) > 0.2 * float(mutant.max())
    ranking = sa.rank_drivers(flagship_morris, top=3)
    assert list(ranking.columns[:4]) == ["readout", "context", "rank", "parameter"]
    assert set(ranking["towards"]) <= {"resistance", "sensitivity", ""}
    assert flagship_morris.attrs["n_failed_members"] == 0


def test_figures_return_matplotlib_objects(product_sobol, flagship_morris, flagship_local):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    assert isinstance(sa.plot_sobol(product_sobol, readout="y at 1 h"), Axes)
    assert isinstance(sa.plot_morris(flagship_morris, context="PIK3CA H1047R"), Axes)
    assert isinstance(sa.plot_local(flagship_local, context="PTEN loss"), Axes)
    fig = sa.plot_sensitivity(flagship_morris)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    ax = sa.plot_ranking_heatmap(sa.rank_drivers(flagship_morris))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["parental", "PIK3CA H1047R"]
    with pytest.raises(ValidationError, match="morris"):
        sa.plot_morris(product_sobol)
    plt.close("all")


# ------------------------------------------------------------------------------------------------
# command line: resumable output


_CLI = ["sensitivity", "-m", "morris", "-r", "pAKT_S473@24h", "-c", "parental,PTEN loss",
        "-p", "kcat_PTEN,kcat_PI3K,HER3_ref", "-n", "4", "--chunk-size", "6", "--top", "3"]


def test_cli_resumes_finished_chunks_and_refuses_changed_settings(tmp_path):
    from her2sim.cli import app

    runner = CliRunner()
    out = tmp_path / "run"
    first = runner.invoke(app, [*_CLI, "--seed", "1", "-o", str(out)])
    assert first.exit_code == 0, first.output
    chunks = sorted((out / "chunks").glob("chunk-*.npz"))
    assert len(chunks) == 3  # 4 trajectories x (3 + 1) rows = 16 rows in chunks of 6
    assert "chunks computed 3, reused 0" in first.output
    before = {p.name: p.stat().st_mtime_ns for p in chunks}
    indices = pd.read_csv(out / "indices.csv")
    (out / "chunks" / "chunk-00001.npz").unlink()
    second = runner.invoke(app, [*_CLI, "--seed", "1", "-o", str(out)])
    assert second.exit_code == 0, second.output
    assert "chunks computed 1, reused 2" in second.output
    after = {p.name: p.stat().st_mtime_ns for p in sorted((out / "chunks").glob("chunk-*.npz"))}
    assert after["chunk-00000.npz"] == before["chunk-00000.npz"]
    assert after["chunk-00002.npz"] == before["chunk-00002.npz"]
    assert set(after) == set(before)
    # oracle: the recomputed chunk gives bit-identical results (same sample rows, deterministic engine)
    pd.testing.assert_frame_equal(pd.read_csv(out / "indices.csv"), indices, check_exact=True)
    for name in ("ranking.csv", "readout_values.csv"):
        assert (out / name).exists()
    assert list(out.glob("morris_*.png")) and list(out.glob("ranking_*.png"))
    changed = runner.invoke(app, [*_CLI, "--seed", "2", "-o", str(out)])
    assert changed.exit_code == 2
    assert "seed (stored 1, requested 2)" in changed.output and "never mixed" in changed.output
    bad = runner.invoke(app, ["sensitivity", "-m", "morriss", "-o", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "Did you mean 'morris'" in bad.output


@pytest.mark.slow
def test_full_kinetic_morris_keeps_the_pten_rule():
    ds = sa.morris(sa.Readout.growth_inhibition({"trastuzumab": (10, "ug/mL")}), contexts=["parental", "PTEN loss"],
                   n_trajectories=8, seed=2)
    assert ds.sizes["parameter"] == int(sa.parameter_groups()["default"].sum())
    mu_star = ds["mu_star"].isel(readout=0)
    # MECHANISMS.md 2, over every kinetic parameter: PTEN's constants are inert without PTEN (exactly 0
    # in the equations). atol 1e-3 (% growth inhibition per unit ln p) is the solver's noise: a changed
    # parameter changes the adaptive step sequence, so GI moves at the level of rtol 1e-8 x GI / Δ
    # (measured up to 2.5e-5), while the drivers below are ~10-30
    np.testing.assert_allclose(mu_star.sel(context="PTEN loss", parameter=_PTEN_PARAMETERS).values, 0.0,
                               atol=1e-3, rtol=0)
    # ...and a PTEN constant is among the ten strongest of ~130 in the PTEN wild-type tumour (model v2 added
    # the cell-cycle and apoptosis constants; Km_PTEN and PTEN_ref now rank there rather than kcat_PTEN)
    ranking = sa.rank_drivers(ds, top=10)
    assert set(_PTEN_PARAMETERS) & set(ranking.loc[ranking["context"] == "parental", "parameter"])
    assert ds.attrs["n_failed_members"] == 0
