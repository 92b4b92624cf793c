"""Request bodies of the web API (pydantic), with every size bounded.

The bounds are declared here once (:data:`LIMITS`), appear in the OpenAPI schema (``maxItems``,
``maximum``...) and are checked before any work starts; names (drugs, genotypes, cell lines,
regimens) are checked by the public API itself, which raises :class:`her2sim.UnknownNameError`
with the closest valid name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "LIMITS",
    "AtlasRequest",
    "AttractorRequest",
    "CombinationRequest",
    "Dose",
    "DoseResponseRequest",
    "Limits",
    "MatrixRequest",
    "MeasuredRequest",
    "PetabRequest",
    "RegimenRequest",
    "RescueRequest",
    "ScanRequest",
    "TimeCourseRequest",
    "TrialRequest",
    "Tumour",
]


@dataclass(frozen=True)
class Limits:
    """Upper bounds on what one request may ask for."""

    request_bytes: int = 256 * 1024          # JSON bodies
    upload_bytes: int = 2 * 1024 * 1024      # uploaded CSV files
    upload_rows: int = 20_000
    upload_groups: int = 24
    name_chars: int = 80
    genotypes: int = 6
    drugs: int = 4
    dose: float = 1e7                        # in any supported unit
    hours: float = 24.0 * 14                 # time course length
    time_points: int = 400
    contexts: int = 12
    doses: int = 24                          # dose-response points
    matrix_points: int = 12                  # per axis of a combination matrix
    atlas_contexts: int = 20
    atlas_therapies: int = 30
    regimens: int = 4
    weeks: float = 12.0
    scan_interventions: int = 16
    bootstrap: int = 1000
    trial_members: int = 10_000
    petab_estimates: int = 20
    petab_conditions: int = 8

    def as_dict(self) -> dict[str, float]:
        """The limits as a plain dict (shown by the pages)."""
        return asdict(self)


LIMITS = Limits()

Name = Annotated[str, Field(min_length=1, max_length=LIMITS.name_chars)]
Unit = Annotated[str, Field(min_length=1, max_length=12)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Dose(_Model):
    """A dose in any supported unit (nM, uM, ug/mL...)."""

    value: float = Field(ge=0.0, le=LIMITS.dose, allow_inf_nan=False)
    unit: Unit = "nM"


class Tumour(_Model):
    """A tumour: a cell-line preset *or* a genotype composition with strengths (empty: parental)."""

    cell_line: Annotated[str, Field(max_length=LIMITS.name_chars)] | None = None
    genotypes: dict[Name, Annotated[float, Field(ge=0.0, le=10.0, allow_inf_nan=False)]] = Field(
        default_factory=dict, max_length=LIMITS.genotypes)

    @model_validator(mode="after")
    def _one_kind(self) -> Tumour:
        if self.cell_line and self.genotypes:
            raise ValueError("give a cell line or a genotype composition, not both")
        if self.cell_line is not None and not self.cell_line.strip():
            self.cell_line = None
        return self


class TimeCourseRequest(_Model):
    tumour: Tumour = Field(default_factory=Tumour)
    drugs: dict[Name, Dose] = Field(default_factory=dict, max_length=LIMITS.drugs)
    hours: float = Field(72.0, gt=0.0, le=LIMITS.hours, allow_inf_nan=False)
    points: int = Field(145, ge=2, le=LIMITS.time_points)
    #: serum % of the medium: doses are nominal and act through their free fraction in it
    serum_percent: float = Field(10.0, ge=0.0, le=100.0, allow_inf_nan=False)


class RegimenRequest(_Model):
    tumour: Tumour = Field(default_factory=Tumour)
    regimens: list[Name] = Field(min_length=1, max_length=LIMITS.regimens)
    weeks: float = Field(3.0, gt=0.0, le=LIMITS.weeks, allow_inf_nan=False)


class DoseResponseRequest(_Model):
    treatment: Name = "trastuzumab"
    contexts: list[Name] = Field(default_factory=lambda: ["parental"], min_length=1, max_length=LIMITS.contexts)
    low: float = Field(0.01, gt=0.0, le=LIMITS.dose, allow_inf_nan=False)
    high: float = Field(1e4, gt=0.0, le=LIMITS.dose, allow_inf_nan=False)
    points: int = Field(12, ge=4, le=LIMITS.doses)
    unit: Unit = "nM"
    time: float = Field(72.0, gt=0.0, le=LIMITS.hours, allow_inf_nan=False)
    serum_percent: float = Field(10.0, ge=0.0, le=100.0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _range(self) -> DoseResponseRequest:
        if not self.high > self.low:
            raise ValueError(f"high ({self.high:g}) must exceed low ({self.low:g})")
        return self


class MeasuredRequest(_Model):
    n_boot: int = Field(200, ge=0, le=LIMITS.bootstrap)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    top: float | None = Field(None, ge=-10.0, le=10.0, allow_inf_nan=False)


class CombinationRequest(_Model):
    drug_a: Name = "trastuzumab"
    drug_b: Name = "alpelisib"
    tumour: Tumour = Field(default_factory=Tumour)
    points: int = Field(6, ge=3, le=LIMITS.matrix_points)


class MatrixRequest(_Model):
    drug_a: Name = "drug A"
    drug_b: Name = "drug B"
    response: Literal["inhibition", "inhibition_percent", "viability"] = "inhibition"


Basis = Literal["free_average", "free_trough", "free_peak", "in_vitro"]


class AtlasRequest(_Model):
    contexts: list[Name] = Field(min_length=1, max_length=LIMITS.atlas_contexts)
    therapies: list[Name] = Field(min_length=1, max_length=LIMITS.atlas_therapies)
    reference: Name = "parental"
    basis: Basis = "free_average"

    @field_validator("contexts", "therapies")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("names must not repeat")
        return value


class RescueRequest(_Model):
    tumour: Tumour = Field(default_factory=Tumour)
    failing: Name = "trastuzumab"
    backbone: list[Name] = Field(default_factory=list, max_length=2)
    max_size: int = Field(2, ge=1, le=3)
    basis: Basis = "free_average"
    top: int = Field(10, ge=1, le=50)


class ScanRequest(_Model):
    genotypes: list[Name] = Field(default_factory=list, max_length=LIMITS.genotypes)
    interventions: list[Name] = Field(min_length=1, max_length=LIMITS.scan_interventions)
    order: int = Field(1, ge=1, le=2)
    phenotype: Literal["Proliferation", "Survival"] = "Proliferation"


class AttractorRequest(_Model):
    genotypes: list[Name] = Field(default_factory=list, max_length=LIMITS.genotypes)
    drugs: list[Name] = Field(default_factory=list, max_length=LIMITS.drugs)


class PetabRequest(_Model):
    context: Name = "parental"
    drugs: dict[Name, Dose] = Field(default_factory=dict, max_length=LIMITS.petab_conditions - 1)
    readouts: list[Name] = Field(default_factory=lambda: ["pAKT_S473", "pERK", "pS6"], min_length=1, max_length=8)
    estimate: list[Name] = Field(default_factory=lambda: ["k_T308"], min_length=1, max_length=LIMITS.petab_estimates)
    times: list[Annotated[float, Field(gt=0.0, le=LIMITS.hours, allow_inf_nan=False)]] = Field(
        default_factory=lambda: [1.0, 4.0, 24.0], min_length=1, max_length=20)
    seed: int = Field(0, ge=0, le=2**31 - 1)


class TrialRequest(_Model):
    spec: Name
    n: int = Field(100, ge=1, le=LIMITS.trial_members)
    seed: int | None = Field(0, ge=0, le=2**31 - 1)
