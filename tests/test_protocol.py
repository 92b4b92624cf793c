"""Protocols as data and the one executor (her2sim.protocol).

Oracles: closed forms of a production–decay model (dA/dt = k_in − k·A, steady state k_in/k),
agreement of the data form (Protocol) with the keyword form, and the executor as the only caller
of CompiledModel.run.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
import xarray as xr

import her2sim as hs
from her2sim import simulation as sim
from her2sim.engine.compiler import CompiledModel, compile_model
from her2sim.model import parse
from her2sim.protocol import Protocol, execute


def _turnover() -> hs.Model:
    return hs.Model(
        "turnover", compartments=(hs.Compartment("c"),), species=(hs.Species("A", "c", 0.0),),
        parameters=(hs.Parameter("k_in", 1.0), hs.Parameter("k", 0.5)),
        reactions=(hs.Reaction("production", (), (("A", 1),), parse("k_in*c")),
                   hs.Reaction("decay", (("A", 1),), (), parse("k*A*c"))),
    )


def test_protocol_periods_match_the_closed_form():
    """pre-equilibrate at k_in = 2 (A* = 4), reset A to 10, treat at k_in = 1 (A* = 2), switch k_in = 3 at t = 2."""
    times = np.array([0.0, 1.0, 2.0, 3.0])
    protocol = Protocol(times=tuple(times), preequilibrate={"k_in": 2.0}, reset={"A": 10.0},
                        schedule=((2.0, {"k_in": 3.0}),))
    ds = hs.simulate(_turnover(), None, protocol=protocol)
    k = 0.5
    a2 = 2.0 + (10.0 - 2.0) * math.exp(-k * 2.0)
    expected = [10.0, 2.0 + 8.0 * math.exp(-k), a2, 6.0 + (a2 - 6.0) * math.exp(-k)]
    # rtol 1e-6: 100 × the solver's rtol 1e-8
    np.testing.assert_allclose(ds["A"].values, expected, rtol=1e-6)
    assert "reset" in Protocol.describe(protocol)


def test_data_form_equals_keyword_form():
    model = _turnover()
    times = [0.0, 1.0, 5.0]
    a = hs.simulate(model, times, preequilibrate={"k_in": 2.0}, schedule=[(1.0, {"k": 1.0})])
    b = hs.simulate(model, None, protocol=Protocol(times=times, preequilibrate={"k_in": 2.0},
                                                   schedule=((1.0, {"k": 1.0}),)))
    xr.testing.assert_identical(a.drop_attrs(), b.drop_attrs())
    with pytest.raises(hs.ValidationError, match="not both"):
        hs.simulate(model, None, protocol=Protocol(times=times), preequilibrate=True)


def test_staged_preequilibration_equals_in_solver_preequilibration():
    """Staged (once per distinct vector, then reset, then treat) and in-C pre-equilibration agree (1e-9)."""
    cm = compile_model(_turnover())
    P = np.repeat(cm.p_default[None, :], 3, axis=0)
    P[:, cm.p_index("k")] = [0.5, 1.0, 0.5]
    P_pre = P.copy()
    P_pre[:, cm.p_index("k_in")] = 3.0
    times = np.array([0.0, 2.0])
    sel = np.array([cm.output_index("A")], dtype=np.int32)
    direct = execute(cm, P, times, sel, P_pre=P_pre)
    staged = execute(cm, P, times, sel, P_pre=P_pre, staged=True, steady_members=np.array([0, 1, 2]))
    np.testing.assert_allclose(staged.out, direct.out, rtol=1e-9)
    np.testing.assert_allclose(staged.out[:, 0, 0], 3.0 / P[:, cm.p_index("k")], rtol=1e-8)  # A* = k_in/k
    np.testing.assert_allclose(staged.steady[:, 0], 1.0 / P[:, cm.p_index("k")], rtol=1e-8)


def test_a_failed_member_is_data():
    ds = hs.simulate_ensemble(_turnover(), [0.0, 1.0], {"k": [0.5, float("nan"), 1.0]})
    status = ds["status"].values
    assert status[0] == 0 and status[2] == 0 and status[1] != 0
    assert np.all(np.isnan(ds["A"].values[1, 1:]))
    np.testing.assert_allclose(ds["A"].values[[0, 2], 1], [2 * (1 - math.exp(-0.5)), 1 - math.exp(-1.0)], rtol=1e-6)
    assert ds.attrs["n_failed"] == 1


def test_fast_dataset_assembly_is_the_public_one():
    """The Dataset built with xarray's internal constructor is identical to the public constructor's."""
    from her2sim.library import her2_model

    model = her2_model.build()
    cm = compile_model(model)
    names, _ = sim._selection(cm, None)
    out = np.random.default_rng(0).random((5, len(names)))
    times = np.linspace(0.0, 4.0, 5)
    fast = sim._single_run_dataset(cm, names, out, times, 0, {"a": 1})
    meta = sim._output_meta(cm, names)
    variables = {n: xr.Variable(("time",), out[:, k], dict(meta[k])) for k, n in enumerate(names)}
    variables["status"] = xr.Variable((), np.int8(0), {"long_name": "solver status (0 = success)"})
    public = sim._assemble_public(variables, {"time": xr.Variable(("time",), times, {"units": "hour"})}, {"a": 1})
    xr.testing.assert_identical(fast, public)
    assert list(fast.indexes) == ["time"]


def test_the_executor_is_the_only_caller_of_compiled_run(monkeypatch):
    """simulate, simulate_ensemble, simulate_sensitivities, treat, run_members and PEtab all run through it."""
    callers: set[str] = set()
    original = CompiledModel.run

    def spy(self, *args, **kwargs):
        callers.add(inspect.stack()[1].frame.f_globals["__name__"])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(CompiledModel, "run", spy)
    model = _turnover()
    hs.simulate(model, [0.0, 1.0], preequilibrate=True)
    hs.simulate_ensemble(model, [0.0, 1.0], {"k": [0.5, 1.0]})
    hs.simulate_sensitivities(model, [0.0, 1.0], ["k"])
    from her2sim.analysis._runs import run_members
    from her2sim.library.protocols import treat

    treat({"lapatinib": 100.0}, times=[0.0, 1.0], outputs=["pAKT_S473"])
    run_members([{}], times=[0.0, 1.0], outputs=["cells"])
    assert callers == {"her2sim.protocol"}
