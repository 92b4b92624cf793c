"""Read-outs of :mod:`her2sim.analysis.sensitivity`: the declarative :class:`Readout` and its text forms."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, final

import numpy as np

from ..errors import UnknownNameError, ValidationError
from ._sens_base import QUANTITIES, Dose

# ------------------------------------------------------------------------------------------------
# read-outs


def _normalise_drugs(drugs: Mapping[str, Dose] | Sequence[tuple[str, float, str]] | None
                     ) -> tuple[tuple[str, float, str], ...]:
    if not drugs:
        return ()
    items: list[tuple[str, float, str]] = []
    if isinstance(drugs, Mapping):
        for name, dose in drugs.items():
            if isinstance(dose, tuple):
                value, unit = dose
            else:
                value, unit = dose, "nM"
            items.append((str(name), float(value), str(unit)))
    else:
        for entry in drugs:
            name, value, unit = entry
            items.append((str(name), float(value), str(unit)))
    for name, value, _ in items:
        if not (np.isfinite(value) and value >= 0):
            raise ValidationError(f"drugs: the dose of {name!r} must be a finite number >= 0, got {value!r}")
    names = [n for n, _, _ in items]
    if len(set(names)) != len(names):
        raise ValidationError(f"drugs: a drug is listed twice in {names}")
    return tuple(sorted(items))


def _growth() -> str:
    """The cell-number output of the default family (the growth read-outs' default)."""
    from ._runs import growth_species

    return growth_species(None)


@final
@dataclass(frozen=True)
class Readout:
    """A scalar read-out: ``output`` at ``time`` hours after treatment start under ``drugs``.

    Parameters
    ----------
    output
        A model output id (``"pAKT_S473"``, ``"cells"``, any species or observable).
    time
        Hours after treatment start (``0`` is the untreated steady state).
    drugs
        ``{drug: dose}``; a dose is nM or ``(value, unit)``, e.g. ``(10, "ug/mL")``. Stored as a
        sorted tuple of ``(name, value, unit)`` so that the read-out is hashable and picklable.
    quantity
        One of :data:`QUANTITIES`: ``"value"`` (default), ``"fold_change"``,
        ``"inhibition_percent"`` or ``"gr"``; the last three compare with the untreated control
        of the same context and parameters, so they need at least one drug.

    Examples
    --------
    >>> Readout("pAKT_S473", 24).label
    'pAKT_S473 at 24 h'
    >>> Readout.growth_inhibition({"lapatinib": 1000}).label
    'growth inhibition at 72 h under lapatinib 1000 nM'
    """

    output: str
    time: float
    drugs: tuple[tuple[str, float, str], ...] = field(default=())
    quantity: str = "value"

    def __post_init__(self) -> None:
        if not isinstance(self.output, str) or not self.output:
            raise ValidationError(f"output must be a non-empty model output id, got {self.output!r}")
        t = float(self.time)
        if not (np.isfinite(t) and t >= 0):
            raise ValidationError(f"time must be a finite number of hours >= 0, got {self.time!r}")
        object.__setattr__(self, "time", t)
        object.__setattr__(self, "drugs", _normalise_drugs(self.drugs))  # type: ignore[arg-type]
        if self.quantity not in QUANTITIES:
            raise UnknownNameError("quantity", str(self.quantity), QUANTITIES)
        if self.quantity != "value" and not self.drugs:
            raise ValidationError(
                f"quantity={self.quantity!r} compares treated with untreated, so drugs must name at least "
                "one drug (e.g. drugs={'lapatinib': 1000})")
        if self.quantity == "gr" and t <= 0:
            raise ValidationError(f"quantity='gr' needs time > 0 (growth since treatment start), got {t!r}")

    # -------------------------------------------------------------- constructors
    @classmethod
    def level(cls, output: str, time: float, drugs: Mapping[str, Dose] | None = None) -> Readout:
        """The output's value at ``time`` (e.g. pAKT at 24 h), optionally under drugs."""
        return cls(output, time, _normalise_drugs(drugs), "value")

    @classmethod
    def fold_change(cls, output: str, time: float, drugs: Mapping[str, Dose]) -> Readout:
        """Treated over untreated value of ``output`` at ``time``."""
        return cls(output, time, _normalise_drugs(drugs), "fold_change")

    @classmethod
    def growth_inhibition(cls, drugs: Mapping[str, Dose], time: float = 72.0, *, output: str | None = None) -> Readout:
        """% growth inhibition of the relative cell number at ``time`` (``100·(1 − x/x_ctrl)``).

        ``output``: the cell-number output (default: the default family's growth species).
        """
        return cls(output or _growth(), time, _normalise_drugs(drugs), "inhibition_percent")

    @classmethod
    def gr(cls, drugs: Mapping[str, Dose], time: float = 72.0, *, output: str | None = None) -> Readout:
        """GR value of the relative cell number at ``time`` (Hafner et al. 2016); ``output`` as above."""
        return cls(output or _growth(), time, _normalise_drugs(drugs), "gr")

    # ---------------------------------------------------------------- properties
    @property
    def needs_control(self) -> bool:
        """Whether the untreated control of the same member is needed."""
        return self.quantity != "value"

    @property
    def label(self) -> str:
        """Display label, unique per read-out (used as the ``readout`` coordinate)."""
        if self.quantity == "value":
            what = self.output
        elif self.quantity == "fold_change":
            what = f"{self.output} fold change"
        elif self.quantity == "inhibition_percent":
            what = "growth inhibition" if self.output == _growth() else f"{self.output} inhibition"
        else:
            what = "GR" if self.output == _growth() else f"GR of {self.output}"
        under = " + ".join(f"{n} {v:g} {u}" for n, v, u in self.drugs)
        return f"{what} at {self.time:g} h" + (f" under {under}" if under else "")

    def units(self, output_units: str = "") -> str:
        """Units of the read-out given the units of its output."""
        return {"value": output_units, "fold_change": "1", "inhibition_percent": "%", "gr": "1"}[self.quantity]

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly description (also used in result attrs and the store manifest)."""
        return {"output": self.output, "time_h": self.time, "quantity": self.quantity,
                "drugs": [[n, v, u] for n, v, u in self.drugs]}


_READOUT_TEXT = re.compile(r"^\s*(?:(?P<prefix>[A-Za-z_ ]+):)?\s*(?P<output>[^@:]+?)?\s*@\s*"
                           r"(?P<time>[0-9.eE+-]+)\s*(?:h|hr|hours?)?\s*$")
_SHORTHANDS = {"gi": "inhibition_percent", "growth_inhibition": "inhibition_percent",
               "inhibition": "inhibition_percent", "gr": "gr"}
_PREFIXES = {"value": "value", "fold": "fold_change", "fold_change": "fold_change",
             "inhibition": "inhibition_percent", "inhibition_percent": "inhibition_percent", "gr": "gr"}


def parse_readout(text: str, *, drugs: Mapping[str, Dose] | None = None) -> Readout:
    """A :class:`Readout` from short text, as used by the command line.

    Forms: ``"pAKT_S473@24h"`` (value), ``"fold:pAKT_S473@24h"`` (fold change),
    ``"gi@72h"`` (% growth inhibition of ``cells``), ``"gr@72h"`` (GR value of ``cells``),
    ``"inhibition:pERK@24h"``.

    Raises
    ------
    ValidationError
        Text that does not match ``[quantity:]output@<hours>h``.

    Examples
    --------
    >>> parse_readout("gi@72h", drugs={"lapatinib": 1000}).quantity
    'inhibition_percent'
    >>> parse_readout("pAKT_S473@24h").time
    24.0
    """
    match = _READOUT_TEXT.match(text or "")
    if match is None:
        raise ValidationError(
            f"readout={text!r} is not understood; use [quantity:]output@<hours>h, e.g. 'pAKT_S473@24h', "
            "'fold:pAKT_S473@24h', 'gi@72h' or 'gr@72h'")
    prefix, output, hours = match.group("prefix"), (match.group("output") or "").strip(), match.group("time")
    try:
        t = float(hours)
    except ValueError:
        raise ValidationError(f"readout={text!r}: {hours!r} is not a number of hours") from None
    if prefix is None and output.lower() in _SHORTHANDS:
        return Readout(_growth(), t, _normalise_drugs(drugs), _SHORTHANDS[output.lower()])
    quantity = "value"
    if prefix is not None:
        key = prefix.strip().lower()
        if key not in _PREFIXES:
            raise UnknownNameError("readout quantity", key, _PREFIXES)
        quantity = _PREFIXES[key]
    if not output:
        raise ValidationError(f"readout={text!r} names no output before '@'")
    return Readout(output, t, _normalise_drugs(drugs), quantity)


_DOSE_TEXT = re.compile(r"^\s*(?P<name>[^=]+?)\s*=\s*(?P<value>[0-9.eE+-]+)\s*(?P<unit>[^\s0-9][^\s]*)?\s*$")


def parse_doses(text: str) -> dict[str, Dose]:
    """``"lapatinib=1000nM, trastuzumab=10ug/mL"`` → ``{"lapatinib": (1000.0, "nM"), ...}``.

    A dose without a unit is nM. An empty text gives ``{}``.

    Examples
    --------
    >>> parse_doses("trastuzumab=10ug/mL")
    {'trastuzumab': (10.0, 'ug/mL')}
    """
    out: dict[str, Dose] = {}
    for part in (p for p in (text or "").split(",") if p.strip()):
        match = _DOSE_TEXT.match(part)
        if match is None:
            raise ValidationError(f"drugs: {part.strip()!r} is not understood; use name=value[unit], "
                                  "e.g. 'lapatinib=1000nM' or 'trastuzumab=10ug/mL'")
        try:
            value = float(match.group("value"))
        except ValueError:
            raise ValidationError(f"drugs: {match.group('value')!r} is not a number in {part.strip()!r}") from None
        out[match.group("name")] = (value, match.group("unit") or "nM")
    return out


