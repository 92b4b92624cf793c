"""One exception hierarchy for her2sim.

Every class dual-inherits the matching builtin so that callers who catch ``ValueError``
or ``KeyError`` keep working (house rule 7).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "Her2simError",
    "ModelError",
    "ValidationError",
    "UnknownNameError",
    "UnsupportedFeatureError",
    "SolverError",
    "CompilationError",
    "Her2simWarning",
    "UnsupportedFeatureWarning",
    "closest",
]


class Her2simError(Exception):
    """Root of all her2sim errors."""


class ModelError(Her2simError, ValueError):
    """A model is structurally invalid (dangling reference, duplicate id, cyclic rules...)."""


class ValidationError(Her2simError, ValueError):
    """An argument is outside its allowed values."""


class UnknownNameError(Her2simError, KeyError):
    """A name (species, parameter, drug, genotype...) is not known.

    The message names the argument, the allowed values and the closest valid name (or the
    ``suggestion`` given, e.g. the canonical name of the closest alias).
    """

    def __init__(self, argument: str, name: str, allowed: Iterable[str], *, suggestion: str | None = None):
        allowed = sorted(set(allowed))
        near = suggestion if suggestion is not None else closest(name, allowed)
        hint = f" Did you mean {near!r}?" if near else ""
        shown = ", ".join(repr(a) for a in allowed[:25])
        more = f", ... ({len(allowed)} in all)" if len(allowed) > 25 else ""
        message = f"{argument}={name!r} is not known.{hint} Allowed values: {shown}{more}."
        super().__init__(message)
        self.argument = argument
        self.name = name
        self.suggestion = near

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0])


class UnsupportedFeatureError(Her2simError, NotImplementedError):
    """A model construct that her2sim cannot represent faithfully; names the element and its id."""


class SolverError(Her2simError, RuntimeError):
    """A single simulation failed. ``status`` is the solver's status code."""

    def __init__(self, message: str, status: int = -1):
        super().__init__(message)
        self.status = status


class CompilationError(Her2simError, RuntimeError):
    """Generating or compiling the model's C code failed."""


class Her2simWarning(UserWarning):
    """Root of her2sim warnings."""


class UnsupportedFeatureWarning(Her2simWarning):
    """A construct was imported with a documented approximation (e.g. SBML ``fast`` reactions)."""


def closest(name: str, allowed: Iterable[str]) -> str | None:
    """Closest valid name by edit similarity (case-insensitive), or ``None``."""
    allowed = list(allowed)
    lowered = {a.lower(): a for a in allowed}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.5)
    return lowered[hits[0]] if hits else None
