"""Questions to a model about its parameters' roles (:class:`~her2sim.model.ParameterRole`).

Generic code (protocols, analyses, calibration) asks these instead of reading naming conventions:
which parameters are drugs, which are set to zero before treatment, which a tumour context sets,
which an ensemble may perturb.

Examples
--------
>>> from her2sim.model import Compartment, Model, Parameter, ParameterRole
>>> m = Model("m", compartments=(Compartment("c"),), parameters=(
...     Parameter("k", 1.0), Parameter("drug_nM", 0.0, role=ParameterRole.DRUG_CONCENTRATION)))
>>> drug_parameters(m), untreated_overrides(m)
(('drug_nM',), {'drug_nM': 0.0})
"""

from __future__ import annotations

from .components import Parameter, ParameterRole
from .model import Model

__all__ = [
    "ParameterRole",
    "CONTEXT_ROLES",
    "PERTURBABLE_ROLES",
    "SENSITIVITY_GROUPS",
    "with_role",
    "role_of",
    "drug_parameters",
    "untreated_overrides",
    "context_parameters",
    "perturbable_parameters",
    "sensitivity_group",
]

#: Roles a tumour context (genotype, cell line, medium) sets.
CONTEXT_ROLES = (ParameterRole.EXPRESSION, ParameterRole.GENOTYPE, ParameterRole.LIGAND,
                 ParameterRole.PROTOCOL_SWITCH)
#: Roles an ensemble or sensitivity analysis varies by default.
PERTURBABLE_ROLES = (ParameterRole.KINETIC, ParameterRole.READOUT_WEIGHT)
#: Role -> group of :func:`her2sim.analysis.sensitivity.parameter_groups`.
SENSITIVITY_GROUPS = {
    ParameterRole.KINETIC: "kinetic",
    ParameterRole.READOUT_WEIGHT: "kinetic",
    ParameterRole.PHARMACOLOGY: "pharmacology",
    ParameterRole.DRUG_CONCENTRATION: "treatment",
    ParameterRole.EXPRESSION: "input",
    ParameterRole.GENOTYPE: "input",
    ParameterRole.LIGAND: "input",
    ParameterRole.PROTOCOL_SWITCH: "input",
}


def _settable(model: Model) -> list[Parameter]:
    ruled = {r.variable for r in model.assignment_rules} | {r.variable for r in model.rate_rules}
    ruled |= {ia.symbol for ia in model.initial_assignments}
    return [p for p in model.parameters if p.id not in ruled]


def with_role(model: Model, *roles: ParameterRole) -> tuple[str, ...]:
    """Ids of the settable parameters (not computed by rules) with any of ``roles``, in model order."""
    wanted = {ParameterRole(r) for r in roles}
    return tuple(p.id for p in _settable(model) if p.role in wanted)


def role_of(model: Model, ident: str) -> ParameterRole:
    """The role of parameter ``ident`` (:class:`~her2sim.errors.UnknownNameError` if absent)."""
    return model.get_parameter(ident).role


def drug_parameters(model: Model) -> tuple[str, ...]:
    """Parameters holding drug concentrations."""
    return with_role(model, ParameterRole.DRUG_CONCENTRATION)


def untreated_overrides(model: Model) -> dict[str, float]:
    """Pre-equilibration overrides: every drug and every protocol switch (e.g. cell growth) at 0."""
    return {pid: 0.0 for pid in with_role(model, ParameterRole.DRUG_CONCENTRATION, ParameterRole.PROTOCOL_SWITCH)}


def context_parameters(model: Model) -> tuple[str, ...]:
    """Parameters a tumour context sets (expression, genotype switches, ligands, protocol switches)."""
    return with_role(model, *CONTEXT_ROLES)


def perturbable_parameters(model: Model) -> tuple[str, ...]:
    """Parameters an ensemble varies by default: kinetic constants and read-out weights, non-zero."""
    return tuple(p.id for p in _settable(model) if p.role in PERTURBABLE_ROLES and float(p.value) != 0.0)


def sensitivity_group(role: ParameterRole) -> str:
    """``kinetic``, ``pharmacology``, ``treatment`` or ``input``."""
    return SENSITIVITY_GROUPS[ParameterRole(role)]
