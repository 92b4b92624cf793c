"""CLI helpers for the flagship model: name lists, context and dose parsing (lookups only, no science)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd
import typer

__all__ = ["LISTS", "list_table", "parse_context", "parse_contexts", "parse_dose", "flagship_readouts", "check_drugs"]

LISTS: tuple[str, ...] = ("genotypes", "cell-lines", "drugs", "regimens", "readouts")


def list_table(what: str) -> pd.DataFrame:
    """A short table of the names the CLI accepts for ``what`` (one of :data:`LISTS`)."""
    from ..library import her2_model as hm

    if what == "genotypes":
        rows = [{"name": name, "accepted as": "model genotype (strength 0-1 with NAME:STRENGTH)",
                 "parameters at full strength": ", ".join(f"{k}={v:g}" for k, v in values.items()),
                 "description": text}
                for name, (values, text) in hm.GENOTYPES.items()]
        for name, (model_name, scale, direct, note) in hm.CATALOGUE_GENOTYPES.items():
            if name in hm.GENOTYPES:
                continue
            target = (f"{model_name} at strength {scale:g}" if model_name
                      else ", ".join(f"{k}={v:g}" for k, v in direct.items()))
            rows.append({"name": name, "accepted as": "catalogue name", "parameters at full strength": target,
                         "description": note})
        return pd.DataFrame(rows)
    if what == "cell-lines":
        from ..family import default_family
        from ..library.cell_lines import all_cell_lines

        family = default_family()
        rows = []
        for line in all_cell_lines():
            try:
                settings = family.resolve_context(line.name)[1]
                modelled = ", ".join(f"{k}={v:g}" for k, v in settings.items()) or "none (= parental)"
            except Exception as exc:  # a catalogue line without a model preset is listed, not hidden
                modelled = f"not modelled ({type(exc).__name__})"
            rows.append({"name": line.name, "HER2": line.her2_status,
                         "genotypes": ", ".join(i.genotype for i in line.genotypes) or "-",
                         "model settings": modelled})
        return pd.DataFrame(rows)
    if what == "drugs":
        from ..library.drugs import all_drugs

        rows = [{"name": d.name, "class": d.drug_class, "modality": d.modality, "action": d.action,
                 "model input": hm.drug_parameter(d.name), "MW [g/mol]": f"{d.molecular_weight:g}",
                 "aliases": ", ".join(d.aliases)} for d in all_drugs()]
        return pd.DataFrame(rows)
    if what == "regimens":
        from ..library import pk

        rows = [{"name": r.name, "drug": r.drug,
                 "dose": f"{r.maintenance:g} mg{'/kg' if r.per_kg else ''}"
                         + (f" (loading {r.loading:g})" if r.loading is not None else ""),
                 "interval [h]": f"{r.interval_h:g}",
                 "schedule": f"{r.days_on} days on / {r.days_off} off" if r.days_on else "continuous",
                 "source": r.source} for r in pk.REGIMENS.values()]
        return pd.DataFrame(rows)
    if what == "readouts":
        rows = [{"name": "cells", "units": "1", "description": "relative cell number x(t)/x(0)"}]
        rows += [{"name": k, "units": u, "description": text} for k, (u, text) in hm.OBSERVABLES.items()]
        return pd.DataFrame(rows)
    from ._common import check_choice

    check_choice("WHAT", what, LISTS)
    raise AssertionError("unreachable")  # pragma: no cover


def flagship_readouts() -> list[str]:
    """Names accepted by ``simulate --readout`` for the flagship model."""
    from ..library import her2_model as hm

    return ["cells", *hm.OBSERVABLES]


_STRENGTH = re.compile(r"^(?P<name>.+?)\s*:\s*(?P<strength>[-+0-9.eE]+)\s*$")


def parse_context(text: str, *, option: str = "--contexts") -> Any:
    """A context string → what :func:`her2sim.analysis._runs.resolve_context` accepts.

    ``"PTEN loss:0.8 + PIK3CA H1047R"`` (strengths) and catalogue genotype names such as
    ``"PTEN loss (complete)"`` become ``{genotype: strength}``; anything else (``parental``,
    model genotypes, cell lines) is passed through and checked by the analysis.
    """
    from ..library import her2_model as hm

    parts = [p.strip() for p in text.split(" + ") if p.strip()]
    strengths: dict[str, float] = {}
    mapped = False
    for part in parts:
        match = _STRENGTH.match(part)
        if match:
            try:
                value = float(match["strength"])
            except ValueError:
                raise typer.BadParameter(f"strength in {part!r} is not a number (write NAME:0.8)",
                                         param_hint=option) from None
            strengths[match["name"]] = value
            mapped = True
        else:
            strengths[part] = 1.0
            mapped |= part in hm.CATALOGUE_GENOTYPES and part not in hm.GENOTYPES
    parsed = strengths if mapped else text.strip()
    from ..analysis._runs import resolve_context
    from ._common import as_option

    as_option(option, resolve_context, parsed)  # unknown names: the option, allowed values and the closest
    return parsed


def parse_contexts(text: str, *, option: str = "--contexts") -> list[Any]:
    """Comma-separated contexts (see :func:`parse_context`)."""
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise typer.BadParameter("give at least one context, e.g. 'parental'", param_hint=option)
    return [parse_context(t, option=option) for t in items]


_DOSE = re.compile(r"^\s*(?P<name>[^=]+?)\s*=\s*(?P<value>[-+0-9.eE]+)\s*(?P<unit>\S*)\s*$")


def parse_dose(text: str, *, default_unit: str = "nM") -> tuple[str, tuple[float, str]]:
    """``"lapatinib=1 uM"`` → ``("lapatinib", (1.0, "uM"))`` (unit default ``default_unit``)."""
    match = _DOSE.match(text)
    if not match:
        raise typer.BadParameter(f"{text!r} is not DRUG=VALUE[UNIT], e.g. 'trastuzumab=10 ug/mL' or 'lapatinib=1000'",
                                 param_hint="--drug")
    try:
        value = float(match["value"])
    except ValueError:
        raise typer.BadParameter(f"dose in {text!r} is not a number", param_hint="--drug") from None
    if not value >= 0 or value == float("inf"):
        raise typer.BadParameter(f"dose in {text!r} must be finite and >= 0", param_hint="--drug")
    return match["name"], (value, match["unit"] or default_unit)


def context_labels(contexts: Sequence[Any]) -> list[str]:
    """Display labels of parsed contexts (as the analyses label them)."""
    from ..analysis._runs import resolve_context

    return [resolve_context(c)[0] for c in contexts]


def check_drugs(option: str, text: str, *, sep: str = "+") -> list[str]:
    """Canonical drug names of ``"a + b"`` (or comma-separated with ``sep=","``); unknown names are usage errors."""
    from ..library.drugs import get_drug
    from ._common import as_option

    names = [t.strip() for t in text.split(sep) if t.strip()]
    return [as_option(option, get_drug, name).name for name in names]
