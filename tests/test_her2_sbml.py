"""SBML cross-check of the flagship model against an independent simulator (libRoadRunner).

Oracle: libRoadRunner (CVODE) simulating the SBML that ``her2sim.write_sbml`` exports from
``her2sim.library.her2_model.build()``. Both solvers run at rtol 1e-10; trajectories of every
species must agree within rtol 1e-4 (plus an absolute floor of 1e-9 of each species' scale, for
species that pass through zero, and never below the solvers' absolute tolerance 1e-14 nM: a
species that is zero in exact arithmetic, e.g. heregulin-bound HER3 without heregulin, carries
round-off of ~1e-28 in CVODE) over 72 h, for the untreated model and for treated conditions
(drug concentrations set as parameters in both simulators). The runs start from the model's
declared initial state (no pre-equilibration), so the comparison covers the stiff transient as
well as the approach to steady state.
"""

from __future__ import annotations

import numpy as np
import pytest

import her2sim
from her2sim.library.her2_model import build, drug_settings

roadrunner = pytest.importorskip("roadrunner")

pytestmark = pytest.mark.roadrunner

TIMES = np.linspace(0.0, 72.0, 145)
RTOL_SOLVER = 1e-10
ATOL_SOLVER = 1e-14
RTOL_COMPARE = 1e-4

CONDITIONS = {
    "untreated": {},
    "lapatinib 1 uM + trastuzumab 10 ug/mL": drug_settings(
        {"lapatinib": (1.0, "uM"), "trastuzumab": (10.0, "ug/mL")}),
    "everolimus 20 nM, PIK3CA H1047R, IGF-I": {
        **drug_settings({"everolimus": 20.0}), "PIK3CA_mut_activity": 0.02, "PIK3CA_mut_gain": 3.0,
        "IGF1_nM": 5.23},
}


@pytest.fixture(scope="module")
def model():
    return build()


@pytest.fixture(scope="module")
def sbml(model):
    return her2sim.write_sbml(model)


def _roadrunner(sbml: str, parameters: dict[str, float], species: list[str]) -> np.ndarray:
    rr = roadrunner.RoadRunner(sbml)
    rr.integrator.relative_tolerance = RTOL_SOLVER
    rr.integrator.absolute_tolerance = ATOL_SOLVER
    rr.integrator.maximum_num_steps = 200000
    for key, value in parameters.items():
        rr[key] = value
    rr.timeCourseSelections = ["time"] + [f"[{s}]" for s in species]
    result = rr.simulate(times=list(TIMES))
    return np.asarray(result)[:, 1:]


def _relative_error(ours: np.ndarray, reference: np.ndarray) -> float:
    scale = np.max(np.abs(reference), axis=0)
    floor = np.maximum(1e-9 * np.where(scale > 0, scale, 1.0), ATOL_SOLVER)
    return float(np.max(np.abs(ours - reference) / (np.abs(reference) + floor)))


@pytest.mark.parametrize("condition", list(CONDITIONS))
def test_sbml_export_matches_roadrunner(model, sbml, condition):
    parameters = CONDITIONS[condition]
    species = [s.id for s in model.species]
    ours = her2sim.simulate(model, TIMES, parameters=parameters, outputs=species,
                            rtol=RTOL_SOLVER, atol=ATOL_SOLVER)
    ours_array = np.stack([ours[s].values for s in species], axis=1)
    reference = _roadrunner(sbml, parameters, species)
    assert reference.shape == ours_array.shape
    error = _relative_error(ours_array, reference)
    # both at rtol 1e-10; agreement demanded at rtol 1e-4 (a 10^6 margin for error accumulation)
    assert error < RTOL_COMPARE, f"{condition}: max relative deviation {error:.3g}"
    # the run must actually move: treated and untreated trajectories differ from the start state
    assert np.max(np.abs(reference[-1] - reference[0])) > 1.0
