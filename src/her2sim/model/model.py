"""The immutable kinetic model container."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import final

import sympy

from ..errors import ModelError, UnknownNameError
from .components import (
    AssignmentRule,
    Compartment,
    Event,
    InitialAssignment,
    Parameter,
    RateRule,
    Reaction,
    Species,
)
from .math import TIME, free_ids

__all__ = ["Model"]


@final
@dataclass(frozen=True)
class Model:
    """A kinetic model as declarative data (no numerics).

    Change it by transformation (:meth:`with_parameters`, :meth:`with_initial`,
    :meth:`replace`); every transform returns a new model and re-checks it.
    ``time_units`` names the unit of the time axis (``"second"``, ``"minute"``, ``"hour"``...).
    """

    id: str
    compartments: tuple[Compartment, ...] = ()
    species: tuple[Species, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    reactions: tuple[Reaction, ...] = ()
    assignment_rules: tuple[AssignmentRule, ...] = ()
    rate_rules: tuple[RateRule, ...] = ()
    initial_assignments: tuple[InitialAssignment, ...] = ()
    events: tuple[Event, ...] = ()
    name: str = ""
    time_units: str = "second"
    substance_units: str = ""
    volume_units: str = ""
    notes: str = ""
    citation: str = ""
    metadata: Mapping[str, object] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        self.check()

    # ------------------------------------------------------------------ lookup
    @cached_property
    def _by_id(self) -> dict[str, object]:
        table: dict[str, object] = {}
        for group in (self.compartments, self.species, self.parameters, self.reactions):
            for item in group:
                if item.id in table:
                    raise ModelError(f"model {self.id!r}: id {item.id!r} is used twice")
                table[item.id] = item
        return table

    @property
    def species_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.species)

    @property
    def parameter_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.parameters)

    def component(self, ident: str, *, argument: str = "id"):
        """The compartment, species, parameter or reaction with this id."""
        try:
            return self._by_id[ident]
        except KeyError:
            raise UnknownNameError(argument, ident, self._by_id) from None

    def get_species(self, ident: str) -> Species:
        item = self.component(ident, argument="species")
        if not isinstance(item, Species):
            raise UnknownNameError("species", ident, self.species_ids)
        return item

    def get_parameter(self, ident: str) -> Parameter:
        item = self._by_id.get(ident)
        if not isinstance(item, Parameter):
            raise UnknownNameError("parameter", ident, self.parameter_ids)
        return item

    # ------------------------------------------------------------------ checks
    def check(self) -> None:
        """Raise :class:`ModelError` on dangling references, duplicate ids or cyclic rules."""
        table = self._by_id
        comps = {c.id for c in self.compartments}
        for s in self.species:
            if s.compartment not in comps:
                raise ModelError(f"species {s.id!r} is in unknown compartment {s.compartment!r}")
            if s.conversion_factor and not isinstance(table.get(s.conversion_factor), Parameter):
                raise ModelError(
                    f"species {s.id!r}: conversion factor {s.conversion_factor!r} is not a parameter"
                )
        known = set(table)
        for r in self.reactions:
            for sid, _ in r.reactants + r.products:
                if not isinstance(table.get(sid), Species):
                    raise ModelError(f"reaction {r.id!r} refers to unknown species {sid!r}")
            for role, index, pid in r.variable_stoichiometry:
                side = r.reactants if role == "reactant" else r.products
                if role not in ("reactant", "product") or not 0 <= index < len(side):
                    raise ModelError(f"reaction {r.id!r}: bad variable stoichiometry entry {(role, index, pid)!r}")
                if not isinstance(table.get(pid), Parameter):
                    raise ModelError(f"reaction {r.id!r}: stoichiometry parameter {pid!r} is not a parameter")
            for sid in r.modifiers:
                if not isinstance(table.get(sid), Species):
                    raise ModelError(f"reaction {r.id!r} has unknown modifier {sid!r}")
            self._check_math(r.rate, f"reaction {r.id!r}", known | {r.id})
        targets: set[str] = set()
        for rule in self.assignment_rules + self.rate_rules:
            if rule.variable not in known:
                raise ModelError(f"rule targets unknown id {rule.variable!r}")
            if rule.variable in targets:
                raise ModelError(f"{rule.variable!r} is the target of more than one rule")
            target = table[rule.variable]
            if getattr(target, "constant", False):
                raise ModelError(f"rule targets {rule.variable!r}, which is declared constant")
            if isinstance(target, Reaction):
                raise ModelError(f"rule targets reaction {rule.variable!r}")
            targets.add(rule.variable)
            self._check_math(rule.math, f"rule for {rule.variable!r}", known)
        for ia in self.initial_assignments:
            if ia.symbol not in known:
                raise ModelError(f"initial assignment targets unknown id {ia.symbol!r}")
            self._check_math(ia.math, f"initial assignment to {ia.symbol!r}", known)
        for ev in self.events:
            self._check_math(ev.trigger, f"event {ev.id!r} trigger", known)
            for var, math in ev.assignments:
                if var not in known:
                    raise ModelError(f"event {ev.id!r} assigns unknown id {var!r}")
                self._check_math(math, f"event {ev.id!r} assignment to {var!r}", known)
        self.assignment_order()  # raises on cycles

    @staticmethod
    def _check_math(expr: sympy.Basic, where: str, known: set[str]) -> None:
        missing = free_ids(expr) - known
        if missing:
            raise ModelError(f"{where} refers to undefined ids: {sorted(missing)}")

    def assignment_order(self) -> tuple[AssignmentRule, ...]:
        """Assignment rules in dependency order (raises on a cycle)."""
        rules = {r.variable: r for r in self.assignment_rules}
        order: list[AssignmentRule] = []
        state: dict[str, int] = {}

        def visit(v: str, stack: tuple[str, ...]) -> None:
            if state.get(v) == 2:
                return
            if state.get(v) == 1:
                raise ModelError(f"assignment rules form a cycle: {' -> '.join(stack + (v,))}")
            state[v] = 1
            for dep in free_ids(rules[v].math):
                if dep in rules:
                    visit(dep, stack + (v,))
            state[v] = 2
            order.append(rules[v])

        for v in rules:
            visit(v, ())
        return tuple(order)

    # ------------------------------------------------------------------ transforms
    def replace(self, **changes) -> Model:
        """A copy with fields replaced (``dataclasses.replace``), re-checked."""
        return dataclasses.replace(self, **changes)

    def with_parameters(self, values: Mapping[str, float] | None = None, **kwargs: float) -> Model:
        """A copy with parameter values changed. Unknown names raise :class:`UnknownNameError`."""
        values = {**(values or {}), **kwargs}
        ids = set(self.parameter_ids)
        for k in values:
            if k not in ids:
                raise UnknownNameError("parameter", k, ids)
        params = tuple(
            dataclasses.replace(p, value=float(values[p.id])) if p.id in values else p
            for p in self.parameters
        )
        return self.replace(parameters=params)

    def with_initial(self, values: Mapping[str, float] | None = None, **kwargs: float) -> Model:
        """A copy with species initial values (in each species' own initial unit) changed."""
        values = {**(values or {}), **kwargs}
        ids = set(self.species_ids)
        for k in values:
            if k not in ids:
                raise UnknownNameError("species", k, ids)
        species = tuple(
            dataclasses.replace(s, initial=float(values[s.id])) if s.id in values else s
            for s in self.species
        )
        return self.replace(species=species)

    def with_inferred_modifiers(self) -> Model:
        """A copy in which every species a rate law reads, but that is neither a reactant nor a
        product, is listed as a modifier (SBML requires it; the semantics do not change)."""
        species = set(self.species_ids)
        reactions = []
        for r in self.reactions:
            used = free_ids(r.rate) & species
            have = {sid for sid, _ in r.reactants + r.products} | set(r.modifiers)
            extra = tuple(sorted(used - have))
            reactions.append(dataclasses.replace(r, modifiers=r.modifiers + extra) if extra else r)
        return self.replace(reactions=tuple(reactions))

    def add(self, *items: object) -> Model:
        """A copy with extra components (species, parameters, reactions, rules, events...)."""
        groups: dict[str, list] = {}
        kinds = {
            Compartment: "compartments",
            Species: "species",
            Parameter: "parameters",
            Reaction: "reactions",
            AssignmentRule: "assignment_rules",
            RateRule: "rate_rules",
            InitialAssignment: "initial_assignments",
            Event: "events",
        }
        for it in items:
            name = kinds.get(type(it))
            if name is None:
                raise ModelError(f"cannot add {type(it).__name__} to a model")
            groups.setdefault(name, []).append(it)
        return self.replace(**{k: getattr(self, k) + tuple(v) for k, v in groups.items()})

    # ------------------------------------------------------------------ identity
    def fingerprint(self, *, structure_only: bool = False) -> str:
        """SHA-256 of the model's content; with ``structure_only`` values are left out.

        The structure hash keys the compiled-code cache: values of parameters, initial
        conditions and compartment sizes are runtime inputs and never force a recompile.
        Computed once per (immutable) model instance.
        """
        cache = self.__dict__.setdefault("_fingerprints", {})
        if structure_only not in cache:
            cache[structure_only] = self._fingerprint(structure_only)
        return cache[structure_only]

    def _fingerprint(self, structure_only: bool) -> str:
        h = hashlib.sha256()

        def put(*parts: object) -> None:
            for p in parts:
                h.update(str(p).encode())
                h.update(b"\x1f")

        for c in self.compartments:
            put("C", c.id, c.constant, c.spatial_dimensions, "" if structure_only else repr(c.size))
        for s in self.species:
            put("S", s.id, s.compartment, s.initial_is_amount, s.has_only_substance_units,
                s.boundary_condition, s.constant, "" if structure_only else repr(s.initial),
                s.conversion_factor)
        for p in self.parameters:
            put("P", p.id, p.constant, "" if structure_only else repr(p.value))
        for r in self.reactions:
            put("R", r.id, r.reactants, r.products, sympy.srepr(r.rate), r.variable_stoichiometry)
            if r.fast:  # rapid equilibrium compiles to another system (engine.fast)
                put("fast")
        for a in self.assignment_rules:
            put("A", a.variable, sympy.srepr(a.math))
        for a in self.rate_rules:
            put("D", a.variable, sympy.srepr(a.math))
        for a in self.initial_assignments:
            put("I", a.symbol, sympy.srepr(a.math))
        for e in self.events:
            put("E", e.id, sympy.srepr(e.trigger), e.initial_value,
                [(v, sympy.srepr(m)) for v, m in e.assignments],
                "" if e.priority is None else sympy.srepr(sympy.sympify(e.priority)),
                e.persistent, e.use_values_from_trigger_time,
                "" if e.delay is None else sympy.srepr(e.delay))
        return h.hexdigest()

    def __repr__(self) -> str:
        return (
            f"Model(id={self.id!r}, species={len(self.species)}, parameters={len(self.parameters)}, "
            f"reactions={len(self.reactions)}, rules={len(self.assignment_rules) + len(self.rate_rules)}, "
            f"events={len(self.events)}, time_units={self.time_units!r})"
        )


def _uses_time(exprs: Iterable[sympy.Basic]) -> bool:
    return any(TIME in e.free_symbols for e in exprs)
