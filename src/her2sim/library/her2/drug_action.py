"""Drug action in the flagship: one concentration parameter per catalogued drug, potencies, occupancies.

Every ``<drug>_nM`` is the *free* concentration at the target and every potency parameter a free
cellular potency (:func:`_free_cellular_potency`); occupancy terms are grouped by
``action:node`` (:data:`MECHANISMS`). Each drug action is one :class:`DrugAction` declaration
(:data:`DRUG_ACTIONS`) whose effect writes its inhibition fractions (assignment rules) and
reactions; :func:`add` is a loop over the declarations. A new action comes with its drug's
catalogue entry (``Drug(declares=DrugAction(...))``, :func:`her2sim.library.drugs.register_drug`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import UnknownNameError, ValidationError
from ...model import Parameter, ParameterRole, Provenance
from ...model.components import ProvenanceKind
from .. import drugs as _catalogue
from ..drugs import Drug, DrugAction, Target
from ._base import Builder, _assumed, _derived, _sourced

__all__ = [
    "DrugAction", "DRUG_ACTIONS", "register_action", "unregister_action", "in_vitro_doses", "DrugMechanism",
    "MECHANISMS", "SITES", "Occupancy", "add", "write_effects", "drug_parameter", "drug_settings", "modelled_drugs",
]


@dataclass(frozen=True)
class DrugMechanism:
    """How a drug action of the catalogue (:func:`her2sim.library.drugs.actions`) enters both formalisms.

    ``nodes``: the catalogue target nodes whose potencies become model parameters (the occupancy
    terms of :func:`build` are grouped by ``action:node``); ``logical_inputs``: the inputs of the
    logical twin fixed on by a drug with this action (:func:`her2_logical.apply_drugs`).
    Derived from :data:`DRUG_ACTIONS`.
    """

    nodes: tuple[str, ...]
    logical_inputs: tuple[str, ...]


#: Where in the composition an action's effect is written, in order: the drug-action submodel's
#: occupancy step (every action, in declaration order), its activity step (after every
#: occupancy), and the phenotype submodel's cell-cycle step (:func:`write_effects`).
SITES: tuple[str, ...] = ("occupancy", "activity", "cell_cycle")


@dataclass(frozen=True)
class _DrugTerm:
    drug: str
    concentration: str
    potency: str
    allosteric: bool
    k_inact: str | None = None  # covalent inhibitors: the k_inact parameter (1/h); potency is then K_I


def occupancy_of(terms: list[_DrugTerm]) -> str:
    """Competitive occupancy of one site by several drugs: ``(Σ C/K)/(1 + Σ C/K)``; ``"0"`` without drugs."""
    if not terms:
        return "0"
    ratio = " + ".join(f"{t.concentration}/{t.potency}" for t in terms)
    return f"({ratio})/(1 + {ratio})"


def _first_per_drug(terms: list[_DrugTerm]) -> list[_DrugTerm]:
    seen: set[str] = set()
    out = []
    for t in terms:
        if t.drug not in seen:
            seen.add(t.drug)
            out.append(t)
    return out


class Occupancy:
    """The occupancy terms of one action's drugs, handed to its effect: ``occupancy(node)`` is an expression.

    :meth:`terms` gives the terms themselves (of this action, or of another one at the same node,
    e.g. pan-PI3K inhibitors at p110α), :func:`occupancy_of` turns terms into an expression.
    """

    def __init__(self, action: str, terms: Mapping[str, list[_DrugTerm]]) -> None:
        self.action = action
        self._terms = terms

    def terms(self, node: str, action: str | None = None) -> list[_DrugTerm]:
        """Occupancy terms of ``action`` (default: this one) at catalogue target ``node``."""
        return list(self._terms.get(f"{action or self.action}:{node}", []))

    def __call__(self, node: str) -> str:
        return occupancy_of(self.terms(node))


#: ``effect(b, occupancy)``: writes an action's rate-law effect into the builder.
Effect = Callable[[Builder, Occupancy], None]


# ------------------------------------------------------------------------------------------------
# The built-in actions' effects, each next to its declaration below. One exposure scale: every
# <drug>_nM is the free concentration at the target and every potency parameter a free cellular
# potency (see _free_cellular_potency); no global potency shift.

def _her2_ecd_block(b: Builder, occupancy: Occupancy) -> None:
    b.rule("trastuzumab_occupancy", occupancy("HER2"), "1",
           "fraction of accessible HER2 epitopes bound by trastuzumab (or T-DM1)")
    b.P("MUC4_accessible_fraction", 0.2, "1", _sourced(
        "Nagy 2005 Cancer Res (findings L18; pharmacology.md K24)",
        "Herceptin binding sites ~1/5 of expressed HER2 in MUC4-high JIMT-1"))
    b.rule("trastuzumab_access", "1 - MUC4_masking*(1 - MUC4_accessible_fraction)", "1",
           "fraction of HER2 whose domain IV epitope is not masked by MUC4")
    b.rule("trastuzumab_bound_fraction", "trastuzumab_occupancy*trastuzumab_access", "1",
           "fraction of full-length HER2 bound by trastuzumab")


def _her2_dimerisation_block(b: Builder, occupancy: Occupancy) -> None:
    b.rule("pertuzumab_occupancy", occupancy("HER2"), "1",
           "fraction of HER2 bound by pertuzumab (domain II; MUC4 masks it little, L18)")


def _her3_block(b: Builder, occupancy: Occupancy) -> None:
    b.rule("HER3_antibody_occupancy", occupancy("HER3"), "1", "fraction of HER3 bound by a blocking HER3 antibody")


def _er_degrade(b: Builder, occupancy: Occupancy) -> None:
    b.rule("ER_antagonist_occupancy", occupancy("ER"), "1",
           "fraction of ERα bound by a selective ER degrader (fulvestrant; cellular potency)")


_HER_KINASE_NODES = (("HER2", "HER2"), ("p95-HER2", "p95"), ("EGFR", "EGFR"))


def _her_kinase_occupancy(b: Builder, occupancy: Occupancy) -> None:
    # reversible ATP-site occupancy (covalent drugs through their K_I step) and, for covalent
    # drugs, an inactivated receptor pool formed at k_inact*C/(K_I + C) and recovered only by
    # receptor turnover (new, unmodified receptor)
    turnover = {"HER2": "kdeg_HER2", "p95": "kdeg_HER2", "EGFR": "kdeg_EGFR"}
    for node, tag in _HER_KINASE_NODES:
        terms = occupancy.terms(node)
        b.rule(f"{tag}_reversible_inhibition", occupancy_of(terms), "1",
               f"fraction of {node} kinase occupied reversibly by HER kinase inhibitors (competitive, same site)")
        covalent = [t for t in terms if t.k_inact]
        gene = "EGFR" if tag == "EGFR" else "ERBB2"
        if covalent:
            k_obs = " + ".join(f"{t.k_inact}*{t.concentration}/({t.potency} + {t.concentration})" for t in covalent)
            b.S(f"{tag}_covalent_fraction", 0.0, (gene,),
                f"fraction of {node} covalently inactivated by irreversible inhibitors", units="1",
                note="0 before treatment; formed by covalent inhibitors, removed by receptor turnover")
            b.R(f"{tag}_covalent_inactivation", "", f"{tag}_covalent_fraction",
                f"({k_obs})*(1 - {tag}_covalent_fraction)",
                f"covalent inactivation of {node} kinase, k_inact*C/(K_I + C) on the unmodified pool")
            b.R(f"{tag}_covalent_recovery", f"{tag}_covalent_fraction", "",
                f"{turnover[tag]}*{tag}_covalent_fraction",
                f"recovery of active {node} kinase by receptor resynthesis (turnover)")
            b.rule(f"{tag}_kinase_inhibition",
                   f"1 - (1 - {tag}_covalent_fraction)*(1 - {tag}_reversible_inhibition)", "1",
                   f"fraction of {node} kinase blocked (covalently inactivated or reversibly occupied)")
        else:
            b.rule(f"{tag}_kinase_inhibition", f"{tag}_reversible_inhibition", "1",
                   f"fraction of {node} kinase blocked by HER kinase inhibitors")


def _her_kinase_activity(b: Builder, occupancy: Occupancy) -> None:
    for node, tag in _HER_KINASE_NODES:
        b.rule(f"{tag}_kinase_active", f"1 - {tag}_kinase_inhibition", "1", f"{node} kinase left active")


def _igf1r_inhibit(b: Builder, occupancy: Occupancy) -> None:
    b.rule("IGF1R_inhibition", occupancy("IGF1R"), "1", "fraction of IGF1R kinase blocked")


def _pi3k_alpha_inhibit(b: Builder, occupancy: Occupancy) -> None:
    b.rule("p110alpha_inhibition", occupancy_of(occupancy.terms("PI3K p110alpha")
                                                + occupancy.terms("PI3K p110alpha", "pi3k_pan_inhibit")), "1",
           "fraction of p110α (wild type and mutant) blocked by α-selective and pan-PI3K inhibitors")


def _pi3k_pan_inhibit(b: Builder, occupancy: Occupancy) -> None:
    beta = {t.drug: t for t in occupancy.terms("PI3K p110beta")}
    b.rule("p110other_inhibition", occupancy_of([beta.get(t.drug, t) for t in occupancy.terms("PI3K p110alpha")]),
           "1", "fraction of the other class I p110 isoforms blocked (pan-PI3K inhibitors only), at each drug's "
           "p110β potency (the p110α potency where the catalogue has no p110β value)")


def _akt_inhibit(b: Builder, occupancy: Occupancy) -> None:
    first = _first_per_drug(occupancy.terms("AKT"))
    b.rule("AKT_catalytic_inhibition", occupancy_of(first), "1",
           "fraction of AKT activity blocked by AKT inhibitors (all; AKT1 potency)")
    b.rule("AKT_allosteric_inhibition", occupancy_of([t for t in first if t.allosteric]), "1",
           "fraction of AKT held in the closed PH-in conformation by allosteric inhibitors (MK-2206): "
           "blocks T308/S473 phosphorylation as well as activity")


def _mtorc1_inhibit(b: Builder, occupancy: Occupancy) -> None:
    b.rule("mTORC1_inhibition", occupancy("mTORC1"), "1", "fraction of mTORC1 bound by rapalogs (cellular potency)")


def _mek_inhibit(b: Builder, occupancy: Occupancy) -> None:
    b.rule("MEK_inhibition", occupancy_of(_first_per_drug(occupancy.terms("MEK"))), "1",
           "fraction of MEK activity blocked (MEK1 potency; allosteric, so no ATP-competition shift)")


def _cdk46_inhibit(b: Builder, occupancy: Occupancy) -> None:
    # palbociclib: ATP-site occupancy at the catalogue's free cellular potency (read by CDK46_activity)
    b.rule("CDK46_inhibition", occupancy("CDK4/6"), "1",
           "fraction of CDK4/6 kinase blocked by CDK4/6 inhibitors (competitive, ATP site)")


_CELL_STUDIES = "in-vitro reference dose (conventions of her2sim.library.findings, from the cited cell studies)"

#: The built-in actions (:data:`her2sim.library.drugs.Action`), one declaration each, in the
#: order their effects are written (the model's element order follows it).
_BUILT_IN: dict[str, DrugAction] = {a.name: a for a in (
    DrugAction("her2_ecd_block", {"HER2": "HER2"}, ("Trastuzumab",), (10.0, "ug/mL"), _CELL_STUDIES,
               _her2_ecd_block),
    DrugAction("her2_dimerisation_block", {"HER2": "HER2"}, ("Pertuzumab",), (10.0, "ug/mL"), _CELL_STUDIES,
               _her2_dimerisation_block),
    DrugAction("her3_block", {"HER3": "HER3"}, ("HER3_antibody",), (10.0, "ug/mL"), _CELL_STUDIES, _her3_block),
    # SERD (fulvestrant): ER occupancy and degradation. Fulvestrant in ER-positive cell studies is
    # used at 100 nM (e.g. Xia 2006; Wakeling 1991's MCF-7 IC50 is 0.29 nM, so 100 nM is saturating)
    DrugAction("er_degrade", {"ER": "ER"}, ("Fulvestrant",), (100.0, "nM"), _CELL_STUDIES, _er_degrade),
    DrugAction("her_kinase_inhibit", {"HER2": "HER2", "p95-HER2": "p95", "EGFR": "EGFR"}, ("HER_TKI",),
               (1.0, "uM"), _CELL_STUDIES, {"occupancy": _her_kinase_occupancy, "activity": _her_kinase_activity}),
    DrugAction("igf1r_inhibit", {"IGF1R": "IGF1R"}, ("IGF1R_inhibitor",), (3.0, "uM"), _CELL_STUDIES,
               _igf1r_inhibit),
    DrugAction("pi3k_alpha_inhibit", {"PI3K p110alpha": "PI3K"}, ("PI3K_alpha_inhibitor",), (1.0, "uM"),
               _CELL_STUDIES, _pi3k_alpha_inhibit),
    DrugAction("pi3k_pan_inhibit", {"PI3K p110alpha": "PI3K", "PI3K p110beta": "PI3Kb"}, ("PI3K_pan_inhibitor",),
               (1.0, "uM"), _CELL_STUDIES, _pi3k_pan_inhibit),
    DrugAction("akt_inhibit", {"AKT": "AKT"}, ("AKT_inhibitor",), (1.0, "uM"), _CELL_STUDIES, _akt_inhibit),
    DrugAction("mtorc1_inhibit", {"mTORC1": "mTORC1"}, ("mTORC1_inhibitor",), (20.0, "nM"), _CELL_STUDIES,
               _mtorc1_inhibit),
    DrugAction("mek_inhibit", {"MEK": "MEK"}, ("MEK_inhibitor",), (1.0, "uM"), _CELL_STUDIES, _mek_inhibit),
    DrugAction("cdk46_inhibit", {"CDK4/6": "CDK46"}, ("CDK46_inhibitor",), (1.0, "uM"), _CELL_STUDIES,
               {"cell_cycle": _cdk46_inhibit}),
)}
if set(_BUILT_IN) != set(_catalogue.BUILT_IN_ACTIONS):  # pragma: no cover - a programming error
    raise ValidationError("the flagship declares every built-in action of the drug catalogue, and only those")


def _actions() -> dict[str, DrugAction]:
    return {**_BUILT_IN, **_catalogue.declared_actions()}


class _Live(Mapping[str, Any]):
    """A read-only mapping computed from the declarations each time it is read (the catalogue may grow)."""

    def __init__(self, compute: Callable[[], Mapping[str, Any]]) -> None:
        self._compute = compute

    def __getitem__(self, key: str) -> Any:
        return self._compute()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._compute())

    def __len__(self) -> int:
        return len(self._compute())

    def __repr__(self) -> str:
        return repr(dict(self._compute()))


#: Every drug action the flagship models: the built-in declarations, then the actions declared
#: by catalogue entries or :func:`register_action` (a live view).
DRUG_ACTIONS: Mapping[str, DrugAction] = _Live(_actions)


def _node_tags() -> dict[str, str]:
    tags: dict[str, str] = {}
    for action in _actions().values():
        for node, tag in action.nodes.items():
            if tags.setdefault(node, tag) != tag:
                raise ValidationError(f"DrugAction {action.name!r}: node {node!r} has tag {tags[node]!r} already")
        unknown = set(action.effects) - set(SITES)
        if unknown:
            raise UnknownNameError(f"DrugAction {action.name!r} effect site", sorted(unknown)[0], SITES)
    return tags


#: Drug action -> its mechanism in the kinetic model and in the logical twin (derived from :data:`DRUG_ACTIONS`).
MECHANISMS: Mapping[str, DrugMechanism] = _Live(lambda: {
    name: DrugMechanism(tuple(a.nodes), tuple(a.logical_inputs)) for name, a in _actions().items()})


def register_action(action: DrugAction, *, replace: bool = False) -> DrugAction:
    """Add a drug action to the flagship: its kinetic effect, twin input, potency tags and in-vitro dose.

    The same as :func:`her2sim.library.drugs.register_action` (the one registry); a drug with a
    new action can instead carry it (``Drug(declares=...)``). Models built after registration
    (:func:`her2sim.library.her2.compose`, :func:`her2sim.library.her2_model.build`) carry it.

    Raises
    ------
    ValidationError
        A name already registered (without ``replace``), or a declaration missing its effect.
    """
    registered = _catalogue.register_action(action, replace=replace)
    try:
        _node_tags()
    except Exception:
        _catalogue.unregister_action(action.name)
        raise
    return registered


def unregister_action(name: str) -> None:
    """Remove an action added by :func:`register_action` (built-in actions stay)."""
    _catalogue.unregister_action(name)


def in_vitro_doses() -> dict[str, tuple[float, str]]:
    """Drug action -> nominal in-vitro reference dose ``(value, unit)`` of cell studies."""
    return {name: a.in_vitro_dose for name, a in _actions().items()}


def _drug_key(name: str) -> str:
    key = re.sub(r"[^0-9A-Za-z]", "", name)
    return key if key[0].isalpha() else "d" + key


def drug_parameter(name: str) -> str:
    """The id of the model parameter holding the free concentration (nM) of drug ``name``.

    Examples
    --------
    >>> drug_parameter("Herceptin")
    'trastuzumab_nM'
    """
    from ..drugs import get_drug

    return f"{_drug_key(get_drug(name).name)}_nM"


#: Cheng-Prusoff shift kept only for ATP-site inhibitors whose cellular potency was not found:
#: action -> (fold, provenance). AKT: derived from capivasertib's biochemical vs cellular IC50s.
_ATP_SITE_SHIFT: dict[str, tuple[float, Provenance]] = {
    "akt_inhibit": (50.0, _derived(
        "pharmacology.md K17: Davies 2012 Mol Cancer Ther 11:873",
        "capivasertib biochemical IC50 <=10 nM vs cellular AKT-substrate IC50 0.3-0.8 uM: shift 30-80, "
        "midpoint 50; applied to an ATP-site AKT inhibitor without its own cellular potency")),
    "pi3k_alpha_inhibit": (10.0, _assumed(
        "cellular potency not found: biochemical IC50 x 10, a Cheng-Prusoff shift for mM cellular ATP "
        "(round value; K17 shows 30-80 for capivasertib on AKT)")),
    "pi3k_pan_inhibit": (10.0, _assumed(
        "cellular potency not found: biochemical IC50 x 10, a Cheng-Prusoff shift for mM cellular ATP "
        "(round value; K17 shows 30-80 for capivasertib on AKT)")),
    "igf1r_inhibit": (10.0, _assumed(
        "cellular potency not found: biochemical IC50 x 10, a Cheng-Prusoff shift for mM cellular ATP")),
    "her_kinase_inhibit": (12.1 / 9.8, _derived(
        "CCLE (Barretina 2012 Nature 483:603) BT-474 lapatinib viability; Rusnak 2001 Mol Cancer Ther 1:85",
        "cell-to-kinase ratio of lapatinib (free BT-474 proliferation IC50 12.1 nM / purified HER2 IC50 9.8 nM), "
        "applied to an off-target ATP-site potency of a HER kinase inhibitor without its own cellular value")),
}


def _free_cellular_potency(drug: Drug, target: Target) -> tuple[float, Provenance, str]:
    """Free concentration (nM) that half-occupies ``target`` in cells, its provenance, and how it was got.

    One exposure scale: every potency is a *free* concentration. A cellular potency is converted
    from nominal with its assay medium's unbound fraction; a covalent inhibitor's reversible step
    is its K_I (the covalent pool is modelled separately); allosteric inhibitors and antibodies
    take their measured potency as is (no ATP competition); an ATP-site potency without a cellular
    value is shifted by :data:`_ATP_SITE_SHIFT` of its action.
    """
    if target.cellular is not None:
        value, prov = drug.free_potency(target)
        return value, prov, "cellular potency converted to free"
    allosteric = "allosteric" in target.binding_site.lower() or "frb" in target.binding_site.lower()
    if target.covalent is not None:
        return float(target.potency_nM), target.provenance, "K_I of the reversible step (covalent inhibitor)"
    if target.potency_kind == "Kd" or allosteric or drug.action not in _ATP_SITE_SHIFT:
        return float(target.potency_nM), target.provenance, "as measured (no ATP-competition shift)"
    fold, shift_prov = _ATP_SITE_SHIFT[drug.action]
    prov = target.provenance
    kind: ProvenanceKind = "assumed" if "assumed" in (prov.kind, shift_prov.kind) else "derived"
    source = "; ".join(x for x in (prov.source, shift_prov.source) if x)
    note = (f"{target.potency_nM:g} nM ({target.potency_assay}) x {fold:.3g} ATP-site shift: "
            f"{shift_prov.note}. Potency: {prov.note}").strip()
    return float(target.potency_nM) * fold, Provenance(kind, source, note), "biochemical x ATP-site shift"


def _drug_parameters() -> tuple[list[Parameter], dict[str, list[_DrugTerm]]]:
    """Concentration and potency parameters for every catalogued drug, grouped by action."""
    from ..drugs import all_drugs

    params: list[Parameter] = []
    terms: dict[str, list[_DrugTerm]] = {}
    actions = _actions()
    node_tag = _node_tags()
    for drug in all_drugs():
        key = _drug_key(drug.name)
        conc = f"{key}_nM"
        params.append(Parameter(
            conc, 0.0, units="nM", name=f"free concentration of {drug.name} at its target",
            role=ParameterRole.DRUG_CONCENTRATION,
            provenance=_assumed(
                "runtime input: free (unbound) drug concentration at the target, 0 (untreated) by default; "
                "drug_settings() converts an in-vitro nominal dose with the medium's unbound fraction, "
                "her2sim.library.pk gives free plasma concentrations"),
        ))
        nodes = tuple(actions[drug.action].nodes)
        for node in nodes:
            try:
                target = drug.target_for(node)
            except UnknownNameError:
                continue
            value, prov, how = _free_cellular_potency(drug, target)
            kind_tag = "Kd" if target.potency_kind == "Kd" else ("KI" if target.covalent else "IC50")
            pid = f"{kind_tag}_{key}_{node_tag[node]}"
            note = (f"free cellular potency ({how}); catalogue: {target.potency_kind} {target.potency_nM:g} nM, "
                    f"{target.potency_assay}, {target.binding_site}. {prov.note}").strip()
            params.append(Parameter(
                pid, float(value), units="nM",
                name=f"free {'K_I' if target.covalent else target.potency_kind} of {drug.name} for {node}",
                provenance=Provenance(prov.kind, prov.source, note), role=ParameterRole.PHARMACOLOGY,
            ))
            k_inact = None
            if target.covalent is not None:
                k_inact = f"kinact_{key}_{node_tag[node]}"
                cov = target.covalent.provenance
                params.append(Parameter(
                    k_inact, float(target.covalent.k_inact_per_h), units="1/h",
                    name=f"covalent inactivation rate constant of {drug.name} on {node}",
                    provenance=Provenance(cov.kind, cov.source, cov.note), role=ParameterRole.PHARMACOLOGY,
                ))
            allosteric = "allosteric" in target.binding_site.lower()
            terms.setdefault(f"{drug.action}:{node}", []).append(
                _DrugTerm(drug.name, conc, pid, allosteric, k_inact))
    return params, terms




def write_effects(b: Builder, site: str) -> None:
    """Write every declared action's effect at ``site`` (:data:`SITES`), in declaration order."""
    if site not in SITES:
        raise UnknownNameError("site", site, SITES)
    for action in _actions().values():
        effect = action.effects.get(site)
        if effect is not None:
            effect(b, Occupancy(action.name, b.drug_terms))


