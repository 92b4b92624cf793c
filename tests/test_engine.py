"""Engine correctness against analytic oracles, conservation laws and an independent solver.

Tolerance ladder: the solver runs at rtol 1e-10 (atol 1e-14) unless stated; asserts use
rtol 1e-6 against analytic solutions, which leaves two orders of magnitude for the global
error of a variable-order BDF method.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.special
from scipy.integrate import solve_ivp

import her2sim as hs
from her2sim.errors import SolverError, UnknownNameError, ValidationError
from her2sim.model import (
    AssignmentRule,
    Compartment,
    Event,
    InitialAssignment,
    Model,
    Parameter,
    RateRule,
    Reaction,
    Species,
    parse,
)

TIGHT = dict(rtol=1e-10, atol=1e-14)


def decay_model(k: float = 0.5, a0: float = 2.0) -> Model:
    return Model(
        "decay",
        compartments=(Compartment("c"),),
        species=(Species("A", "c", a0),),
        parameters=(Parameter("k", k),),
        reactions=(Reaction("r", (("A", 1),), (), parse("k*A")),),
    )


def test_linear_decay_matches_exponential():
    """Oracle: A(t) = A0 exp(-k t); rtol 1e-7 at solver rtol 1e-10."""
    t = np.linspace(0, 20, 41)
    ds = hs.simulate(decay_model(), t, **TIGHT)
    np.testing.assert_allclose(ds["A"].values, 2.0 * np.exp(-0.5 * t), rtol=1e-7, atol=0)
    assert int(ds["status"]) == 0


def test_michaelis_menten_matches_lambert_w_solution():
    """Oracle: S(t) = Km W((S0/Km) exp((S0 - Vmax t)/Km)) (closed form via Lambert W)."""
    vmax, km, s0 = 2.0, 0.7, 5.0
    m = Model(
        "mm",
        compartments=(Compartment("c"),),
        species=(Species("S", "c", s0), Species("P", "c", 0.0)),
        parameters=(Parameter("Vmax", vmax), Parameter("Km", km)),
        reactions=(Reaction("r", (("S", 1),), (("P", 1),), parse("Vmax*S/(Km + S)")),),
    )
    t = np.linspace(0, 6, 61)
    ds = hs.simulate(m, t, **TIGHT)
    exact = km * np.real(scipy.special.lambertw((s0 / km) * np.exp((s0 - vmax * t) / km)))
    np.testing.assert_allclose(ds["S"].values, exact, rtol=1e-6, atol=1e-12)
    # conservation S + P = S0 (exact for the method up to round-off and Newton tolerance)
    np.testing.assert_allclose(ds["S"].values + ds["P"].values, s0, rtol=1e-9)


def robertson() -> Model:
    return Model(
        "robertson",
        compartments=(Compartment("c"),),
        species=(Species("y1", "c", 1.0), Species("y2", "c", 0.0), Species("y3", "c", 0.0)),
        parameters=(Parameter("k1", 0.04), Parameter("k2", 3e7), Parameter("k3", 1e4)),
        reactions=(
            Reaction("r1", (("y1", 1),), (("y2", 1),), parse("k1*y1")),
            Reaction("r2", (("y2", 2),), (("y2", 1), ("y3", 1)), parse("k2*y2^2")),
            Reaction("r3", (("y2", 1), ("y3", 1)), (("y1", 1), ("y3", 1)), parse("k3*y2*y3")),
        ),
    )


def test_robertson_stiff_reference_values():
    """Oracle: Hairer & Wanner (Solving ODEs II) reference solution of Robertson at t = 40
    (y1 = 0.7158270687, y2 = 9.185534765e-6, y3 = 0.2841637457), rtol 1e-6; and mass
    conservation y1 + y2 + y3 = 1 to 1e-9 up to t = 4e10."""
    t = np.array([0.0, 40.0, 4e3, 4e10])
    ds = hs.simulate(robertson(), t, rtol=1e-10, atol=1e-16)
    np.testing.assert_allclose(
        [ds["y1"][1], ds["y2"][1], ds["y3"][1]], [0.7158270687, 9.185534765e-6, 0.2841637457], rtol=1e-6
    )
    total = ds["y1"].values + ds["y2"].values + ds["y3"].values
    np.testing.assert_allclose(total, 1.0, rtol=1e-9)


def test_robertson_matches_independent_radau():
    """Oracle: scipy Radau IIA (independent implicit Runge-Kutta) at rtol 1e-12; compare at 1e-6."""
    m = robertson()
    cm = hs.compile_model(m)
    p = cm.p_default
    t = np.geomspace(1e-5, 1e5, 21)
    t = np.concatenate([[0.0], t])
    ref = solve_ivp(
        lambda tt, y: cm.rhs(tt, y, p), (0, t[-1]), cm.initial_state(p), method="Radau",
        t_eval=t, rtol=1e-12, atol=1e-18, jac=lambda tt, y: cm.jacobian(tt, y, p),
    )
    ds = hs.simulate(m, t, rtol=1e-10, atol=1e-16)
    for i, s in enumerate(("y1", "y2", "y3")):
        np.testing.assert_allclose(ds[s].values, ref.y[i], rtol=1e-6, atol=1e-14)


def test_jacobian_matches_finite_differences(rng):
    """Oracle: central finite differences, relative error < 1e-5 of the column scale."""
    m = Model(
        "mix",
        compartments=(Compartment("c", 2.0),),
        species=(Species("A", "c", 1.0), Species("B", "c", 0.5), Species("C", "c", 0.2)),
        parameters=(Parameter("k1", 1.3), Parameter("k2", 0.4), Parameter("K", 0.8), Parameter("n", 2.5)),
        reactions=(
            Reaction("r1", (("A", 1),), (("B", 1),), parse("c*k1*A*B^n/(K^n + B^n)")),
            Reaction("r2", (("B", 1), ("C", 1)), (("A", 1),), parse("c*k2*B*C*piecewise(2, A > 0.5, 1)")),
        ),
        assignment_rules=(),
    )
    cm = hs.compile_model(m)
    p = cm.p_default
    for _ in range(5):
        x = rng.uniform(0.1, 2.0, size=3)
        J = cm.jacobian(0.0, x, p)
        fd = np.zeros_like(J)
        for j in range(3):
            h = 1e-6 * max(1.0, abs(x[j]))
            e = np.zeros(3)
            e[j] = h
            fd[:, j] = (cm.rhs(0.0, x + e, p) - cm.rhs(0.0, x - e, p)) / (2 * h)
        np.testing.assert_allclose(J, fd, rtol=1e-5, atol=1e-7 * np.abs(J).max())


def test_assignment_rules_and_rate_rules():
    """Oracle: dB/dt = k (rate rule on a parameter-like species) → B = B0 + k t; total = A + B
    as assignment rule; A decays exponentially."""
    m = Model(
        "rules",
        compartments=(Compartment("c"),),
        species=(Species("A", "c", 1.0), Species("B", "c", 0.0)),
        parameters=(Parameter("k", 0.3), Parameter("total", 0.0, constant=False), Parameter("z", 1.0, constant=False)),
        reactions=(Reaction("r", (("A", 1),), (), parse("k*A")),),
        assignment_rules=(AssignmentRule("total", parse("A + B")),),
        rate_rules=(RateRule("B", parse("k")), RateRule("z", parse("-z"))),
    )
    t = np.linspace(0, 5, 11)
    ds = hs.simulate(m, t, outputs=["A", "B", "total", "z"], **TIGHT)
    np.testing.assert_allclose(ds["B"].values, 0.3 * t, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ds["total"].values, np.exp(-0.3 * t) + 0.3 * t, rtol=1e-8)
    np.testing.assert_allclose(ds["z"].values, np.exp(-t), rtol=1e-7)


def test_initial_assignment_and_compartment_volume():
    """SBML semantics: initial concentration × volume = amount; initial assignment in concentration."""
    m = Model(
        "ia",
        compartments=(Compartment("c", 2.5),),
        species=(Species("A", "c", 0.0), Species("B", "c", 4.0, initial_is_amount=True)),
        parameters=(Parameter("a0", 3.0), Parameter("k", 1.0)),
        reactions=(Reaction("r", (("A", 1),), (), parse("c*k*A")),),
        initial_assignments=(InitialAssignment("A", parse("2*a0")),),
    )
    ds = hs.simulate(m, [0.0, 1.0], **TIGHT)
    np.testing.assert_allclose(float(ds["A"][0]), 6.0, rtol=1e-14)  # concentration from the IA
    np.testing.assert_allclose(float(ds["B"][0]), 4.0 / 2.5, rtol=1e-14)  # amount 4 in volume 2.5
    np.testing.assert_allclose(float(ds["A"][1]), 6.0 * np.exp(-1.0), rtol=1e-7)


def test_time_triggered_event_dose():
    """Oracle: a bolus of 1 at t=5 into first-order decay: A = e^{-kt} + H(t-5) e^{-k(t-5)}."""
    m = decay_model(k=0.4, a0=1.0).add(Event("dose", parse("time >= 5"), (("A", parse("A + 1")),)))
    t = np.linspace(0, 10, 101)
    ds = hs.simulate(m, t, **TIGHT)
    exact = np.exp(-0.4 * t) + np.where(t >= 5, np.exp(-0.4 * (t - 5)), 0.0)
    np.testing.assert_allclose(ds["A"].values, exact, rtol=1e-7)


def test_state_triggered_event_located_precisely():
    """Oracle: A = e^{-t} crosses 0.5 at ln 2; the event then resets A to 1."""
    m = decay_model(k=1.0, a0=1.0).add(Event("reset", parse("A < 0.5"), (("A", parse("1")),)))
    t = np.linspace(0, 1.2, 13)
    ds = hs.simulate(m, t, **TIGHT)
    t_ev = np.log(2.0)
    exact = np.where(t < t_ev, np.exp(-t), np.exp(-(t - t_ev)))
    np.testing.assert_allclose(ds["A"].values, exact, rtol=1e-7)


def test_schedule_changes_parameters_at_times():
    """Oracle: k switches 0.5 → 2 at t=3 (wash-in): A = e^{-0.5 t} then e^{-1.5} e^{-2(t-3)}."""
    t = np.linspace(0, 6, 61)
    ds = hs.simulate(decay_model(a0=1.0), t, schedule=[(3.0, {"k": 2.0})], **TIGHT)
    exact = np.where(t <= 3, np.exp(-0.5 * t), np.exp(-1.5) * np.exp(-2.0 * (t - 3)))
    np.testing.assert_allclose(ds["A"].values, exact, rtol=1e-7)


def synth_deg() -> Model:
    return Model(
        "turnover",
        compartments=(Compartment("c"),),
        species=(Species("R", "c", 0.0),),
        parameters=(Parameter("ks", 2.0), Parameter("kd", 0.5), Parameter("drug", 0.0)),
        reactions=(
            Reaction("syn", (), (("R", 1),), parse("ks")),
            Reaction("deg", (("R", 1),), (), parse("kd*(1 + drug)*R")),
        ),
    )


def test_preequilibration_then_treatment():
    """Oracle: steady state ks/kd = 4; with drug=1 the level relaxes to 2: R = 2 + 2 e^{-t}."""
    t = np.linspace(0, 8, 17)
    ds = hs.simulate(synth_deg(), t, parameters={"drug": 1.0}, preequilibrate={"drug": 0.0}, **TIGHT)
    np.testing.assert_allclose(ds["R"].values, 2 + 2 * np.exp(-1.0 * t), rtol=1e-7)


def test_no_steady_state_is_reported_with_a_remedy():
    growth = Model(
        "growth",
        compartments=(Compartment("c"),),
        species=(Species("N", "c", 1.0),),
        parameters=(Parameter("g", 0.1),),
        reactions=(Reaction("grow", (), (("N", 1),), parse("g*N")),),
    )
    with pytest.raises(SolverError, match="NO_STEADY_STATE.*Still changing most: N"):
        hs.simulate(growth, [0.0, 1.0], preequilibrate=True, steady_state_tmax=1e4)


def test_ensemble_serial_equals_threaded_and_failures_are_data():
    """Results must not depend on the thread count (bitwise); a failing member is NaN + status."""
    m = synth_deg()
    rng = np.random.default_rng(7)
    ks = rng.lognormal(np.log(2.0), 0.3, 40)
    kd = rng.lognormal(np.log(0.5), 0.3, 40)
    kd[5] = np.nan  # this member must fail without affecting the others
    t = np.linspace(0, 10, 11)
    a = hs.simulate_ensemble(m, t, {"ks": ks, "kd": kd}, n_threads=1, **TIGHT)
    b = hs.simulate_ensemble(m, t, {"ks": ks, "kd": kd}, n_threads=2, **TIGHT)
    np.testing.assert_array_equal(a["R"].values, b["R"].values)
    assert int(a["status"][5]) != 0 and np.isnan(a["R"][5, 1:]).all()
    assert "NaN" in str(a["message"][5].values)
    ok = np.arange(40) != 5
    assert (a["status"].values[ok] == 0).all()
    exact = (ks / kd)[:, None] * (1 - np.exp(-kd[:, None] * t[None, :]))
    np.testing.assert_allclose(a["R"].values[ok], exact[ok], rtol=1e-7)
    assert a.attrs["n_failed"] == 1


def test_new_parameters_do_not_recompile():
    m = decay_model()
    a = hs.compile_model(m)
    b = hs.compile_model(m.with_parameters(k=3.0).with_initial(A=9.0))
    assert a.library_path == b.library_path
    np.testing.assert_allclose(b.p_default[b.p_index("k")], 3.0)


def test_compiled_model_pickles():
    cm = hs.compile_model(decay_model())
    cm2 = pickle.loads(pickle.dumps(cm))
    ds = hs.simulate(cm2, [0.0, 1.0], **TIGHT)
    np.testing.assert_allclose(float(ds["A"][1]), 2.0 * np.exp(-0.5), rtol=1e-8)


def test_bad_names_suggest_the_closest():
    with pytest.raises(UnknownNameError, match="Did you mean 'k'"):
        hs.simulate(decay_model(), [0, 1], parameters={"kk": 1.0})
    with pytest.raises(UnknownNameError, match="outputs='AA'.*Did you mean 'A'"):
        hs.simulate(decay_model(), [0, 1], outputs=["AA"])
    with pytest.raises(ValidationError, match="non-decreasing"):
        hs.simulate(decay_model(), [1.0, 0.0])
    with pytest.raises(ValidationError, match="rtol"):
        hs.simulate(decay_model(), [0, 1], rtol=-1)


def test_single_run_raises_on_failure():
    with pytest.raises(SolverError, match="NONFINITE"):
        hs.simulate(decay_model(), [0, 1], parameters={"k": float("nan")})


def test_dataset_labels_and_provenance():
    ds = hs.simulate(decay_model(), np.linspace(0, 1, 3))
    assert ds["A"].dims == ("time",)
    assert ds.attrs["model_id"] == "decay"
    assert len(ds.attrs["model_sha256"]) == 64
    assert ds["time"].attrs["units"] == "second"
    e = hs.simulate_ensemble(decay_model(), [0.0, 1.0], {"k": [0.1]})
    assert e["A"].dims == ("member", "time") and e.sizes["member"] == 1  # never squeezed


def test_selected_outputs_of_every_form_match_analytic_values_in_any_order():
    """The solver evaluates only the selected outputs, through index tables for amounts,
    concentrations, parameters and intermediates and generated code for other forms; a
    selection in any order gives each output its own value.

    Oracle: closed forms. A (concentration in c, 2.5 L) decays with k: A = 4 exp(-k t); the
    rate r = c k A; ``total`` = 2 A + k (assignment rule); B (amount only) = 3; C in compartment
    v (size 2 by an assignment rule) stays 1; D in compartment u (du/dt = 0.1, u0 = 1) keeps its
    amount: D = 1 / (1 + 0.1 t). Tolerance rtol 1e-7 at solver rtol 1e-10. Second oracle: the
    full output evaluation (every output, ``CompiledModel.outputs_at``) at the final state,
    which must agree bit for bit.
    """
    m = Model(
        "forms",
        compartments=(Compartment("c", 2.5), Compartment("v", 1.0, constant=False),
                      Compartment("u", 1.0, constant=False)),
        species=(Species("A", "c", 4.0), Species("B", "c", 3.0, initial_is_amount=True, has_only_substance_units=True),
                 Species("C", "v", 1.0), Species("D", "u", 1.0)),
        parameters=(Parameter("k", 0.3), Parameter("total", 0.0, constant=False)),
        reactions=(Reaction("r", (("A", 1),), (), parse("c*k*A")),),
        assignment_rules=(AssignmentRule("total", parse("2*A + k")), AssignmentRule("v", parse("2"))),
        rate_rules=(RateRule("u", parse("0.1")),),
    )
    t = np.linspace(0, 5, 11)
    order = ["D", "r", "k", "C", "total", "B", "A", "c"]
    ds = hs.simulate(m, t, outputs=order, **TIGHT)
    a = 4.0 * np.exp(-0.3 * t)
    expected = {"A": a, "r": 2.5 * 0.3 * a, "total": 2 * a + 0.3, "k": np.full_like(t, 0.3), "B": np.full_like(t, 3.0),
                "C": np.ones_like(t), "D": 1.0 / (1.0 + 0.1 * t), "c": np.full_like(t, 2.5)}
    for name in order:
        np.testing.assert_allclose(ds[name].values, expected[name], rtol=1e-7, atol=1e-12, err_msg=name)

    cm = hs.compile_model(m)
    P = cm.parameter_vector({})[None, :]
    sel = np.asarray([cm.output_index(n) for n in order], dtype=np.int32)
    from her2sim.simulation import _options

    res = cm.run(P, t, sel, _options(1e-10, 1e-14, 500_000, None, 1e-10, 1e-14, 1e10), want_final_state=True)
    full = cm.outputs_at(t[-1], res["x_final"][0], P[0])
    np.testing.assert_array_equal(res["out"][0, -1, :], full[sel])
