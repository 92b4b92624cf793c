"""Tumour contexts of the flagship: genotypes (model and catalogue names) and cell lines as parameter settings.

:data:`GENOTYPES` maps the model's own genotype names onto its input parameters;
:data:`CATALOGUE_GENOTYPES` maps each genotype of the catalogue (:mod:`her2sim.library.genotypes`)
onto them, derived (a catalogue entry named like a model genotype, by name or alias, is that
genotype; :data:`CATALOGUE_READINGS` holds the others); cell lines (:mod:`her2sim.library.cell_lines`) are composed from their catalogue
genotypes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ...errors import UnknownNameError, ValidationError
from .._names import DerivedView
from ..genotypes import Genotype

__all__ = [
    "GENOTYPES", "CatalogueGenotype", "CATALOGUE_READINGS", "CATALOGUE_GENOTYPES", "resolve_genotype", "relative_strength",
    "genotype_settings", "EVIDENCE", "cell_line_genotypes", "cell_line_settings",
]


def _reference_values() -> dict[str, float]:
    from ..her2_model import build

    return {p.id: p.value for p in build().parameters}


#: Genotype name -> ({parameter: value at full strength}, description).
GENOTYPES: dict[str, tuple[dict[str, float], str]] = {
    "PTEN loss": ({"PTEN_level": 0.0}, "PTEN protein level; strength 1 → 0, 0.5 → partial loss"),
    "PIK3CA H1047R": ({"PIK3CA_mut_activity": 0.075, "PIK3CA_mut_gain": 0.25},
                      "kinase-domain mutant: needs p85 (pY) recruitment, not RAS: higher output of "
                      "pY-recruited p110α plus receptor-independent membrane activity (Zhao & Vogt "
                      "2008; Burke 2012)"),
    "PIK3CA H1047L": ({"PIK3CA_mut_activity": 0.075, "PIK3CA_mut_gain": 0.25},
                      "kinase-domain mutant at the same residue; taken as H1047R (no allele-specific "
                      "difference read; assumed)"),
    "PIK3CA E545K": ({"PIK3CA_helical_activity": 0.3},
                     "helical mutant: p85 nSH2 inhibition broken, active without pY binding but "
                     "needs RAS-GTP (Zhao & Vogt 2008; Burke 2012)"),
    "PIK3CA E542K": ({"PIK3CA_helical_activity": 0.3},
                     "helical mutant; same mechanism as E545K (Zhao & Vogt 2008 studied both); "
                     "strength taken as E545K (assumed)"),
    "PIK3CA K111N": ({"PIK3CA_mut_activity": 0.0075},
                     "adaptor-binding-domain variant (BT-474): weakly activating (Gymnopoulos 2007 "
                     "PNAS 104:5569, not read; evidence 'unconfirmed'); a small receptor-independent "
                     "activity, 1/10 of H1047R's"),
    "p95HER2": ({"p95HER2_expression": 1.0}, "p95-HER2 expression relative to amplified HER2"),
    "HER3 overexpression": ({"HER3_expression": 3.0}, "HER3 synthesis scale"),
    "HER3 knockdown": ({"HER3_expression": 0.1}, "HER3 siRNA/shRNA (90 % knockdown)"),
    "IGF1R overexpression": ({"IGF1R_expression": 5.0}, "IGF1R synthesis scale"),
    "IGF1R knockdown": ({"IGF1R_expression": 0.1}, "IGF1R shRNA (90 % knockdown)"),
    "MUC4 high": ({"MUC4_masking": 1.0}, "MUC4 masks trastuzumab's epitope (accessible HER2 ≈ 1/5, L18)"),
    "KRAS G12": ({"KRAS_mut": 1.0}, "constitutive RAS GTP loading"),
    "HER2 non-amplified": ({"HER2_expression": 0.05}, "HER2 at ~2.5e4 copies per cell (no amplification)"),
    "HER2 amplified": ({"HER2_expression": 1.0}, "HER2 as in BT-474 (5e5 copies per cell)"),
    "RB1 loss": ({"RB1_level": 0.0}, "RB1 protein level; strength 1 → 0 (E2F free of Rb: CDK4/6 "
                 "inhibitors lose their target pathway; Finn 2009, Fry 2004)"),
    "ER positive": ({"ER_expression": 1.0}, "hormone-receptor context: ERα expressed as in an "
                    "ER-positive HER2-amplified line (BT-474-like); the default is ER-negative"),
}


@dataclass(frozen=True)
class CatalogueGenotype:
    """How a genotype of the catalogue (:mod:`her2sim.library.genotypes`) acts on this model.

    At relative strength ``s`` (1 = the catalogue's default strength) the settings are those of
    the model genotype ``genotype`` (a key of :data:`GENOTYPES`) at strength ``scale·s``, plus
    ``direct`` settings times ``s``. A strength in the catalogue's own unit (as cell lines give
    it) becomes ``s = (value − no_effect_at) / (default − no_effect_at)``; ``no_effect_at``
    ``None`` takes the catalogue's :attr:`~her2sim.library.genotypes.Strength.no_effect_at`.
    """

    genotype: str | None
    scale: float = 1.0
    direct: Mapping[str, float] = dataclasses.field(default_factory=dict)
    no_effect_at: float | None = None
    note: str = ""

    def __iter__(self) -> Iterator[Any]:  # (model genotype, scale, direct, note), as the former 4-tuples
        return iter((self.genotype, self.scale, dict(self.direct), self.note))


#: The catalogue genotypes the model reads otherwise than as its genotype of the same name or
#: alias (which needs no entry: :data:`CATALOGUE_GENOTYPES` derives it). Where the catalogue is
#: finer or coarser than the model, the note says so.
CATALOGUE_READINGS: dict[str, CatalogueGenotype] = {
    "HER2 amplification": CatalogueGenotype(
        None, 1.0, {"HER2_expression": 1.0}, None,
        "HER2_expression = receptors per cell / 5e5 (BT-474, the model's reference line, K20)"),
    "PIK3CA mutation (allele unspecified)": CatalogueGenotype(
        "PIK3CA H1047R", 1.0, {}, None,
        "taken as H1047R, the most frequent HER2+ allele (pharmacology.md P01: catalytic domain 13/17)"),
    "PTEN loss (partial)": CatalogueGenotype(
        "PTEN loss", 0.5, {}, None, "residual PTEN 0.5 (catalogue default, assumed)"),
    "IGF-1": CatalogueGenotype(None, 1.0, {"IGF1_nM": 40.0 / 7.649}, None, "IGF-I 40 ng/mL (L01/L02), MW 7649 Da"),
    "heregulin-rich medium": CatalogueGenotype(
        None, 1.0, {"HRG_nM": 1.0}, None, "heregulin 1 nM, as in the L26 checks (assumed)"),
}


def _model_genotype_named(entry: Genotype) -> str | None:
    """The model genotype (:data:`GENOTYPES`) a catalogue entry names by its name or an alias."""
    from .._names import normalise

    by_key = {normalise(name): name for name in GENOTYPES}
    for label in (entry.name, *entry.aliases):
        if normalise(label) in by_key:
            return by_key[normalise(label)]
    return None


def _catalogue_genotypes() -> dict[str, CatalogueGenotype]:
    from ..genotypes import all_genotypes

    entries = all_genotypes()
    key = (id(entries), tuple(GENOTYPES), tuple(CATALOGUE_READINGS.items()))
    if _DERIVED and _DERIVED[0][0] == key:  # derived once per state of the tables (they may change in tests)
        return _DERIVED[0][1]
    out = _derive_catalogue_genotypes(entries)
    _DERIVED[:] = [(key, out)]
    return out


_DERIVED: list[tuple[Any, dict[str, CatalogueGenotype]]] = []


def _derive_catalogue_genotypes(entries: tuple[Genotype, ...]) -> dict[str, CatalogueGenotype]:
    out: dict[str, CatalogueGenotype] = {}
    for entry in entries:
        if entry.name in CATALOGUE_READINGS:
            out[entry.name] = CATALOGUE_READINGS[entry.name]
            continue
        model = _model_genotype_named(entry)
        if model is None:
            raise ValidationError(
                f"catalogue genotype {entry.name!r} has no model reading: give it the name or an alias of a "
                f"model genotype ({', '.join(GENOTYPES)}) or a CATALOGUE_READINGS entry")
        out[entry.name] = CatalogueGenotype(model, 1.0, {}, None, GENOTYPES[model][1])
    return out


#: Names of the genotype catalogue (library/genotypes.py) -> how each acts on the model: the
#: model genotype of the same name or alias at strength 1 (its no-effect value from the
#: catalogue's strength), or the entry of :data:`CATALOGUE_READINGS`. Derived, never written.
CATALOGUE_GENOTYPES: Mapping[str, CatalogueGenotype] = DerivedView(_catalogue_genotypes)


def _genotype_index() -> dict[str, tuple[str, str]]:
    """Every genotype label, normalised (case, spaces, hyphens) -> ("model" | "catalogue", name).

    Model names come first; a catalogue name or alias that normalises to a model name means the
    same genotype at the same strength (checked at import).
    """
    from .._names import normalise
    from ..genotypes import genotype as catalogue_genotype

    index: dict[str, tuple[str, str]] = {normalise(name): ("model", name) for name in GENOTYPES}
    for name, effect in _catalogue_genotypes().items():
        entry = catalogue_genotype(name)
        for label in (entry.name, *entry.aliases):
            key = normalise(label)
            if key in index:
                kind, other = index[key]
                if (kind, other) == ("catalogue", name):
                    continue  # two labels of one entry that normalise alike
                if kind == "model" and effect.scale == 1.0:
                    full = {**(GENOTYPES[effect.genotype][0] if effect.genotype else {}), **effect.direct}
                    if full == GENOTYPES[other][0]:
                        continue  # the same settings at full strength: the model name stands for both
                raise ValidationError(f"genotype label {label!r} names both {other!r} and {name!r}")
            index[key] = ("catalogue", name)
    return index


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[str, str]]:
    return _genotype_index()


def resolve_genotype(name: str) -> tuple[str, str]:
    """``("model" | "catalogue", canonical name)`` of a genotype label (any case, hyphens, aliases).

    Raises
    ------
    UnknownNameError
        With the closest valid name.

    Examples
    --------
    >>> resolve_genotype("pten-loss")
    ('model', 'PTEN loss')
    >>> resolve_genotype("K111N")
    ('catalogue', 'PIK3CA K111N')
    """
    from .._names import normalise

    found = _index().get(normalise(name)) if isinstance(name, str) else None
    if found is None:
        raise UnknownNameError("genotype", str(name), list(GENOTYPES) + list(CATALOGUE_GENOTYPES))
    return found


def relative_strength(name: str, value: float) -> float:
    """A catalogue genotype's strength in the catalogue's unit -> relative strength (1 = default).

    Examples
    --------
    >>> relative_strength("HER2 amplification", 2.5e5)
    0.5
    >>> relative_strength("MUC4 high", 0.2)
    1.0
    """
    from ..genotypes import genotype as catalogue_genotype

    entry = catalogue_genotype(name)
    key = entry.name
    if key not in CATALOGUE_GENOTYPES:
        raise UnknownNameError("genotype", name, CATALOGUE_GENOTYPES)
    if entry.strength is None:
        return 1.0
    entry.strength.check(value, f"{key} strength")
    zero = CATALOGUE_GENOTYPES[key].no_effect_at
    if zero is None:
        zero = entry.strength.no_effect_at
    if zero is None or zero == entry.strength.default:
        raise ValidationError(f"genotype {key!r}: its catalogue strength needs a no_effect_at value "
                              "different from its default (the value at which it has no effect)")
    return (float(value) - zero) / (entry.strength.default - zero)



def genotype_settings(genotypes: Mapping[str, float] | tuple[str, ...] | list[str]) -> dict[str, float]:
    """Parameter settings for genotypes, each with a relative strength (1 = full).

    Names are the model's (:data:`GENOTYPES`) or the catalogue's (:data:`CATALOGUE_GENOTYPES`,
    any alias), looked up ignoring case, spaces and hyphens. For a model genotype the strength
    interpolates between the reference value and the full-strength value, e.g.
    ``{"PTEN loss": 0.5}`` sets ``PTEN_level`` to 0.5; for a catalogue genotype 1 means the
    catalogue's default strength (:func:`relative_strength` converts the catalogue's unit).

    Examples
    --------
    >>> genotype_settings(["PTEN loss"])
    {'PTEN_level': 0.0}
    >>> genotype_settings({"pten-loss": 0.8})
    {'PTEN_level': 0.19999999999999996}
    """
    if isinstance(genotypes, str):
        genotypes = [genotypes]
    items = genotypes.items() if isinstance(genotypes, Mapping) else ((g, 1.0) for g in genotypes)
    reference = _reference_values()
    out: dict[str, float] = {}
    expanded: list[tuple[str, float]] = []
    for name, strength in items:
        kind, key = resolve_genotype(name)
        if kind == "catalogue":
            # a catalogue name: a model genotype at a scaled strength and/or direct inputs
            effect = CATALOGUE_GENOTYPES[key]
            if not float(strength) >= 0.0:
                raise ValidationError(f"strength of {name!r} must be >= 0, got {strength!r}")
            if effect.genotype is not None:
                expanded.append((effect.genotype, effect.scale * float(strength)))
            out.update({k: v * float(strength) for k, v in effect.direct.items()})
        else:
            expanded.append((key, strength))
    for name, strength in expanded:
        if not 0.0 <= float(strength) <= 1.0 and not name.endswith(("overexpression", "p95HER2")):
            raise ValidationError(f"strength of {name!r} must be in [0, 1], got {strength!r}")
        full_values, _ = GENOTYPES[name]
        for parameter, full in full_values.items():
            ref = reference[parameter]
            out[parameter] = ref + float(strength) * (full - ref)
    return out


#: Evidence levels of cell-line genotype items, weakest last (see :mod:`her2sim.library.cell_lines`).
EVIDENCE = ("confirmed", "secondary", "unconfirmed")


def cell_line_genotypes(name: str, *, evidence: str = "unconfirmed") -> dict[str, float]:
    """``{catalogue genotype: relative strength}`` of a catalogued cell line.

    Parameters
    ----------
    name
        A cell line of :mod:`her2sim.library.cell_lines` (any case, hyphens, aliases).
    evidence
        Weakest evidence level of the genotype items to include: ``"confirmed"``,
        ``"secondary"`` or ``"unconfirmed"`` (default: every item, as the presets always did).

    Examples
    --------
    >>> cell_line_genotypes("JIMT-1")
    {'HER2 amplification': 1.0, 'MUC4 high': 1.0}
    """
    from ..cell_lines import cell_line
    from ..genotypes import genotype as catalogue_genotype

    if evidence not in EVIDENCE:
        raise UnknownNameError("evidence", evidence, EVIDENCE)
    allowed = EVIDENCE[: EVIDENCE.index(evidence) + 1]
    line = cell_line(name)
    out: dict[str, float] = {}
    for item in line.genotypes:
        if item.status not in allowed:
            continue
        if item.stands_for:
            try:  # the allele itself where the model knows it; else the catalogue stand-in below
                out[resolve_genotype(item.stands_for)[1]] = 1.0
                continue
            except UnknownNameError:
                pass
        entry = catalogue_genotype(item.genotype)
        value = item.strength if item.strength is not None else (
            entry.strength.default if entry.strength is not None else None)
        out[item.genotype] = 1.0 if value is None else relative_strength(item.genotype, value)
    er_context = _er_context()
    if er_context is not None and line.er_positive and line.er is not None and line.er.evidence in allowed:
        out[er_context] = 1.0
    return out


def _er_context() -> str | None:
    """The model's ER-positive context genotype, if the model has one (else the ER status stays data)."""
    try:
        return resolve_genotype("ER positive")[1]
    except UnknownNameError:
        return None


def cell_line_settings(name: str, *, evidence: str = "unconfirmed") -> dict[str, float]:
    """Parameter settings of a catalogued cell line, composed from its genotypes and strengths.

    Examples
    --------
    >>> cell_line_settings("JIMT-1")
    {'HER2_expression': 1.0, 'MUC4_masking': 1.0}

    The ER status of the preset sets the model's ER context (``ER_expression`` = 1) where the model
    has one, through the ``"ER positive"`` genotype or, without it, the parameter directly.
    """
    from ..cell_lines import cell_line

    settings = genotype_settings(cell_line_genotypes(name, evidence=evidence))
    line = cell_line(name)
    allowed = EVIDENCE[: EVIDENCE.index(evidence) + 1]
    if (_er_context() is None and line.er_positive and line.er is not None and line.er.evidence in allowed
            and "ER_expression" in _reference_values()):
        settings["ER_expression"] = 1.0
    return settings
