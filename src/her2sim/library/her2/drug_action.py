"""Drug action in the flagship: one concentration parameter per catalogued drug, potencies, occupancies.

Every ``<drug>_nM`` is the *free* concentration at the target and every potency parameter a free
cellular potency (:func:`_free_cellular_potency`); occupancy terms are grouped by
``action:node`` (:data:`MECHANISMS`) and turned into inhibition fractions (assignment rules) that
the pathway submodels read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ...errors import UnknownNameError, ValidationError
from ...model import Parameter, ParameterRole, Provenance
from ._base import Builder, _assumed, _derived, _sourced

__all__ = [
    "DrugAction", "DRUG_ACTIONS", "register_action", "unregister_action", "in_vitro_doses", "DrugMechanism",
    "MECHANISMS", "add", "drug_parameter", "drug_settings", "modelled_drugs",
]


@dataclass(frozen=True)
class DrugMechanism:
    """How a drug action of the catalogue (:data:`her2sim.library.drugs.ACTIONS`) enters both formalisms.

    ``nodes``: the catalogue target nodes whose potencies become model parameters (the occupancy
    terms of :func:`build` are grouped by ``action:node``); ``logical_inputs``: the inputs of the
    logical twin fixed on by a drug with this action (:func:`her2_logical.apply_drugs`).
    Derived from :data:`DRUG_ACTIONS`.
    """

    nodes: tuple[str, ...]
    logical_inputs: tuple[str, ...]


#: ``effect(b, occupancy)`` of a registered action: writes its rate-law effect into the builder;
#: ``occupancy(node)`` is the occupancy expression of the action's drugs at ``node``.
Effect = Callable[[Builder, Callable[[str], str]], None]


@dataclass(frozen=True)
class DrugAction:
    """One drug action of the flagship, declared once; every other table derives from it.

    Parameters
    ----------
    name
        The catalogue action (:data:`her2sim.library.drugs.Action`), e.g. ``"mek_inhibit"``.
    nodes
        Catalogue target node -> tag used in potency parameter ids (``IC50_<drug>_<tag>``); the
        drug's potency at each node becomes a parameter and an occupancy term ``action:node``.
    logical_inputs
        Inputs of the logical twin switched on by a drug with this action.
    in_vitro_dose
        ``(value, unit)`` nominal dose of cell studies: the atlas's ``in_vitro`` exposure.
    in_vitro_source
        Where that dose convention comes from.
    effect
        For an action added by :func:`register_action`: writes its rate-law effect (rules,
        reactions, parameters with provenance) into the builder, after the built-in actions. The
        built-in actions' effects are written in :func:`add` (and CDK4/6 in the phenotype
        submodel), where the rate laws they enter live; ``None`` for them.
    logical_target
        For a registered action: the twin node the (single) logical input switches off
        (``target = rule & !input``); the built-in actions are written in the twin's rules.
    """

    name: str
    nodes: Mapping[str, str]
    logical_inputs: tuple[str, ...]
    in_vitro_dose: tuple[float, str]
    in_vitro_source: str = ""
    effect: Effect | None = None
    logical_target: str | None = None

    def __post_init__(self) -> None:
        if not self.nodes:
            raise ValidationError(f"DrugAction {self.name!r}: nodes must name at least one target node")
        value, unit = self.in_vitro_dose
        if not float(value) > 0:
            raise ValidationError(f"DrugAction {self.name!r}: in_vitro_dose must be > 0, got {value!r}")
        if (self.effect is None) != (self.logical_target is None) and self.name not in _BUILT_IN:
            raise ValidationError(f"DrugAction {self.name!r}: a registered action needs both effect and "
                                  "logical_target (its kinetic and its logical meaning)")


_CELL_STUDIES = "in-vitro reference dose (conventions of her2sim.library.findings, from the cited cell studies)"
_BUILT_IN = ("her2_ecd_block", "her2_dimerisation_block", "her_kinase_inhibit", "pi3k_alpha_inhibit",
             "pi3k_pan_inhibit", "akt_inhibit", "mtorc1_inhibit", "mek_inhibit", "igf1r_inhibit", "her3_block",
             "cdk46_inhibit", "er_degrade")

#: Every drug action the flagship models (one declaration each; :func:`register_action` adds more).
DRUG_ACTIONS: dict[str, DrugAction] = {a.name: a for a in (
    DrugAction("her2_ecd_block", {"HER2": "HER2"}, ("Trastuzumab",), (10.0, "ug/mL"), _CELL_STUDIES),
    DrugAction("her2_dimerisation_block", {"HER2": "HER2"}, ("Pertuzumab",), (10.0, "ug/mL"), _CELL_STUDIES),
    DrugAction("her_kinase_inhibit", {"HER2": "HER2", "p95-HER2": "p95", "EGFR": "EGFR"}, ("HER_TKI",),
               (1.0, "uM"), _CELL_STUDIES),
    DrugAction("pi3k_alpha_inhibit", {"PI3K p110alpha": "PI3K"}, ("PI3K_alpha_inhibitor",), (1.0, "uM"),
               _CELL_STUDIES),
    DrugAction("pi3k_pan_inhibit", {"PI3K p110alpha": "PI3K", "PI3K p110beta": "PI3Kb"}, ("PI3K_pan_inhibitor",),
               (1.0, "uM"), _CELL_STUDIES),
    DrugAction("akt_inhibit", {"AKT": "AKT"}, ("AKT_inhibitor",), (1.0, "uM"), _CELL_STUDIES),
    DrugAction("mtorc1_inhibit", {"mTORC1": "mTORC1"}, ("mTORC1_inhibitor",), (20.0, "nM"), _CELL_STUDIES),
    DrugAction("mek_inhibit", {"MEK": "MEK"}, ("MEK_inhibitor",), (1.0, "uM"), _CELL_STUDIES),
    DrugAction("igf1r_inhibit", {"IGF1R": "IGF1R"}, ("IGF1R_inhibitor",), (3.0, "uM"), _CELL_STUDIES),
    DrugAction("her3_block", {"HER3": "HER3"}, ("HER3_antibody",), (10.0, "ug/mL"), _CELL_STUDIES),
    DrugAction("cdk46_inhibit", {"CDK4/6": "CDK46"}, ("CDK46_inhibitor",), (1.0, "uM"), _CELL_STUDIES),
    # SERD (fulvestrant): ER occupancy and degradation. Fulvestrant in ER-positive cell studies is
    # used at 100 nM (e.g. Xia 2006; Wakeling 1991's MCF-7 IC50 is 0.29 nM, so 100 nM is saturating)
    DrugAction("er_degrade", {"ER": "ER"}, ("Fulvestrant",), (100.0, "nM"), _CELL_STUDIES),
)}

#: Drug action -> its mechanism in the kinetic model and in the logical twin (derived from :data:`DRUG_ACTIONS`).
MECHANISMS: dict[str, DrugMechanism] = {}
_ACTION_NODES: dict[str, tuple[str, ...]] = {}
_NODE_TAG: dict[str, str] = {}


def _derive(action: DrugAction) -> None:
    for node, tag in action.nodes.items():
        if _NODE_TAG.setdefault(node, tag) != tag:
            raise ValidationError(f"DrugAction {action.name!r}: node {node!r} has tag {_NODE_TAG[node]!r} already")
    MECHANISMS[action.name] = DrugMechanism(tuple(action.nodes), tuple(action.logical_inputs))
    _ACTION_NODES[action.name] = tuple(action.nodes)


for _action in DRUG_ACTIONS.values():
    _derive(_action)


def register_action(action: DrugAction, *, replace: bool = False) -> DrugAction:
    """Add a drug action to the flagship: its kinetic effect, twin input, potency tags and in-vitro dose.

    The catalogue side of a new action is its :data:`her2sim.library.drugs.Action` name and the
    drugs that have it. Models built after registration (:func:`her2sim.library.her2.compose`,
    :func:`her2sim.library.her2_model.build`) carry the action.

    Raises
    ------
    ValidationError
        A name already registered (without ``replace``), or a declaration missing its effect.
    """
    if not isinstance(action, DrugAction):
        raise ValidationError(f"register_action needs a DrugAction, got {type(action).__name__}")
    if action.name in DRUG_ACTIONS and not replace:
        raise ValidationError(f"drug action {action.name!r} is already registered")
    if action.effect is None:
        raise ValidationError(f"DrugAction {action.name!r}: a registered action needs its effect")
    DRUG_ACTIONS[action.name] = action
    _derive(action)
    return action


def unregister_action(name: str) -> None:
    """Remove an action added by :func:`register_action` (built-in actions stay)."""
    if name in _BUILT_IN:
        raise ValidationError(f"drug action {name!r} is built in")
    action = DRUG_ACTIONS.pop(name, None)
    MECHANISMS.pop(name, None)
    _ACTION_NODES.pop(name, None)
    if action is not None:
        used = {n for a in DRUG_ACTIONS.values() for n in a.nodes}
        for node in action.nodes:
            if node not in used:
                _NODE_TAG.pop(node, None)


def in_vitro_doses() -> dict[str, tuple[float, str]]:
    """Drug action -> nominal in-vitro reference dose ``(value, unit)`` of cell studies."""
    return {name: a.in_vitro_dose for name, a in DRUG_ACTIONS.items()}


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


@dataclass(frozen=True)
class _DrugTerm:
    drug: str
    concentration: str
    potency: str
    allosteric: bool
    k_inact: str | None = None  # covalent inhibitors: the k_inact parameter (1/h); potency is then K_I


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


def _free_cellular_potency(drug, target) -> tuple[float, Provenance, str]:
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
    kind = "assumed" if "assumed" in (prov.kind, shift_prov.kind) else "derived"
    source = "; ".join(x for x in (prov.source, shift_prov.source) if x)
    note = (f"{target.potency_nM:g} nM ({target.potency_assay}) x {fold:.3g} ATP-site shift: "
            f"{shift_prov.note}. Potency: {prov.note}").strip()
    return float(target.potency_nM) * fold, Provenance(kind, source, note), "biochemical x ATP-site shift"


def _drug_parameters() -> tuple[list[Parameter], dict[str, list[_DrugTerm]]]:
    """Concentration and potency parameters for every catalogued drug, grouped by action."""
    from ..drugs import all_drugs

    params: list[Parameter] = []
    terms: dict[str, list[_DrugTerm]] = {}
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
        nodes = _ACTION_NODES[drug.action]
        for node in nodes:
            try:
                target = drug.target_for(node)
            except UnknownNameError:
                continue
            value, prov, how = _free_cellular_potency(drug, target)
            kind_tag = "Kd" if target.potency_kind == "Kd" else ("KI" if target.covalent else "IC50")
            pid = f"{kind_tag}_{key}_{_NODE_TAG[node]}"
            note = (f"free cellular potency ({how}); catalogue: {target.potency_kind} {target.potency_nM:g} nM, "
                    f"{target.potency_assay}, {target.binding_site}. {prov.note}").strip()
            params.append(Parameter(
                pid, float(value), units="nM",
                name=f"free {'K_I' if target.covalent else target.potency_kind} of {drug.name} for {node}",
                provenance=Provenance(prov.kind, prov.source, note), role=ParameterRole.PHARMACOLOGY,
            ))
            k_inact = None
            if target.covalent is not None:
                k_inact = f"kinact_{key}_{_NODE_TAG[node]}"
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



def add(b: Builder) -> None:
    """Drug concentration and potency parameters; occupancy and inhibition fractions (rules)."""
    P, S, rule, R = b.P, b.S, b.rule, b.R
    drug_params, drug_terms = _drug_parameters()
    b.params.extend(drug_params)
    b.drug_terms = drug_terms

    # ---------------------------------------------------------------------------- drug action
    # One exposure scale: every <drug>_nM is the free concentration at the target and every potency
    # parameter a free cellular potency (see _free_cellular_potency); no global potency shift.
    def occupancy_of(terms: list[_DrugTerm]) -> str:
        if not terms:
            return "0"
        ratio = " + ".join(f"{t.concentration}/{t.potency}" for t in terms)
        return f"({ratio})/(1 + {ratio})"

    def occupancy(term_key: str) -> str:
        return occupancy_of(drug_terms.get(term_key, []))

    def first_per_drug(terms: list[_DrugTerm]) -> list[_DrugTerm]:
        seen: set[str] = set()
        return [t for t in terms if not (t.drug in seen or seen.add(t.drug))]

    # antibodies
    rule("trastuzumab_occupancy", occupancy("her2_ecd_block:HER2"), "1",
         "fraction of accessible HER2 epitopes bound by trastuzumab (or T-DM1)")
    P("MUC4_accessible_fraction", 0.2, "1", _sourced(
        "Nagy 2005 Cancer Res (findings L18; pharmacology.md K24)",
        "Herceptin binding sites ~1/5 of expressed HER2 in MUC4-high JIMT-1"))
    rule("trastuzumab_access", "1 - MUC4_masking*(1 - MUC4_accessible_fraction)", "1",
         "fraction of HER2 whose domain IV epitope is not masked by MUC4")
    rule("trastuzumab_bound_fraction", "trastuzumab_occupancy*trastuzumab_access", "1",
         "fraction of full-length HER2 bound by trastuzumab")
    rule("pertuzumab_occupancy", occupancy("her2_dimerisation_block:HER2"), "1",
         "fraction of HER2 bound by pertuzumab (domain II; MUC4 masks it little, L18)")
    rule("HER3_antibody_occupancy", occupancy("her3_block:HER3"), "1",
         "fraction of HER3 bound by a blocking HER3 antibody")
    rule("ER_antagonist_occupancy", occupancy("er_degrade:ER"), "1",
         "fraction of ERα bound by a selective ER degrader (fulvestrant; cellular potency)")
    # HER kinase inhibitors: reversible ATP-site occupancy (covalent drugs through their K_I step) and,
    # for covalent drugs, an inactivated receptor pool formed at k_inact*C/(K_I + C) and recovered
    # only by receptor turnover (new, unmodified receptor).
    turnover = {"HER2": "kdeg_HER2", "p95": "kdeg_HER2", "EGFR": "kdeg_EGFR"}
    for node, tag in (("HER2", "HER2"), ("p95-HER2", "p95"), ("EGFR", "EGFR")):
        terms = drug_terms.get(f"her_kinase_inhibit:{node}", [])
        rule(f"{tag}_reversible_inhibition", occupancy_of(terms), "1",
             f"fraction of {node} kinase occupied reversibly by HER kinase inhibitors (competitive, same site)")
        covalent = [t for t in terms if t.k_inact]
        gene = "EGFR" if tag == "EGFR" else "ERBB2"
        if covalent:
            k_obs = " + ".join(f"{t.k_inact}*{t.concentration}/({t.potency} + {t.concentration})" for t in covalent)
            S(f"{tag}_covalent_fraction", 0.0, (gene,),
              f"fraction of {node} covalently inactivated by irreversible inhibitors", units="1",
              note="0 before treatment; formed by covalent inhibitors, removed by receptor turnover")
            R(f"{tag}_covalent_inactivation", "", f"{tag}_covalent_fraction",
              f"({k_obs})*(1 - {tag}_covalent_fraction)",
              f"covalent inactivation of {node} kinase, k_inact*C/(K_I + C) on the unmodified pool")
            R(f"{tag}_covalent_recovery", f"{tag}_covalent_fraction", "",
              f"{turnover[tag]}*{tag}_covalent_fraction",
              f"recovery of active {node} kinase by receptor resynthesis (turnover)")
            rule(f"{tag}_kinase_inhibition",
                 f"1 - (1 - {tag}_covalent_fraction)*(1 - {tag}_reversible_inhibition)", "1",
                 f"fraction of {node} kinase blocked (covalently inactivated or reversibly occupied)")
        else:
            rule(f"{tag}_kinase_inhibition", f"{tag}_reversible_inhibition", "1",
                 f"fraction of {node} kinase blocked by HER kinase inhibitors")
    rule("IGF1R_inhibition", occupancy("igf1r_inhibit:IGF1R"), "1", "fraction of IGF1R kinase blocked")
    alpha_terms = drug_terms.get("pi3k_alpha_inhibit:PI3K p110alpha", [])
    pan_terms = drug_terms.get("pi3k_pan_inhibit:PI3K p110alpha", [])
    pan_beta = {t.drug: t for t in drug_terms.get("pi3k_pan_inhibit:PI3K p110beta", [])}
    rule("p110alpha_inhibition", occupancy_of(alpha_terms + pan_terms), "1",
         "fraction of p110α (wild type and mutant) blocked by α-selective and pan-PI3K inhibitors")
    rule("p110other_inhibition", occupancy_of([pan_beta.get(t.drug, t) for t in pan_terms]), "1",
         "fraction of the other class I p110 isoforms blocked (pan-PI3K inhibitors only), at each drug's "
         "p110β potency (the p110α potency where the catalogue has no p110β value)")
    akt_first = first_per_drug(drug_terms.get("akt_inhibit:AKT", []))
    rule("AKT_catalytic_inhibition", occupancy_of(akt_first), "1",
         "fraction of AKT activity blocked by AKT inhibitors (all; AKT1 potency)")
    rule("AKT_allosteric_inhibition", occupancy_of([t for t in akt_first if t.allosteric]), "1",
         "fraction of AKT held in the closed PH-in conformation by allosteric inhibitors (MK-2206): "
         "blocks T308/S473 phosphorylation as well as activity")
    rule("mTORC1_inhibition", occupancy("mtorc1_inhibit:mTORC1"), "1",
         "fraction of mTORC1 bound by rapalogs (cellular potency)")
    rule("MEK_inhibition", occupancy_of(first_per_drug(drug_terms.get("mek_inhibit:MEK", []))), "1",
         "fraction of MEK activity blocked (MEK1 potency; allosteric, so no ATP-competition shift)")

    rule("HER2_kinase_active", "1 - HER2_kinase_inhibition", "1", "HER2 kinase left active")
    rule("p95_kinase_active", "1 - p95_kinase_inhibition", "1", "p95-HER2 kinase left active")
    rule("EGFR_kinase_active", "1 - EGFR_kinase_inhibition", "1", "EGFR kinase left active")

    # actions added by register_action: each writes its own effect, after the built-in ones (so the
    # built-in model is unchanged by the hook)
    for action in DRUG_ACTIONS.values():
        if action.effect is not None:
            action.effect(b, lambda node, name=action.name: occupancy(f"{name}:{node}"))


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
