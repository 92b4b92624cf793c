"""Shared constants and types of :mod:`her2sim.analysis.sensitivity` (quantities, groups, methods, references)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

#: How a read-out is formed from a model output ``y`` (treated) and ``y_ctrl`` (untreated control).
QUANTITIES: dict[str, str] = {
    "value": "the output itself under the treatment",
    "fold_change": "y / y_ctrl at the same time",
    "inhibition_percent": "100·(1 − y/y_ctrl): % growth inhibition when the output is 'cells'",
    "gr": "GR value 2^(log2(y/y0)/log2(y_ctrl/y0)) − 1 (Hafner et al. 2016, Nat Methods 13:521)",
}
#: Parameter groups of the flagship model (see :func:`parameter_groups`).
PARAMETER_GROUPS: dict[str, str] = {
    "kinetic": "tumour biology: rate constants, totals, Michaelis and feedback constants, growth law",
    "pharmacology": "drug potencies (IC50, Kd), cellular shifts and drug-mechanism constants",
    "input": "genotype switches, expression levels, ligands and the cell-growth switch",
    "treatment": "drug concentrations (set by read-outs, never varied)",
}
METHODS: tuple[str, ...] = ("local", "morris", "sobol")

Dose = float | tuple[float, str]
ContextSpec = str | Sequence[Any] | Mapping[str, Any] | None
Progress = Callable[[int, int], None]

_HAFNER = "Hafner M et al. 2016, Nat Methods 13:521-7 (GR metrics)"
_MORRIS_REF = "Morris 1991 Technometrics 33:161; Campolongo et al. 2007 Environ Model Softw 22:1509 (mu*)"
_SOBOL_REF = "Saltelli 2002 Comput Phys Commun 145:280; Saltelli et al. 2010 Comput Phys Commun 181:259"
_SALIB_REF = "Herman J, Usher W 2017, J Open Source Softw 2:97 (SALib)"
_STORE_FORMAT = "her2sim-sensitivity-chunks/1"


