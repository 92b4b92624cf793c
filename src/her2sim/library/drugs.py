"""Drug catalogue: targets, binding sites, potencies, molecular weights and exposure, each with provenance.

Every number carries a :class:`~her2sim.model.components.Provenance`. Values from the project's
pharmacology notes cite the row id (``K01`` ...) *and* the original paper; values found with a
literature search name author, year, journal and PMID/DOI where known; values that no source
was found for are ``assumed`` and the note says why (usually "recalled, not read in a source").

The catalogue is data only. A kinetic model decides how an ``action`` becomes a rate law;
``action`` is the machine-usable key for that decision:

========================== =====================================================================
``her2_ecd_block``         antibody to HER2 domain IV; blocks ligand-independent HER2 signalling;
                           no epitope on p95-HER2; access lowered by MUC4
``her2_dimerisation_block`` antibody to HER2 domain II; blocks ligand-driven HER2-HER3 dimers
``her_kinase_inhibit``     ATP-site inhibitor of EGFR/HER2 kinase (so also of p95-HER2)
``pi3k_alpha_inhibit``     p110alpha-selective PI3K inhibitor
``pi3k_pan_inhibit``       class I pan-PI3K inhibitor
``akt_inhibit``            AKT1-3 inhibitor (ATP-competitive or allosteric)
``mtorc1_inhibit``         allosteric (FKBP12-rapalog) mTORC1 inhibitor
``mek_inhibit``            allosteric MEK1/2 inhibitor
``igf1r_inhibit``          IGF1R (and insulin receptor) kinase inhibitor
``her3_block``             antibody to HER3 extracellular domain; blocks heregulin-driven signalling
``cdk46_inhibit``          ATP-site CDK4/6 inhibitor (G1/S: Rb phosphorylation)
``er_degrade``             selective ER degrader (ERα occupancy and degradation)
========================== =====================================================================

These are the built-in actions (:data:`Action`, the static alias). A drug with a new mechanism
declares its action in its own entry (``declares=DrugAction(...)``: target nodes, logical-twin
input and target, in-vitro dose and the rate-law effect), as ganetespib does (``hsp90_inhibit``);
:func:`actions` lists every action known at runtime and :class:`Drug` checks its ``action``
against it.

T-DM1 (trastuzumab emtansine) is included, but only as its antibody part: its ``payload_modelled``
flag is ``False`` and its note says so. The reason for including it rather than leaving it out:
the antibody part shares trastuzumab's epitope, affinity class and lack of p95-HER2 binding, so a
signalling model can represent that part honestly, and a user who asks for "T-DM1" gets an
explicit, flagged entry instead of silently substituting trastuzumab. Cell killing by the DM1
microtubule toxin is not a signalling process and is not represented anywhere in her2sim; any
result involving T-DM1 therefore underestimates its effect.

Doses are given in each drug's ``canonical_unit`` (µg/mL for antibodies, µM or nM for small
molecules); :meth:`Drug.to_nM` converts through the molecular weight.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, final, get_args

from ..errors import UnknownNameError, ValidationError
from ..model.components import Provenance

__all__ = [
    "Action",
    "ACTIONS",
    "BUILT_IN_ACTIONS",
    "DrugAction",
    "actions",
    "declared_actions",
    "register_action",
    "unregister_action",
    "register_drug",
    "unregister_drug",
    "Target",
    "Exposure",
    "Drug",
    "MASS_UNITS",
    "MOLAR_UNITS",
    "SUPPORTED_UNITS",
    "convert_to_nM",
    "convert_from_nM",
    "get_drug",
    "list_drugs",
    "all_drugs",
    "CellularPotency",
    "CovalentKinetics",
    "DEFAULT_SERUM_PERCENT",
    "free_fraction_in_medium",
]

#: Serum percentage of a standard culture medium (10 % fetal bovine serum), the default of every
#: in-vitro dose in her2sim.
DEFAULT_SERUM_PERCENT = 10.0

_KALVASS = (
    "Kalvass JC, Maurer TS 2002, Biopharm Drug Dispos 23:327-38 (dilution relation of the unbound "
    "fraction: fu_diluted = 1/(1 + D*(1/fu - 1)), D = serum fraction of plasma-like binding capacity)"
)


def free_fraction_in_medium(fu_plasma: float, serum_percent: float) -> float:
    """Unbound fraction of a drug in culture medium with ``serum_percent`` % serum.

    Binding proteins are diluted to ``serum_percent/100`` of their plasma level, so with linear
    binding ``fu_medium = 1 / (1 + s (1/fu_plasma - 1))`` (Kalvass & Maurer 2002, the dilution
    relation of equilibrium-dialysis practice, applied in reverse). Serum is taken to bind like
    human plasma (albumin and alpha1-acid glycoprotein); bovine serum binds somewhat less, so free
    fractions in medium are, if anything, underestimated.

    Parameters
    ----------
    fu_plasma
        Unbound fraction in (human) plasma, in (0, 1].
    serum_percent
        Serum in the medium, % (0 = serum-free, 100 = neat plasma).

    Examples
    --------
    >>> round(free_fraction_in_medium(0.01, 10.0), 4)
    0.0917
    >>> free_fraction_in_medium(0.01, 0.0)
    1.0
    """
    fu = float(fu_plasma)
    serum = float(serum_percent)
    if not 0.0 < fu <= 1.0:
        raise ValidationError(f"fu_plasma={fu_plasma!r} must be in (0, 1]")
    if not 0.0 <= serum <= 100.0:
        raise ValidationError(f"serum_percent={serum_percent!r} must be in [0, 100] (% serum in the medium)")
    return 1.0 / (1.0 + serum / 100.0 * (1.0 / fu - 1.0))

Action = Literal[
    "her2_ecd_block",
    "her2_dimerisation_block",
    "her_kinase_inhibit",
    "pi3k_alpha_inhibit",
    "pi3k_pan_inhibit",
    "akt_inhibit",
    "mtorc1_inhibit",
    "mek_inhibit",
    "igf1r_inhibit",
    "her3_block",
    "cdk46_inhibit",
    "er_degrade",
]
#: The actions the built-in models write rate laws for (:data:`Action`, the static alias). A new
#: action is not added here: a :class:`DrugAction` declaration carried by its drug's entry
#: (``Drug(declares=...)``) or passed to :func:`register_action` makes it known at runtime
#: (:func:`actions`).
BUILT_IN_ACTIONS: tuple[str, ...] = get_args(Action)

#: ``effect(builder, occupancy)`` of a drug action: writes its rate-law effect (parameters with
#: provenance, rules, reactions) into a model builder; ``occupancy(node)`` is the occupancy
#: expression of the action's drugs at a target node.
Effect = Callable[[Any, Any], None]


@final
@dataclass(frozen=True)
class DrugAction:
    """One drug action declared once: target nodes, logical-twin input, in-vitro dose and rate-law effect.

    A drug with a new mechanism is one catalogue entry carrying its declaration
    (``Drug(action=..., declares=DrugAction(...))``, or :func:`register_drug` at runtime);
    the model's potency parameters, its twin input and the atlas's in-vitro dose derive from it.

    Parameters
    ----------
    name
        The action (the drugs' :attr:`Drug.action`), e.g. ``"mek_inhibit"``.
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
        ``effect(builder, occupancy)`` writing the action's rate-law effect, or ``{site: effect}``
        where a model writes effects at more than one site of its composition (the flagship's
        sites: ``"occupancy"``, the default, ``"activity"`` and ``"cell_cycle"``).
    logical_target
        The twin node the (single) logical input switches off (``target = rule & !input``);
        ``None`` only for the built-in actions, whose logical reading is written in the twin's rules.

    Examples
    --------
    >>> DrugAction("toy_block", {"HER3": "HER3"}, ("Toy",), (1.0, "uM"), effect=lambda b, occ: None,
    ...            logical_target="HER3").effects.keys()
    dict_keys(['occupancy'])
    """

    name: str
    nodes: Mapping[str, str]
    logical_inputs: tuple[str, ...]
    in_vitro_dose: tuple[float, str]
    in_vitro_source: str = ""
    effect: Effect | Mapping[str, Effect] | None = None
    logical_target: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValidationError(f"DrugAction name={self.name!r} must be lower-case letters, digits and '_'")
        if not self.nodes:
            raise ValidationError(f"DrugAction {self.name!r}: nodes must name at least one target node")
        value, unit = self.in_vitro_dose
        if not float(value) > 0:
            raise ValidationError(f"DrugAction {self.name!r}: in_vitro_dose must be > 0, got {value!r}")
        _canonical_unit(unit, f"DrugAction {self.name!r} in_vitro_dose unit")
        if self.effect is None or (self.logical_target is None and self.name not in BUILT_IN_ACTIONS):
            raise ValidationError(f"DrugAction {self.name!r}: a new action needs both effect and logical_target "
                                  "(its kinetic and its logical meaning)")
        if not all(callable(f) for f in self.effects.values()):
            raise ValidationError(f"DrugAction {self.name!r}: effect must be callable (or a mapping site -> callable)")

    @property
    def effects(self) -> dict[str, Effect]:
        """``{site: effect}``; a single effect is written at the default site ``"occupancy"``."""
        if self.effect is None:
            return {}
        if isinstance(self.effect, Mapping):
            return dict(self.effect)
        return {"occupancy": self.effect}


#: New actions (not in :data:`Action`): declared by a catalogue entry or by :func:`register_action`.
_DECLARED: dict[str, DrugAction] = {}


def actions() -> tuple[str, ...]:
    """Every drug action known now: the built-in ones, then the declared ones.

    Examples
    --------
    >>> actions()[:2]
    ('her2_ecd_block', 'her2_dimerisation_block')
    """
    return BUILT_IN_ACTIONS + tuple(_DECLARED)


def declared_actions() -> dict[str, DrugAction]:
    """The declarations of the actions beyond :data:`BUILT_IN_ACTIONS`, in declaration order."""
    return dict(_DECLARED)


def register_action(action: DrugAction, *, replace: bool = False) -> DrugAction:
    """Declare a new drug action (without a drug; :func:`register_drug` declares both at once).

    Raises
    ------
    ValidationError
        Not a :class:`DrugAction`, or a name already known (without ``replace``; built-in names never).
    """
    if not isinstance(action, DrugAction):
        raise ValidationError(f"register_action needs a DrugAction, got {type(action).__name__}")
    if action.name in BUILT_IN_ACTIONS or (action.name in _DECLARED and not replace
                                           and _DECLARED[action.name] is not action):
        raise ValidationError(f"drug action {action.name!r} is already registered")
    _DECLARED[action.name] = action
    _changed()
    return action


def unregister_action(name: str) -> None:
    """Remove a declared action (built-in actions, and actions a catalogued drug still has, stay)."""
    if name in BUILT_IN_ACTIONS:
        raise ValidationError(f"drug action {name!r} is built in")
    if any(d.action == name for d in _DRUGS):
        raise ValidationError(f"drug action {name!r} is used by catalogued drugs; unregister them first")
    _DECLARED.pop(name, None)
    _changed()


#: Catalogue version: changes whenever a drug or an action is registered or removed (model caches key on it).
_VERSION = [0]


def _changed() -> None:
    _VERSION[0] += 1


def catalogue_version() -> int:
    """A number that changes whenever the catalogue (drugs or actions) changes at runtime."""
    return _VERSION[0]
PotencyKind = Literal["Kd", "IC50", "Ki", "EC50"]
_POTENCY_KINDS = ("Kd", "IC50", "Ki", "EC50")
Binding = Literal["reversible", "covalent"]
Modality = Literal["antibody", "small_molecule", "antibody_drug_conjugate"]

# Molar units: factor to nM.
MOLAR_UNITS: dict[str, float] = {"pM": 1e-3, "nM": 1.0, "uM": 1e3, "mM": 1e6}
# Mass-concentration units: factor to g/L.
MASS_UNITS: dict[str, float] = {"ug/mL": 1e-3, "ng/mL": 1e-6, "mg/L": 1e-3}
_UNIT_ALIASES: dict[str, str] = {
    "pm": "pM",
    "nm": "nM",
    "um": "uM",
    "µm": "uM",  # micro sign U+00B5
    "μm": "uM",  # Greek mu U+03BC
    "mm": "mM",
    "ug/ml": "ug/mL",
    "µg/ml": "ug/mL",
    "μg/ml": "ug/mL",
    "ng/ml": "ng/mL",
    "mg/l": "mg/L",
}
SUPPORTED_UNITS: tuple[str, ...] = (
    "pM", "nM", "uM", "µM", "mM", "ug/mL", "µg/mL", "ng/mL", "mg/L",
)


def _canonical_unit(unit: str, argument: str = "unit") -> str:
    if not isinstance(unit, str):
        raise ValidationError(f"{argument}={unit!r} must be a string; allowed: {SUPPORTED_UNITS}")
    key = unit.strip().replace(" ", "").lower()
    if key not in _UNIT_ALIASES:
        raise ValidationError(
            f"{argument}={unit!r} is not a supported concentration unit; allowed: "
            f"{', '.join(SUPPORTED_UNITS)}"
        )
    return _UNIT_ALIASES[key]


def convert_to_nM(value: float, unit: str, molecular_weight: float | None) -> float:
    """Convert a concentration to nM.

    Parameters
    ----------
    value
        Concentration in ``unit``; finite and non-negative.
    unit
        One of :data:`SUPPORTED_UNITS` (``"uM"``, ``"µM"`` and ``"μM"`` are the same unit).
    molecular_weight
        g/mol; needed only for mass units (``ug/mL``, ``ng/mL``, ``mg/L``).

    Returns
    -------
    float
        Concentration in nM.

    Raises
    ------
    ValidationError
        Unknown unit, negative or non-finite value, or a mass unit without a molecular weight.

    Examples
    --------
    >>> round(convert_to_nM(1.0, "ug/mL", 148_000.0), 3)
    6.757
    >>> convert_to_nM(2.5, "uM", None)
    2500.0
    """
    canonical = _canonical_unit(unit)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"value={value!r} must be a number") from None
    if not number >= 0.0 or number == float("inf"):
        raise ValidationError(f"value={value!r} must be finite and >= 0")
    if canonical in MOLAR_UNITS:
        return number * MOLAR_UNITS[canonical]
    if molecular_weight is None or not molecular_weight > 0:
        raise ValidationError(
            f"unit={unit!r} is a mass concentration; converting it needs molecular_weight > 0 "
            f"(got {molecular_weight!r})"
        )
    grams_per_litre = number * MASS_UNITS[canonical]
    return grams_per_litre / molecular_weight * 1e9


def convert_from_nM(value_nM: float, unit: str, molecular_weight: float | None) -> float:
    """Convert a concentration in nM to ``unit`` (inverse of :func:`convert_to_nM`).

    Examples
    --------
    >>> round(convert_from_nM(135.0, "ug/mL", 148_000.0), 2)
    19.98
    """
    per_unit = convert_to_nM(1.0, unit, molecular_weight)
    return float(value_nM) / per_unit


@final
@dataclass(frozen=True)
class CellularPotency:
    """A potency measured in cells: nominal medium concentration and the medium's serum %.

    ``readout`` says what was measured (``"pHER2"``, ``"proliferation"``...); the free
    concentration at the target is ``IC50_nominal_nM × fu_medium(serum_percent)``
    (:meth:`Drug.free_fraction_in_medium`), so cellular potencies and doses share one scale.
    """

    IC50_nominal_nM: float
    serum_percent: float
    readout: str
    cell_line: str
    provenance: Provenance

    def __post_init__(self) -> None:
        if not self.IC50_nominal_nM > 0:
            raise ValidationError(f"CellularPotency: IC50_nominal_nM={self.IC50_nominal_nM!r} must be > 0")
        if not 0.0 <= self.serum_percent <= 100.0:
            raise ValidationError(f"CellularPotency: serum_percent={self.serum_percent!r} must be in [0, 100]")
        if not isinstance(self.provenance, Provenance):
            raise ValidationError("CellularPotency: provenance must be a Provenance")


@final
@dataclass(frozen=True)
class CovalentKinetics:
    """Two-step covalent inhibition ``E + I <-> E·I -> E-I``: ``K_I`` (nM, free) and ``k_inact`` (1/h).

    The inactivated receptor pool forms at ``k_inact·C/(K_I + C)`` and is recovered only by
    receptor turnover (resynthesis of unmodified receptor).
    """

    K_I_nM: float
    k_inact_per_h: float
    provenance: Provenance

    def __post_init__(self) -> None:
        if not (self.K_I_nM > 0 and self.k_inact_per_h > 0):
            raise ValidationError("CovalentKinetics: K_I_nM and k_inact_per_h must be > 0")
        if not isinstance(self.provenance, Provenance):
            raise ValidationError("CovalentKinetics: provenance must be a Provenance")


@final
@dataclass(frozen=True)
class Target:
    """One molecular target of a drug, with its binding site and potency.

    ``genes`` are HGNC symbols; ``node`` names the model node the target acts on
    (``"HER2"``, ``"p95-HER2"``, ``"EGFR"``, ``"PI3K p110alpha"``...). ``potency_nM`` is in nM
    and ``potency_kind`` says what it measures; ``potency_assay`` says biochemical or cellular.
    """

    genes: tuple[str, ...]
    node: str
    binding_site: str
    binding: Binding
    potency_nM: float
    potency_kind: PotencyKind
    provenance: Provenance
    potency_assay: str = "biochemical"
    note: str = ""
    cellular: CellularPotency | None = None
    covalent: CovalentKinetics | None = None

    def __post_init__(self) -> None:
        if self.covalent is not None and self.binding != "covalent":
            raise ValidationError(f"Target {self.node!r}: covalent kinetics given for a reversible binder")
        if not self.genes:
            raise ValidationError(f"Target {self.node!r}: genes must not be empty")
        if not self.binding_site:
            raise ValidationError(f"Target {self.node!r}: binding_site must not be empty")
        if self.binding not in ("reversible", "covalent"):
            raise ValidationError(f"Target {self.node!r}: binding={self.binding!r}; allowed: reversible, covalent")
        if self.potency_kind not in _POTENCY_KINDS:
            raise ValidationError(f"Target {self.node!r}: potency_kind={self.potency_kind!r}; allowed: {_POTENCY_KINDS}")
        if not self.potency_nM > 0:
            raise ValidationError(f"Target {self.node!r}: potency_nM={self.potency_nM!r} must be > 0")
        if not isinstance(self.provenance, Provenance):
            raise ValidationError(f"Target {self.node!r}: provenance must be a Provenance")


@final
@dataclass(frozen=True)
class Exposure:
    """Typical clinical exposure (total concentrations) for one regimen.

    ``protein_binding`` is the bound fraction (0-1) or ``None`` where not applicable (antibodies)
    or not found. ``matrix`` says where the totals were measured; whole-blood values (everolimus)
    are converted with ``plasma_per_measured``. Free plasma concentrations are derived:
    total × plasma_per_measured × (1 − protein_binding). ``clinical`` is False for exposures that
    are not from patients (e.g. xenograft plasma levels).
    """

    regimen: str
    unit: str
    provenance: Provenance
    cmax_total: float | None = None
    cmin_total: float | None = None
    protein_binding: float | None = None
    protein_binding_provenance: Provenance | None = None
    note: str = ""
    clinical: bool = True
    matrix: str = "plasma"
    plasma_per_measured: float = 1.0

    def __post_init__(self) -> None:
        _canonical_unit(self.unit, "Exposure.unit")
        if self.matrix not in ("plasma", "whole blood"):
            raise ValidationError(f"Exposure.matrix={self.matrix!r}; allowed: plasma, whole blood")
        if not self.plasma_per_measured > 0:
            raise ValidationError("Exposure.plasma_per_measured must be > 0")
        for label, number in (("cmax_total", self.cmax_total), ("cmin_total", self.cmin_total)):
            if number is not None and not number >= 0:
                raise ValidationError(f"Exposure.{label}={number!r} must be >= 0")
        if self.protein_binding is not None:
            if not 0.0 <= self.protein_binding < 1.0:
                raise ValidationError(f"Exposure.protein_binding={self.protein_binding!r} must be in [0, 1)")
            if self.protein_binding_provenance is None:
                raise ValidationError("Exposure.protein_binding needs protein_binding_provenance")

    @property
    def free_fraction(self) -> float | None:
        """Unbound fraction, or ``None`` if protein binding is not given."""
        return None if self.protein_binding is None else 1.0 - self.protein_binding


@final
@dataclass(frozen=True)
class Drug:
    """A drug as data: identity, targets, mechanism, molecular weight, exposure and dosing unit.

    ``action`` is a built-in action (:data:`Action`) or one declared at runtime; a drug with a
    new mechanism carries the action's :class:`DrugAction` in ``declares`` (one entry is then
    the whole addition).

    Examples
    --------
    >>> drug = get_drug("Herceptin")
    >>> drug.name, drug.action, drug.canonical_unit
    ('trastuzumab', 'her2_ecd_block', 'ug/mL')
    >>> round(drug.to_nM(1.0, "µg/mL"), 2)
    6.76
    """

    name: str
    aliases: tuple[str, ...]
    drug_class: str
    modality: Modality
    targets: tuple[Target, ...]
    mechanism: str
    action: str  # an Action (the static alias of the built-in ones) or a declared action, checked at runtime
    molecular_weight: float
    molecular_weight_provenance: Provenance
    canonical_unit: str
    exposure: Exposure | None = None
    exposure_note: str = ""
    binds_p95_her2: bool | None = None
    payload_modelled: bool = True
    note: str = ""
    declares: DrugAction | None = None

    def __post_init__(self) -> None:
        if not self.targets:
            raise ValidationError(f"Drug {self.name!r}: needs at least one target")
        if self.declares is not None:
            if not isinstance(self.declares, DrugAction) or self.declares.name != self.action:
                raise ValidationError(f"Drug {self.name!r}: declares must be the DrugAction named {self.action!r}")
        elif self.action not in actions():
            raise UnknownNameError(f"Drug {self.name!r} action", str(self.action), actions())
        if not self.molecular_weight > 0:
            raise ValidationError(f"Drug {self.name!r}: molecular_weight must be > 0")
        if self.modality not in ("antibody", "small_molecule", "antibody_drug_conjugate"):
            raise ValidationError(f"Drug {self.name!r}: modality={self.modality!r} is not known")
        _canonical_unit(self.canonical_unit, "canonical_unit")
        if not self.payload_modelled and not self.note:
            raise ValidationError(f"Drug {self.name!r}: an unmodelled payload needs a note saying so")

    @property
    def genes(self) -> tuple[str, ...]:
        """HGNC symbols of all targets, in order, without repeats."""
        seen: dict[str, None] = {}
        for target in self.targets:
            for gene in target.genes:
                seen.setdefault(gene, None)
        return tuple(seen)

    def to_nM(self, value: float, unit: str | None = None) -> float:
        """Convert a concentration of this drug to nM using its molecular weight.

        Parameters
        ----------
        value
            Concentration.
        unit
            Any of :data:`SUPPORTED_UNITS`; ``None`` means :attr:`canonical_unit`.

        Raises
        ------
        ValidationError
            Unknown unit or invalid value.
        """
        return convert_to_nM(value, self.canonical_unit if unit is None else unit, self.molecular_weight)

    def from_nM(self, value_nM: float, unit: str | None = None) -> float:
        """Convert a concentration in nM to ``unit`` (default :attr:`canonical_unit`)."""
        return convert_from_nM(value_nM, self.canonical_unit if unit is None else unit, self.molecular_weight)

    def exposure_nM(self) -> dict[str, float | None]:
        """Clinical exposure in nM: total and (where protein binding is known) free Cmax/Cmin."""
        result: dict[str, float | None] = {
            "cmax_total_nM": None, "cmin_total_nM": None, "cmax_free_nM": None, "cmin_free_nM": None,
        }
        if self.exposure is None:
            return result
        free = self.exposure.free_fraction
        for label, number in (("cmax", self.exposure.cmax_total), ("cmin", self.exposure.cmin_total)):
            if number is None:
                continue
            total = self.to_nM(number, self.exposure.unit)
            result[f"{label}_total_nM"] = total
            result[f"{label}_free_nM"] = None if free is None else total * self.exposure.plasma_per_measured * free
        return result

    @property
    def fu_plasma(self) -> float:
        """Unbound fraction in plasma (1 for antibodies and where protein binding is not curated)."""
        if self.modality != "small_molecule" or self.exposure is None or self.exposure.free_fraction is None:
            return 1.0
        return self.exposure.free_fraction

    def free_fraction_in_medium(self, serum_percent: float = DEFAULT_SERUM_PERCENT) -> float:
        """Unbound fraction of this drug in medium with ``serum_percent`` % serum.

        Antibodies are not serum-protein bound (1.0); small molecules follow
        :func:`free_fraction_in_medium` from their plasma unbound fraction (:attr:`fu_plasma`).

        Examples
        --------
        >>> round(get_drug("lapatinib").free_fraction_in_medium(10.0), 4)
        0.0917
        >>> get_drug("trastuzumab").free_fraction_in_medium(10.0)
        1.0
        """
        return free_fraction_in_medium(self.fu_plasma, serum_percent)

    def free_potency(self, target: Target) -> tuple[float, Provenance]:
        """The free concentration (nM) at which ``target`` is half occupied in cells, with provenance.

        A cellular potency (nominal, in its assay's serum) is converted to free with the assay
        medium's unbound fraction; without one, the catalogue potency (biochemical: no serum, so
        already free) is returned unchanged.
        """
        if target.cellular is None:
            return float(target.potency_nM), target.provenance
        cell = target.cellular
        fu = self.free_fraction_in_medium(cell.serum_percent)
        value = cell.IC50_nominal_nM * fu
        note = (f"{cell.readout} IC50 in {cell.cell_line}: {cell.IC50_nominal_nM:g} nM nominal in "
                f"{cell.serum_percent:g} % serum x unbound fraction in that medium {fu:.3g} "
                f"(plasma fu {self.fu_plasma:g}; {_KALVASS}) = {value:.3g} nM free. {cell.provenance.note}").strip()
        kind = "derived" if cell.provenance.kind in ("sourced", "derived") else cell.provenance.kind
        return value, Provenance(kind, cell.provenance.source, note)

    def target_for(self, node: str) -> Target:
        """The target entry acting on ``node`` (case-insensitive); raises :class:`UnknownNameError`."""
        for target in self.targets:
            if target.node.lower() == node.lower():
                return target
        raise UnknownNameError("node", node, [t.node for t in self.targets])


# ---------------------------------------------------------------------------------------------
# Provenance helpers. Sources are written out in full; pharmacology.md row ids go in brackets.

def _sourced(source: str, note: str = "") -> Provenance:
    return Provenance("sourced", source, note)


def _derived(source: str, note: str) -> Provenance:
    return Provenance("derived", source, note)


def _assumed(note: str) -> Provenance:
    return Provenance("assumed", "", note)


_CARTER_1992 = "Carter P et al. 1992, PNAS 89:4285-9 (pharmacology.md K01)"
_RUSNAK_2001 = "Rusnak DW et al. 2001, Mol Cancer Ther 1:85-94 (GW2016 = lapatinib)"
_CCLE = ("CCLE, Barretina J et al. 2012, Nature 483:603-7 (doi:10.1038/nature11003), BT-474 lapatinib "
         "viability as in the project's data/ccle-dose-response.csv (72-84 h, 10 % FBS, nominal)")
_HER2_CELL_SHIFT_NOTE = (
    "lapatinib's free proliferation IC50 in BT-474 (CCLE, 132 nM nominal x fu 0.0917 in 10 % serum "
    "= 12.1 nM) is 1.24-fold its purified-kinase IC50 (9.8 nM, Rusnak 2001)"
)
#: Lapatinib in BT-474: 50 % viability between 80 nM (0.57) and 250 nM (0.41), log-linear interpolation.
_LAPATINIB_BT474 = CellularPotency(
    IC50_nominal_nM=132.0, serum_percent=10.0, readout="proliferation (72-84 h viability)", cell_line="BT-474",
    provenance=Provenance(
        "derived", _CCLE,
        "50 % viability by log-linear interpolation between 80 nM (0.57) and 250 nM (0.41): 132 nM; a "
        "growth IC50, so it also carries the network between HER2 and growth (not a pure occupancy)"),
)
_KDEG_HER2_PER_H = math.log(2) / 10.0  # the flagship model's HER2 turnover (half-life 10 h)


def _k_inact_from_cellular_ic50(K_I: float, ic50_free: float, k_turnover: float = _KDEG_HER2_PER_H) -> float:
    """k_inact giving 50 % inactivated receptor at ``ic50_free`` at steady state of formation vs turnover.

    The inactivated fraction settles at ``k_obs/(k_obs + k_turnover)``, ``k_obs = k_inact C/(K_I + C)``;
    a 72 h assay is > 7 receptor half-lives, so the cellular IC50 is read at that steady state.
    """
    return k_turnover * (K_I + ic50_free) / ic50_free


def _fu_medium(fu_plasma: float, serum_percent: float = 10.0) -> float:
    return 1.0 / (1.0 + serum_percent / 100.0 * (1.0 / fu_plasma - 1.0))


# Neratinib: K_I = the HER2 kinase IC50 (59 nM, K09); k_inact from a BT-474 cellular IC50 of 2 nM
# nominal (10 % serum; fu 0.01 -> 0.0917 in medium -> 0.18 nM free) at steady state with HER2
# turnover. The 2 nM is recalled (Rabindran 2004 / Canonici 2013 tables), not read: the Rabindran
# abstract, read, says only that HKI-272 lowers HER2 autophosphorylation in cells at doses
# consistent with its inhibition of proliferation, and Conlon 2021 (Br J Cancer 124:1249, abstract
# read) ranks neratinib as the most potent of the three HER2 TKIs in HER2-amplified lines.
_NERATINIB_IC50_FREE = 2.0 * _fu_medium(0.01)
_NERATINIB_COVALENT = CovalentKinetics(
    K_I_nM=59.0,
    k_inact_per_h=_k_inact_from_cellular_ic50(59.0, _NERATINIB_IC50_FREE),
    provenance=Provenance(
        "assumed", "",
        "k_inact derived (not read): K_I = HER2 kinase IC50 59 nM (pharmacology.md K09) and a recalled BT-474 "
        "proliferation IC50 of ~2 nM nominal in 10 % serum (0.18 nM free), read at steady state of covalent "
        "inactivation (k_inact C/(K_I + C)) against HER2 turnover (half-life 10 h): k_inact = k_turnover (K_I + C)/C "
        "= 22 /h. Rabindran 2004 Cancer Res 64:3958 (abstract read) confirms irreversible binding and pHER2 "
        "inhibition at antiproliferative doses; the number itself was not readable here. Measured covalent "
        "kinetics (kinact/KI of neratinib on purified EGFR, Schwartz PA et al. 2014, PNAS 111:173) were searched "
        "for and not found in the corpus: EGFR, not HER2, is the enzyme that paper measured, so its values would "
        "also need the HER2 transfer. Searched again (sources branch): the Schwartz 2014 paper and any k_inact/K_I "
        "for neratinib were not found in any corpus; a MedChemExpress page on neratinib (blog.csdn.net mirror, read) gives the Rabindran 2004 kinase IC50s "
        "(HER2 59, EGFR 92 nM) and G1-S arrest of BT474 cells at 0-2 nM (12-16 h), but no cellular IC50"),
)
# Afatinib: Solca 2012 (abstract read): proliferation of ErbB-driven lines inhibited "at concentrations
# below 100 nM"; 100 nM nominal in 10 % serum (fu 0.05 -> 0.345 in medium) is an upper bound of the
# cellular IC50, so the k_inact derived from it is a lower bound.
_AFATINIB_COVALENT = CovalentKinetics(
    K_I_nM=14.0,
    k_inact_per_h=_k_inact_from_cellular_ic50(14.0, 100.0 * _fu_medium(0.05)),
    provenance=Provenance(
        "derived", "Solca F et al. 2012, J Pharmacol Exp Ther 343:342-50 (abstract); pharmacology.md K11, K12",
        "K_I = HER2 kinase IC50 14 nM; k_inact from the abstract's upper bound of the cellular IC50 (< 100 nM "
        "nominal, taken in 10 % serum: 34.5 nM free) at steady state against HER2 turnover (half-life 10 h): "
        "k_inact >= 0.097 /h (a lower bound: afatinib may be more potent than modelled)"),
)
# Pelitinib: same 3-cyanoquinoline crotonamide warhead as neratinib (Wissner 2003 J Med Chem; Torrance
# 2000 Nat Med 6:1024): its k_inact is taken as neratinib's.
_PELITINIB_COVALENT = CovalentKinetics(
    K_I_nM=39.0,
    k_inact_per_h=_NERATINIB_COVALENT.k_inact_per_h,
    provenance=Provenance(
        "assumed", "",
        "no pelitinib k_inact found (pharmacology.md K15: no data; searched again, including Schwartz 2014 PNAS "
        "111:173, not found in the corpus); taken as neratinib's, which carries the same 4-anilino-3-cyanoquinoline "
        "scaffold and crotonamide warhead (Torrance 2000 Nat Med 6:1024)"),
)
_TKI_REVIEW = (
    "TKI review table PMC8137941 Table 1 (npj Breast Cancer 2021, s41523-021-00265-1; "
    "attribution unconfirmed) (pharmacology.md {row}); primary paper not read"
)
_ESKENS_2008 = "Eskens FA et al. 2008, Br J Cancer, doi:10.1038/sj.bjc.6604108"
_SOLCA_2012 = "Solca F et al. 2012, J Pharmacol Exp Ther 343:342-50"
_MAIRA_2012 = "Maira SM et al. 2012, Mol Cancer Ther 11:317-28 (NVP-BKM120 = buparlisib; primary table not read)"
_DAVIES_2012 = "Davies BR et al. (author per recall) 2012, Mol Cancer Ther 11:873-87 (pharmacology.md K17)"
_SCALTRITI_2007 = "Scaltriti M et al. 2007, J Natl Cancer Inst 99:628-38, PMID 17440164 (findings L14)"
_NAGY_2005 = "Nagy P et al. 2005, Cancer Res (year/journal per recall) (findings L18; pharmacology.md K24)"
_MW_RECALLED = (
    "molecular weight recalled (PubChem-type value), not read in a source during curation; "
    "{extra}"
)
_IGG_MW = (
    "about 148 kDa is the usual mass of a glycosylated human IgG1; recalled, not read "
    "(pharmacology.md unit helpers also mark it as recalled)"
)


_MOYER_1997 = ("Moyer JD et al. 1997, Cancer Res 57:4838-48 (CP-358,774 = erlotinib; abstract read in a "
               "court-exhibit copy of the paper)")
_TARCEVA_LABEL = ("Tarceva (erlotinib) US prescribing information, DESCRIPTION and CLINICAL PHARMACOLOGY "
                  "(label text read in the rxdrugnews.com and clustermed.info mirrors)")
_CCLE_ERLOTINIB = ("CCLE, Barretina J et al. 2012, Nature 483:603-7 (doi:10.1038/nature11003), BT-474 erlotinib and "
                   "lapatinib viability as in the project's data/ccle-dose-response.csv (72-84 h, 10 % FBS, nominal)")
#: Erlotinib in BT-474 (HER2-driven): viability 0.77 at 2530 nM and 0.70 at 8000 nM, never 0.5. Read against
#: lapatinib's curve in the same line (iso-effect: lapatinib gives 0.77 at 13.0 nM and 0.70 at 23.0 nM by
#: log-linear interpolation), erlotinib is 194-fold (2530/13.0) and 347-fold (8000/23.0) less potent in nominal
#: concentration; x lapatinib's 132 nM nominal IC50: 25,600 and 45,800 nM; geometric mean 34,300 nM nominal.
_ERLOTINIB_BT474 = CellularPotency(
    IC50_nominal_nM=34_300.0, serum_percent=10.0,
    readout="proliferation (72-84 h viability), iso-effect estimate against lapatinib", cell_line="BT-474",
    provenance=Provenance(
        "derived", _CCLE_ERLOTINIB,
        "50 % viability is not reached (0.70 at the top dose, 8 uM); the IC50 is extrapolated by iso-effect with "
        "lapatinib's curve in the same line: 194-fold (at 0.77) and 347-fold (at 0.70) less potent in nominal "
        "concentration than lapatinib (132 nM), geometric mean 34,300 nM nominal. The curves are not parallel "
        "(erlotinib's is shallower), hence the 1.8-fold spread; any part of the growth effect that goes through "
        "EGFR makes the true HER2 potency weaker still"),
)


def _p95_copy(target: Target, drug: str) -> Target:
    """The same kinase-site target applied to the p95-HER2 node.

    p95-HER2 keeps the full HER2 kinase domain, so the potency is assumed equal; the direction
    (kinase inhibitors block p95-HER2) is sourced for lapatinib only (L14).
    """
    return Target(
        genes=("ERBB2",),
        node="p95-HER2",
        binding_site="HER2 kinase domain ATP site (retained in p95-HER2)",
        binding=target.binding,
        potency_nM=target.potency_nM,
        potency_kind=target.potency_kind,
        provenance=(Provenance(
            "derived" if target.provenance.kind in ("sourced", "derived") else target.provenance.kind,
            f"{target.provenance.source}; {_SCALTRITI_2007}" if target.provenance.source else "",
            f"equal to the full-length HER2 potency of {drug}: p95-HER2 retains the whole HER2 "
            f"kinase domain (that kinase inhibitors block p95-HER2 is shown for lapatinib, L14). "
            f"{target.provenance.note}".strip(),
        )),
        potency_assay=target.potency_assay,
        cellular=target.cellular,
        covalent=target.covalent,
    )


# --- a drug with its own action: HSP90 inhibition degrades the HER2 client protein -----------
# (one declaration: the entry below carries its DrugAction; this is its rate-law effect)

_SHIMAMURA_2012 = ("Shimamura T et al. 2012, Clin Cancer Res 18:4973-85, doi:10.1158/1078-0432.CCR-11-2967 "
                   "(ganetespib in NSCLC models; abstract read)")
_CHANDARLAPATY_2010 = ("Chandarlapaty S et al. 2010, Oncogene 29:325-34, PMID 19855434 (HSP90 inhibitors degrade "
                       "full-length and p95-HER2; abstract read)")
_GOLDMAN_2013 = ("Goldman JW et al. 2013, BMC Cancer 13:152, doi:10.1186/1471-2407-13-152 (first-in-human "
                 "weekly ganetespib; abstract read)")


def _hsp90_client_degradation(b: Any, occupancy: Any) -> None:
    """HSP90 inhibitors: the HER2 kinase domain (full length and p95) loses its chaperone and is degraded."""
    from ..model.components import ParameterRole

    b.P("k_HSP90_client_degradation", math.log(2) / 1.0 - math.log(2) / 10.0, "1/h", _assumed(
        "extra HER2 degradation at full HSP90 occupancy: HER2 half-life taken from 10 h (the model's kdeg_HER2) "
        "to 1 h. HSP90 inhibitors deplete full-length and p95-HER2 within hours (Chandarlapaty 2010 Oncogene "
        "29:325, abstract read; Mimnaugh 1996 J Biol Chem 271:22796, recalled); the half-life under inhibition "
        "was not read, 1 h is a placeholder to fit"), role=ParameterRole.PHARMACOLOGY)
    b.rule("HSP90_inhibition", occupancy("HSP90"), "1", "fraction of HSP90 ATP pockets occupied by HSP90 inhibitors")
    for species, label in (("ERBB2", "full-length HER2"), ("ERBB2_p95", "p95-HER2")):
        b.R(f"{species}_HSP90_client_degradation", species, "", f"k_HSP90_client_degradation*HSP90_inhibition*{species}",
            f"{label} degraded when HSP90 inhibitors take its chaperone (kinase-domain client)")


def _build() -> tuple[Drug, ...]:
    drugs: list[Drug] = []

    # --- HER2 antibodies -----------------------------------------------------------------
    trastuzumab_her2 = Target(
        genes=("ERBB2",),
        node="HER2",
        binding_site="HER2 extracellular domain IV (juxtamembrane)",
        binding="reversible",
        potency_nM=0.1,
        potency_kind="Kd",
        provenance=_derived(
            _CARTER_1992,
            "humAb4D5-8 binds p185HER2 250-fold more tightly than humAb4D5-1 (K_d 25 nM), "
            "so K_d = 25/250 = 0.1 nM",
        ),
        potency_assay="antigen binding",
    )
    drugs.append(Drug(
        name="trastuzumab",
        aliases=("Herceptin", "humAb4D5-8", "rhuMAb HER2"),
        drug_class="HER2 monoclonal antibody (humanised IgG1)",
        modality="antibody",
        targets=(trastuzumab_her2,),
        mechanism=(
            "HER2 ECD antibody (domain IV): blocks ligand-independent HER2 signalling and HER2 "
            "shedding and raises PTEN activity via Src inhibition (L04); does not bind p95-HER2 "
            "(no extracellular domain); MUC4 masks the epitope (L18)"
        ),
        action="her2_ecd_block",
        molecular_weight=148_000.0,
        molecular_weight_provenance=_assumed(_IGG_MW),
        canonical_unit="ug/mL",
        exposure=Exposure(
            regimen="8 mg/kg loading then 6 mg/kg q3w, metastatic breast cancer, steady state",
            unit="ug/mL",
            cmax_total=179.0,
            cmin_total=44.2,
            provenance=_sourced(
                "Herceptin SmPC/USPI population PK (label mirror) (pharmacology.md K02)",
                "median (5th-95th): Cmin,ss 44.2 (1.8-85.4), Cmax,ss 179 (123-266) ug/mL; "
                "confirmed-secondary",
            ),
            note="weekly 4->2 mg/kg: Cmin,ss 63.1, Cmax,ss 107 ug/mL (K03); efficacy target trough 20 ug/mL (K06)",
        ),
        exposure_note="antibody: plasma protein binding not applicable; free drug ~ total minus target-bound",
        binds_p95_her2=False,
    ))

    drugs.append(Drug(
        name="pertuzumab",
        aliases=("Perjeta", "rhuMAb 2C4", "2C4", "Omnitarg"),
        drug_class="HER2 dimerisation-inhibitor monoclonal antibody (humanised IgG1)",
        modality="antibody",
        targets=(Target(
            genes=("ERBB2",),
            node="HER2",
            binding_site="HER2 extracellular domain II (dimerisation arm)",
            binding="reversible",
            potency_nM=1.0,
            potency_kind="Kd",
            provenance=_assumed(
                "no K_d found: not in pharmacology.md; search found the humanisation paper "
                "(Adams CW et al. 2006, Cancer Immunol Immunother; PMC11030689) and the phase I "
                "paper (Agus DB et al. 2005, J Clin Oncol 23:2534, doi:10.1200/JCO.2005.03.184) "
                "whose abstracts give no affinity; 1 nM is an order-of-magnitude placeholder for "
                "a therapeutic IgG1 and should be replaced or fitted. Searched again (exposure branch): the "
                "Franklin MC et al. 2004 Cancer Cell 5:317 structure paper (ErbB2-pertuzumab complex) was found "
                "but no affinity is in its readable part." + " Searched again (sources branch): no affinity found"
            ),
            potency_assay="antigen binding",
            note=(
                "binding to domain II and block of HER2 dimerisation sourced: Agus DB et al. 2005, "
                "J Clin Oncol 23:2534 (doi:10.1200/JCO.2005.03.184)"
            ),
        ),),
        mechanism=(
            "blocks the HER2 dimerisation arm (domain II): prevents ligand-driven HER2-HER3 (and "
            "HER2-EGFR) dimers (L26, L47); epitope distinct from trastuzumab so both bind at once; "
            "no epitope on p95-HER2"
        ),
        action="her2_dimerisation_block",
        molecular_weight=148_000.0,
        molecular_weight_provenance=_assumed(_IGG_MW),
        canonical_unit="ug/mL",
        exposure=None,
        exposure_note=("no Cmax/Cmin in the catalogue; her2sim.library.pk models 840 mg then 420 mg q3w (Perjeta "
                       "label regimen) from Ng 2005 (CL 0.214 L/day, Vc 40 mL/kg). The label's population PK (481 "
                       "patients: median CL 0.24 L/day, median t1/2 18 days; steady state after the first maintenance "
                       "dose) was read in a label mirror (clustermed.info) and agrees within 12 % on CL"),
        binds_p95_her2=False,
    ))

    drugs.append(Drug(
        name="T-DM1",
        aliases=("trastuzumab emtansine", "ado-trastuzumab emtansine", "Kadcyla", "TDM1"),
        drug_class="HER2 antibody-drug conjugate (trastuzumab-MCC-DM1)",
        modality="antibody_drug_conjugate",
        targets=(Target(
            genes=("ERBB2",),
            node="HER2",
            binding_site="HER2 extracellular domain IV (trastuzumab epitope)",
            binding="reversible",
            potency_nM=0.1,
            potency_kind="Kd",
            provenance=_derived(
                _CARTER_1992,
                "the trastuzumab K_d (0.1 nM, derived from Carter 1992): T-DM1 is trastuzumab with DM1 "
                "conjugated through lysines; no T-DM1-specific K_d was found, so conjugation is taken "
                "not to change the affinity"
            ),
            potency_assay="antigen binding",
        ),),
        mechanism=(
            "antibody part only: trastuzumab-like HER2 ECD (domain IV) block; does not bind "
            "p95-HER2. The DM1 microtubule-toxin payload is NOT modelled"
        ),
        action="her2_ecd_block",
        molecular_weight=148_500.0,
        molecular_weight_provenance=_assumed(
            "IgG1 mass (~148 kDa, recalled) plus about 3.5 DM1-linker units (~1 kDa each, "
            "recalled); not read in a source"
        ),
        canonical_unit="ug/mL",
        exposure=None,
        exposure_note=("no Cmax/Cmin in the catalogue; her2sim.library.pk models 3.6 mg/kg q3w from the Kadcyla "
                       "label population PK (CL 0.68 L/day, t1/2 ~4 days): average 17.1 ug/mL"),
        binds_p95_her2=False,
        payload_modelled=False,
        note=(
            "Only the trastuzumab antibody part is represented. The DM1 payload (maytansinoid "
            "microtubule toxin, released after internalisation) is not modelled, so simulated "
            "T-DM1 effects are those of trastuzumab-like HER2 blockade and underestimate cell kill."
        ),
    ))

    # --- HER kinase inhibitors -------------------------------------------------------------
    lapatinib_her2 = Target(
        genes=("ERBB2",), node="HER2", binding_site="HER2 kinase domain ATP site",
        binding="reversible", potency_nM=9.8, potency_kind="IC50",
        provenance=_sourced(
            _RUSNAK_2001, "purified ErbB-2 kinase IC50 9.8 nM (EGFR 10.2 nM), read in the abstract; "
            "the review table of pharmacology.md K07 rounds it to 9 nM"),
        cellular=_LAPATINIB_BT474,
    )
    drugs.append(Drug(
        name="lapatinib",
        aliases=("Tykerb", "Tyverb", "GW572016", "GW-572016"),
        drug_class="reversible EGFR/HER2 tyrosine kinase inhibitor",
        modality="small_molecule",
        targets=(
            Target(
                genes=("EGFR",), node="EGFR", binding_site="EGFR kinase domain ATP site",
                binding="reversible", potency_nM=11.0, potency_kind="IC50",
                provenance=_sourced(_TKI_REVIEW.format(row="K07"), "confirmed-secondary"),
            ),
            lapatinib_her2,
            _p95_copy(lapatinib_her2, "lapatinib"),
        ),
        mechanism=(
            "reversible ATP-site kinase inhibitor of EGFR/HER2, so it also inhibits p95-HER2 (L14); "
            "stabilises inactive HER2 at the surface, raising trastuzumab binding (L44)"
        ),
        action="her_kinase_inhibit",
        molecular_weight=581.06,
        molecular_weight_provenance=_assumed(_MW_RECALLED.format(
            extra="free base; pharmacology.md unit helpers also give 581 g/mol as recalled")),
        canonical_unit="uM",
        exposure=Exposure(
            regimen="1250 mg once daily, steady state",
            unit="ug/mL",
            cmax_total=2.43,
            provenance=_sourced(
                "Tyverb Fachinformation (Swiss label, ch.oddb.org) (pharmacology.md K08)",
                "Cmax,ss 2.43 (1.57-3.77) ug/mL; AUC 36.2 ug.h/mL",
            ),
            protein_binding=0.99,
            protein_binding_provenance=_sourced(
                "Tyverb Fachinformation (pharmacology.md K08)",
                "label: >99% bound; 0.99 is the bound (upper) limit, so free values are upper bounds",
            ),
        ),
        binds_p95_her2=True,
    ))

    neratinib_her2 = Target(
        genes=("ERBB2",), node="HER2", binding_site="HER2 kinase domain ATP site (covalent to a cysteine)",
        binding="covalent", potency_nM=59.0, potency_kind="IC50",
        provenance=_sourced(
            _TKI_REVIEW.format(row="K09"),
            "same values attributed to Rabindran SK et al. 2004, Cancer Res 64:3958-65 by a vendor "
            "page (not read); used as K_I, the reversible step before the covalent bond",
        ),
        covalent=_NERATINIB_COVALENT,
    )
    drugs.append(Drug(
        name="neratinib",
        aliases=("Nerlynx", "HKI-272", "HKI272"),
        drug_class="irreversible pan-HER tyrosine kinase inhibitor",
        modality="small_molecule",
        targets=(
            Target(
                genes=("EGFR",), node="EGFR", binding_site="EGFR kinase domain ATP site (covalent)",
                binding="covalent", potency_nM=92.0, potency_kind="IC50",
                provenance=_sourced(_TKI_REVIEW.format(row="K09"), "confirmed-secondary; used as K_I"),
                covalent=_NERATINIB_COVALENT,
            ),
            neratinib_her2,
            _p95_copy(neratinib_her2, "neratinib"),
        ),
        mechanism="irreversible (covalent) ATP-site inhibitor of EGFR/HER2/HER4; inhibits p95-HER2 kinase",
        action="her_kinase_inhibit",
        molecular_weight=557.04,
        molecular_weight_provenance=_assumed(_MW_RECALLED.format(
            extra="free base; pharmacology.md unit helpers give ~557 g/mol as recalled")),
        canonical_unit="nM",
        exposure=Exposure(
            regimen="single 240 mg dose, healthy volunteers",
            unit="ng/mL",
            cmax_total=84.5,
            provenance=_sourced(
                "neratinib-lansoprazole DDI study 2017 (authors not shown) (pharmacology.md K10)",
                "single-dose Cmax, not steady state",
            ),
            protein_binding=0.99,
            protein_binding_provenance=_sourced(
                "Nerlynx label (mirror) (pharmacology.md K10)", ">99% bound; free values are upper bounds",
            ),
        ),
        binds_p95_her2=True,
    ))

    afatinib_her2 = Target(
        genes=("ERBB2",), node="HER2", binding_site="HER2 kinase domain ATP site (covalent)",
        binding="covalent", potency_nM=14.0, potency_kind="IC50",
        provenance=_sourced(f"{_ESKENS_2008}; {_SOLCA_2012} (pharmacology.md K11)", "enzyme assay; used as K_I"),
        covalent=_AFATINIB_COVALENT,
    )
    drugs.append(Drug(
        name="afatinib",
        aliases=("Gilotrif", "Giotrif", "BIBW 2992", "BIBW2992"),
        drug_class="irreversible pan-HER (ErbB family) tyrosine kinase inhibitor",
        modality="small_molecule",
        targets=(
            Target(
                genes=("EGFR",), node="EGFR", binding_site="EGFR kinase domain ATP site (covalent)",
                binding="covalent", potency_nM=0.5, potency_kind="IC50",
                provenance=_sourced(f"{_ESKENS_2008}; {_SOLCA_2012} (pharmacology.md K11)", "enzyme assay; used as K_I"),
                covalent=_AFATINIB_COVALENT,
            ),
            afatinib_her2,
            _p95_copy(afatinib_her2, "afatinib"),
            Target(
                genes=("ERBB4",), node="HER4", binding_site="HER4 kinase domain ATP site (covalent)",
                binding="covalent", potency_nM=1.0, potency_kind="EC50",
                provenance=_sourced(f"{_SOLCA_2012} (pharmacology.md K11)", "ErbB4 EC50"),
            ),
        ),
        mechanism="irreversible (covalent) ATP-site inhibitor of EGFR/HER2/HER4; inhibits p95-HER2 kinase",
        action="her_kinase_inhibit",
        molecular_weight=485.94,
        molecular_weight_provenance=_assumed(_MW_RECALLED.format(extra="free base")),
        canonical_unit="nM",
        exposure=Exposure(
            regimen=("preclinical efficacious plasma range (xenografts); clinical Cmax not read (label summary read: "
                     "~95 % bound, t1/2 37 h, Tmax 2-5 h, tablets 92 % bioavailable vs solution; 40 mg qd)"),
            unit="nM",
            cmax_total=280.0,
            cmin_total=80.0,
            provenance=_sourced(
                f"{_ESKENS_2008} (sponsor data on file) (pharmacology.md K12)",
                "tumour-regressing plasma concentrations 80-280 nM in mice; NOT a clinical Cmax/Cmin",
            ),
            protein_binding=0.95,
            protein_binding_provenance=_sourced(
                "hospital formulary label summary (pharmacology.md K12)", "~95% bound",
            ),
            clinical=False,
        ),
        exposure_note=("clinical exposure from her2sim.library.pk: 40 mg once daily (label) through the population "
                       "CL/F of Freiwald 2014 (42.3 L/h; Cancer Chemother Pharmacol 73:759, read in the public SimKi "
                       "implementation of that model): average total 39 ng/mL, 4.1 nM free. The catalogue Exposure "
                       "above stays the xenograft range (clinical=False) it was sourced as"),
        binds_p95_her2=True,
    ))

    pelitinib_egfr = Target(
        genes=("EGFR",), node="EGFR", binding_site="EGFR kinase domain ATP site (covalent)",
        binding="covalent", potency_nM=39.0, potency_kind="IC50", covalent=_PELITINIB_COVALENT,
        provenance=_assumed(
            "pharmacology.md K15: no data found. A search (pages/docs/code corpora) found "
            "Torrance CJ et al. 2000, Nat Med 6:1024-8 (PMID 10973323, doi:10.1038/79534), whose "
            "abstract confirms EKB-569 is an irreversible EGFR kinase inhibitor but gives no IC50; "
            "~39 nM is the recalled value attributed to Wissner A et al. (J Med Chem 2003), not read." + " Searched again (sources branch): vendor "
            "pages and their mirrors and public repositories (exact-string search): no readable EKB-569 IC50"
        ),
    )
    pelitinib_her2 = Target(
        genes=("ERBB2",), node="HER2", binding_site="HER2 kinase domain ATP site (covalent)",
        binding="covalent", potency_nM=1255.0, potency_kind="IC50", covalent=_PELITINIB_COVALENT,
        provenance=_assumed(
            "HER2 is inhibited much more weakly than EGFR by EKB-569 (recalled, ~1.3 uM in vendor "
            "compilations); no primary source found in the search; treat as uncertain within ~3-fold." + " Searched again (sources branch): no "
            "readable HER2 value"
        ),
    )
    drugs.append(Drug(
        name="pelitinib",
        aliases=("EKB-569", "EKB569", "EKI-569"),
        drug_class="irreversible EGFR-preferring tyrosine kinase inhibitor (3-cyanoquinoline)",
        modality="small_molecule",
        targets=(pelitinib_egfr, pelitinib_her2, _p95_copy(pelitinib_her2, "pelitinib")),
        mechanism=(
            "irreversible (covalent) ATP-site EGFR inhibitor with much weaker HER2 activity; named "
            "in the seed figure (Dong 2021 Fig. 3); as a kinase inhibitor it would act on p95-HER2 too"
        ),
        action="her_kinase_inhibit",
        molecular_weight=467.9,
        molecular_weight_provenance=_assumed(_MW_RECALLED.format(extra="free base")),
        canonical_unit="nM",
        exposure=None,
        exposure_note=("no clinical exposure found (K15: no data found; searched again for EKB-569 phase I PK: none). "
                       "Searched again (sources branch): pages, docs, issues and code corpora, including public population-PK model repositories (SimKi, mrgsolve/nlmixr2 libraries); no EKB-569 concentration or clearance"),
        binds_p95_her2=True,
        note=(
            "mechanism (irreversible EGFR inhibitor) sourced: Torrance CJ et al. 2000, Nat Med 6:1024-8, "
            "PMID 10973323; both potencies are assumed"
        ),
    ))

    tucatinib_her2 = Target(
        genes=("ERBB2",), node="HER2", binding_site="HER2 kinase domain ATP site",
        binding="reversible", potency_nM=6.9, potency_kind="IC50",
        provenance=_sourced(_TKI_REVIEW.format(row="K13"), "confirmed-secondary"),
        cellular=CellularPotency(
            IC50_nominal_nM=6.9 * 12.1 / 9.8, serum_percent=0.0, readout="HER2 in cells (derived, free)",
            cell_line="HER2-amplified (BT-474-like)",
            provenance=Provenance(
                "derived", f"{_TKI_REVIEW.format(row='K13')}; {_CCLE}; {_RUSNAK_2001}",
                "tucatinib's BT-474 pHER2 IC50 (Kulukian 2020 Mol Cancer Ther 19:976) was not readable "
                "with the tools of this work; its kinase IC50 6.9 nM is scaled by the cell-to-kinase ratio "
                f"measured for the other quinazoline HER2 inhibitor: {_HER2_CELL_SHIFT_NOTE}; 8.5 nM free"),
        ),
    )
    drugs.append(Drug(
        name="tucatinib",
        aliases=("Tukysa", "ONT-380", "ARRY-380"),
        drug_class="HER2-selective reversible tyrosine kinase inhibitor",
        modality="small_molecule",
        targets=(
            tucatinib_her2,
            _p95_copy(tucatinib_her2, "tucatinib"),
            Target(
                genes=("EGFR",), node="EGFR", binding_site="EGFR kinase domain ATP site",
                binding="reversible", potency_nM=449.0, potency_kind="IC50",
                provenance=_sourced(_TKI_REVIEW.format(row="K13"), "label: >1000-fold HER2 selectivity in cells"),
            ),
        ),
        mechanism="HER2-selective reversible ATP-site kinase inhibitor; inhibits p95-HER2 kinase; spares EGFR",
        action="her_kinase_inhibit",
        molecular_weight=480.5,
        molecular_weight_provenance=_assumed(_MW_RECALLED.format(extra="free base")),
        canonical_unit="nM",
        exposure=Exposure(
            regimen="300 mg twice daily",
            unit="nM",
            provenance=_sourced(
                "Tukysa label (mirrors) (pharmacology.md K13)",
                "Cmax not read; CL/F 148 L/h and V/F 1670 L are, so her2sim.library.pk gives the exposure "
                "(average total 0.169 ug/mL = dose/(CL/F x 12 h), 10.2 nM free)"),
            protein_binding=0.971,
            protein_binding_provenance=_sourced("Tukysa label (pharmacology.md K13)", "97.1% bound"),
        ),
        binds_p95_her2=True,
    ))

    # --- PI3K / AKT / mTOR -----------------------------------------------------------------
    drugs.append(Drug(
        name="alpelisib",
        aliases=("Piqray", "BYL719", "BYL-719", "NVP-BYL719"),
        drug_class="p110alpha-selective PI3K inhibitor",
        modality="small_molecule",
        targets=(Target(
            genes=("PIK3CA",), node="PI3K p110alpha", binding_site="p110alpha ATP site",
            binding="reversible", potency_nM=5.0, potency_kind="IC50",
            provenance=_assumed(
                "recalled from Furet P et al. 2013, Bioorg Med Chem Lett 23:3741-8 (p110alpha IC50 ~5 nM), not "
                "verified here (pharmacology.md K16: not found). Searches (pages corpus) found only abstracts "
                "without numbers (CCLE profiling, Cancer Res 2012 72(8 Suppl):3749; first-in-human, J Clin Oncol "
                "2018;36:1291-9, PMID 29401002)." + " Searched again (sources branch): the benchchem compound page (identity, MW only), "
                "PI3K-inhibitor reviews and vendor mirrors (MedChemExpress, Selleck) and public repositories: no readable "
                "p110alpha IC50 and no cellular (pAKT or proliferation) IC50 in a HER2-amplified line"
            ),
            note="assumed similar for wild-type and hotspot-mutant p110alpha",
        ),),
        mechanism="p110alpha-selective ATP-competitive PI3K inhibitor; weak on p110beta/delta/gamma",
        action="pi3k_alpha_inhibit",
        molecular_weight=441.5,
        molecular_weight_provenance=_sourced(
            "PubChem record as displayed on benchchem.com product page b612111 (C19H22F3N5O2S)",
        ),
        canonical_unit="uM",
        exposure=Exposure(
            regimen="400 mg once daily",
            unit="nM",
            provenance=_sourced(
                "Piqray Fachinformation (Swiss label, ch.oddb.org) (pharmacology.md K16)",
                "Cmax not read; t1/2 7.6 h (J Clin Oncol 2018;36:1291-9, PMID 29401002)",
            ),
            protein_binding=0.892,
            protein_binding_provenance=_derived(
                "Piqray Fachinformation (pharmacology.md K16)", "free fraction 10.8%, so bound 1 - 0.108",
            ),
        ),
    ))

    drugs.append(Drug(
        name="buparlisib",
        aliases=("BKM120", "NVP-BKM120", "BKM-120"),
        drug_class="pan-class I PI3K inhibitor",
        modality="small_molecule",
        targets=(
            Target(
                genes=("PIK3CA",), node="PI3K p110alpha", binding_site="p110alpha ATP site",
                binding="reversible", potency_nM=52.0, potency_kind="IC50",
                provenance=_sourced(
                    _MAIRA_2012,
                    "biochemical IC50 52 nM; confirmed-secondary: a compound compilation (smolecule.com, product "
                    "s548230, Table 2) gives PI3Kalpha 52 and PI3Kbeta 166 nM citing Maira 2012, whose abstract "
                    "(aacrjournals mct 11/2/317, read) confirms inhibition of all four class I isoforms and of the "
                    "hotspot mutants without numbers. A cellular (pAKT or proliferation) IC50 that would replace the "
                    "model's assumed x10 ATP-site shift was searched for (sources branch: the Maira 2012 abstract, "
                    "vendor mirrors, public repositories) and not found"
                ),
            ),
            Target(
                genes=("PIK3CB",), node="PI3K p110beta", binding_site="p110beta ATP site",
                binding="reversible", potency_nM=166.0, potency_kind="IC50",
                provenance=_sourced(_MAIRA_2012, "biochemical IC50 166 nM; confirmed-secondary (compilation as for "
                                                 "p110alpha)"),
            ),
            Target(
                genes=("PIK3CD",), node="PI3K p110delta", binding_site="p110delta ATP site",
                binding="reversible", potency_nM=116.0, potency_kind="IC50",
                provenance=_assumed("recalled (Maira 2012); not verified here: the compilation that confirms the "
                                    "alpha/beta values lists 116 nM under PI3Kgamma and 262 nM under PI3Kdelta, the "
                                    "reverse of this recall, so the delta/gamma pair stays unconfirmed (neither node "
                                    "is in the flagship model)"),
            ),
            Target(
                genes=("PIK3CG",), node="PI3K p110gamma", binding_site="p110gamma ATP site",
                binding="reversible", potency_nM=262.0, potency_kind="IC50",
                provenance=_assumed("recalled (Maira 2012); not verified here (delta/gamma order conflicts with the "
                                    "compilation read; see p110delta)"),
            ),
        ),
        mechanism="pan-class I ATP-competitive PI3K inhibitor (p110alpha/beta/delta/gamma); no mTOR activity",
        action="pi3k_pan_inhibit",
        molecular_weight=410.4,
        molecular_weight_provenance=_assumed(_MW_RECALLED.format(extra="free base")),
        canonical_unit="uM",
        exposure=None,
        exposure_note=("no concentration read: Bendell JC et al. 2012, J Clin Oncol 30:282 (first-in-human; abstract "
                       "read, repub.eur.nl) gives MTD 100 mg/day, half-life ~40 h and ~3-fold steady-state "
                       "accumulation, but no Cmax or AUC value, so no exposure is derived. "
                       "Searched again (sources branch): pages, docs, issues and code corpora, including public population-PK model repositories (SimKi, mrgsolve/nlmixr2 libraries); the Japanese phase I (Ando 2014 Cancer Sci 105:347) and later buparlisib pages "
                       "were found, with no value in their readable part"),
    ))

    drugs.append(Drug(
        name="pictilisib",
        aliases=("GDC-0941", "GDC0941"),
        drug_class="pan-class I PI3K inhibitor",
        modality="small_molecule",
        targets=(Target(
            genes=("PIK3CA",), node="PI3K p110alpha", binding_site="p110alpha ATP site",
            binding="reversible", potency_nM=10.0, potency_kind="IC50",
            provenance=_sourced(
                "Raynaud FI et al. 2009, Mol Cancer Ther 8:1725-38 (PMC2718129)",
                "abstract: GDC-0941 inhibited p110alpha with IC50 <= 10 nmol/L; 10 nM is the stated "
                "upper bound, so the true IC50 may be lower",
            ),
        ),),
        mechanism="pan-class I ATP-competitive PI3K inhibitor (thienopyrimidine)",
        action="pi3k_pan_inhibit",
        molecular_weight=513.6,
        molecular_weight_provenance=_assumed(_MW_RECALLED.format(extra="free base")),
        canonical_unit="uM",
        exposure=None,
        exposure_note=("no concentration read: recommended phase 2 dose 330 mg (capsule) / 340 mg (tablet) daily, "
                       "14 days on / 7 off (phase Ib NSCLC abstract, read); the first-in-human concentrations "
                       "(Sarker D et al. 2015, Clin Cancer Res 21:77) were not readable here. "
                       "Searched again (sources branch): pages, docs, issues and code corpora, including public population-PK model repositories (SimKi, mrgsolve/nlmixr2 libraries); the first-in-human manuscript (studyres copy) is found only by its front matter"),
    ))

    drugs.append(Drug(
        name="capivasertib",
        aliases=("Truqap", "AZD5363", "AZD-5363"),
        drug_class="ATP-competitive pan-AKT inhibitor",
        modality="small_molecule",
        targets=tuple(
            Target(
                genes=(gene,), node="AKT", binding_site=f"{gene} kinase domain ATP site",
                binding="reversible", potency_nM=10.0, potency_kind="IC50",
                provenance=_sourced(
                    _DAVIES_2012,
                    "biochemical IC50 <= 10 nM for AKT1/2/3 (upper bound); cellular AKT-substrate "
                    "IC50 ~0.3-0.8 uM; PRAS40 EC50 ~0.1 uM total plasma in BT474c xenografts",
                ),
            )
            for gene in ("AKT1", "AKT2", "AKT3")
        ),
        mechanism="ATP-competitive inhibitor of AKT1/2/3 kinase activity",
        action="akt_inhibit",
        molecular_weight=428.9,
        molecular_weight_provenance=_assumed(_MW_RECALLED.format(
            extra="pharmacology.md unit helpers give ~429 g/mol as recalled")),
        canonical_unit="uM",
        exposure=Exposure(
            regimen="400 mg twice daily, 4 days on / 3 days off, steady state",
            unit="ng/mL",
            cmax_total=1371.0,
            provenance=_sourced("Truqap label (rxreasoner monograph) (pharmacology.md K17)", "Cmax,ss"),
        ),
        exposure_note=("protein binding not curated, so the PK module uses the total concentration (an upper bound of "
                       "the free one). A pharmacy fact table (canadapharmacy.com) gives 96 % bound, but the same "
                       "table gives 64 % bioavailability against the label's 29 % (pharmacology.md K17), so it is "
                       "not used"),
    ))

    drugs.append(Drug(
        name="MK-2206",
        aliases=("MK2206", "MK 2206"),
        drug_class="allosteric pan-AKT inhibitor",
        modality="small_molecule",
        targets=tuple(
            Target(
                genes=(gene,), node="AKT",
                binding_site=f"{gene} allosteric pocket between PH and kinase domains (PH domain required)",
                binding="reversible", potency_nM=value, potency_kind="IC50",
                provenance=_sourced(
                    "AACR Annual Meeting 2009 abstract 3714, Cancer Res 69(9 Suppl):3714 "
                    "(aacrjournals cancerres 69/9_Supplement/3714)",
                    "in vitro IC50 AKT1 8, AKT2 12, AKT3 65 nM; cellular AKT1 ~20 nM",
                ),
                cellular=CellularPotency(
                    IC50_nominal_nM=20.0, serum_percent=10.0, readout="cellular AKT1 inhibition",
                    cell_line="as in the abstract (not named there)",
                    provenance=_sourced(
                        "AACR Annual Meeting 2009 abstract 3714, Cancer Res 69(9 Suppl):3714",
                        "cellular AKT1 IC50 ~20 nM; the assay serum is not given in the abstract (10 % taken; "
                        "MK-2206 plasma binding not curated, so nominal = free)"),
                ),
            )
            for gene, value in (("AKT1", 8.0), ("AKT2", 12.0), ("AKT3", 65.0))
        ),
        mechanism="allosteric AKT inhibitor; needs the PH domain; blocks T308/S473 phosphorylation",
        action="akt_inhibit",
        molecular_weight=407.5,
        molecular_weight_provenance=_assumed(_MW_RECALLED.format(extra="free base; the dihydrochloride salt is heavier")),
        canonical_unit="uM",
        exposure=None,
        exposure_note=("no concentration read (MK-2206 monotherapy weak: L42): Yap TA et al. 2011, J Clin Oncol "
                       "29:4688 (PMID 22025163; abstract read) gives MTD 60 mg every other day, median Tmax 6-8 h, "
                       "mean t1/2 55-78 h and dose-proportional Cmax/AUC, but no value. "
                       "Searched again (sources branch): pages, docs, issues and code corpora, including public population-PK model repositories (SimKi, mrgsolve/nlmixr2 libraries); the Japanese phase 1 (Cancer Chemother Pharmacol 2015, doi:10.1007/s00280-015-2810-z) "
                       "and the AACR 2009 B135 abstract were read without a concentration value"),
    ))

    drugs.append(Drug(
        name="ipatasertib",
        aliases=("GDC-0068", "GDC0068", "RG7440"),
        drug_class="ATP-competitive pan-AKT inhibitor",
        modality="small_molecule",
        targets=tuple(
            Target(
                genes=(gene,), node="AKT", binding_site=f"{gene} kinase domain ATP site",
                binding="reversible", potency_nM=value, potency_kind="IC50",
                provenance=_assumed(
                    "recalled from Lin J et al. 2013, Clin Cancer Res 19:1760-72 (doi:10.1158/1078-0432.CCR-12-3072; "
                    "AKT1/2/3 IC50 5/18/8 nM), not verified here: the paper was found again (studyres.com copy) "
                    "but its numbers are not in the readable part (pharmacology.md K19: not found)." + " Searched again (sources branch): the "
                    "studyres copy (front matter only), the first-in-human paper (abstract) and vendor mirrors: no number"
                ),
            )
            for gene, value in (("AKT1", 5.0), ("AKT2", 18.0), ("AKT3", 8.0))
        ),
        mechanism=(
            "ATP-competitive AKT inhibitor that prefers active, phosphorylated AKT (Lin 2013 Clin Cancer "
            "Res; Saura C et al. 2017 Cancer Discov)"
        ),
        action="akt_inhibit",
        molecular_weight=458.0,
        molecular_weight_provenance=_assumed(_MW_RECALLED.format(extra="free base")),
        canonical_unit="uM",
        exposure=None,
        exposure_note=("no concentration read: 400 mg once daily (phase 3 dose); low plasma protein binding, median "
                       "t1/2 45 h (27.8-66.9), Tmax 0.5-3 h, steady state within 7 days (secondary summary of the "
                       "first-in-human study, Saura C et al. 2017 Cancer Discov 7:102, read); no Cmax or clearance "
                       "value, so no exposure is derived. "
                       "Searched again (sources branch): pages, docs, issues and code corpora, including public population-PK model repositories (SimKi, mrgsolve/nlmixr2 libraries); the population-PK paper (Yoshida, 342 patients, three-compartment model) was found "
                       "without its parameter table in the readable part"),
    ))

    drugs.append(Drug(
        name="everolimus",
        aliases=("Afinitor", "RAD001", "RAD-001", "Certican"),
        drug_class="rapalog (allosteric mTORC1 inhibitor)",
        modality="small_molecule",
        targets=(Target(
            genes=("MTOR", "RPTOR"), node="mTORC1",
            binding_site="FKBP12-everolimus complex binds the mTOR FRB domain (allosteric; not the ATP site)",
            binding="reversible", potency_nM=2.0, potency_kind="IC50",
            potency_assay="cellular",
            provenance=_assumed(
                "pharmacology.md K18: mTOR IC50 not found; low-nM cellular mTORC1 inhibition is the "
                "recalled order of magnitude for rapalogs; mechanism (FKBP12 complex, allosteric, "
                "mTORC1-selective) is textbook and the F1000 review Xie J et al. 2016 (PMC5007757) "
                "describes it. Searched again: Schuler W et al. 1997, Transplantation 64:36 (SDZ RAD "
                "pharmacology) was found, but its potencies are not in the readable part." + " Searched again (sources branch): vendor "
                "mirrors and label records: no cellular mTORC1 IC50"
            ),
            note="incomplete inhibitor: 4E-BP1 phosphorylation partly resistant; mTORC2 spared acutely",
        ),),
        mechanism=(
            "allosteric mTORC1 inhibitor (FKBP12 complex on the FRB domain); relieves S6K->IRS1 "
            "negative feedback, so pAKT can rise (L32)"
        ),
        action="mtorc1_inhibit",
        molecular_weight=958.2,
        molecular_weight_provenance=_assumed(_MW_RECALLED.format(extra="")),
        canonical_unit="nM",
        exposure=Exposure(
            regimen="10 mg once daily, trough (whole blood)",
            unit="ng/mL",
            cmin_total=12.9,
            matrix="whole blood",
            plasma_per_measured=0.20 / (1.0 - 0.40),
            protein_binding=0.74,
            protein_binding_provenance=_sourced(
                "everolimus label summary (drugster.info monograph)", "plasma protein binding approximately 74 %"),
            note=("whole blood -> plasma x 0.333: about 20 % of blood everolimus is in plasma (Afinitor label; "
                  "recalled, not read) over (1 - haematocrit 0.40); erythrocyte uptake and the need for the "
                  "correction: ter Heine R et al. 2016, Clin Pharmacokinet 55:1447 (abstract read)"),
            provenance=_sourced(
                "SWOG S0931 PK (Kidney Cancer journal) (pharmacology.md K18)",
                "trough quartile boundaries <9.0, 9.0-12.9, 12.9-22.8, >22.8 ng/mL; 12.9 is the median "
                "boundary; DLT threshold Ctrough 17.3 ng/mL",
            ),
        ),
        exposure_note="whole-blood trough converted to plasma before the unbound fraction",
    ))

    # --- MAPK, IGF1R, HER3 -----------------------------------------------------------------
    drugs.append(Drug(
        name="trametinib",
        aliases=("Mekinist", "GSK1120212", "JTP-74057"),
        drug_class="allosteric MEK1/2 inhibitor",
        modality="small_molecule",
        targets=(
            Target(
                genes=("MAP2K1",), node="MEK", binding_site="MEK1 allosteric pocket adjacent to the ATP site",
                binding="reversible", potency_nM=0.92, potency_kind="IC50",
                provenance=_assumed(
                    "recalled from Gilmartin AG et al. 2011, Clin Cancer Res 17:989-1000 (MEK1 IC50 0.92 nM), not "
                    "verified here: its abstract (read twice) confirms potent, selective allosteric MEK1/2 "
                    "inhibition but gives no number; direct allosteric MEK1/2 binding also in Yoshida T et al. "
                    "2012, Oncotarget 3:1533." + " Searched again (sources branch): the Gilmartin 2011 abstract again, vendor mirrors and an "
                    "exact-string search of public repositories for the 0.92/1.8 nM pair: none found"
                ),
            ),
            Target(
                genes=("MAP2K2",), node="MEK", binding_site="MEK2 allosteric pocket adjacent to the ATP site",
                binding="reversible", potency_nM=1.8, potency_kind="IC50",
                provenance=_assumed("recalled (Gilmartin 2011); not read"),
            ),
        ),
        mechanism="allosteric, ATP-non-competitive MEK1/2 inhibitor; also blocks RAF-dependent MEK phosphorylation",
        action="mek_inhibit",
        molecular_weight=615.4,
        molecular_weight_provenance=_assumed(_MW_RECALLED.format(extra="free base")),
        canonical_unit="nM",
        exposure=Exposure(
            regimen="2 mg once daily, steady-state trough (median)",
            unit="ng/mL",
            cmin_total=13.6,
            provenance=_sourced(
                "Ouellet D et al. 2016, population PK and exposure-response of trametinib (Certara publication "
                "page, abstract read)", "median observed Cmin 10.6 ng/mL (phase 2) and 13.6 ng/mL (phase 3)"),
            protein_binding=0.97,
            protein_binding_provenance=_sourced(
                "trametinib drug monograph (rpsi.ir); Leonowens 2014 Br J Clin Pharmacol 78:524 (> 95 %)",
                "~97 % bound"),
        ),
        exposure_note="her2sim.library.pk models 2 mg qd from the microtracer i.v./oral PK",
    ))

    drugs.append(Drug(
        name="linsitinib",
        aliases=("OSI-906", "OSI906"),
        drug_class="IGF1R/insulin-receptor tyrosine kinase inhibitor",
        modality="small_molecule",
        targets=(
            Target(
                genes=("IGF1R",), node="IGF1R", binding_site="IGF1R kinase domain ATP site",
                binding="reversible", potency_nM=35.0, potency_kind="IC50",
                provenance=_sourced(
                    "Mulvihill MJ et al. 2009, Future Med Chem 1:1153-71 (primary not read)",
                    "biochemical IC50 35 nM (recombinant IGF1R kinase); confirmed-secondary: a compound page "
                    "(benchchem.com b2565389, citing ChEBI CHEBI:91402) gives IGF-1R 35 nM and IR 75 nM. Dual "
                    "IGF1R/IR inhibition: Barata P et al. 2018, Invest New Drugs (abstract mirror). A cellular IGF1R "
                    "autophosphorylation IC50 that would replace the model's assumed x10 ATP-site shift was searched for "
                    "(sources branch) and not found; the only cellular figure read is coarse (about one third of 19 SCLC "
                    "lines sensitive with IC50 < 1 umol/L, Mol Cancer Ther 2013 12:1131, abstract)"
                ),
            ),
            Target(
                genes=("INSR",), node="INSR", binding_site="insulin receptor kinase domain ATP site",
                binding="reversible", potency_nM=75.0, potency_kind="IC50",
                provenance=_sourced("Mulvihill MJ et al. 2009, Future Med Chem 1:1153-71 (primary not read)",
                                    "biochemical IC50 75 nM; confirmed-secondary (compound page as for IGF1R)"),
            ),
        ),
        mechanism="ATP-competitive dual IGF1R/insulin-receptor kinase inhibitor; blocks the IGF-1 bypass (L02, L29, L31)",
        action="igf1r_inhibit",
        molecular_weight=421.5,
        molecular_weight_provenance=_assumed(_MW_RECALLED.format(extra="free base")),
        canonical_unit="uM",
        exposure=None,
        exposure_note=("no concentration read: 150 mg twice daily is the phase 2 dose (Barata 2018, CRPC; SARC GIST "
                       "trial, Clin Cancer Res 2020 26:1837); the phase I abstract (NCRI, intermittent dosing) reports "
                       "linear PK without values. "
                       "Searched again (sources branch): pages, docs, issues and code corpora, including public population-PK model repositories (SimKi, mrgsolve/nlmixr2 libraries); the linsitinib-erlotinib phase I (Macaulay 2016 Clin Cancer Res) was found only by its "
                       "abstract opening"),
    ))

    drugs.append(Drug(
        name="seribantumab",
        aliases=("MM-121", "MM121", "SAR256212"),
        drug_class="HER3 monoclonal antibody (fully human IgG2)",
        modality="antibody",
        targets=(Target(
            genes=("ERBB3",), node="HER3", binding_site="HER3 extracellular domain (heregulin/NRG1-binding region)",
            binding="reversible", potency_nM=0.8, potency_kind="Kd",
            provenance=_assumed(
                "recalled from Schoeberl B et al. 2010, Cancer Res 70:2485 (KD 0.8 nM), not verified here (searched "
                "again: not found in the corpus). The IgG2 class and anti-ErbB3 target are sourced: US patent "
                "10,184,006 (Merrimack; patents.justia.com); so is its clinical development (Denlinger 2021)." + " Searched again (sources branch): not found"
            ),
            potency_assay="antigen binding",
        ),),
        mechanism="HER3 ECD antibody: blocks heregulin-driven HER3 activation and the HER3 rebound after HER2/PI3K blockade",
        action="her3_block",
        molecular_weight=146_000.0,
        molecular_weight_provenance=_assumed("typical IgG2 mass (~146 kDa), recalled"),
        canonical_unit="ug/mL",
        exposure=None,
        exposure_note=("no concentration read: Denlinger CS et al. 2021, Invest New Drugs 39:1604 (PMID 34250553; "
                       "abstract read) gives the phase 2 dose (40 mg/kg loading, then 20 mg/kg weekly), terminal "
                       "t1/2 ~100 h and steady state after 3-4 weekly doses, but no concentration; a volume of "
                       "distribution would have to be assumed, so no exposure is derived. "
                       "Searched again (sources branch): pages, docs, issues and code corpora, including public population-PK model repositories (SimKi, mrgsolve/nlmixr2 libraries); the open-access full text (PMC8541959) is reachable only by its introduction"),
    ))

    drugs.append(Drug(
        name="patritumab",
        aliases=("U3-1287", "U31287", "AMG 888", "AMG888"),
        drug_class="HER3 monoclonal antibody (fully human IgG1)",
        modality="antibody",
        targets=(Target(
            genes=("ERBB3",), node="HER3", binding_site="HER3 extracellular domain",
            binding="reversible", potency_nM=1.0, potency_kind="Kd",
            provenance=_assumed(
                "no affinity found or recalled with confidence; 1 nM is an order-of-magnitude "
                "placeholder for a therapeutic antibody; included because findings L20 (Garrett 2013 "
                "Clin Cancer Res 19:610) uses U3-1287 to block the HER3 rebound." + " Searched again (sources branch): no affinity found"
            ),
            potency_assay="antigen binding",
        ),),
        mechanism="HER3 ECD antibody: blocks HER3 up-regulation/phosphorylation rebound after lapatinib + trastuzumab (L20)",
        action="her3_block",
        molecular_weight=148_000.0,
        molecular_weight_provenance=_assumed(_IGG_MW),
        canonical_unit="ug/mL",
        exposure=None,
        exposure_note=("no concentration read: 18 mg/kg every 3 weeks (Japanese phase 1, Cancer Chemother Pharmacol "
                       "2014;73:511, PMID 24442032; abstract read); the US phase 1 (ASCO 2011 abstract 3026, read) "
                       "reports steady state after 3 cycles and a mean Cmin,ss >10-fold the xenograft "
                       "HER3-inhibition threshold, without the value. "
                       "Searched again (sources branch): pages, docs, issues and code corpora, including public population-PK model repositories (SimKi, mrgsolve/nlmixr2 libraries); no concentration or clearance"),
    ))

    # ============================================================================================
    # Cell-cycle drugs (cycle branch, issue #13 item 5). New entries go at the end of the catalogue.
    # ============================================================================================
    _fry_2004 = "Fry DW et al. 2004, Mol Cancer Ther 3:1427-38, PMID 15542782 (abstract read)"
    _ibrance_label = ("Ibrance (palbociclib) prescribing information, section 12.3 (label text read in a "
                      "mirror of the professional information)")
    drugs.append(Drug(
        name="palbociclib",
        aliases=("PD 0332991", "PD0332991", "PD-0332991", "Ibrance"),
        drug_class="CDK4/6 inhibitor",
        modality="small_molecule",
        targets=(
            Target(
                genes=("CDK4",), node="CDK4/6", binding_site="CDK4 ATP site (with cyclin D1)",
                binding="reversible", potency_nM=11.0, potency_kind="IC50",
                provenance=_sourced(_fry_2004, "CDK4 IC50 0.011 umol/L; no activity on 36 other kinases"),
                cellular=CellularPotency(
                    IC50_nominal_nM=63.0, serum_percent=10.0, readout="Rb phosphorylation (Ser795), 24 h",
                    cell_line="MDA-MB-435 (Rb-positive)",
                    provenance=_sourced(
                        "MedChemExpress product page 'Palbociclib (isethionate)', read in its "
                        "blog.csdn.net mirror (mmmm12134/article/details/140660498), citing Fry DW et al. 2004, "
                        "Mol Cancer Ther 3:1427-38 (its ref. [1]); primary table not read",
                        "the page states that palbociclib dihydrochloride (0-1 uM, 24 h) inhibits Rb phosphorylation "
                        "at Ser795 in MDA-MB-435 cells with an IC50 of 0.063 uM, with similar results for Ser780/Ser795 "
                        "in Colo-205 cells. The assay serum is not given there: 10 % (standard medium) is assumed. "
                        "The same page gives proliferation IC50s of 4 nM to 1 uM over luminal ER-positive and "
                        "HER2-amplified breast lines (6 days; its ref. [3], Finn 2009 Breast Cancer Res 11:R77), "
                        "consistent with this target-level value"),
                ),
            ),
            Target(
                genes=("CDK6",), node="CDK6", binding_site="CDK6 ATP site (with cyclin D)",
                binding="reversible", potency_nM=16.0, potency_kind="IC50",
                provenance=_sourced(_fry_2004, "CDK6 IC50 0.016 umol/L"),
                note="the model lumps CDK4 and CDK6 into one CDK4/6 node with the CDK4 potency",
            ),
        ),
        mechanism=("ATP-competitive CDK4/6 inhibitor: blocks cyclin D1–CDK4/6 phosphorylation of Rb and "
                   "so E2F release (G1 arrest; inactive without Rb). HER2-positive tumours depend on "
                   "cyclin D1–CDK4 and CDK4/6 inhibition overcomes resistance to HER2 blockade (Goel S "
                   "et al. 2016, Cancer Cell 29:255-69); luminal and HER2-amplified lines are the most "
                   "sensitive, with trastuzumab synergy (Finn RS et al. 2009, Breast Cancer Res 11:R77)"),
        action="cdk46_inhibit",
        molecular_weight=447.54,
        molecular_weight_provenance=_sourced(_ibrance_label, "C24H29N7O2, 447.54 Da"),
        canonical_unit="nM",
        exposure=Exposure(
            regimen="125 mg once daily (3 weeks on, 1 off), steady state",
            unit="ng/mL",
            cmax_total=116.0,
            provenance=_derived(
                _ibrance_label,
                "Cmax,ss 116 ng/mL is the label/Flaherty KT et al. 2012 (Clin Cancer Res 18:568-76) value "
                "as recalled (the abstracts read give Tmax 5.5 h, t1/2 25.9 h, not Cmax); it agrees with "
                "the label's CL/F 63.1 L/h (read): AUC,ss = 125 mg / 63.1 L/h = 1981 ng.h/mL, Cavg 82.5 "
                "ng/mL, and Cmax/Cavg ~1.4 for a slowly absorbed drug with t1/2 29 h",
            ),
            protein_binding=0.85,
            protein_binding_provenance=_sourced(
                _ibrance_label, "binding to human plasma proteins in vitro ~85 %, concentration-independent "
                "over 500-5000 ng/mL",
            ),
        ),
    ))

    # -------------------------------------------------------------------------------------------
    # Endocrine therapy (added with the ER crosstalk of the flagship model, issue 13 item 7)
    drugs.append(Drug(
        name="fulvestrant",
        aliases=("Faslodex", "ICI 182,780", "ICI 182780", "ICI182780"),
        drug_class="selective oestrogen receptor degrader (SERD)",
        modality="small_molecule",
        targets=(Target(
            genes=("ESR1",), node="ER",
            binding_site="oestrogen receptor α ligand-binding domain (oestradiol site; steroidal 7α-alkylsulphinyl analogue)",
            binding="reversible", potency_nM=0.29, potency_kind="IC50",
            provenance=_sourced(
                "Wakeling AE et al. 1991, Cancer Res 51(15):3867-73, PMID 1855205 (abstract read)",
                "50 % inhibition of MCF-7 growth at 0.29 nM; relative ER binding affinity 0.89 of "
                "oestradiol; a pure antagonist with no agonist activity"),
            potency_assay="cellular (MCF-7 proliferation)",
            cellular=CellularPotency(
                IC50_nominal_nM=0.29, serum_percent=5.0, readout="proliferation", cell_line="MCF-7",
                provenance=_assumed(
                    "Wakeling 1991's MCF-7 growth IC50 (0.29 nM, abstract read) is a nominal medium "
                    "concentration; the serum of that assay (charcoal-stripped, ~5 %) is assumed, not read (the "
                    "abstract, read again in a PubMed mirror, does not state it). "
                    "Converted to free like every cellular potency of the catalogue"),
            ),
        ),),
        mechanism=("steroidal pure anti-oestrogen: competes with oestradiol for ERα and drives the receptor "
                   "to degradation (SERD); removes ER-driven proliferation and growth-factor gene expression"),
        action="er_degrade",
        molecular_weight=606.77,
        molecular_weight_provenance=_sourced(
            "FASLODEX label, DESCRIPTION (DailyMed archive 26817, read): C32H47F5O3S, MW 606.77"),
        canonical_unit="nM",
        exposure=Exposure(
            regimen="500 mg IM on days 1, 15, 29, then every 28 days (label)",
            unit="ng/mL",
            cmax_total=25.1,
            cmin_total=16.3,
            provenance=_assumed(
                "500 mg steady-state Cmax 25.1 and Cmin 16.3 ng/mL are the label values as recalled "
                "(Robertson 2009 not read). Read for the former 250 mg monthly regimen (drugline.org, "
                "Faslodex monograph): steady-state Cmax 15.8 ng/mL, Cmin 7.4 ng/mL, t1/2 ~40 days; the "
                "500 mg values are of the order of twice those, as expected for linear PK"),
            protein_binding=0.99,
            protein_binding_provenance=_sourced(
                "Faslodex monograph (drugline.org, read) and DrugBank-derived notes: 99 % bound "
                "(mainly VLDL, LDL, HDL)"),
        ),
        note="endocrine drug of the ER-crosstalk submodel; acts only where ER_expression > 0",
    ))

    # ============================================================================================
    # Exposure branch (issue #13 items 3, 4, 9): EGFR-selective reversible TKI, for the CCLE
    # erlotinib curves of the calibration issue. New entries go at the end of the catalogue.
    # ============================================================================================
    erlotinib_her2 = Target(
        genes=("ERBB2",), node="HER2", binding_site="HER2 kinase domain ATP site",
        binding="reversible", potency_nM=_ERLOTINIB_BT474.IC50_nominal_nM, potency_kind="IC50",
        potency_assay="cellular (BT-474 72-84 h viability, CCLE; iso-effect estimate)",
        provenance=_ERLOTINIB_BT474.provenance,
        cellular=_ERLOTINIB_BT474,
        note=("weak off-target: Moyer 1997 reports selectivity for EGFR over the other tyrosine kinases it "
              "examined; no purified-HER2 IC50 was read"),
    )
    drugs.append(Drug(
        name="erlotinib",
        aliases=("Tarceva", "OSI-774", "OSI774", "CP-358,774", "CP-358774", "CP358774"),
        drug_class="reversible EGFR-selective tyrosine kinase inhibitor (4-anilinoquinazoline)",
        modality="small_molecule",
        targets=(
            Target(
                genes=("EGFR",), node="EGFR", binding_site="EGFR kinase domain ATP site",
                binding="reversible", potency_nM=2.0, potency_kind="IC50",
                provenance=_sourced(
                    _MOYER_1997,
                    "purified human EGFR tyrosine kinase IC50 2 nM; EGFR autophosphorylation in intact HN5 "
                    "tumour cells IC50 20 nM (assay serum not read); selective for EGFR over the other "
                    "isolated tyrosine kinases and cells examined"),
            ),
            erlotinib_her2,
            _p95_copy(erlotinib_her2, "erlotinib"),
        ),
        mechanism=("reversible ATP-site EGFR kinase inhibitor (Moyer 1997); weak on HER2 and so on p95-HER2 "
                   "(BT-474, HER2-driven, keeps 70 % viability at 8 uM nominal in the CCLE)"),
        action="her_kinase_inhibit",
        molecular_weight=393.44,
        molecular_weight_provenance=_derived(
            _TARCEVA_LABEL, "erlotinib hydrochloride C22H23N3O4.HCl, MW 429.90 (label DESCRIPTION, read); "
            "free base = 429.90 - HCl 36.46 = 393.44 g/mol; label doses are given as erlotinib (free base)"),
        canonical_unit="uM",
        exposure=Exposure(
            regimen="150 mg once daily (label dose, NSCLC), steady state",
            unit="ug/mL",
            provenance=_sourced(
                _TARCEVA_LABEL,
                "about 60 % absorbed orally; peak plasma 4 h after dosing; apparent volume of distribution "
                "232 L; median half-life 36.2 h (steady state in 7-8 days); her2sim.library.pk gives the "
                "exposure (average total 1.41 ug/mL = dose/(CL/F x 24 h), CL/F = V/F ln2/t1/2 = 4.44 L/h; "
                "250 nM free)"),
            protein_binding=0.93,
            protein_binding_provenance=_sourced(
                _TARCEVA_LABEL, "93 % bound to plasma albumin and alpha1-acid glycoprotein"),
            note=("plasma concentrations (no whole-blood conversion needed; a blood-to-plasma ratio was not "
                  "read and does not enter a plasma-based exposure)"),
        ),
        exposure_note="her2sim.library.pk models 150 mg qd from the label's V/F, half-life and Tmax",
        binds_p95_her2=True,
        note=("not a HER2-breast-cancer drug: included for the CCLE erlotinib curves (HER2-amplified lines resist "
              "it) and as the EGFR-selective contrast to lapatinib"),
    ))

    drugs.append(Drug(
        name="ganetespib",
        aliases=("STA-9090",),
        drug_class="HSP90 inhibitor (resorcinol triazolone, not a geldanamycin)",
        modality="small_molecule",
        targets=(Target(
            genes=("HSP90AA1", "HSP90AB1"), node="HSP90", binding_site="HSP90 N-terminal ATP pocket",
            binding="reversible", potency_nM=7.7, potency_kind="IC50",
            provenance=_derived(
                _SHIMAMURA_2012,
                "proliferation IC50 2-30 nM across genomically defined NSCLC lines (17-AAG 20-3,500 nM); "
                "geometric midpoint sqrt(2 x 30) = 7.7 nM. A growth IC50 in another tissue, taken as the free "
                "cellular potency at HSP90 (assay serum not read; no plasma binding curated, so nominal = free)"),
            potency_assay="cellular (proliferation, NSCLC lines)",
        ),),
        mechanism=("HSP90 ATP-pocket inhibitor: HER2 and p95-HER2 lose their chaperone and are degraded "
                   "(Chandarlapaty 2010); other HSP90 clients (RAF, AKT, CDK4) are not modelled"),
        action="hsp90_inhibit",
        molecular_weight=364.4,
        molecular_weight_provenance=_assumed(_MW_RECALLED.format(extra="C20H20N4O3")),
        canonical_unit="nM",
        exposure_note=("recommended phase 2 dose 200 mg/m2 IV on days 1, 8, 15 of 28 (Goldman 2013, exposure linear "
                       "in dose); Cmax/Cmin of its PK table not read, so no clinical exposure is given"),
        note=("responses in HER2-positive metastatic breast cancer (2/13) in a phase II trial of single-agent "
              "ganetespib (Jhaveri K et al. 2014, Clin Breast Cancer; abstract read)"),
        declares=DrugAction(
            "hsp90_inhibit", {"HSP90": "HSP90"}, ("HSP90_inhibitor",), (100.0, "nM"),
            "about 10x the 2-30 nM proliferation IC50s of ganetespib cell studies (Shimamura 2012); assumed",
            effect=_hsp90_client_degradation, logical_target="HER2"),
    ))

    return tuple(drugs)


_DRUGS: tuple[Drug, ...] = _build()


def _declare(drugs: Iterable[Drug]) -> None:
    for drug in drugs:
        if drug.declares is not None:
            known = _DECLARED.get(drug.action)
            if drug.action in BUILT_IN_ACTIONS or (known is not None and known is not drug.declares):
                raise ValidationError(f"Drug {drug.name!r} declares action {drug.action!r}, declared already")
            _DECLARED[drug.action] = drug.declares


_declare(_DRUGS)
#: Every drug action of the shipped catalogue (built-in, then declared by entries); :func:`actions` is live.
ACTIONS: tuple[str, ...] = actions()


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _index(drugs: Iterable[Drug]) -> dict[str, Drug]:
    index: dict[str, Drug] = {}
    for drug in drugs:
        for label in (drug.name, *drug.aliases):
            key = _key(label)
            if key in index and index[key] is not drug:
                raise ValidationError(f"drug label {label!r} is used by two drugs")
            index[key] = drug
    return index


_INDEX: dict[str, Drug] = _index(_DRUGS)


def register_drug(drug: Drug, *, replace: bool = False) -> Drug:
    """Add a drug to the catalogue at runtime (with its new action when it ``declares`` one).

    Models built afterwards give it a concentration parameter and its potencies; a drug that
    declares a new action brings the action's effect, twin input and in-vitro dose with it.

    Raises
    ------
    ValidationError
        Not a :class:`Drug`, or a name or alias in use (without ``replace``).
    """
    global _DRUGS, _INDEX
    if not isinstance(drug, Drug):
        raise ValidationError(f"register_drug needs a Drug, got {type(drug).__name__}")
    others = tuple(d for d in _DRUGS if not (replace and d.name == drug.name))
    index = _index((*others, drug))  # raises on a label used twice
    _declare((drug,))
    _DRUGS, _INDEX = (*others, drug), index
    _changed()
    return drug


def unregister_drug(name: str) -> None:
    """Remove a drug added by :func:`register_drug` (and the action it declared, if no other drug has it)."""
    global _DRUGS, _INDEX
    drug = get_drug(name)
    if drug in _SHIPPED:
        raise ValidationError(f"drug {drug.name!r} is shipped with the catalogue")
    _DRUGS = tuple(d for d in _DRUGS if d is not drug)
    _INDEX = _index(_DRUGS)
    if drug.declares is not None and not any(d.action == drug.action for d in _DRUGS):
        _DECLARED.pop(drug.action, None)
    _changed()


_SHIPPED: tuple[Drug, ...] = _DRUGS


def get_drug(name: str) -> Drug:
    """Look a drug up by name or alias (case-, space- and hyphen-insensitive).

    Parameters
    ----------
    name
        Generic name, brand name or code (``"Herceptin"``, ``"BYL719"``, ``"AZD5363"``, ``"T-DM1"``).

    Returns
    -------
    Drug

    Raises
    ------
    UnknownNameError
        The name is not known; the message names the closest known name.

    Examples
    --------
    >>> get_drug("RAD001").name
    'everolimus'
    """
    if not isinstance(name, str):
        raise UnknownNameError("drug", repr(name), _all_labels())
    drug = _INDEX.get(_key(name))
    if drug is None:
        raise UnknownNameError("drug", name, _all_labels())
    return drug


def _all_labels() -> list[str]:
    return [label for drug in _DRUGS for label in (drug.name, *drug.aliases)]


def list_drugs() -> tuple[str, ...]:
    """Canonical names of all catalogued drugs, in catalogue order.

    Examples
    --------
    >>> "trastuzumab" in list_drugs()
    True
    """
    return tuple(drug.name for drug in _DRUGS)


def all_drugs() -> tuple[Drug, ...]:
    """All catalogued drugs, in catalogue order."""
    return _DRUGS
