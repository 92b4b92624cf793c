"""Virtual trials as data: a YAML spec -> frozen, validated :class:`TrialSpec`.

A spec names its arms (targeted drugs with regimens, phases with the chemotherapy backbone),
its population (setting, genotype profile, inclusion by HR status, baseline overrides with
their source), size, seed, follow-up and read-outs, and each arm's published results with
their source row and whether the arm is a calibration (*training*) arm. Unknown fields and
values raise :class:`~her2sim.errors.UnknownNameError` naming the field and the closest valid
name. YAML is read with ``yaml.safe_load`` from files of bounded size (no code is executed).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import UnknownNameError, ValidationError

__all__ = [
    "CHEMOTHERAPY",
    "READOUTS",
    "Arm",
    "DrugRegimen",
    "Phase",
    "Population",
    "Published",
    "TrialSpec",
    "list_specs",
    "load_spec",
    "spec_from_dict",
]

SPEC_DIR = Path(__file__).parent / "specs"
MAX_SPEC_BYTES = 256 * 1024

#: Chemotherapy backbones: name -> (dose interval in days, log-kill units per dose, source/reason).
#: One unit is the log-kill of one weekly paclitaxel 80 mg/m^2 dose; the scale (natural-log kill
#: per unit) is the calibrated tumour-level parameter ``chemo_log_kill``.
CHEMOTHERAPY: dict[str, tuple[int, float, str]] = {
    "paclitaxel weekly": (7, 1.0, "reference unit: paclitaxel 80 mg/m^2 weekly (NeoALTTO, CHER-LOB, NSABP B-41)"),
    "docetaxel q3w": (21, 3.0, "assumed: docetaxel 75-100 mg/m^2 q3w taken as the dose intensity of weekly paclitaxel"),
    "anthracycline q3w": (21, 3.0, "assumed: AC / EC / FEC q3w taken as the dose intensity of weekly paclitaxel"),
    "docetaxel carboplatin q3w": (21, 4.0, "assumed: platinum adds a third to docetaxel's dose intensity"),
    "vinorelbine weekly": (7, 0.5, "assumed: vinorelbine 25 mg/m^2 weekly in pretreated disease at half the paclitaxel unit"),
}

READOUTS = ("pcr", "orr", "pfs")
_ANTIBODIES = ("trastuzumab", "pertuzumab")


def _check_keys(where: str, data: dict[str, Any], allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> None:
    if not isinstance(data, dict):
        raise ValidationError(f"{where} must be a mapping, got {type(data).__name__}")
    for key in data:
        if key not in allowed:
            raise UnknownNameError(f"{where} field", str(key), allowed)
    for key in required:
        if key not in data:
            raise ValidationError(f"{where}: field {key!r} is required (fields: {', '.join(allowed)})")


def _number(where: str, value: Any, *, low: float = -math.inf, high: float = math.inf, integer: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValidationError(f"{where} must be a number, got {value!r}")
    if integer and int(value) != value:
        raise ValidationError(f"{where} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ValidationError(f"{where} must be in [{low}, {high}], got {value!r}")
    return int(value) if integer else float(value)


@dataclass(frozen=True)
class Phase:
    """A stretch of treatment: ``weeks`` long (``None`` = until the end of follow-up), the arm's
    targeted drugs on or off, and a chemotherapy backbone (a key of :data:`CHEMOTHERAPY`) or none."""

    weeks: float | None
    targeted: bool = True
    chemo: str | None = None
    chemo_doses: int | None = None


@dataclass(frozen=True)
class DrugRegimen:
    """A targeted drug and its regimen: a named clinical regimen of :mod:`her2sim.library.pk`
    or a custom one (``dose`` mg or mg/kg every ``interval_h`` hours, optional ``loading``)."""

    drug: str
    regimen: str | None = None
    dose: float | None = None
    interval_h: float | None = None
    loading: float | None = None
    per_kg: bool = False

    def to_regimen(self) -> Any:
        from ..library import pk

        if self.regimen is not None:
            return pk.regimen(self.regimen)
        return pk.Regimen(f"{self.drug} {self.dose:g} {'mg/kg' if self.per_kg else 'mg'} q{self.interval_h:g}h",
                          self.drug, float(self.dose), float(self.interval_h), loading=self.loading,
                          per_kg=self.per_kg, source="trial spec")

    @property
    def antibody(self) -> bool:
        return self.drug in _ANTIBODIES


@dataclass(frozen=True)
class Published:
    """A published arm-level result: ``endpoint`` (``pcr``, ``orr``, ``median_pfs_months``,
    ``pfs_hr``), value with optional 95 % CI and arm size, subgroup, source row id and text."""

    endpoint: str
    value: float
    source: str
    subgroup: str = "all"
    n: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Arm:
    """One trial arm."""

    name: str
    drugs: tuple[DrugRegimen, ...]
    phases: tuple[Phase, ...]
    allocation: float = 1.0
    training: bool = False
    published: tuple[Published, ...] = ()
    description: str = ""

    @property
    def has_antibody(self) -> bool:
        return any(d.antibody for d in self.drugs)


@dataclass(frozen=True)
class Population:
    """Who is enrolled: ``setting`` (``early`` or ``metastatic``), genotype ``profile`` (a key of
    :data:`her2sim.trials.population.PROFILES`), ``hr_status`` inclusion, and ``baseline``
    overrides of profile rates with their ``baseline_source``."""

    setting: str = "early"
    profile: str = "early"
    hr_status: str = "any"
    baseline: tuple[tuple[str, float], ...] = ()
    baseline_source: str = ""

    def target_profile(self) -> Any:
        from .population import PROFILES

        base = PROFILES[self.profile]
        return base.with_overrides(dict(self.baseline), self.baseline_source) if self.baseline else base


@dataclass(frozen=True)
class TrialSpec:
    """A virtual trial (see the module docstring); build with :func:`load_spec`."""

    name: str
    title: str
    arms: tuple[Arm, ...]
    population: Population
    n: int
    seed: int
    readouts: tuple[str, ...]
    followup_months: tuple[float, float] = (24.0, 24.0)
    assessment_weeks: float = 6.0
    reference_arm: str | None = None
    source: str = ""
    notes: str = ""

    def with_(self, **changes: Any) -> TrialSpec:
        """A copy with fields replaced (e.g. ``n`` or ``seed``), validated again."""
        import dataclasses

        out = dataclasses.replace(self, **changes)
        _validate_spec(out)
        return out

    def digest(self) -> str:
        """Content hash of the spec (the run manifest records it; a resumed run must match)."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, default=str).encode()).hexdigest()[:16]

    def arm_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.arms)


