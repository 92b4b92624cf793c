"""Regression: cMaBoSS with a probabilistic initial state (bracketed ``[X].istate`` syntax).

The unbracketed form made cMaBoSS abort the whole Python process.
"""

from __future__ import annotations

import numpy as np

from her2sim.library import her2_logical
from her2sim.logical.simulation import simulate_stochastic


def test_maboss_accepts_a_fractional_initial_state():
    ds = simulate_stochastic(
        her2_logical.load(), initial={"AKT": 0.3}, t_max=2, n_trajectories=500, engine="maboss", seed=3
    )
    p = ds["probability"].values
    # probabilities up to MaBoSS's floating-point averaging (1e-9)
    assert np.isfinite(p).all() and (p >= -1e-9).all() and (p <= 1 + 1e-9).all()
