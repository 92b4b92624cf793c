"""Exported tables: units in every column name (shared by the report and the CLI)."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["columns_with_units", "units_of"]


def columns_with_units(frame, units: Mapping[str, str]):
    """Rename columns ``name`` → ``name [unit]`` where a unit is known and the name does not already say it.

    Dimensionless quantities get ``[1]``; text and flag columns keep their name.
    """
    suffixes = ("_nM", "_uM", "_percent", "_pp", "_h", "_hours", "_days", "_d")
    rename = {}
    for col in frame.columns:
        unit = units.get(str(col))
        if unit is None or str(col).endswith(suffixes) or "[" in str(col):
            continue
        rename[col] = f"{col} [{unit or '1'}]"
    return frame.rename(columns=rename)


def units_of(ds) -> dict[str, str]:
    """``{variable or coordinate: units}`` of an xarray Dataset (only those that declare units)."""
    out: dict[str, str] = {}
    for name in [*ds.coords, *ds.data_vars]:
        unit = ds[name].attrs.get("units")
        if unit is not None and ds[name].dtype.kind in "fiu":
            out[str(name)] = str(unit)
    return out
