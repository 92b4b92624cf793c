"""Model representation: frozen components, the Model container and the math layer."""

from .components import (
    AssignmentRule,
    Compartment,
    Event,
    InitialAssignment,
    Parameter,
    ParameterRole,
    Provenance,
    RateRule,
    Reaction,
    Species,
)
from .math import TIME, parse
from .model import Model

__all__ = [
    "AssignmentRule",
    "Compartment",
    "Event",
    "InitialAssignment",
    "Model",
    "Parameter",
    "ParameterRole",
    "Provenance",
    "RateRule",
    "Reaction",
    "Species",
    "TIME",
    "parse",
]