# ------------------------------------------------------------------------------------------ parse
_TOP = ("name", "title", "arms", "population", "n", "seed", "readouts", "followup_months", "assessment_weeks",
        "reference_arm", "source", "notes")
_ARM = ("name", "drugs", "phases", "allocation", "training", "published", "description")
_PHASE = ("weeks", "targeted", "chemo", "chemo_doses")
_DRUG = ("drug", "regimen", "dose", "interval_h", "loading", "per_kg")
_PUB = ("endpoint", "value", "source", "subgroup", "n", "ci_low", "ci_high", "note")
_POP = ("setting", "profile", "hr_status", "baseline", "baseline_source")
ENDPOINTS = ("pcr", "orr", "median_pfs_months", "pfs_hr")
SUBGROUPS = ("all", "hr_positive", "hr_negative", "pik3ca_mutant", "pik3ca_wild_type")


def spec_from_dict(data: dict[str, Any]) -> TrialSpec:
    """Build and validate a :class:`TrialSpec` from parsed YAML (a mapping)."""
    _check_keys("trial", data, _TOP, ("name", "arms", "n", "seed", "readouts"))
    arms = []
    for i, a in enumerate(_list("trial.arms", data["arms"])):
        where = f"arms[{i}]"
        _check_keys(where, a, _ARM, ("name", "drugs", "phases"))
        drugs = []
        for j, d in enumerate(_list(f"{where}.drugs", a["drugs"], allow_empty=True)):
            _check_keys(f"{where}.drugs[{j}]", d, _DRUG, ("drug",))
            drugs.append(DrugRegimen(**d))
        phases = []
        for j, ph in enumerate(_list(f"{where}.phases", a["phases"])):
            _check_keys(f"{where}.phases[{j}]", ph, _PHASE, ("weeks",))
            phases.append(Phase(**ph))
        pubs = []
        for j, pb in enumerate(_list(f"{where}.published", a.get("published", []), allow_empty=True)):
            _check_keys(f"{where}.published[{j}]", pb, _PUB, ("endpoint", "value", "source"))
            pubs.append(Published(**pb))
        arms.append(Arm(name=str(a["name"]), drugs=tuple(drugs), phases=tuple(phases),
                        allocation=a.get("allocation", 1.0), training=bool(a.get("training", False)),
                        published=tuple(pubs), description=str(a.get("description", ""))))
    pop = data.get("population", {})
    _check_keys("population", pop, _POP)
    baseline = pop.get("baseline", {}) or {}
    if not isinstance(baseline, dict):
        raise ValidationError("population.baseline must be a mapping of profile rate -> value")
    population = Population(setting=pop.get("setting", "early"), profile=pop.get("profile", "early"),
                            hr_status=pop.get("hr_status", "any"),
                            baseline=tuple(sorted((str(k), float(v)) for k, v in baseline.items())),
                            baseline_source=str(pop.get("baseline_source", "")))
    readouts = data["readouts"]
    fu = data.get("followup_months", [24.0, 24.0])
    if isinstance(fu, (int, float)):
        fu = [fu, fu]
    spec = TrialSpec(
        name=str(data["name"]), title=str(data.get("title", data["name"])), arms=tuple(arms), population=population,
        n=data["n"], seed=data["seed"], readouts=tuple(readouts) if isinstance(readouts, list) else readouts,
        followup_months=tuple(fu) if isinstance(fu, list) else fu,
        assessment_weeks=data.get("assessment_weeks", 6.0), reference_arm=data.get("reference_arm"),
        source=str(data.get("source", "")), notes=str(data.get("notes", "")))
    _validate_spec(spec)
    return spec


