"""Frozen building blocks of a kinetic model (SBML-core semantics).

Semantics follow SBML Level 3 core: a reaction rate is in substance/time; a species that does not
have ``has_only_substance_units`` appears in math as a concentration (amount / compartment size);
rules and initial assignments override values; events fire on a rising trigger.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Literal, final

import sympy

from ..errors import ModelError

__all__ = [
    "ParameterRole",
    "Provenance",
    "Compartment",
    "Species",
    "Parameter",
    "Reaction",
    "AssignmentRule",
    "RateRule",
    "InitialAssignment",
    "Event",
]

ProvenanceKind = Literal["sourced", "derived", "assumed", "fitted", "imported"]
_KINDS = ("sourced", "derived", "assumed", "fitted", "imported")


@final
@dataclass(frozen=True)
class Provenance:
    """Where a value comes from.

    ``kind``: ``sourced`` (a paper or database gives it), ``derived`` (computed from sourced
    values; ``note`` says how), ``assumed`` (``note`` gives the reason), ``fitted`` (``note`` names
    the findings, e.g. "fitted to L19"), ``imported`` (read from a file without further claim).
    """

    kind: ProvenanceKind
    source: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ModelError(f"Provenance.kind={self.kind!r}; allowed: {_KINDS}")
        if self.kind in ("sourced", "derived") and not self.source:
            raise ModelError(f"Provenance(kind={self.kind!r}) needs a source")
        if self.kind in ("assumed", "fitted") and not self.note:
            raise ModelError(f"Provenance(kind={self.kind!r}) needs a note giving the reason")

    def __str__(self) -> str:
        parts = [self.kind]
        if self.source:
            parts.append(self.source)
        if self.note:
            parts.append(self.note)
        return ": ".join(parts[:1]) + (" — " + "; ".join(parts[1:]) if len(parts) > 1 else "")


def _check_id(kind: str, ident: str) -> None:
    if not isinstance(ident, str) or not ident or not (ident[0].isalpha() or ident[0] == "_"):
        raise ModelError(f"{kind} id {ident!r} is not a valid SBML identifier")
    if not all(c.isalnum() or c == "_" for c in ident):
        raise ModelError(f"{kind} id {ident!r} is not a valid SBML identifier (letters, digits, '_')")


@final
@dataclass(frozen=True)
class Compartment:
    id: str
    size: float = 1.0
    constant: bool = True
    spatial_dimensions: float = 3.0
    units: str = ""
    name: str = ""

    def __post_init__(self) -> None:
        _check_id("compartment", self.id)


@final
@dataclass(frozen=True)
class Species:
    """A chemical species.

    ``initial`` is an amount when ``initial_is_amount`` else a concentration. ``genes`` lists
    the HGNC symbols the species stands for; ``annotations`` holds identifiers.org URIs.
    ``conversion_factor`` (SBML L3) is the id of a parameter that multiplies every reaction's
    contribution to the species' rate of change (extent to substance units); "" for none.
    """

    id: str
    compartment: str
    initial: float = 0.0
    initial_is_amount: bool = False
    has_only_substance_units: bool = False
    boundary_condition: bool = False
    constant: bool = False
    name: str = ""
    units: str = ""
    genes: tuple[str, ...] = ()
    annotations: tuple[str, ...] = ()
    provenance: Provenance | None = None
    conversion_factor: str = ""

    def __post_init__(self) -> None:
        _check_id("species", self.id)


class ParameterRole(str, enum.Enum):
    """What a parameter stands for, so that generic code asks the model instead of reading names.

    The protocol executor sets ``DRUG_CONCENTRATION`` and ``PROTOCOL_SWITCH`` parameters to 0
    during pre-equilibration (the untreated, non-growing steady state); tumour contexts set
    ``EXPRESSION``, ``GENOTYPE`` and ``LIGAND``; ensembles and sensitivity analyses vary
    ``KINETIC`` and ``READOUT_WEIGHT`` by default and ``PHARMACOLOGY`` on request.
    """

    KINETIC = "kinetic"
    EXPRESSION = "expression"
    GENOTYPE = "genotype switch"
    LIGAND = "ligand"
    DRUG_CONCENTRATION = "drug concentration"
    PHARMACOLOGY = "pharmacology"
    READOUT_WEIGHT = "read-out weight"
    PROTOCOL_SWITCH = "protocol switch"


@final
@dataclass(frozen=True)
class Parameter:
    """A named value; ``role`` says what it stands for (:class:`ParameterRole`, default kinetic)."""

    id: str
    value: float
    constant: bool = True
    units: str = ""
    name: str = ""
    provenance: Provenance | None = None
    role: ParameterRole = ParameterRole.KINETIC

    def __post_init__(self) -> None:
        _check_id("parameter", self.id)
        if not isinstance(self.role, ParameterRole):
            try:
                object.__setattr__(self, "role", ParameterRole(self.role))
            except ValueError:
                raise ModelError(f"parameter {self.id!r}: role={self.role!r}; allowed: "
                                 f"{[r.value for r in ParameterRole]}") from None


@final
@dataclass(frozen=True)
class Reaction:
    """Stoichiometry plus a rate law (substance per time).

    ``reactants``/``products`` are ``(species_id, stoichiometry)`` pairs.
    ``variable_stoichiometry`` holds ``(role, index, parameter_id)`` triples: the stoichiometry
    of ``reactants[index]`` (role ``"reactant"``) or ``products[index]`` (``"product"``) is the
    current value of that parameter (SBML species references set by rules, initial assignments
    or events, and L2 ``stoichiometryMath``); the number in the pair is then its default.
    """

    id: str
    reactants: tuple[tuple[str, float], ...]
    products: tuple[tuple[str, float], ...]
    rate: sympy.Expr
    modifiers: tuple[str, ...] = ()
    reversible: bool = False
    name: str = ""
    fast: bool = False
    provenance: Provenance | None = None
    variable_stoichiometry: tuple[tuple[str, int, str], ...] = ()

    def __post_init__(self) -> None:
        _check_id("reaction", self.id)


@final
@dataclass(frozen=True)
class AssignmentRule:
    variable: str
    math: sympy.Expr


@final
@dataclass(frozen=True)
class RateRule:
    variable: str
    math: sympy.Expr


@final
@dataclass(frozen=True)
class InitialAssignment:
    symbol: str
    math: sympy.Expr


@final
@dataclass(frozen=True)
class Event:
    """An SBML event: when ``trigger`` turns from false to true, apply ``assignments``.

    Executed as SBML L3 defines it. With a ``delay`` (an expression evaluated when the event
    triggers) the event is queued and executes that much later; events triggered at the same moment are
    executed one at a time, highest ``priority`` first (a number or an expression evaluated at
    that moment; equal priorities in random order from a fixed seed, unset ones in declaration order), each with the values its
    assignments had when it triggered (``use_values_from_trigger_time``, else when executed); an
    event whose trigger turns false before it is executed is dropped unless ``persistent``; an
    execution that triggers other events executes them at the same time. Dosing uses
    time-triggered events (``time >= t_dose``).
    """

    id: str
    trigger: sympy.Basic
    assignments: tuple[tuple[str, sympy.Expr], ...]
    initial_value: bool = True
    priority: float | sympy.Basic | None = None
    name: str = ""
    persistent: bool = True
    use_values_from_trigger_time: bool = True
    delay: sympy.Basic | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        _check_id("event", self.id)
