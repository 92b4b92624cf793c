"""Shared pieces of the flagship's submodels: the builder they write into, sources, provenance, units.

:class:`Builder` collects parameters, species, reactions and assignment rules from the submodels
(:mod:`her2sim.library.her2`). The order of the model's elements is part of its identity (its
content hash keys the compiled-code cache), so the builder keeps three phases, concatenated in
this order: ``processes`` (parameters, rules, reactions and process species of each submodel in
turn), ``observables`` (read-out rules) and ``species`` (the state species each submodel owns).
A submodel writes its read-outs and species inside ``with b.phase(...)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ...errors import UnknownNameError, ValidationError
from ...model import AssignmentRule, Compartment, Model, Parameter, ParameterRole, Provenance, Reaction, Species, parse

__all__ = [
    "Builder", "HATAKEYAMA", "BRANNMARK", "FARATIAN", "BIRTWISTLE", "YIP", "CELL_VOLUME_NOTE", "NM_PER_COPY",
    "CORE_TOTAL",
]

# ------------------------------------------------------------------------------------------------
# sources (written once, cited by many parameters)
HATAKEYAMA = "Hatakeyama 2003 (BIOMD0000000146), Biochem J 373:451-63"
BRANNMARK = "Brännmark 2013 (BIOMD0000000448), J Biol Chem 288:9867-80"
FARATIAN = "Faratian 2009 (BIOMD0000000424), Cancer Res 69:6713-20"
BIRTWISTLE = "Birtwistle 2007 (BIOMD0000000175), Mol Syst Biol 3:144"
YIP = "Yip et al. integrated PI3K network model (peer-models/yip2024-pi3k-network; journal/year unconfirmed)"
CELL_VOLUME_NOTE = (
    "copies per cell converted with an assumed cell volume of 2 pL: 1 nM = 1204 copies per cell"
)
NM_PER_COPY = 1.0 / (6.02214076e23 * 2e-12) * 1e9  # nM per copy in 2 pL


def _sourced(source: str, note: str = "") -> Provenance:
    return Provenance("sourced", source, note)


def _derived(source: str, note: str) -> Provenance:
    return Provenance("derived", source, note)


def _assumed(note: str) -> Provenance:
    return Provenance("assumed", "", note)


def _fitted(note: str) -> Provenance:
    return Provenance("fitted", "", note)


#: Total of a core signalling protein: 5e4 copies per cell (pharmacology.md K23: Shi 2016, 5-7e4
#: copies per cell), 2 pL cell.
CORE_TOTAL = 5.0e4 * NM_PER_COPY

# ------------------------------------------------------------------------------------------------
# genes and annotations
_GENE_FALLBACK = {
    # RPS6 is not in the gene catalogue (her2sim.library.genes); ids recalled, not read.
    "RPS6": ("HGNC:10429", "P62753"),
}


def _annotations(genes: tuple[str, ...]) -> tuple[str, ...]:
    from .. import genes as gene_catalogue

    uris: list[str] = []
    for symbol in genes:
        try:
            record = gene_catalogue.gene(symbol)
            hgnc, uniprot = record.hgnc_id, record.uniprot
        except UnknownNameError:
            hgnc, uniprot = _GENE_FALLBACK[symbol]
        uris.append("https://identifiers.org/" + hgnc.lower().replace("hgnc:", "hgnc:"))
        if uniprot:
            uris.append(f"https://identifiers.org/uniprot:{uniprot}")
    return tuple(uris)


PHASES = ("processes", "observables", "species")


class Builder:
    """Collects a model's elements from submodels; :meth:`model` assembles them (see the module docstring).

    ``P``, ``S``, ``rule`` and ``R`` add a parameter, a species, an assignment rule (with its
    parameter) and a reaction (``"A + B"`` stoichiometry strings, the rate law as text parsed by
    :func:`her2sim.model.parse`, never evaluated). ``drug_terms`` holds the drug occupancy terms
    grouped by ``action:node``, set by the drug-action submodel for the others to read.
    """

    def __init__(self) -> None:
        self._parts: dict[str, dict[str, list[Any]]] = {
            ph: {"params": [], "rules": [], "species": [], "reactions": []} for ph in PHASES}
        self._phase = PHASES[0]
        self.drug_terms: dict[str, list[Any]] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Write the elements added inside the block to phase ``name`` (observables or species)."""
        if name not in PHASES:
            raise UnknownNameError("phase", name, PHASES)
        previous, self._phase = self._phase, name
        try:
            yield
        finally:
            self._phase = previous

    @property
    def params(self) -> list[Parameter]:
        """Parameters of the current phase (append or extend)."""
        return self._parts[self._phase]["params"]

    @property
    def species(self) -> list[Species]:
        """Species of the current phase (append or extend)."""
        return self._parts[self._phase]["species"]

    def P(self, ident: str, value: float, units: str, prov: Provenance, name: str = "",
          role: ParameterRole = ParameterRole.KINETIC) -> None:
        self.params.append(Parameter(ident, float(value), units=units, name=name, provenance=prov, role=role))

    def S(self, ident: str, initial: float, genes: tuple[str, ...], name: str,
          annotations: tuple[str, ...] = (), units: str = "nM", note: str = "") -> None:
        self.species.append(Species(
            ident, "cell", initial=float(initial), name=name, units=units, genes=genes,
            annotations=annotations or _annotations(genes),
            provenance=_assumed(note) if note else None,
        ))

    def rule(self, variable: str, formula: str, units: str, name: str) -> None:
        self.params.append(Parameter(variable, 0.0, constant=False, units=units, name=name,
                                     provenance=_derived("assignment rule", f"{variable} = {formula}")))
        self._parts[self._phase]["rules"].append(AssignmentRule(variable, parse(formula)))

    def R(self, ident: str, reactants: str, products: str, rate: str, name: str = "") -> None:
        def stoich(text: str) -> tuple[tuple[str, float], ...]:
            return tuple((s.strip(), 1.0) for s in text.split("+") if s.strip())
        self._parts[self._phase]["reactions"].append(
            Reaction(ident, stoich(reactants), stoich(products), parse(rate), name=name))

    def _all(self, kind: str) -> list[Any]:
        return [item for ph in PHASES for item in self._parts[ph][kind]]

    def model(self, model_id: str, **attributes: Any) -> Model:
        """The assembled model (one compartment ``cell``); ``attributes`` go to :class:`~her2sim.model.Model`."""
        species = self._all("species")
        # rate laws read species (e.g. RHEB-GTP in mTORC1 activation) that are neither consumed nor
        # produced; SBML requires them listed as modifiers (no change of semantics)
        species_ids = {sp.id for sp in species}
        reactions = []
        for reaction in self._all("reactions"):
            used = {str(sym) for sym in reaction.rate.free_symbols} & species_ids
            have = {sid for sid, _ in reaction.reactants + reaction.products}
            extra = tuple(sorted(used - have))
            reactions.append(dataclasses.replace(reaction, modifiers=extra) if extra else reaction)
        seen: set[str] = set()
        for p in self._all("params"):
            if p.id in seen:
                raise ValidationError(f"parameter {p.id!r} is declared by two submodels")
            seen.add(p.id)
        return Model(
            model_id,
            compartments=(Compartment("cell", 1.0, units="litre", name="cell (well-mixed)"),),
            species=tuple(species),
            parameters=tuple(self._all("params")),
            reactions=tuple(reactions),
            assignment_rules=tuple(self._all("rules")),
            **attributes,
        )
