"""PEtab condition values override SBML initial assignments (PEtab v1; issue 15).

A hand-made problem whose SBML model sets a parameter ``u`` and a species ``B`` by initial
assignments, and a species ``A`` from ``u``. One condition leaves both to the model, one sets
them in the condition table; a third pre-equilibrates under the model's values and then
simulates under the condition's.

Oracles: the closed-form solution of the linear ODEs (below) and the likelihood computed by hand
from it; libRoadRunner on the same SBML with the condition's values written into it
(independent solver, the override semantics stated explicitly).

    dA/dt = -k A            A(0) = u
    dB/dt = -k B            B(0) = 3 b      (initial assignment)
    dC/dt = u - k C         C(0) = 0
    u = 2 b                 (initial assignment; the condition table sets u = U_COND)
    dD/dt = 0               D(0) = D_MODEL, or D_PRE from a pre-equilibration condition

The last row checks that a pre-equilibration condition's species value is the initial value of
pre-equilibration (PEtab v1; it was ignored before the compiled plans).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import her2sim as hs
from her2sim.io.petab import load_petab, negative_log_likelihood, simulate_petab

pytest.importorskip("petab.v1")

K, B_PARAM = 0.5, 2.0
U_MODEL, B0_MODEL = 2 * B_PARAM, 3 * B_PARAM  # the initial assignments
U_COND, B0_COND = 1.0, 0.5  # the condition table
SIGMA = 0.1
D_MODEL, D_PRE = 1.0, 5.0  # a species without reactions: its initial value survives pre-equilibration
TIMES = (1.0, 2.0)


def _model() -> hs.Model:
    parse = hs.model.parse
    return hs.Model(
        "ia_override",
        compartments=(hs.Compartment("cell", 1.0),),
        species=(
            hs.Species("A", "cell", 0.0), hs.Species("B", "cell", 0.0), hs.Species("C", "cell", 0.0),
            hs.Species("D", "cell", D_MODEL),
        ),
        parameters=(hs.Parameter("k", K), hs.Parameter("b", B_PARAM), hs.Parameter("u", 0.0)),
        reactions=(
            hs.Reaction("a_loss", (("A", 1),), (), parse("k*A")),
            hs.Reaction("b_loss", (("B", 1),), (), parse("k*B")),
            hs.Reaction("c_in", (), (("C", 1),), parse("u")),
            hs.Reaction("c_loss", (("C", 1),), (), parse("k*C")),
        ),
        initial_assignments=(
            hs.model.InitialAssignment("u", parse("2*b")),
            hs.model.InitialAssignment("A", parse("u")),
            hs.model.InitialAssignment("B", parse("3*b")),
        ),
        time_units="minute",
    )


def _write(folder: Path) -> Path:
    hs.write_sbml(_model(), folder / "model.xml")
    (folder / "conditions.tsv").write_text(
        "conditionId\tu\tB\tD\n"
        "model\t\t\t\n"
        f"set\t{U_COND}\t{B0_COND}\t\n"
        f"pre_D\t\t\t{D_PRE}\n"
    )
    (folder / "observables.tsv").write_text(
        "observableId\tobservableFormula\tnoiseFormula\n"
        f"obs_A\tA\t{SIGMA}\nobs_B\tB\t{SIGMA}\nobs_C\tC\t{SIGMA}\nobs_D\tD\t{SIGMA}\n"
    )
    lines = ["observableId\tpreequilibrationConditionId\tsimulationConditionId\tmeasurement\ttime"]
    for n, (pre, cond) in enumerate((("", "model"), ("", "set"), ("model", "set"))):
        for obs in ("obs_A", "obs_B", "obs_C"):
            for t in TIMES:
                lines.append(f"{obs}\t{pre}\t{cond}\t{0.3 * (n + 1)}\t{t}")
    # the pre-equilibration condition's species value is the initial value of pre-equilibration
    lines.append(f"obs_D\tpre_D\tmodel\t4.0\t{TIMES[0]}")
    (folder / "measurements.tsv").write_text("\n".join(lines) + "\n")
    (folder / "parameters.tsv").write_text(
        "parameterId\tparameterScale\tlowerBound\tupperBound\tnominalValue\testimate\n"
        f"k\tlog10\t1e-3\t1e3\t{K}\t1\n"
    )
    (folder / "problem.yaml").write_text(
        "format_version: 1\nparameter_file: parameters.tsv\nproblems:\n"
        "- condition_files: [conditions.tsv]\n  measurement_files: [measurements.tsv]\n"
        "  observable_files: [observables.tsv]\n  sbml_files: [model.xml]\n"
    )
    return folder / "problem.yaml"


def _expected() -> np.ndarray:
    """Closed-form values in the order of the measurement table."""
    out = []
    for pre, (u, b0) in ((False, (U_MODEL, B0_MODEL)), (False, (U_COND, B0_COND)), (True, (U_COND, B0_COND))):
        # after pre-equilibration under the model's values: A = B = 0, C = U_MODEL / k; then the
        # condition resets B (a species column) and sets u; A is not in the table and stays 0
        a0 = 0.0 if pre else u
        c0 = U_MODEL / K if pre else 0.0
        for f in (
            lambda t: a0 * math.exp(-K * t),
            lambda t: b0 * math.exp(-K * t),
            lambda t: u / K + (c0 - u / K) * math.exp(-K * t),
        ):
            out.extend(f(t) for t in TIMES)
    out.append(D_PRE)
    return np.asarray(out)


@pytest.fixture(scope="module")
def problem(tmp_path_factory):
    return load_petab(_write(tmp_path_factory.mktemp("petab_ia")))


def test_condition_values_override_initial_assignments(problem):
    assert set(problem.ia_overrides) == {"u", "B"}
    df = simulate_petab(problem, rtol=1e-10, atol=1e-12)
    assert df.attrs["n_failed"] == 0, df.attrs["failures"]
    # oracle: closed-form solution; 1e-6 relative, looser than the solver's rtol 1e-10 (the
    # pre-equilibrated rows start from a steady state reached to the steady-state tolerance)
    np.testing.assert_allclose(df["simulation"].to_numpy(), _expected(), rtol=1e-6, atol=1e-8)


def test_likelihood_by_hand_with_and_without_override(problem):
    m = problem.measurements["measurement"].to_numpy()
    y = _expected()
    by_hand = float(np.sum(0.5 * np.log(2 * np.pi * SIGMA**2) + 0.5 * ((m - y) / SIGMA) ** 2))
    nll = negative_log_likelihood(problem, rtol=1e-10, atol=1e-12)
    assert nll == pytest.approx(by_hand, rel=1e-7), "hand-computed NLL (tolerance 1e-7, solver rtol 1e-10)"
    # the silent error this guards against: the initial assignments winning over the table
    # (u = 4, B(0) = 6 in the 'set' condition) gives a likelihood far from the right one
    n = len(TIMES) * 3
    wrong = y.copy()
    wrong[n : 2 * n] = y[:n]
    wrong_nll = float(np.sum(0.5 * np.log(2 * np.pi * SIGMA**2) + 0.5 * ((m - wrong) / SIGMA) ** 2))
    assert abs(nll - wrong_nll) > 100


def test_gradient_sees_the_override(problem):
    """Forward sensitivities through the rewritten assignments agree with central differences."""
    from her2sim.calibration import PetabObjective

    obj = PetabObjective(problem, rtol=1e-10, atol=1e-12, include_priors=False)
    x = obj.x_nominal
    f, g = obj.value_and_gradient(x)
    h = 1e-5
    fd = (obj(x + h) - obj(x - h)) / (2 * h)
    assert f == pytest.approx(obj(x), rel=1e-9)
    # oracle: central difference, truncation error O(h^2) ~ 1e-10 relative; solver noise ~1e-10/h
    assert g[0] == pytest.approx(fd, rel=1e-5)


def test_roadrunner_with_the_condition_written_into_the_model(problem, tmp_path):
    """libRoadRunner on the model with the condition's values as plain values (no assignment)."""
    roadrunner = pytest.importorskip("roadrunner")
    model = _model().replace(initial_assignments=(hs.model.InitialAssignment("A", hs.model.parse("u")),))
    model = model.with_parameters(u=U_COND).with_initial(B=B0_COND)
    hs.write_sbml(model, tmp_path / "set.xml")
    rr = roadrunner.RoadRunner(str(tmp_path / "set.xml"))
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-12
    res = rr.simulate(0.0, 2.0, 3, ["time", "[A]", "[B]", "[C]"])
    ref = np.concatenate([np.asarray(res[1:, j]) for j in (1, 2, 3)])
    df = simulate_petab(problem, rtol=1e-10, atol=1e-12)
    n = len(TIMES) * 3
    np.testing.assert_allclose(df["simulation"].to_numpy()[n : 2 * n], ref, rtol=1e-6, atol=1e-8)
