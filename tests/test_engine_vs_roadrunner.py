"""her2sim's compiled engine against libRoadRunner on every peer SBML model.

Oracle: libRoadRunner (CVODE) simulating the ORIGINAL peer file (``fast`` attributes stripped
for Faratian 2009, which roadrunner refuses otherwise). her2sim simulates
``read_sbml(original)``. Both run at rtol 1e-10 / atol 1e-12; every species must agree within
rtol 1e-4 plus an absolute tolerance of 1e-7 of the species' largest value over the run (and a
floor of 100x the solver atol, below which values are solver noise), over the paper's time span.
Piecewise switches in time are handled by restarting roadrunner at the switch times, which
also appear in the output grid given to her2sim.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import her2sim
from her2sim.io import read_sbml

from test_sbml_io import (  # tests/ is on sys.path (pytest rootdir-prepend import mode)
    FAST_REACTIONS,
    LARGE_SOLVER_RTOL,
    PEER_SBML,
    ROADRUNNER_SPAN_LIMIT,
    SLOW,
    _original_for_roadrunner,
    _read,
    _time_breakpoints,
)

roadrunner = pytest.importorskip("roadrunner")

pytestmark = pytest.mark.roadrunner

SOLVER_RTOL, SOLVER_ATOL = 1e-10, 1e-12
RTOL = 1e-4
ATOL_SCALE = 1e-7
ATOL_FLOOR = 100 * SOLVER_ATOL
# Chen 2009 (both versions) is large: compiling it and running libRoadRunner on it take minutes.
ENGINE_SLOW = SLOW


def _params():
    return [
        pytest.param(name, marks=pytest.mark.slow, id=name) if name in ENGINE_SLOW else pytest.param(name, id=name)
        for name in PEER_SBML
    ]


def _roadrunner(
    sbml: str, selections: list[str], t_end: float, breaks: list[float], rtol: float = SOLVER_RTOL
) -> np.ndarray:
    rr = roadrunner.RoadRunner(sbml)
    rr.integrator.relative_tolerance = rtol
    rr.integrator.absolute_tolerance = SOLVER_ATOL
    rr.integrator.maximum_num_steps = 500_000
    rr.timeCourseSelections = ["time", *selections]
    edges = [0.0, *breaks, t_end]
    pieces = []
    for i, (a, b) in enumerate(zip(edges[:-1], edges[1:])):
        result = np.asarray(rr.simulate(a, b, 51))
        pieces.append(result if i == 0 else result[1:])
    return np.vstack(pieces)


@pytest.mark.parametrize("name", _params())
def test_engine_matches_roadrunner(peer_models: Path, name: str) -> None:
    path = peer_models / name
    model = _read(path) if name in FAST_REACTIONS else read_sbml(path)
    t_end = min(PEER_SBML[name], ROADRUNNER_SPAN_LIMIT.get(name, PEER_SBML[name]))
    breaks = _time_breakpoints(model, t_end)
    # her2sim reports concentrations unless has_only_substance_units; ask roadrunner the same.
    selections = [s.id if s.has_only_substance_units else f"[{s.id}]" for s in model.species]
    # Chen 2009 (500 species): the reference at rtol 1e-8, still 1e4x tighter than the comparison
    rtol = LARGE_SOLVER_RTOL if name in SLOW else SOLVER_RTOL
    reference = _roadrunner(_original_for_roadrunner(path), selections, t_end, breaks, rtol)
    times = reference[:, 0]
    result = her2sim.simulate(
        model, times, outputs=[s.id for s in model.species], rtol=min(rtol, SOLVER_RTOL), atol=SOLVER_ATOL
    )
    ours = np.column_stack([np.asarray(result[s.id].values, dtype=float) for s in model.species])
    expected = reference[:, 1:]
    scale = np.max(np.abs(expected), axis=0)
    bound = RTOL * np.abs(expected) + ATOL_SCALE * scale + ATOL_FLOOR
    excess = np.abs(ours - expected) / bound
    i, j = np.unravel_index(np.argmax(excess), excess.shape)
    assert excess[i, j] <= 1.0, (
        f"{name}: her2sim gives {model.species[j].id}={ours[i, j]!r} at t={times[i]:g}; oracle "
        f"(roadrunner on the original file) gives {expected[i, j]!r}; tolerance rtol={RTOL}, "
        f"atol={ATOL_SCALE}*scale+{ATOL_FLOOR}"
    )
