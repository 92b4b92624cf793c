"""Stochastic asynchronous simulation. Oracles: the analytic exponential decay of a node switched
off at rate 1, seeded reproducibility, and agreement with cMaBoSS at stationarity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from her2sim.errors import ValidationError
from her2sim.logical import LogicalModel, read_logical, simulate_stochastic


def test_decay_matches_the_exponential_law() -> None:
    model = LogicalModel.from_rules("decay", {"A": "0", "B": "A | B"}, phenotypes=["A"])
    ds = simulate_stochastic(model, initial={"A": 1, "B": 0}, t_max=3.0, time_step=0.5, n_trajectories=20000, seed=3)
    expected = np.exp(-ds["time"].values)
    # 20000 Bernoulli samples: standard error <= 0.0036; 5 sigma.
    np.testing.assert_allclose(ds["phenotype_probability"].sel(phenotype="A").values, expected, rtol=0, atol=0.02)
    assert ds["probability"].dims == ("time", "node")
    assert ds.attrs["engine"] == "numpy" and ds.attrs["seed"] == 3


def test_same_seed_same_result_other_seed_differs() -> None:
    model = LogicalModel.from_rules("osc", {"A": "!B", "B": "A"})
    kwargs = dict(initial={"A": 0, "B": 0}, t_max=5.0, n_trajectories=500)
    first = simulate_stochastic(model, seed=1, **kwargs)
    assert first.equals(simulate_stochastic(model, seed=1, **kwargs))
    assert not first.equals(simulate_stochastic(model, seed=2, **kwargs))


def test_numpy_and_maboss_agree_at_stationarity(peer_models: Path) -> None:
    model = read_logical(peer_models / "sahin2009/model.bnet", phenotypes=["v_pRB1"]).with_inputs({"v_EGF": 1})
    kwargs = dict(initial={}, initial_default=0.0, t_max=30.0, time_step=1.0, n_trajectories=4000, seed=11)
    ours = simulate_stochastic(model, engine="numpy", **kwargs)
    maboss = simulate_stochastic(model, engine="maboss", **kwargs)
    assert maboss.attrs["engine"] == "maboss"
    # Both reach the single attractor (pRB1 on) with probability 1 by t = 30 (1/rate units).
    np.testing.assert_allclose(ours["probability"].isel(time=-1), maboss["probability"].isel(time=-1), rtol=0, atol=0.01)
    # Transient: MaBoSS averages over [t, t+1), so compare loosely mid-way.
    np.testing.assert_allclose(
        ours["phenotype_probability"].sel(time=4.0), maboss["phenotype_probability"].sel(time=4.0), rtol=0, atol=0.15
    )


def test_arguments_are_validated() -> None:
    model = LogicalModel.from_rules("m", {"A": "!A"})
    with pytest.raises(ValidationError, match="t_max"):
        simulate_stochastic(model, initial={}, t_max=-1)
    with pytest.raises(ValidationError, match=r"initial\['A'\]"):
        simulate_stochastic(model, initial={"A": 2}, t_max=1)