def add(b: Builder) -> None:
    """Drug concentration and potency parameters; every action's occupancy and activity effects."""
    drug_params, drug_terms = _drug_parameters()
    b.params.extend(drug_params)
    b.drug_terms = drug_terms
    write_effects(b, "occupancy")
    write_effects(b, "activity")


def modelled_drugs() -> tuple[str, ...]:
    """Catalogued drugs that have a concentration parameter in the model."""
    from ..drugs import all_drugs

    return tuple(d.name for d in all_drugs())


def drug_settings(doses: Mapping[str, float | tuple[float, str]], *,
                  serum_percent: float = 10.0) -> dict[str, float]:
    """Parameter settings for in-vitro drug doses: ``{"trastuzumab": (10, "ug/mL"), "lapatinib": 1000}``.

    A dose is the **nominal** concentration in the culture medium: a bare number is read in nM,
    a ``(value, unit)`` pair is converted with the drug's molecular weight
    (:meth:`her2sim.library.drugs.Drug.to_nM`). The model parameter is the **free** concentration
    at the target: nominal × the drug's unbound fraction in medium with ``serum_percent`` % serum
    (:meth:`her2sim.library.drugs.Drug.free_fraction_in_medium`; antibodies are not bound). Free
    plasma concentrations of patients come from :mod:`her2sim.library.pk` and are set directly.

    Parameters
    ----------
    doses
        ``{drug name or alias: nominal dose}``.
    serum_percent
        Serum in the medium, % (default 10 % fetal bovine serum; 0 = serum-free).

    Raises
    ------
    ValidationError
        A negative dose or a serum percentage outside [0, 100].
    UnknownNameError
        An unknown drug, with the closest name.

    Examples
    --------
    >>> round(drug_settings({"Herceptin": (10, "ug/mL")})["trastuzumab_nM"], 1)
    67.6
    >>> round(drug_settings({"lapatinib": (1, "uM")})["lapatinib_nM"], 1)
    91.7
    >>> drug_settings({"lapatinib": (1, "uM")}, serum_percent=0)["lapatinib_nM"]
    1000.0
    """
    from ..drugs import get_drug

    if isinstance(serum_percent, bool) or not isinstance(serum_percent, (int, float)) \
            or not 0.0 <= float(serum_percent) <= 100.0:
        raise ValidationError(f"serum_percent={serum_percent!r} must be a number in [0, 100] "
                              "(% serum in the culture medium; 10 is standard)")
    out: dict[str, float] = {}
    for name, dose in doses.items():
        drug = get_drug(name)
        if isinstance(dose, tuple):
            value, unit = dose
            nM = drug.to_nM(float(value), unit)
        else:
            nM = float(dose)
        if not nM >= 0:
            raise ValidationError(f"dose of {name!r} must be >= 0, got {dose!r}")
        out[drug_parameter(drug.name)] = nM * drug.free_fraction_in_medium(float(serum_percent))
    return out
