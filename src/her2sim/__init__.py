"""her2sim: PI3K/AKT signalling and resistance to HER2-targeted therapy, as executable models.

The public API is curated here; heavy modules are imported lazily.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    Her2simError,
    ModelError,
    SolverError,
    UnknownNameError,
    UnsupportedFeatureError,
    ValidationError,
)
from .model import (  # noqa: E402
    AssignmentRule,
    Compartment,
    Event,
    InitialAssignment,
    Model,
    Parameter,
    ParameterRole,
    Provenance,
    RateRule,
    Reaction,
    Species,
)

_LAZY = {
    "read_sbml": ("her2sim.io.sbml", "read_sbml"),
    "write_sbml": ("her2sim.io.sbml", "write_sbml"),
    "compile_model": ("her2sim.engine.compiler", "compile_model"),
    "CompiledModel": ("her2sim.engine.compiler", "CompiledModel"),
    "simulate": ("her2sim.simulation", "simulate"),
    "simulate_ensemble": ("her2sim.simulation", "simulate_ensemble"),
    "simulate_sensitivities": ("her2sim.simulation", "simulate_sensitivities"),
    "SolverOptions": ("her2sim.engine.solver", "SolverOptions"),
    "Protocol": ("her2sim.protocol", "Protocol"),
    "ModelFamily": ("her2sim.family", "ModelFamily"),
    "family_of": ("her2sim.family", "family_of"),
    "get_family": ("her2sim.family", "get_family"),
}

__all__ = [
    "AssignmentRule",
    "Compartment",
    "Event",
    "Her2simError",
    "InitialAssignment",
    "Model",
    "ModelError",
    "Parameter",
    "ParameterRole",
    "Provenance",
    "RateRule",
    "Reaction",
    "SolverError",
    "Species",
    "UnknownNameError",
    "UnsupportedFeatureError",
    "ValidationError",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'her2sim' has no attribute {name!r}")
