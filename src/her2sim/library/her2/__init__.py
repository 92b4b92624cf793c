"""The flagship's submodels and the one function that composes them.

Each submodel is a module with ``add(b)`` that writes its parameters (each with a provenance and
a role), assignment rules, reactions, read-outs and species into a
:class:`~her2sim.library.her2._base.Builder`:

========================  ==================================================================
``inputs``                genotype strengths, ligands, protocol switches (runtime inputs)
``drug_action``           drug concentrations, free cellular potencies, occupancies/inhibitions
``receptors``             HER2 (shedding → p95), EGFR, HER3, IGF1R/IRS1; receptor drives
``pi3k_akt``              PI3K recruitment, PIK3CA alleles, PIP3/PTEN, AKT, mTORC2
``mtor``                  FOXO, TSC2/RHEB → mTORC1 → S6K, S6, 4E-BP1
``ras_erk``               SOS → RAS → RAF → MEK → ERK
``er``                    oestrogen receptor α and its crosstalk
``phenotype``             cyclin D1/CDK4/6, p27, Rb/E2F, BIM/BAD, ADCC, ``cells``
========================  ==================================================================

Submodels refer to each other's variables by name only (in rate-law text), so a variant can
swap one out (:func:`compose` with another tuple). :func:`her2sim.library.her2_model.build` is
``compose()`` with the model's name, units and notes. The tumour contexts (genotypes, cell
lines) are :mod:`.context`; the read-out catalogue is :mod:`.readouts`.

Examples
--------
>>> SUBMODELS[:3]
('inputs', 'drug_action', 'receptors')
>>> model = compose()
>>> model.id, "ESR1" in {s.id for s in model.species}
('her2_pi3k_akt', True)
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import Any

from ...model import Model
from ._base import Builder

__all__ = ["SUBMODELS", "compose", "Builder"]

#: The flagship's submodels in composition order (the order of the model's elements follows it).
SUBMODELS: tuple[str, ...] = (
    "inputs", "drug_action", "receptors", "pi3k_akt", "mtor", "ras_erk", "er", "phenotype",
)


def _submodel(name: str | ModuleType) -> ModuleType:
    return name if isinstance(name, ModuleType) else import_module(f"{__name__}.{name}")


def compose(submodels: tuple[str | ModuleType, ...] = SUBMODELS, *, model_id: str = "her2_pi3k_akt",
            **attributes: Any) -> Model:
    """The model made of ``submodels`` (names in this package, or modules with ``add(b)``), in order."""
    b = Builder()
    for sub in submodels:
        _submodel(sub).add(b)
    return b.model(model_id, **attributes)
