"""Shared plumbing of the analyses: tumour contexts and one-ensemble simulation of many treatments.

Every analysis in :mod:`her2sim.analysis` follows the same protocol as
:func:`her2sim.library.protocols.treat`: each member is pre-equilibrated untreated (every drug at
0, cell number frozen), then treated from ``t = 0``. Here all members of an experiment (contexts
× treatments, controls included) go through *one* :func:`her2sim.simulate_ensemble` call, so the
compiled model is reused and the members run in parallel in C.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnknownNameError, ValidationError

__all__ = [
    "PARENTAL",
    "Context",
    "resolve_context",
    "resolve_contexts",
    "drug_concentrations",
    "run_members",
    "default_model",
]

#: Name of the unperturbed context of the default family (HER2-amplified, PTEN and PIK3CA wild
#: type: BT-474-like).
PARENTAL = "parental"

Context = str | Sequence[str] | Mapping[str, float]


def _family(family=None, model=None):
    from ..family import default_family, family_of

    if family is not None:
        return family
    if model is not None:
        found = family_of(model)
        if found is not None:
            return found
    return default_family()


def default_model(family=None):
    """The model of ``family`` (default: the default family, cached by its builder)."""
    return _family(family).model()


def resolve_context(context: Context, *, family=None) -> tuple[str, dict[str, float]]:
    """Label and parameter settings of a tumour context, in the vocabulary of ``family``.

    Parameters
    ----------
    context
        For the default (flagship) family: ``"parental"``; a genotype name (``"PTEN loss"``;
        model or catalogue names and aliases, any case); several joined by ``" + "``
        (``"PIK3CA H1047R + PTEN loss"``); a catalogued cell line (``"JIMT-1"``, with its
        genotype strengths); a list of genotype names; or a mapping ``{genotype: strength}``
        (see :func:`her2sim.library.her2_family.resolve_context`).
    family
        A :class:`~her2sim.family.ModelFamily` (default: the default family).

    Returns
    -------
    (str, dict)
        A display label and ``{parameter id: value}``.

    Raises
    ------
    UnknownNameError
        An unknown genotype or cell line, with the closest valid name.

    Examples
    --------
    >>> resolve_context("PTEN loss")
    ('PTEN loss', {'PTEN_level': 0.0})
    >>> resolve_context("parental")
    ('parental', {})
    """
    fam = _family(family)
    if fam.resolve_context is None:
        raise ValidationError(f"contexts: family {fam.name!r} has no context vocabulary; give a mapping "
                              "{label: {parameter id: value}}")
    return fam.resolve_context(context)


def resolve_contexts(contexts: Context | Sequence[Context] | Mapping[str, Mapping[str, float]], *, family=None
                     ) -> dict[str, dict[str, float]]:
    """Resolve several contexts; a mapping ``{label: {parameter: value}}`` is taken as given."""
    if isinstance(contexts, str):
        contexts = [contexts]
    if isinstance(contexts, Mapping):
        out: dict[str, dict[str, float]] = {}
        for label, value in contexts.items():
            if isinstance(value, Mapping) and all(isinstance(v, (int, float)) for v in value.values()):
                out[str(label)] = {str(k): float(v) for k, v in value.items()}
            else:
                out[str(label)] = resolve_context(value, family=family)[1]
        return out
    out = {}
    for context in contexts:
        label, settings = resolve_context(context, family=family)
        if label in out:
            raise ValidationError(f"context {label!r} is listed twice")
        out[label] = settings
    if not out:
        raise ValidationError("contexts must name at least one context (e.g. 'parental')")
    return out


def drug_concentrations(doses: Mapping[str, float | tuple[float, str]], *, family=None,
                        serum_percent: float | None = None) -> dict[str, float]:
    """``{drug name: nominal in-vitro dose}`` → ``{model parameter: free nM}`` (bare numbers are nM).

    ``serum_percent`` (None: the family's default, 10 % for the flagship) sets the medium whose
    unbound fraction turns nominal doses into free concentrations.
    """
    fam = _family(family)
    if fam.drug_settings is None:
        raise ValidationError(f"drugs: family {fam.name!r} has no drug vocabulary")
    if serum_percent is None:
        return fam.drug_settings(doses)
    return fam.drug_settings(doses, serum_percent=serum_percent)


def drug_parameter(drug: str, *, family=None, model=None) -> str:
    """The id of the model parameter that holds the concentration of ``drug`` (the family's vocabulary)."""
    fam = _family(family, model)
    if fam.drug_settings is None:
        raise ValidationError(f"drugs: family {fam.name!r} has no drug vocabulary")
    return next(iter(fam.drug_settings({drug: 0.0})))


def drug_names(*, family=None, model=None) -> list[str]:
    """The drugs the family's model has concentration parameters for."""
    fam = _family(family, model)
    return list(fam.drug_names()) if fam.drug_names is not None else []


def default_readouts(analysis: str, model=None) -> tuple[str, ...]:
    """The read-outs ``analysis`` reports by default for the model's family (default family otherwise)."""
    return _family(None, model).readouts_for(analysis)


def growth_species(model=None) -> str:
    """The cell-number read-out of the model's family (``cells`` for a model of no family)."""
    from ..family import family_of

    fam = family_of(model)
    return fam.growth_species if fam is not None and fam.growth_species else "cells"


def run_members(
    members: Sequence[Mapping[str, float]],
    *,
    times: Sequence[float],
    outputs: Sequence[str],
    model=None,
    n_threads: int | None = None,
    schedule: Sequence[tuple[float, Mapping[str, float]]] = (),
) -> xr.Dataset:
    """Simulate many fully specified members in one ensemble call.

    Parameters
    ----------
    members
        One ``{parameter id: value}`` per member (drugs in nM, genotype settings, ligands).
        Parameters a member does not name keep the model's value; drugs not named are 0.
        Members are pre-equilibrated with the model's drug concentrations and protocol switches
        at 0 (their parameter roles), then run from ``t = 0``.
    times
        Output times in hours from treatment start.
    outputs
        Read-outs (e.g. ``"cells"``, ``"pAKT_S473"``).
    schedule
        Changes applied to *every* member at given times (e.g. from :mod:`her2sim.library.pk`).

    Returns
    -------
    xarray.Dataset
        Dims ``member × time`` as returned by :func:`her2sim.simulate_ensemble`.
    """
    from ..model.roles import untreated_overrides
    from ..protocol import Protocol

    simulate_ensemble = _simulate_ensemble()
    model = model or default_model()
    if not members:
        raise ValidationError("at least one member is needed")
    defaults = {p.id: float(p.value) for p in model.parameters}
    keys = sorted({k for m in members for k in m})
    for k in keys:
        if k not in defaults:
            raise UnknownNameError("parameter", k, defaults)
    columns = {k: np.asarray([float(m.get(k, defaults[k])) for m in members]) for k in keys}
    # drugs and protocol switches (cell growth) at 0 before treatment: asked of the parameter roles
    protocol = Protocol(times=tuple(np.asarray(times, dtype=float)), preequilibrate=untreated_overrides(model) or False,
                        schedule=tuple(schedule))
    return simulate_ensemble(model, None, columns, protocol=protocol, outputs=list(outputs), n_threads=n_threads)


def _simulate_ensemble():
    """``her2sim.simulate_ensemble`` (imported lazily)."""
    from ..simulation import simulate_ensemble

    return simulate_ensemble


def provenance(model, **extra: Any) -> dict[str, Any]:
    """Dataset attrs shared by every analysis result."""
    from .. import __version__

    attrs: dict[str, Any] = {
        "her2sim_version": __version__,
        "model_id": model.id,
        "model_sha256": model.fingerprint(),
        "protocol": ("pre-equilibrate untreated (drugs 0, cell number frozen), treat at t = 0; "
                     "all members in one simulate_ensemble call"),
        "time_units": "hour",
        "concentration_units": "nM",
    }
    attrs.update({k: (v if isinstance(v, (str, int, float)) else repr(v)) for k, v in extra.items()})
    return attrs
