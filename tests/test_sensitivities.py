"""Forward sensitivities of the compiled engine and the PEtab objective's gradient.

Oracles:

* closed forms: exponential decay (d/dk, d/dx0, an output-only scaling), the steady state of
  synthesis/degradation (pre-equilibration);
* central finite differences of the *plain* compiled model at tight tolerance (an independent
  computation path: no sensitivity equations), for the flagship HER2 model and for the PEtab
  objective (a hand-made problem exercising pre-equilibration, a species reset from an estimated
  parameter, a steady-state measurement, placeholders, a log10 Laplace observable and priors, and
  the benchmark problem Fujita 2010).
"""

from __future__ import annotations

import math
import pickle
from pathlib import Path

import numpy as np
import pytest

import her2sim as hs
from her2sim.calibration import PetabObjective
from her2sim.engine.compiler import Options, compile_model
from her2sim.errors import UnsupportedFeatureError
from her2sim.model import AssignmentRule, Compartment, Event, Model, Parameter, Reaction, Species, parse

pytest.importorskip("petab.v1")


def _options(rtol: float = 1e-10, atol: float = 1e-14) -> Options:
    return Options(
        rtol=rtol, atol=atol, h_max=math.inf, max_steps=1_000_000, ss_rtol=1e-12, ss_atol=1e-16,
        ss_tmax=1e9, ss_max_steps=1_000_000, max_events=100,
    )


def _decay(k: float = 0.5, a0: float = 3.0, s: float = 4.0, size: float = 2.0) -> Model:
    # A in concentration units in a compartment of size 2: the state is the amount, so the
    # derivative w.r.t. the initial concentration passes through the compartment size
    return Model(
        "decay_sens",
        compartments=(Compartment("c", size),),
        species=(Species("A", "c", a0),),
        parameters=(Parameter("k", k), Parameter("s", s), Parameter("obs", 0.0, constant=False)),
        reactions=(Reaction("r", (("A", 1),), (), parse("k*A*c")),),
        assignment_rules=(AssignmentRule("obs", parse("s*A")),),
    )


def _directional_run(cm, p_aug, t, outputs, *, pre=False, rtol=1e-10):
    sel = np.asarray([cm.output_index(o) for o in outputs], dtype=np.int32)
    res = cm.run(p_aug[None], t, sel, _options(rtol), P_pre=p_aug[None] if pre else None)
    assert int(res["status"][0]) == 0
    return res["out"][0]


