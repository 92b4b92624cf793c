"""A toy receptor–kinase family: the smallest model that declares the flagship's roles.

A receptor (``R_expression``, role expression) driven by a ligand (``L_nM``, ligand) activates a
kinase ``K``; lapatinib blocks the receptor kinase and alpelisib the kinase (roles drug
concentration, potencies pharmacology); a relative cell number ``cells`` grows with kinase
output while ``cell_growth_switch`` (protocol switch) is 1. Analyses written for the flagship
(dose-response, synergy, atlas, sensitivity) run on it unchanged, which shows they ask the
model's roles and family rather than names.

Steady state of the untreated model (analytic): ``K* = a/(a + k_off)`` with
``a = k_on·R_expression·(1 + L_nM)/(1 + lapatinib_nM/IC50_lapatinib)``.

Examples
--------
>>> from her2sim.testing import TOY_FAMILY
>>> TOY_FAMILY.resolve_context("receptor high")
('receptor high', {'R_expression': 3.0})
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ..errors import UnknownNameError, ValidationError
from ..family import ModelFamily, register_family
from ..model import AssignmentRule, Compartment, Model, Parameter, ParameterRole, Provenance, Reaction, Species, parse

__all__ = ["TOY_FAMILY", "build_toy_model", "TOY_GENOTYPES"]

_TOY = Provenance("assumed", "", "toy model for tests: round values chosen for a clear response")

#: Genotype name -> settings at full strength.
TOY_GENOTYPES: dict[str, dict[str, float]] = {
    "receptor high": {"R_expression": 3.0},
    "receptor low": {"R_expression": 0.2},
    "ligand": {"L_nM": 1.0},
}
_DRUGS = ("lapatinib", "alpelisib")


@lru_cache(maxsize=1)
def build_toy_model() -> Model:
    """The toy receptor–kinase model (time in hours, concentrations in nM)."""
    R = ParameterRole

    def p(ident: str, value: float, role: ParameterRole = R.KINETIC, units: str = "1") -> Parameter:
        return Parameter(ident, value, units=units, provenance=_TOY, role=role)

    parameters = (
        p("R_expression", 1.0, R.EXPRESSION), p("L_nM", 0.0, R.LIGAND, "nM"),
        p("lapatinib_nM", 0.0, R.DRUG_CONCENTRATION, "nM"), p("alpelisib_nM", 0.0, R.DRUG_CONCENTRATION, "nM"),
        p("IC50_lapatinib", 10.0, R.PHARMACOLOGY, "nM"), p("IC50_alpelisib", 5.0, R.PHARMACOLOGY, "nM"),
        p("k_on", 1.0, units="1/h"), p("k_off", 1.0, units="1/h"),
        p("mu_max", 0.03, units="1/h"), p("K_half", 0.2), p("death", 0.005, units="1/h"),
        p("cell_growth_switch", 1.0, R.PROTOCOL_SWITCH),
        Parameter("receptor_drive", 0.0, constant=False, units="1", provenance=Provenance("derived", "rule", "rule")),
        Parameter("pK", 0.0, constant=False, units="1", provenance=Provenance("derived", "rule", "rule")),
    )
    rules = (
        AssignmentRule("receptor_drive", parse("R_expression*(1 + L_nM)/(1 + lapatinib_nM/IC50_lapatinib)")),
        AssignmentRule("pK", parse("K/(1 + alpelisib_nM/IC50_alpelisib)")),
    )
    reactions = (
        Reaction("activation", (("K_inactive", 1.0),), (("K", 1.0),), parse("k_on*receptor_drive*K_inactive*c")),
        Reaction("inactivation", (("K", 1.0),), (("K_inactive", 1.0),), parse("k_off*K*c")),
        Reaction("growth", (), (("cells", 1.0),),
                 parse("cell_growth_switch*(mu_max*pK/(pK + K_half) - death)*cells*c")),
    )
    return Model(
        "toy_receptor_kinase",
        name="toy receptor-kinase model",
        compartments=(Compartment("c", 1.0, units="pL"),),
        species=(Species("K_inactive", "c", 1.0, units="nM"), Species("K", "c", 0.0, units="nM"),
                 Species("cells", "c", 1.0, units="1")),
        parameters=parameters,
        assignment_rules=rules,
        reactions=reactions,
        time_units="hour",
    )


def _resolve_context(context: Any) -> tuple[str, dict[str, float]]:
    if isinstance(context, Mapping):
        out: dict[str, float] = {}
        for name, strength in context.items():
            out.update({k: 1.0 + float(strength) * (v - 1.0) if k == "R_expression" else float(strength) * v
                        for k, v in _genotype(name).items()})
        return " + ".join(context) or "nominal", out
    names = [context] if isinstance(context, str) else list(context)
    if names in (["nominal"], ["parental"], []):
        return "nominal", {}
    out = {}
    for name in names:
        out.update(_genotype(name))
    return " + ".join(names), out


def _genotype(name: str) -> dict[str, float]:
    if name not in TOY_GENOTYPES:
        raise UnknownNameError("genotype", name, TOY_GENOTYPES)
    return dict(TOY_GENOTYPES[name])


def _drug_settings(doses: Mapping[str, Any]) -> dict[str, float]:
    from ..library.drugs import get_drug

    out = {}
    for name, dose in doses.items():
        drug = get_drug(name)
        if drug.name not in _DRUGS:
            raise UnknownNameError("drug (toy family)", name, _DRUGS)
        nM = drug.to_nM(float(dose[0]), dose[1]) if isinstance(dose, tuple) else float(dose)
        if not nM >= 0:
            raise ValidationError(f"dose of {name!r} must be >= 0, got {dose!r}")
        out[f"{drug.name}_nM"] = nM
    return out


TOY_FAMILY = register_family(ModelFamily(
    name="toy_receptor_kinase",
    model_id="toy_receptor_kinase",
    build=build_toy_model,
    description="toy receptor -> kinase -> growth model for tests",
    readouts=("pK", "receptor_drive", "cells"),
    growth_species="cells",
    routes={"pK": "kinase"},
    conserved={"kinase": ("K", "K_inactive")},
    default_context="nominal",
    resolve_context=_resolve_context,
    context_names=lambda: ["nominal", *TOY_GENOTYPES],
    drug_settings=_drug_settings,
    drug_names=lambda: _DRUGS,
), replace=True)
