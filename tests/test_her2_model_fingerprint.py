"""The flagship composed from its submodels is the model the single builder made.

Oracle: a fingerprint of ``her2_pi3k_akt`` recorded from the monolithic builder before it was
split into submodels (``tests/data/her2_model_fingerprint.json``): every compartment, species,
parameter (id, value, units, role, provenance), reaction (stoichiometry, modifiers, the rate
expression as a string) and assignment rule, in order, plus the model's own content hashes
(:meth:`her2sim.model.Model.fingerprint`, the structure hash keys the compiled-code cache).
Tolerance: none — equality of strings and of ``repr`` of every float.

To re-record after an intended model change (say why in the commit):
``python tests/test_her2_model_fingerprint.py``.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from pathlib import Path

import sympy

RECORD = Path(__file__).parent / "data" / "her2_model_fingerprint.json"


def _plain(value):
    if isinstance(value, sympy.Basic):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float):
        return repr(value)
    return value


def fingerprint(model) -> dict:
    """Everything that makes the model what it is, as JSON-ready data (floats as ``repr``)."""
    return {
        "id": model.id,
        "name": model.name,
        "time_units": model.time_units,
        "citation": model.citation,
        "notes": model.notes,
        "metadata": _plain(dict(model.metadata)),
        "content_hash": model.fingerprint(),
        "structure_hash": model.fingerprint(structure_only=True),
        "compartments": _plain(model.compartments),
        "species": _plain(model.species),
        "parameters": _plain(model.parameters),
        "reactions": _plain(model.reactions),
        "assignment_rules": _plain(model.assignment_rules),
        "rate_rules": _plain(model.rate_rules),
        "events": _plain(model.events),
    }


def _compare(section: str, got, want) -> None:
    assert len(got) == len(want), f"{section}: {len(got)} items, recorded {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"{section}[{i}] differs:\n  now:      {g}\n  recorded: {w}"


def test_composed_flagship_is_the_recorded_model():
    from her2sim.library.her2_model import build

    got = fingerprint(build())
    want = json.loads(RECORD.read_text(encoding="utf-8"))
    for section in ("compartments", "species", "parameters", "reactions", "assignment_rules",
                    "rate_rules", "events"):
        _compare(section, got[section], want[section])
    for key in ("id", "name", "time_units", "citation", "notes", "metadata"):
        assert got[key] == want[key], key
    # the same content hash and cache key as the monolithic builder
    assert got["structure_hash"] == want["structure_hash"]
    assert got["content_hash"] == want["content_hash"]


def test_a_parameter_declared_by_two_submodels_is_refused():
    import pytest

    from her2sim import UnknownNameError, ValidationError
    from her2sim.library.her2 import Builder, compose

    with pytest.raises(ValidationError, match="HER2_expression.*two submodels"):
        compose(("inputs", "inputs"))
    with pytest.raises(UnknownNameError, match="species"):
        with Builder().phase("specie"):
            pass


if __name__ == "__main__":  # record (see the module docstring)
    from her2sim.library.her2_model import build

    RECORD.write_text(json.dumps(fingerprint(build()), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print("recorded", RECORD)
