"""Model families: a model together with the vocabulary, read-outs and protocol that come with it.

A :class:`ModelFamily` is what the analyses and the calibration take instead of asking "is this
the flagship?". It bundles

* ``build`` — the kinetic model (composed from submodels where the family has them);
* ``resolve_context`` — tumour contexts (genotypes, cell lines, ``{genotype: strength}``) as
  parameter settings, and ``context_names`` for messages;
* ``drug_settings`` — doses (``{drug: nM or (value, unit)}``) as parameter settings;
* ``readouts``, ``growth_species`` (the relative cell number of growth end points),
  ``routes`` (read-out -> label, the signals a resistance atlas follows) and ``default_context``;
* ``in_vitro_doses`` — drug action -> ``(value, unit, source)``, the nominal dose of cell studies
  (the atlas's ``in_vitro`` exposure); a family without it uses the default family's;
* ``default_readouts`` — analysis name (``"dose_response"``, ``"synergy"``, ``"regimen"``,
  ``"rescue"``) -> the read-outs it reports by default (:meth:`ModelFamily.readouts_for`; the
  ``routes`` read-outs where none is declared), ``readout_labels`` (read-out -> short label) and
  ``in_vivo_switch`` (the parameter that turns on in-vivo effects, if the model has one);
* ``conserved`` moieties (``{name: species ids whose amounts sum to a constant}``), checked by
  the standard model battery (:mod:`her2sim.testing.battery`);
* optionally the logical twin and its node map.

Everything else generic code needs is a question to the model's parameter roles
(:mod:`her2sim.model.roles`). Families register themselves (:func:`register_family`); the shipped
ones are listed by :data:`her2sim.library.FAMILIES` and loaded on first use.

Examples
--------
>>> fam = default_family()
>>> fam.model().id == fam.model_id
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from .errors import UnknownNameError, ValidationError
from .model import Model

__all__ = ["ModelFamily", "register_family", "get_family", "family_of", "default_family", "list_families"]


@dataclass(frozen=True)
class ModelFamily:
    """A model and its vocabulary (see the module docstring)."""

    name: str
    model_id: str
    build: Callable[[], Model]
    description: str = ""
    readouts: tuple[str, ...] = ()
    growth_species: str | None = None
    routes: Mapping[str, str] = field(default_factory=dict)
    conserved: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    default_context: str = "nominal"
    resolve_context: Callable[[Any], tuple[str, dict[str, float]]] | None = None
    context_names: Callable[[], Sequence[str]] | None = None
    drug_settings: Callable[[Mapping[str, Any]], dict[str, float]] | None = None
    drug_names: Callable[[], Sequence[str]] | None = None
    logical: Callable[[], Any] | None = None
    node_map: Callable[[], Any] | None = None
    submodels: tuple[str, ...] = ()
    in_vitro_doses: Callable[[], Mapping[str, tuple[float, str, str]]] | None = None
    default_readouts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    readout_labels: Mapping[str, str] = field(default_factory=dict)
    in_vivo_switch: str | None = None
    #: parameters a growth dose-response fit (e.g. :mod:`her2sim.calibration.ccle`) estimates by default:
    #: the growth read-out's shape and depth, never the pharmacology (the family says why in its docs)
    dose_response_parameters: tuple[str, ...] = ()

    def readouts_for(self, analysis: str) -> tuple[str, ...]:
        """Read-outs ``analysis`` reports by default: declared in ``default_readouts``, else the routes."""
        return tuple(self.default_readouts.get(analysis, tuple(self.routes)))

    def label(self, readout: str) -> str:
        """Short label of a read-out (``readout_labels``, then ``routes``, else the id)."""
        return self.readout_labels.get(readout) or self.routes.get(readout) or readout

    def model(self) -> Model:
        """The family's kinetic model (built once, cached by the builder)."""
        model = self.build()
        if model.id != self.model_id:
            raise ValidationError(f"family {self.name!r} built model {model.id!r}, expected {self.model_id!r}")
        return model

    def ensemble(self, path: Any = None) -> Any:
        """The calibrated ensemble of plausible parameter sets for this family's model version.

        Without ``path``, the ensemble shipped with her2sim for this model
        (``her2sim/library/data/ensembles/<model_id>/``); with ``path``, that ensemble folder.
        Either is refused (:class:`ValidationError`) unless made for the current model version
        (:meth:`her2sim.calibration.ensemble.Ensemble.check_model`).
        """
        from pathlib import Path

        from .calibration.ensemble import load_ensemble

        if path is None:
            folder = Path(__file__).parent / "library" / "data" / "ensembles" / self.model_id
            if not folder.is_dir():
                raise ValidationError(
                    f"no calibrated ensemble is shipped for model {self.model_id!r}: run "
                    f"`her2sim calibrate-model ensemble --ship` (or pass an ensemble folder as family.ensemble(path))"
                )
            path = folder
        return load_ensemble(path, self.model())

    def owns(self, model: Model) -> bool:
        """True if ``model`` is this family's model (or a variant with the same id)."""
        return getattr(model, "id", None) == self.model_id


_REGISTRY: dict[str, ModelFamily] = {}
_LOADED = False


def _load_shipped() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    library = import_module("her2sim.library")
    for path in getattr(library, "FAMILIES", ()):
        module, _, attr = path.partition(":")
        register_family(getattr(import_module(module), attr))


def register_family(family: ModelFamily, *, replace: bool = False) -> ModelFamily:
    """Make ``family`` known to :func:`family_of` and :func:`get_family`; returns it."""
    if not isinstance(family, ModelFamily):
        raise ValidationError(f"register_family needs a ModelFamily, got {type(family).__name__}")
    _load_shipped()  # shipped families first, so the default family never depends on import order
    if family.name in _REGISTRY and _REGISTRY[family.name] is not family and not replace:
        raise ValidationError(f"a model family named {family.name!r} is already registered")
    _REGISTRY[family.name] = family
    return family


def list_families() -> tuple[str, ...]:
    """Names of the registered families (shipped ones first)."""
    _load_shipped()
    return tuple(_REGISTRY)


def get_family(name: str) -> ModelFamily:
    """The family called ``name`` (:class:`UnknownNameError` names the closest)."""
    _load_shipped()
    if name not in _REGISTRY:
        raise UnknownNameError("family", name, list(_REGISTRY))
    return _REGISTRY[name]


def family_of(model: Model | None) -> ModelFamily | None:
    """The registered family whose model has ``model.id``; None for a model of no family."""
    _load_shipped()
    if model is None:
        return default_family()
    for family in reversed(_REGISTRY.values()):  # a family registered later may specialise a model id
        if family.owns(model):
            return family
    return None


def default_family() -> ModelFamily:
    """The first shipped family (the analyses' default)."""
    _load_shipped()
    if not _REGISTRY:
        raise ValidationError("no model family is registered")
    return next(iter(_REGISTRY.values()))
