"""The public API: every name a public module exports resolves, and the solver settings live in one object."""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest

import her2sim
from her2sim import SolverOptions, ValidationError


def _public_modules() -> list[str]:
    names = ["her2sim"]
    for info in pkgutil.walk_packages(her2sim.__path__, "her2sim."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            names.append(info.name)
    return names


@pytest.mark.parametrize("module", _public_modules())
def test_every_exported_name_resolves(module):
    mod = importlib.import_module(module)
    missing = [name for name in getattr(mod, "__all__", ()) if not hasattr(mod, name)]
    assert missing == [], f"{module}.__all__ names {missing}, which do not resolve"


def test_star_import():
    namespace: dict = {}
    exec("from her2sim import *", namespace)  # noqa: S102 - the statement under test, fixed text
    assert namespace["SolverOptions"] is SolverOptions


def test_solver_options_defaults_and_validation():
    opts = SolverOptions()
    assert (opts.rtol, opts.atol, opts.max_steps, opts.h_max) == (1e-8, 1e-12, 500_000, None)
    assert opts.replace(rtol=None, max_steps=10).max_steps == 10
    for bad in ({"rtol": 0.0}, {"atol": -1.0}, {"max_steps": 0}, {"max_steps": 2.5}, {"h_max": 0.0},
                {"rtol": 1e-16}, {"steady_state_tmax": float("inf")}):
        with pytest.raises(ValidationError, match=next(iter(bad))):
            SolverOptions(**bad)
    with pytest.raises(her2sim.UnknownNameError, match="max_steps"):
        opts.replace(max_step=3)


def _decay():
    return her2sim.Model(
        "decay", compartments=(her2sim.Compartment("c"),), species=(her2sim.Species("A", "c", 1.0),),
        parameters=(her2sim.Parameter("k", 0.5),),
        reactions=(her2sim.Reaction("r", (("A", 1),), (), her2sim.model.parse("k*A")),))


def test_solver_options_reach_the_solver():
    """max_steps from a SolverOptions object stops the run; the shortcut keyword overrides it."""
    model = _decay()
    ds = her2sim.simulate(model, [0.0, 100.0], solver=SolverOptions(max_steps=3), throw=False)
    assert int(ds["status"]) == 1  # MAX_STEPS
    ds = her2sim.simulate(model, [0.0, 2.0], solver=SolverOptions(max_steps=3), max_steps=10_000)
    # oracle: exp(-k t); tolerance 1e-6 relative, far above rtol 1e-8 of the run
    np.testing.assert_allclose(float(ds["A"][-1]), np.exp(-1.0), rtol=1e-6)
    assert ds.attrs["rtol"] == 1e-8
