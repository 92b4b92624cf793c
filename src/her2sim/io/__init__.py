"""her2sim.io."""

from .sbml import read_sbml, write_sbml

__all__ = ["read_sbml", "write_sbml"]