def test_decay_sensitivities_match_closed_form():
    """Oracle: A = A0 exp(-k t); dA/dk = -t A, dA/dA0 = exp(-k t); obs = s A. rtol 1e-7 at solver rtol 1e-10."""
    k, a0, s = 0.5, 3.0, 4.0
    m = _decay(k, a0, s)
    base = compile_model(m)
    jk, js, ja = base.p_index("k"), base.p_index("s"), base.init_index("A")
    wrt = (jk, ja, js)
    cm = compile_model(m, (2, wrt))
    assert cm.n_x == 3 * base.n_x and cm.n_p == base.n_p + 2 * 3
    p = cm.p_default.copy()
    D = np.zeros((2, 3))
    D[0, 0] = 1.0  # direction 0: d/dk
    D[1, 1] = 1.0  # direction 1: d/dA0
    p[base.n_p:] = D.ravel()
    t = np.linspace(0.0, 6.0, 13)
    out = _directional_run(
        cm, p, t, ["A", "A|dir0", "A|dir1", "obs|dir0", "obs|partial(s)", "obs|partial(k)", "A|partial(s)"]
    )
    A = a0 * np.exp(-k * t)
    np.testing.assert_allclose(out[:, 0], A, rtol=1e-7)
    np.testing.assert_allclose(out[:, 1], -t * A, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(out[:, 2], np.exp(-k * t), rtol=1e-7)
    np.testing.assert_allclose(out[:, 3], -s * t * A, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(out[:, 4], A, rtol=1e-7)  # explicit partial of s*A w.r.t. s
    assert np.all(out[:, 5] == 0.0) and np.all(out[:, 6] == 0.0)  # no explicit dependence


def test_plain_layout_marks_output_only_parameters():
    cm = compile_model(_decay())
    dynamic = dict(zip(cm.param_ids, cm.p_dynamic[: len(cm.param_ids)]))
    assert dynamic["k"] and dynamic["c"] and not dynamic["s"]
    assert cm.p_dynamic[cm.init_index("A")]


def test_steady_state_sensitivity_after_preequilibration():
    """Oracle: dA/dt = ksyn - kdeg A has A_ss = ksyn/kdeg; d/dksyn = 1/kdeg, d/dkdeg = -ksyn/kdeg².

    The sensitivities are integrated to steady state along with the state (steady-state
    criterion 1e-12 relative); tolerance 1e-7.
    """
    ksyn, kdeg = 2.0, 0.4
    m = Model(
        "syndeg",
        compartments=(Compartment("c", 1.0),),
        species=(Species("A", "c", 0.0),),
        parameters=(Parameter("ksyn", ksyn), Parameter("kdeg", kdeg)),
        reactions=(
            Reaction("syn", (), (("A", 1),), parse("ksyn")),
            Reaction("deg", (("A", 1),), (), parse("kdeg*A")),
        ),
    )
    base = compile_model(m)
    wrt = (base.p_index("ksyn"), base.p_index("kdeg"))
    cm = compile_model(m, (2, wrt))
    p = cm.p_default.copy()
    p[base.n_p:] = np.eye(2).ravel()
    out = _directional_run(cm, p, np.zeros(1), ["A", "A|dir0", "A|dir1"], pre=True)
    np.testing.assert_allclose(out[0], [ksyn / kdeg, 1 / kdeg, -ksyn / kdeg**2], rtol=1e-7)


def test_sensitivities_reject_events_they_cannot_differentiate():
    """Events are carried by jump conditions (tests/test_event_sensitivities.py) except where the
    trigger time cannot be differentiated (a compound trigger) or the event is delayed."""
    m = _decay().add(Event("e", parse("time > 1 && time < 2"), (("k", parse("1")),)))
    base = compile_model(m)
    with pytest.raises(UnsupportedFeatureError, match="event 'e'"):
        compile_model(m, (1, (base.p_index("k"),)))
    m = _decay().add(Event("d", parse("time > 1"), (("k", parse("1")),), delay=parse("0.5")))
    with pytest.raises(UnsupportedFeatureError, match="event 'd' with a delay"):
        compile_model(m, (1, (base.p_index("k"),)))


def test_flagship_sensitivities_match_finite_differences():
    """Oracle: central differences of the plain compiled flagship model (relative step 1e-4,
    solver rtol 1e-12), a computation without sensitivity equations. Tolerance: 2e-4 of each
    read-out's largest sensitivity (the differences' own truncation and solver error are ~1e-5)."""
    from her2sim.library import her2_model

    model = her2_model.build()
    base = compile_model(model)
    names = ["HER3_expression", "PTEN_level", "lapatinib_nM"]
    outputs = ["pAKT_T308", "pERK", "HER3_total"]
    wrt = tuple(base.p_index(n) for n in names)
    cm = compile_model(model, (len(names), wrt))
    p0 = base.p_default.copy()
    p0[base.p_index("lapatinib_nM")] = 300.0
    t = np.array([0.0, 1.0, 6.0, 24.0])
    # directions: d/d ln(p) for each parameter (what local sensitivity analysis reports)
    D = np.diag([p0[j] for j in wrt])
    p = np.concatenate([p0, D.ravel()])
    sens_out = [f"{o}|dir{k}" for k in range(len(names)) for o in outputs]
    res = _directional_run(cm, p, t, outputs + sens_out, rtol=1e-10)
    sel = np.asarray([base.output_index(o) for o in outputs], dtype=np.int32)
    for k, j in enumerate(wrt):
        h = 1e-4
        pp, pm = p0.copy(), p0.copy()
        pp[j] *= math.exp(h)
        pm[j] *= math.exp(-h)
        both = base.run(np.stack([pp, pm]), t, sel, _options(1e-12, 1e-16))
        assert np.all(both["status"] == 0)
        fd = (both["out"][0] - both["out"][1]) / (2 * h)
        ours = res[:, len(outputs) * (1 + k): len(outputs) * (2 + k)]
        scale = np.max(np.abs(fd), axis=0)
        assert np.all(scale > 0)
        err = np.abs(ours - fd) / scale[None, :]
        assert err.max() < 2e-4, (names[k], err.max())


# ============================================================================ PEtab objective gradient


def _write_problem(folder: Path) -> Path:
    """dA/dt = ksyn - kdeg*A with pre-equilibration, a species reset to an estimated value, a
    steady-state row, observable/noise placeholders, a log10 Laplace observable and priors."""
    model = hs.Model(
        "toy_grad",
        compartments=(hs.Compartment("cell", 2.0),),
        species=(hs.Species("A", "cell", 1.0), hs.Species("B", "cell", 0.0)),
        parameters=(hs.Parameter("ksyn", 3.0), hs.Parameter("kdeg", 0.5), hs.Parameter("kconv", 0.3)),
        reactions=(
            hs.Reaction("synthesis", (), (("A", 1),), hs.model.parse("ksyn")),
            hs.Reaction("degradation", (("A", 1),), (), hs.model.parse("kdeg*A*cell")),
            hs.Reaction("conversion", (("A", 1),), (("B", 1),), hs.model.parse("kconv*A*A*cell")),
            hs.Reaction("b_loss", (("B", 1),), (), hs.model.parse("0.2*B*cell")),
        ),
    )
    hs.write_sbml(model, folder / "model.xml")
    (folder / "conditions.tsv").write_text(
        "conditionId\tksyn\tA\n"
        "pre\t1.0\t\n"
        "sim\t3.0\t\n"
        "sim_reset\tksyn_high\ta_reset\n"
    )
    (folder / "observables.tsv").write_text(
        "observableId\tobservableFormula\tnoiseFormula\tobservableTransformation\tnoiseDistribution\n"
        "obs_A\tobservableParameter1_obs_A * A + offset\tnoiseParameter1_obs_A\tlin\tnormal\n"
        "obs_B\tB\tsd_B * (1 + 0.1 * B)\tlog10\tlaplace\n"
    )
    rows = [
        ("obs_A", "", "sim", 1.0, 0.0, "scale", "sd_A"),
        ("obs_A", "", "sim", 3.0, 2.0, "scale", "sd_A"),
        ("obs_A", "pre", "sim", 5.0, 1.0, "scale", "sd_A"),
        ("obs_A", "pre", "sim", 13.0, "inf", "scale", 0.5),
        ("obs_A", "pre", "sim_reset", 1.5, 0.5, "scale", "sd_A"),
        ("obs_A", "pre", "sim_reset", 8.0, 3.0, "scale", "sd_A"),
        ("obs_B", "pre", "sim", 0.3, 2.0, "", ""),
        ("obs_B", "", "sim_reset", 0.8, 4.0, "", ""),
    ]
    lines = ["observableId\tpreequilibrationConditionId\tsimulationConditionId\tmeasurement\ttime"
             "\tobservableParameters\tnoiseParameters"]
    lines += ["\t".join(str(v) for v in r) for r in rows]
    (folder / "measurements.tsv").write_text("\n".join(lines) + "\n")
    (folder / "parameters.tsv").write_text(
        "parameterId\tparameterScale\tlowerBound\tupperBound\tnominalValue\testimate"
        "\tobjectivePriorType\tobjectivePriorParameters\n"
        "kdeg\tlog10\t1e-3\t1e3\t0.5\t1\tnormal\t0.4;0.3\n"
        "kconv\tlog\t1e-3\t1e3\t0.3\t1\tparameterScaleNormal\t-1;0.5\n"
        "offset\tlin\t-10\t10\t0.25\t1\tlaplace\t0;2\n"
        "scale\tlog10\t1e-3\t1e3\t2\t1\tlogNormal\t0.5;1\n"
        "sd_A\tlog10\t1e-3\t1e3\t0.3\t1\t\t\n"
        "sd_B\tlog10\t1e-3\t1e3\t0.2\t1\tlogLaplace\t-1;1\n"
        "ksyn_high\tlog10\t1e-3\t1e3\t6\t1\t\t\n"
        "a_reset\tlin\t0\t10\t0.5\t1\t\t\n"
    )
    (folder / "problem.yaml").write_text(
        "format_version: 1\nparameter_file: parameters.tsv\nproblems:\n"
        "- condition_files: [conditions.tsv]\n  measurement_files: [measurements.tsv]\n"
        "  observable_files: [observables.tsv]\n  sbml_files: [model.xml]\n"
    )
    return folder / "problem.yaml"


def _fd_gradient(obj: PetabObjective, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    g = np.empty(obj.dim)
    for i in range(obj.dim):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        g[i] = (obj(xp) - obj(xm)) / (2 * h)
    return g


@pytest.fixture(scope="module")
def toy_problem(tmp_path_factory) -> Path:
    return _write_problem(tmp_path_factory.mktemp("grad_toy"))


def test_toy_objective_gradient_matches_finite_differences(toy_problem):
    """Oracle: central differences (step 1e-5) of the plain objective at solver rtol 1e-12.
    Tolerance 1e-6 relative to the gradient's largest entry."""
    obj = PetabObjective(toy_problem, rtol=1e-12, atol=1e-16)
    rng = np.random.default_rng(3)
    x = obj.x_nominal + rng.normal(0.0, 0.05, obj.dim)
    f, g = obj.value_and_gradient(x)
    assert f == pytest.approx(obj(x), rel=1e-9)
    fd = _fd_gradient(obj, x)
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, fd, rtol=0, atol=1e-6 * np.abs(fd).max())
    # every estimated parameter matters here, so no entry is trivially zero
    assert np.all(np.abs(fd) > 1e-4 * np.abs(fd).max())


def test_objective_pickles_without_its_library(toy_problem):
    obj = PetabObjective(toy_problem)
    x = obj.x_nominal
    f, g = obj.value_and_gradient(x)
    clone = pickle.loads(pickle.dumps(obj))
    assert "_sens" not in clone.__dict__
    f2, g2 = clone.value_and_gradient(x)
    assert f2 == f and np.array_equal(g2, g)  # same compiled code, same inputs: bitwise


def test_zero_likelihood_gives_inf_and_nan_gradient(tmp_path):
    """A log10 observable simulated as exactly 0 (B(0) = 0 without pre-equilibration) has zero
    likelihood: value inf and a NaN gradient, as the plain objective says."""
    yaml = _write_problem(tmp_path)
    with (tmp_path / "measurements.tsv").open("a") as fh:
        fh.write("obs_B\t\tsim\t0.1\t0.0\t\t\n")
    obj = PetabObjective(yaml)
    f, g = obj.value_and_gradient(obj.x_nominal)
    assert obj(obj.x_nominal) == math.inf
    assert f == math.inf and np.all(np.isnan(g))


def test_fujita_gradient_matches_finite_differences(peer_models):
    """Fujita 2010 (19 parameters, log10): forward-sensitivity gradient vs central differences,
    both at solver rtol 1e-11; tolerance 1e-5 relative to the largest entry (measured ~1e-7)."""
    yaml = peer_models / "petab" / "Fujita_SciSignal2010" / "Fujita_SciSignal2010.yaml"
    obj = PetabObjective(yaml, rtol=1e-11, atol=1e-15)
    x = obj.x_nominal + np.random.default_rng(1).normal(0.0, 0.1, obj.dim)
    f, g = obj.value_and_gradient(x)
    fd = PetabObjective(obj.problem, rtol=1e-11, atol=1e-15, gradient="finite-differences").value_and_gradient(x)[1]
    np.testing.assert_allclose(g, fd, rtol=0, atol=1e-5 * np.abs(fd).max())


def test_simulate_sensitivities_normalised_closed_form():
    """Oracle: for A = A0 exp(-k t), d ln A / d ln k = -k t and d ln A / d ln A0 = 1; obs = s A has
    d ln obs / d ln s = 1 (an output-only parameter). Tolerance 1e-7 at solver rtol 1e-10."""
    k = 0.5
    t = np.linspace(0.0, 6.0, 7)
    ds = hs.simulate_sensitivities(_decay(k=k), t, ["k", "A", "s"], outputs=["A", "obs"], rtol=1e-10, atol=1e-14)
    sA = ds["sensitivity:A"]
    np.testing.assert_allclose(sA.sel(parameter="k"), -k * t, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(sA.sel(parameter="A"), 1.0, rtol=1e-7)
    np.testing.assert_allclose(sA.sel(parameter="s"), 0.0, atol=1e-12)
    np.testing.assert_allclose(ds["sensitivity:obs"].sel(parameter="s"), 1.0, rtol=1e-9)
    raw = hs.simulate_sensitivities(_decay(k=k), t, ["k"], outputs=["A"], normalise=False, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(raw["sensitivity:A"].sel(parameter="k"), -t * 3.0 * np.exp(-k * t), rtol=1e-7, atol=1e-12)
    with pytest.raises(hs.UnknownNameError, match="wrt='kk'.*Did you mean 'k'"):
        hs.simulate_sensitivities(_decay(), t, ["kk"])


def test_residuals_reproduce_objective_and_gradient(peer_models):
    """Oracle: the objective's own value and gradient. 0.5|r|² + c equals the value (rel 1e-12:
    the same run) and J^T r equals the gradient (1e-10 of its largest entry) for Fujita 2010
    (normal noise with fixed standard deviations); Laplace noise is refused."""
    yaml = peer_models / "petab" / "Fujita_SciSignal2010" / "Fujita_SciSignal2010.yaml"
    obj = PetabObjective(yaml)
    x = obj.x_nominal + 0.05
    r, J, c = obj.residuals_and_jacobian(x)
    f, g = obj.value_and_gradient(x)
    assert 0.5 * float(r @ r) + c == pytest.approx(f, rel=1e-12)
    np.testing.assert_allclose(J.T @ r, g, rtol=0, atol=1e-10 * np.abs(g).max())


def test_residuals_refuse_laplace_noise(toy_problem):
    with pytest.raises(UnsupportedFeatureError, match="Laplace"):
        PetabObjective(toy_problem).residuals_and_jacobian(PetabObjective(toy_problem).x_nominal)
