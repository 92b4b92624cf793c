"""Adjoint sensitivities (her2sim.engine.adjoint, engine/adjoint.c) and the PEtab objective's
adjoint gradient.

Oracles:

* closed forms: exponential decay observed at several times (d/dk, d/ds of an output-only
  scaling, d/d initial concentration through the compartment size); the steady state of
  synthesis, degradation and exchange (pre-equilibration by backward integration and by the
  linear steady-state adjoint), and of a closed exchange A <-> B (a conservation law: the
  steady state depends on the initial amounts only through their sum);
* forward sensitivities (an independent computation: the augmented forward system of
  codegen.generate) on the Fujita 2010 model, whose input switches at a time breakpoint;
* central finite differences of the plain compiled objective (no sensitivity equations) for
  the hand-made PEtab problem of test_sensitivities (pre-equilibration, reset, steady-state
  read-out) and the Fujita 2010 PEtab problem, and forward sensitivities for Raimundez 2020
  (slow).

Tolerances are the measured error times a margin of 10 to 30 (numbers in each docstring).
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

from her2sim.calibration import PetabObjective
from her2sim.engine.adjoint import (
    adjoint_model,
    output_gradient,
    run_adjoint,
    run_steady_adjoint,
    steady_state_adjoint,
)
from her2sim.engine.compiler import compile_model
from her2sim.engine.solver import SolverOptions
from her2sim.errors import UnsupportedFeatureError, ValidationError
from her2sim.model import AssignmentRule, Compartment, Event, Model, Parameter, Reaction, Species, parse
from her2sim.protocol import sensitivity_selection

pytest.importorskip("petab.v1")

TIGHT = SolverOptions(rtol=1e-10, atol=1e-14)


def _decay() -> Model:
    return Model(
        "decay_adjoint",
        compartments=(Compartment("c", 2.0),),
        species=(Species("A", "c", 3.0),),
        parameters=(Parameter("k", 0.5), Parameter("s", 4.0), Parameter("obs", 0.0, constant=False)),
        reactions=(Reaction("r", (("A", 1),), (), parse("k*A*c")),),
        assignment_rules=(AssignmentRule("obs", parse("s*A")),),
    )


def _exchange(synthesis: bool) -> Model:
    reactions = [Reaction("ab", (("A", 1),), (("B", 1),), parse("kab*A - kba*B"))]
    if synthesis:
        reactions += [Reaction("syn", (), (("A", 1),), parse("ksyn")), Reaction("deg", (("A", 1),), (), parse("kdeg*A"))]
    return Model(
        "exchange_adjoint" + ("_open" if synthesis else "_closed"),
        compartments=(Compartment("c", 1.0),),
        species=(Species("A", "c", 0.5), Species("B", "c", 0.1)),
        parameters=(Parameter("ksyn", 2.0), Parameter("kdeg", 0.3), Parameter("kab", 5.0), Parameter("kba", 1.0)),
        reactions=tuple(reactions),
    )


def test_decay_gradient_matches_closed_form():
    """Oracle: obs(t) = s A0 exp(-k t) (A0 a concentration, the state the amount A0 * size).
    F = sum_k w_k obs(t_k); dF/dk, dF/ds, dF/dA0 in closed form. Measured error 7e-8 relative at
    rtol 1e-10 (second-order backward method); tolerance 2e-6."""
    t = [0.0, 1.0, 2.5, 4.0]
    w = [0.3, 1.0, -0.5, 2.0]
    g = output_gradient(_decay(), t, {"obs": w}, wrt=["k", "s", "init(A)"], solver=TIGHT)
    k, s, a0 = 0.5, 4.0, 3.0
    expected = {
        "k": sum(wi * s * a0 * (-ti) * math.exp(-k * ti) for ti, wi in zip(t, w)),
        "s": sum(wi * a0 * math.exp(-k * ti) for ti, wi in zip(t, w)),
        "init(A)": sum(wi * s * math.exp(-k * ti) for ti, wi in zip(t, w)),
    }
    for name, value in expected.items():
        assert g[name] == pytest.approx(value, rel=2e-6), name


def test_steady_state_adjoint_matches_closed_form():
    """Oracle: synthesis ksyn, degradation kdeg*A, exchange A <-> B: A_ss = ksyn/kdeg,
    B_ss = kab/kba * A_ss. F = A_ss + 2 B_ss. Backward integration over the recorded
    pre-equilibration (measured 6e-11 of the largest entry: the run stops at the steady-state
    criterion, not at the exact steady state; tolerance 2e-9) and the linear steady-state
    adjoint at the state reached (measured 2e-11; tolerance 1e-9) agree with the closed form."""
    cm = adjoint_model(_exchange(True), [0, 1, 2, 3])
    P = cm.parameter_vector()[None]
    lam = np.array([[1.0, 2.0]])
    ksyn, kdeg, kab, kba = 2.0, 0.3, 5.0, 1.0
    a = ksyn / kdeg
    expected = np.array([
        (1 + 2 * kab / kba) / kdeg,
        -(1 + 2 * kab / kba) * ksyn / kdeg**2,
        2 * a / kba,
        -2 * a * kab / kba**2,
    ])
    opts = SolverOptions(rtol=1e-10, atol=1e-14, steady_state_rtol=1e-12, steady_state_atol=1e-16)
    res = run_steady_adjoint(cm, P, lam, solver=opts)
    assert int(res["status"][0]) == 0
    np.testing.assert_allclose(res["gradient"][0], expected, rtol=0, atol=2e-9 * np.abs(expected).max())
    np.testing.assert_allclose(res["x_ss"][0], [a, kab / kba * a], rtol=1e-9)
    lin = steady_state_adjoint(cm, P[0], res["x_ss"][0], lam[0])
    assert lin is not None
    np.testing.assert_allclose(lin[0], expected, rtol=1e-9)
    np.testing.assert_allclose(lin[1], 0.0, atol=1e-12)  # an open system forgets its start


def test_steady_state_adjoint_with_conservation_law():
    """Oracle: closed exchange A <-> B conserves T = A + B: A_ss = kba T/(kab + kba). F = A_ss:
    dF/dA0 = dF/dB0 = kba/(kab + kba), dF/dkab = -kba T/(kab + kba)^2, dF/dkba = kab T/(kab + kba)^2.
    The Jacobian is singular; the linear adjoint solves with its left null space (measured
    6e-14; tolerance 2e-12), backward integration agrees (measured 7e-15 of the largest entry;
    tolerance 2e-12)."""
    model = _exchange(False)
    plain = compile_model(model)
    wrt = [plain.p_index("kab"), plain.p_index("kba"), plain.init_index("A"), plain.init_index("B")]
    cm = adjoint_model(model, wrt)
    P = cm.parameter_vector()[None]
    kab, kba, total = 5.0, 1.0, 0.6
    expected = np.array([-kba * total / (kab + kba) ** 2, kab * total / (kab + kba) ** 2,
                         kba / (kab + kba), kba / (kab + kba)])
    res = run_steady_adjoint(cm, P, np.array([[1.0, 0.0]]), solver=TIGHT.replace(steady_state_rtol=1e-12,
                                                                                 steady_state_atol=1e-16))
    np.testing.assert_allclose(res["gradient"][0], expected, rtol=0, atol=2e-12 * np.abs(expected).max())
    lin = steady_state_adjoint(cm, P[0], res["x_ss"][0], np.array([1.0, 0.0]))
    assert lin is not None
    np.testing.assert_allclose(lin[0], expected, rtol=2e-12)


def test_adjoint_matches_forward_sensitivities_with_time_breakpoint(peer_models):
    """Oracle: forward sensitivities (augmented system, identity directions) for the Fujita 2010
    model (EGF input switching at a time breakpoint), F = sum over read-outs of pEGFR, under
    the six experimental conditions. Measured up to 5e-6 of the largest entry at rtol 1e-10;
    tolerance 1e-4. Also: 2 threads give the same numbers as 1."""
    yaml = peer_models / "petab" / "Fujita_SciSignal2010" / "Fujita_SciSignal2010.yaml"
    obj = PetabObjective(yaml)
    from her2sim.io.petab_plan import compile_plan

    cp = compile_plan(obj.problem)
    P0, _ = cp.inputs(cp.values(obj.to_linear(obj.x_nominal)))
    cm0 = cp.cm
    names = cm0.param_ids + [f"init({i})" for i in cm0.init_ids]
    wrt = tuple(j for j in range(cm0.n_p_base) if cm0.p_dynamic[j] and names[j] != "EGF_end")
    adj = adjoint_model(obj.problem.model, wrt)
    times = cp.times
    W = np.zeros((P0.shape[0], times.size, adj.n_out_base))
    W[:, :, adj.output_index("pEGFR")] = 1.0
    res = run_adjoint(adj, P0, times, W, solver=TIGHT)
    assert np.all(res["status"] == 0)
    assert np.array_equal(run_adjoint(adj, P0, times, W, solver=TIGHT, n_threads=2)["gradient"], res["gradient"])
    nd = len(wrt)
    fs = compile_model(obj.problem.model, (nd, wrt))
    Pa = np.concatenate([P0, np.tile(np.eye(nd).reshape(-1), (P0.shape[0], 1))], axis=1)
    sel = sensitivity_selection(fs.n_out_base, np.array([fs.output_index("pEGFR")]), nd, nd)
    out = fs.run(Pa, times, sel, TIGHT.to_c())["out"]
    forward = out[:, :, 1:1 + nd].sum(axis=1) + out[:, :, 1 + nd:].sum(axis=1)
    for m in range(P0.shape[0]):
        np.testing.assert_allclose(res["gradient"][m], forward[m], rtol=0, atol=1e-4 * np.abs(forward[m]).max())


def test_fujita_adjoint_gradient_matches_finite_differences(peer_models):
    """Fujita 2010 PEtab objective (19 parameters, log10): adjoint gradient vs central differences
    of the plain objective, both at solver rtol 1e-11, at the point of the forward-sensitivity
    test. Measured 1.5e-7 of the largest entry (backward pass at 10 x rtol; forward sensitivities:
    5e-8); tolerance 3e-6."""
    yaml = peer_models / "petab" / "Fujita_SciSignal2010" / "Fujita_SciSignal2010.yaml"
    obj = PetabObjective(yaml, rtol=1e-11, atol=1e-15, gradient="adjoint")
    assert obj.uses_adjoint
    x = obj.x_nominal + np.random.default_rng(1).normal(0.0, 0.1, obj.dim)
    f, g = obj.value_and_gradient(x)
    assert f == pytest.approx(obj(x), rel=1e-12)  # the value is the plain objective's
    fd = PetabObjective(obj.problem, rtol=1e-11, atol=1e-15, gradient="finite-differences").value_and_gradient(x)[1]
    np.testing.assert_allclose(g, fd, rtol=0, atol=3e-6 * np.abs(fd).max())


def _toy_problem(folder):
    import importlib.util
    import sys
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("_sens_tests", Path(__file__).with_name("test_sensitivities.py"))
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules.setdefault("_sens_tests", module)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module._write_problem(folder)


def test_toy_problem_adjoint_gradient_matches_finite_differences(tmp_path):
    """The hand-made PEtab problem of test_sensitivities (pre-equilibration, a species reset to an
    estimated value, a steady-state read-out, observable and noise placeholders, a log10 Laplace
    observable with a noise formula of the state, priors): adjoint gradient vs central
    differences (step 1e-5) of the plain objective at solver rtol 1e-12, at the forward test's
    point. Measured 8e-9 of the largest entry (forward sensitivities: 8e-9); tolerance 2e-7."""
    obj = PetabObjective(_toy_problem(tmp_path), rtol=1e-12, atol=1e-16, gradient="adjoint")
    x = obj.x_nominal + np.random.default_rng(3).normal(0.0, 0.05, obj.dim)
    f, g = obj.value_and_gradient(x)
    assert f == pytest.approx(obj(x), rel=1e-12)
    h = 1e-5
    fd = np.array([(obj(x + h * e) - obj(x - h * e)) / (2 * h) for e in np.eye(obj.dim)])
    np.testing.assert_allclose(g, fd, rtol=0, atol=2e-7 * np.abs(fd).max())


def test_auto_gradient_choice_and_refusals(peer_models):
    """'auto' keeps forward sensitivities for Fujita 2010 (16 directions, below the threshold);
    models with events are refused with a clear error and 'auto' falls back to forward;
    a misspelt method names the closest one."""
    yaml = peer_models / "petab" / "Fujita_SciSignal2010" / "Fujita_SciSignal2010.yaml"
    assert not PetabObjective(yaml).uses_adjoint
    with pytest.raises(ValidationError, match="did you mean 'adjoint'"):
        PetabObjective(yaml, gradient="adjiont")  # type: ignore[arg-type]
    model = _decay()
    with_event = Model(
        "decay_event", compartments=model.compartments, species=model.species, parameters=model.parameters,
        reactions=model.reactions, assignment_rules=model.assignment_rules,
        events=(Event("ev", parse("time > 1"), (("A", parse("1")),)),),
    )
    with pytest.raises(UnsupportedFeatureError, match="events"):
        adjoint_model(with_event, [0])
    with pytest.raises(UnsupportedFeatureError, match="events"):
        output_gradient(with_event, [0.0, 2.0], {"A": [1.0, 1.0]}, wrt=["k"])
    # a parameter that sets when a piecewise input switches: refused, as by forward sensitivities
    fujita = PetabObjective(yaml).problem.model
    with pytest.raises(UnsupportedFeatureError, match="EGF_end"):
        adjoint_model(fujita, [compile_model(fujita).p_index("EGF_end")])


def test_adjoint_input_validation_and_pickle():
    """Bad shapes name the argument and the expected shape; a failed run is a status, not an
    exception; the adjoint library pickles (rebuilt from the cache)."""
    cm = adjoint_model(_decay(), [0])
    P = cm.parameter_vector()[None]
    t = np.array([0.0, 1.0])
    with pytest.raises(ValidationError, match="weights has shape"):
        run_adjoint(cm, P, t, np.zeros((1, 3, 1)))
    with pytest.raises(ValidationError, match="t_out"):
        run_adjoint(cm, P, np.array([1.0, 0.0]), np.zeros((1, 2, cm.n_out_base)))
    W = np.zeros((2, 2, cm.n_out_base))
    W[:, :, cm.output_index("A")] = 1.0
    bad = np.vstack([P, P])
    bad[1, cm.p_index("k")] = math.nan
    res = run_adjoint(cm, bad, t, W)
    assert res["status"][0] == 0 and res["status"][1] != 0
    assert np.all(np.isfinite(res["gradient"][0])) and np.all(np.isnan(res["gradient"][1]))
    again = pickle.loads(pickle.dumps(cm))
    assert again.adjoint and again.wrt == cm.wrt
    np.testing.assert_array_equal(run_adjoint(again, P, t, W[:1])["gradient"], res["gradient"][:1])


@pytest.mark.slow
def test_raimundez_adjoint_gradient_matches_forward(peer_models):
    """Raimundez 2020 (136 parameters, 57 directions, pre-equilibration, species resets): 'auto'
    takes the adjoint; its gradient vs forward sensitivities at rtol 1e-8. Measured 1.1e-4 of the
    largest entry (the plain trajectory's error at rtol 1e-8, which the forward system's error
    control tightens); tolerance 2e-3."""
    yaml = peer_models / "petab" / "Raimundez_PCB2020" / "Raimundez_PCB2020.yaml"
    adj = PetabObjective(yaml)
    assert adj.uses_adjoint
    fwd = PetabObjective(adj.problem, gradient="forward")
    x = adj.x_nominal
    f1, g1 = fwd.value_and_gradient(x)
    f2, g2 = adj.value_and_gradient(x)
    assert f2 == pytest.approx(f1, rel=1e-6)
    np.testing.assert_allclose(g2, g1, rtol=0, atol=2e-3 * np.abs(g1).max())