def _list(where: str, value: Any, allow_empty: bool = False) -> list[Any]:
    if not isinstance(value, list) or (not value and not allow_empty):
        raise ValidationError(f"{where} must be a {'' if allow_empty else 'non-empty '}list, got {value!r}")
    return value


def _validate_spec(spec: TrialSpec) -> None:
    from ..library import pk
    from .population import PROFILES

    _number("trial.n", spec.n, low=1, high=1e9, integer=True)
    _number("trial.seed", spec.seed, low=0, high=2**63 - 1, integer=True)
    if not isinstance(spec.readouts, tuple) or not spec.readouts:
        raise ValidationError(f"trial.readouts must be a non-empty list of {READOUTS}")
    for r in spec.readouts:
        if r not in READOUTS:
            raise UnknownNameError("trial.readouts", str(r), READOUTS)
    if not (isinstance(spec.followup_months, tuple) and len(spec.followup_months) == 2):
        raise ValidationError("trial.followup_months must be a number or [shortest, longest]")
    lo = _number("trial.followup_months[0]", spec.followup_months[0], low=0.1, high=600)
    hi = _number("trial.followup_months[1]", spec.followup_months[1], low=0.1, high=600)
    if hi < lo:
        raise ValidationError(f"trial.followup_months: longest ({hi}) is shorter than shortest ({lo})")
    _number("trial.assessment_weeks", spec.assessment_weeks, low=1, high=52)
    names = [a.name for a in spec.arms]
    if len(set(names)) != len(names):
        raise ValidationError(f"trial.arms: arm names must be unique, got {names}")
    if spec.reference_arm is not None and spec.reference_arm not in names:
        raise UnknownNameError("trial.reference_arm", spec.reference_arm, names)
    p = spec.population
    if p.setting not in ("early", "metastatic"):
        raise UnknownNameError("population.setting", p.setting, ("early", "metastatic"))
    if p.profile not in PROFILES:
        raise UnknownNameError("population.profile", p.profile, PROFILES)
    if p.hr_status not in ("any", "positive", "negative"):
        raise UnknownNameError("population.hr_status", p.hr_status, ("any", "positive", "negative"))
    p.target_profile()  # validates override names and ranges
    known_regimens = list(pk.REGIMENS)
    for a in spec.arms:
        where = f"arm {a.name!r}"
        _number(f"{where}.allocation", a.allocation, low=1e-6, high=1e6)
        for d in a.drugs:
            try:
                pk.pk_model(d.drug)
            except UnknownNameError as exc:
                raise UnknownNameError(f"{where}.drugs.drug", d.drug, list(pk.PK_MODELS())) from exc
            if d.regimen is not None:
                if d.regimen not in known_regimens:
                    raise UnknownNameError(f"{where}.drugs.regimen", d.regimen, known_regimens)
            else:
                if d.dose is None or d.interval_h is None:
                    raise ValidationError(f"{where}.drugs ({d.drug}): give a 'regimen' ({', '.join(known_regimens)}) "
                                          "or both 'dose' and 'interval_h'")
                _number(f"{where}.drugs.dose", d.dose, low=1e-9)
                _number(f"{where}.drugs.interval_h", d.interval_h, low=1e-3)
        for k, ph in enumerate(a.phases):
            if ph.weeks is None:
                if k != len(a.phases) - 1:
                    raise ValidationError(f"{where}.phases[{k}]: only the last phase may run until the end (weeks: null)")
            else:
                _number(f"{where}.phases[{k}].weeks", ph.weeks, low=0.1, high=1000)
            if ph.chemo is not None and ph.chemo not in CHEMOTHERAPY:
                raise UnknownNameError(f"{where}.phases[{k}].chemo", ph.chemo, CHEMOTHERAPY)
            if ph.chemo_doses is not None:
                _number(f"{where}.phases[{k}].chemo_doses", ph.chemo_doses, low=0, high=1000, integer=True)
        for pb in a.published:
            if pb.endpoint not in ENDPOINTS:
                raise UnknownNameError(f"{where}.published.endpoint", pb.endpoint, ENDPOINTS)
            if pb.subgroup not in SUBGROUPS:
                raise UnknownNameError(f"{where}.published.subgroup", pb.subgroup, SUBGROUPS)
            _number(f"{where}.published.value", pb.value, low=0)
    if "pcr" in spec.readouts and any(ph.weeks is None for a in spec.arms for ph in a.phases):
        raise ValidationError("trial.readouts has 'pcr' (surgery at the end of the last phase), but a phase "
                              "runs until the end (weeks: null)")


def list_specs() -> list[str]:
    """Names of the shipped trial specs (``her2sim.trials.load_spec(name)`` loads one)."""
    return sorted(p.stem for p in SPEC_DIR.glob("*.yaml"))


def load_spec(name_or_path: str | Path) -> TrialSpec:
    """Load a trial spec: a shipped name (:func:`list_specs`, case-insensitive) or a YAML path."""
    import yaml

    path = Path(name_or_path)
    if not path.suffix:
        shipped = {s.lower().replace("-", "").replace("_", ""): s for s in list_specs()}
        key = str(name_or_path).lower().replace("-", "").replace("_", "").replace(" ", "")
        if key not in shipped:
            raise UnknownNameError("spec", str(name_or_path), list_specs())
        path = SPEC_DIR / f"{shipped[key]}.yaml"
    if not path.is_file():
        raise ValidationError(f"spec {str(name_or_path)!r}: no such file (shipped specs: {', '.join(list_specs())})")
    if path.stat().st_size > MAX_SPEC_BYTES:
        raise ValidationError(f"spec {path.name}: larger than {MAX_SPEC_BYTES} bytes")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ValidationError(f"spec {path.name}: not valid YAML ({exc})") from exc
    return spec_from_dict(data)
