"""Resistance atlas: genotypes × therapies at clinically relevant exposures.

For every (context, therapy) pair the atlas simulates 72 h of treatment (one ensemble call for
the whole grid, untreated controls included), reports % growth inhibition (GI) and the GR value
at 72 h, calls resistance against a stated reference context with explicit thresholds, and names
the *route*: the signalling nodes (pAKT, pS6, pERK, pHER3) that stay active under the therapy.

Which concentration, and why
----------------------------
:func:`exposure_table` gives one concentration per drug, with its basis and source:

* ``basis="free_average"`` (default): the time-averaged **unbound** plasma concentration over a
  steady-state dosing interval of the labelled regimen, from :mod:`her2sim.library.pk`. A 72 h
  growth assay integrates exposure over days, so the average (not the peak) is the matched
  summary, and the model's potencies act on free drug (Cheng-Prusoff shift of biochemical IC50s).
  Antibodies are not plasma-protein bound, so free = total.
* ``"free_trough"`` / ``"free_peak"``: the interval minimum / maximum of the same profile.
* drugs without a PK model fall back to the catalogue exposure (:mod:`her2sim.library.drugs`):
  free Cmin/Cmax where protein binding is known, else total; drugs with no curated exposure fall
  back to the in-vitro reference dose used by the literature checks (findings.py conventions),
  converted to its free concentration in 10 % serum, and are flagged ``clinical = False`` with
  the reason in ``note`` (never used as if it were a clinical exposure).
* ``basis="in_vitro"``: the in-vitro reference doses for every drug (trastuzumab/pertuzumab/HER3
  antibodies 10 µg/mL, HER kinase and PI3K/AKT inhibitors 1 µM, everolimus 20 nM, MEK and IGF1R
  inhibitors 1 µM / 3 µM), nominal, times the drug's unbound fraction in the medium
  (``serum_percent``, default 10 %), to compare with cell-line literature.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import Her2simWarning, UnknownNameError, ValidationError
from ._runs import PARENTAL, default_model, drug_concentrations, provenance, resolve_context, run_members

__all__ = [
    "BASES",
    "DEFAULT_CONTEXTS",
    "DEFAULT_THERAPIES",
    "exposure_table",
    "therapy_concentrations",
    "simulate_therapies",
    "resistance_atlas",
    "atlas_table",
    "plot_atlas",
    "ModelLimitationWarning",
    "treatment_notes",
    "identical_context_notes",
    "attach_notes",
    "CALL_CODES",
]


class ModelLimitationWarning(Her2simWarning):
    """The model cannot tell apart what the catalogue distinguishes.

    Raised for a cell-line preset whose simulated response equals another context's (e.g. JIMT-1
    and BT-474 under lapatinib: the JIMT-1 preset only masks trastuzumab's epitope) and for a
    drug whose payload is not modelled (T-DM1 acts as its antibody only).
    """


def treatment_notes(drugs: Iterable[str]) -> list[str]:
    """Notes on drugs the model represents only in part (payload not modelled).

    Examples
    --------
    >>> treatment_notes(["T-DM1"])[0].startswith("T-DM1: payload not modelled")
    True
    """
    from ..library.drugs import get_drug

    notes = []
    for name in dict.fromkeys(drugs):
        drug = get_drug(name)
        if not drug.payload_modelled:
            notes.append(f"{drug.name}: payload not modelled; it acts here as its antibody alone (results equal "
                         f"trastuzumab-like HER2 blockade at equimolar dose). {drug.note}".strip())
    return notes


def _is_cell_line(label: str) -> bool:
    from ..library.cell_lines import cell_line

    if label == PARENTAL:
        return False
    try:
        cell_line(label)
    except (UnknownNameError, ValidationError):
        return False
    try:  # the family's resolver turns it into model settings
        resolve_context(label)
    except (UnknownNameError, ValidationError):
        return False
    return True


def _cell_line_settings(label: str) -> dict[str, float]:
    """The model settings of a cell-line context, through the default family's resolver."""
    return resolve_context(label)[1]


def _settings_of(label: str) -> dict[str, float] | None:
    try:
        return resolve_context(label)[1]
    except (UnknownNameError, ValidationError):
        return None  # a label that is not a name (e.g. "PTEN loss (0.5)"): compared by its values only


def _catalogue_call(label: str, drugs: Sequence[str]) -> str:
    try:
        from ..library.cell_lines import cell_line

        line = cell_line(label)
    except Exception:  # a preset without a catalogue entry: nothing to add
        return ""
    calls = []
    for drug in drugs:
        entry = line.sensitivity(drug)
        if entry is not None:
            calls.append(f"{entry.drug}: {entry.call} ({entry.detail})")
    return ("; the catalogue reports " + "; ".join(calls)) if calls else ""


def identical_context_notes(values: xr.DataArray, *, over: str | None = None,
                            drugs_of: Mapping[str, Sequence[str]] | None = None, rtol: float = 1e-9) -> list[str]:
    """Notes for cell-line presets whose simulated values equal another context's.

    Parameters
    ----------
    values
        A result with a ``context`` dim (e.g. relative viability over concentration).
    over
        Another dim checked item by item (e.g. ``"therapy"`` of an atlas); ``None``: all values
        of a context are compared at once.
    drugs_of
        ``{item: drug names}`` (or ``{"": drugs}`` when ``over`` is None), to quote the
        catalogue's sensitivity calls.
    rtol
        Relative tolerance of "identical" (the ensemble is deterministic: equal inputs give
        bit-equal outputs, so differences below 1e-9 mean the preset changed nothing that acts).
    """
    cell_line_settings = _cell_line_settings
    labels = [str(c) for c in values["context"].values]
    notes = []
    items = [None] if over is None else [str(v) for v in values[over].values]
    for label in labels:
        if not _is_cell_line(label):
            continue
        if not cell_line_settings(label):
            notes.append(f"cell line {label!r}: its preset has no model settings, so it is the parental model "
                         "tumour under every treatment")
            continue
        same: dict[str, list[str]] = {}
        for item in items:
            mine = values.sel(context=label) if item is None else values.sel(context=label, **{over: item})
            for other in labels:
                if other == label or _settings_of(other) == cell_line_settings(label):
                    continue  # a context with the same settings (e.g. the preset's own genotype) is trivially equal
                theirs = values.sel(context=other) if item is None else values.sel(context=other, **{over: item})
                a, b = np.asarray(mine, dtype=float), np.asarray(theirs, dtype=float)
                scale = max(float(np.nanmax(np.abs(b))) if b.size else 0.0, 1e-300)
                if np.all(np.isfinite(a) == np.isfinite(b)) and float(np.nanmax(np.abs(a - b))) <= rtol * scale:
                    same.setdefault(other, []).append(item or "")
                    break
        for other, where in same.items():
            drugs = sorted({d for w in where for d in (drugs_of or {}).get(w, ())})
            under = f" under {', '.join(w for w in where if w)}" if any(where) else ""
            notes.append(f"cell line {label!r} is kinetically identical to {other!r}{under}: its preset "
                         f"({', '.join(f'{k}={v:g}' for k, v in cell_line_settings(label).items())}) changes nothing "
                         f"this treatment acts through{_catalogue_call(label, drugs)}")
    return notes


def attach_notes(ds: xr.Dataset, notes: Sequence[str]) -> xr.Dataset:
    """Record notes in ``ds.attrs["model_notes"]`` and emit each as a :class:`ModelLimitationWarning`."""
    if notes:
        ds.attrs["model_notes"] = " | ".join(notes)
        for note in notes:
            warnings.warn(note, ModelLimitationWarning, stacklevel=3)
    return ds


#: Codes of the atlas figure's cells, and what they mean (legend of figures and the report).
CALL_CODES: dict[str, str] = {
    "R": "resistant", "r": "partially resistant", "S": "sensitive", "ref": "reference", "-": "inactive in reference",
}

BASES = ("free_average", "free_trough", "free_peak", "in_vitro")

DEFAULT_CONTEXTS: tuple[str, ...] = (
    PARENTAL, "PTEN loss", "PIK3CA H1047R", "PIK3CA E545K", "p95HER2", "HER3 overexpression",
    "IGF1R overexpression", "MUC4 high", "KRAS G12", "PIK3CA H1047R + PTEN loss",
)
DEFAULT_THERAPIES: tuple[str, ...] = (
    "trastuzumab", "pertuzumab", "lapatinib", "neratinib", "alpelisib", "capivasertib", "everolimus",
    "trastuzumab + pertuzumab", "trastuzumab + lapatinib",
    "trastuzumab + alpelisib", "trastuzumab + capivasertib", "trastuzumab + everolimus",
    "lapatinib + alpelisib", "trastuzumab + patritumab",
)

def _in_vitro_doses(family: Any) -> Mapping[str, tuple[float, str, str]]:
    """Drug action -> (nominal in-vitro dose, unit, source): the family's, else the default family's."""
    from ..family import default_family

    for fam in (family, default_family()):
        if fam is not None and fam.in_vitro_doses is not None:
            return fam.in_vitro_doses()
    return {}


def exposure_table(basis: str = "free_average", drugs: Sequence[str] | None = None, *,
                   serum_percent: float = 10.0, family: Any = None) -> pd.DataFrame:
    """One **free** concentration per drug, with the basis used and its source.

    Parameters
    ----------
    basis
        One of :data:`BASES` (see the module docstring).
    drugs
        Catalogue names (default: every modelled drug).
    serum_percent
        Serum % of the medium for in-vitro doses (``basis="in_vitro"`` and drugs without a
        clinical exposure): the nominal dose times the unbound fraction in that medium.
    family
        Model family whose in-vitro reference doses (per drug action) are used; default: the
        default family's.

    Returns
    -------
    pandas.DataFrame
        Columns ``drug, concentration_nM, basis, clinical, source, note``.

    Examples
    --------
    >>> table = exposure_table(drugs=["trastuzumab"])
    >>> table.loc[0, "basis"]
    'free_average'
    """
    from ..family import default_family
    from ..library import pk
    from ..library.drugs import get_drug

    if basis not in BASES:
        raise UnknownNameError("basis", basis, BASES)
    names = [get_drug(d).name for d in (drugs or default_family().drug_names())]
    in_vitro = _in_vitro_doses(family)
    by_drug = {r.drug: r for r in pk.REGIMENS.values()}
    rows = []
    for name in names:
        drug = get_drug(name)
        if drug.action not in in_vitro:
            raise UnknownNameError("drug action with an in-vitro reference dose", drug.action, in_vitro)
        value, unit, in_vitro_source = in_vitro[drug.action]
        fu = drug.free_fraction_in_medium(serum_percent)
        row = {"drug": name, "concentration_nM": drug.to_nM(value, unit) * fu, "basis": "in_vitro", "clinical": False,
               "source": in_vitro_source,
               "note": f"{value:g} {unit} nominal in {serum_percent:g} % serum x unbound fraction {fu:.3g} (free)"}
        if basis != "in_vitro":
            key = {"free_average": "cavg_free_nM", "free_trough": "cmin_free_nM", "free_peak": "cmax_free_nM"}[basis]
            if name in by_drug:
                reg = by_drug[name]
                summary = pk.steady_state_summary(reg)
                model = pk.pk_model(name)
                note = f"regimen {reg.name}; unbound fraction {model.free_fraction:g}"
                if not model.free_fraction_known:
                    note += " (protein binding not found: total concentration used)"
                rows.append({"drug": name, "concentration_nM": summary[key], "basis": basis, "clinical": True,
                             "source": f"her2sim.library.pk ({reg.source}; PK: "
                                       + "; ".join(sorted({v[1] for v in model.provenance.values() if v[1]})) + ")",
                             "note": note})
                continue
            exposure = drug.exposure_nM()
            order = {"free_average": ("cmin_free_nM", "cmax_free_nM", "cmin_total_nM", "cmax_total_nM"),
                     "free_trough": ("cmin_free_nM", "cmin_total_nM", "cmax_free_nM", "cmax_total_nM"),
                     "free_peak": ("cmax_free_nM", "cmax_total_nM", "cmin_free_nM", "cmin_total_nM")}[basis]
            hit = next((k for k in order if exposure.get(k)), None)
            if hit is not None and drug.exposure is not None and drug.exposure.clinical:
                prov = drug.exposure.provenance
                rows.append({"drug": name, "concentration_nM": float(exposure[hit]), "basis": f"catalogue {hit[:-3]}",
                             "clinical": True, "source": prov.source or prov.note,
                             "note": f"{drug.exposure.regimen}; no PK model, catalogue exposure used"})
                continue
            row["note"] += "; no clinical exposure curated (" + (drug.exposure_note or "none") + ")"
        rows.append(row)
    return pd.DataFrame(rows, columns=["drug", "concentration_nM", "basis", "clinical", "source", "note"])


def _routes(model) -> dict[str, str]:
    """Read-outs that name resistance routes: the model family's, else the default family's."""
    from ..family import family_of

    family = family_of(model)
    if family is None or not family.routes:
        from ..family import default_family

        family = default_family()
    return dict(family.routes)


def _growth_species(model) -> str:
    """The cell-number read-out of the model's family (``cells`` for a model of no family)."""
    from ._runs import growth_species

    return growth_species(model)


def _therapy_drugs(therapy: str) -> list[str]:
    from ..library.drugs import get_drug

    return [get_drug(p.strip()).name for p in therapy.split("+")]


def therapy_concentrations(therapies: Sequence[str], exposures: pd.DataFrame) -> dict[str, dict[str, float]]:
    """``{therapy: {model parameter: nM}}`` from an exposure table (the default family's drug parameters)."""
    table = exposures.set_index("drug")["concentration_nM"]
    out: dict[str, dict[str, float]] = {}
    for therapy in therapies:
        settings: dict[str, float] = {}
        for name in _therapy_drugs(therapy):
            if name not in table.index:
                raise UnknownNameError("drug (in the exposure table)", name, table.index)
            (key,) = drug_concentrations({name: 1.0})  # the drug's concentration parameter
            settings[key] = settings.get(key, 0.0) + float(table[name])
        out[therapy] = settings
    return out


def simulate_therapies(
    contexts: Mapping[str, Mapping[str, float]],
    therapies: Mapping[str, Mapping[str, float]],
    *,
    time: float = 72.0,
    signal_time: float = 24.0,
    readouts: Sequence[str] | None = None,
    model=None,
    n_threads: int | None = None,
) -> xr.Dataset:
    """GI, GR and read-outs for contexts × therapies (explicit parameter settings), one ensemble.

    Returns
    -------
    xarray.Dataset
        Dims ``context × therapy``: ``inhibition_percent``, ``gr``, ``relative_viability``,
        each read-out at ``signal_time`` and its untreated value ``<readout>_untreated``
        (dim ``context``), ``status``.
    """
    from .dose_response import gr_values

    model = model or default_model()
    if readouts is None:
        readouts = tuple(_routes(model))
    if not therapies or not contexts:
        raise ValidationError("contexts and therapies must not be empty")
    if not 0 < signal_time <= time:
        raise ValidationError(f"signal_time must be in (0, time], got {signal_time!r}")
    members = []
    for settings in contexts.values():
        members.append(dict(settings))
        members.extend({**settings, **drugs} for drugs in therapies.values())
    times = sorted({0.0, float(signal_time), float(time)})
    growth = _growth_species(model)
    ens = run_members(members, times=times, outputs=[growth, *readouts], model=model, n_threads=n_threads)
    n_c, n_t = len(contexts), len(therapies)
    i_sig, i_end = times.index(float(signal_time)), times.index(float(time))

    def block(name):
        return ens[name].values.reshape(n_c, n_t + 1, len(times))

    cells = block(growth)
    x0, x_ctrl, x = cells[:, 0, 0], cells[:, 0, i_end], cells[:, 1:, i_end]
    data = {
        "inhibition_percent": (("context", "therapy"), 100 * (1 - x / x_ctrl[:, None]),
                               {"units": "%", "long_name": f"growth inhibition at {time:g} h"}),
        "relative_viability": (("context", "therapy"), x / x_ctrl[:, None], {"units": "1", "long_name": "x/x_ctrl"}),
        "gr": (("context", "therapy"), gr_values(x, x_ctrl[:, None], x0[:, None]),
               {"units": "1", "long_name": f"GR value at {time:g} h (Hafner 2016)"}),
        "status": (("context", "therapy"), ens["status"].values.reshape(n_c, n_t + 1)[:, 1:]),
    }
    for r in readouts:
        values = block(r)
        units = ens[r].attrs.get("units", "")
        data[r] = (("context", "therapy"), values[:, 1:, i_sig], {"units": units, "long_name": f"{r} at {signal_time:g} h"})
        data[f"{r}_untreated"] = ("context", values[:, 0, i_sig], {"units": units, "long_name": f"untreated {r}"})
    ds = xr.Dataset(data, coords={"context": list(contexts), "therapy": list(therapies)})
    ds.attrs.update(provenance(model, end_time_h=float(time), signal_time_h=float(signal_time),
                               n_failed=int(np.count_nonzero(ens["status"].values))))
    return ds


def resistance_atlas(
    contexts: Sequence[Any] | Mapping[str, Mapping[str, float]] = DEFAULT_CONTEXTS,
    therapies: Sequence[str] = DEFAULT_THERAPIES,
    *,
    reference: str = PARENTAL,
    basis: str = "free_average",
    time: float = 72.0,
    signal_time: float = 24.0,
    resistant_drop: float = 20.0,
    sensitive_margin: float = 10.0,
    min_reference_gi: float = 10.0,
    active_fraction: float = 0.5,
    route_margin: float = 0.25,
    model=None,
    n_threads: int | None = None,
) -> xr.Dataset:
    """Genotypes × therapies atlas with resistance calls and routes.

    Parameters
    ----------
    contexts
        Tumour contexts (names as in :func:`her2sim.analysis._runs.resolve_context`) or
        ``{label: {parameter: value}}``; must include ``reference``.
    therapies
        Drug names, combinations joined by ``" + "``.
    reference
        The context every call is made against (default the parental HER2-amplified tumour).
    basis
        Exposure basis (:func:`exposure_table`).

    Other parameters
    ----------------
    resistant_drop
        "resistant" if GI falls by at least this many percentage points against the reference.
    sensitive_margin
        "sensitive" if GI falls by at most this many points (or rises).
        Between the two: "partially resistant".
    min_reference_gi
        If the therapy inhibits the reference by less than this (%), no call is made
        ("inactive in reference").
    active_fraction, route_margin
        A node is on the *route* if, under the therapy (at ``signal_time``), its level is at least
        ``active_fraction`` of the untreated reference level **and** exceeds the reference
        context's level under the same therapy by at least ``route_margin`` (same scale): the
        node the therapy switches off in the reference but not here.

    Returns
    -------
    xarray.Dataset
        Dims ``context × therapy``: ``inhibition_percent``, ``gr``, ``gi_change`` (vs reference),
        ``call`` (string), ``route`` (string, e.g. ``"pAKT, pS6"``), ``<node>_residual``
        (fraction of the untreated reference level); ``concentration_nM`` (drug) with
        ``exposure_basis`` and ``exposure_source``; thresholds and reference in attrs.
    """
    from ..library.drugs import get_drug

    model = model or default_model()
    if isinstance(contexts, Mapping):
        ctx = {str(k): dict(v) for k, v in contexts.items()}
    else:
        ctx = {}
        for c in contexts:
            label, settings = resolve_context(c)
            ctx[label] = settings
    if reference not in ctx:
        raise UnknownNameError("reference", reference, ctx)
    for name, value in (("resistant_drop", resistant_drop), ("sensitive_margin", sensitive_margin)):
        if not value >= 0:
            raise ValidationError(f"{name} must be >= 0, got {value!r}")
    if sensitive_margin > resistant_drop:
        raise ValidationError("sensitive_margin must not exceed resistant_drop")
    drugs = sorted({d for t in therapies for d in _therapy_drugs(t)})
    from ..family import family_of

    exposures = exposure_table(basis, drugs, family=family_of(model))
    treatments = therapy_concentrations(therapies, exposures)
    route_nodes = _routes(model)
    ds = simulate_therapies(ctx, treatments, time=time, signal_time=signal_time, readouts=tuple(route_nodes),
                            model=model, n_threads=n_threads)
    gi = ds["inhibition_percent"]
    ref_gi = gi.sel(context=reference)
    change = gi - ref_gi
    calls = np.full(gi.shape, "", dtype=object)
    for (i, j), delta in np.ndenumerate(change.values):
        if ref_gi.values[j] < min_reference_gi:
            calls[i, j] = "inactive in reference"
        elif ds["context"].values[i] == reference:
            calls[i, j] = "reference"
        elif -delta >= resistant_drop:
            calls[i, j] = "resistant"
        elif -delta <= sensitive_margin:
            calls[i, j] = "sensitive"
        else:
            calls[i, j] = "partially resistant"
    routes = np.full(gi.shape, "", dtype=object)
    for node, label in route_nodes.items():
        ref_level = float(ds[f"{node}_untreated"].sel(context=reference))
        residual = ds[node] / ref_level
        ds[f"{label}_residual"] = residual.assign_attrs(
            units="1", long_name=f"{label} under therapy at {signal_time:g} h / untreated reference level")
        escape = (residual >= active_fraction) & (residual - residual.sel(context=reference) >= route_margin)
        for idx in zip(*np.nonzero(escape.values)):
            routes[idx] = f"{routes[idx]}, {label}" if routes[idx] else label
    routes[routes == ""] = "none"
    ds["gi_change"] = change.assign_attrs(units="percentage points", long_name=f"GI minus GI of {reference}")
    ds["call"] = (("context", "therapy"), calls.astype(str), {"long_name": f"resistance call against {reference}"})
    ds["route"] = (("context", "therapy"), routes.astype(str),
                   {"long_name": (f"nodes left active: >= {active_fraction:g} of the untreated reference level under "
                                  f"therapy and >= {route_margin:g} above the reference under the same therapy")})
    table = exposures.set_index("drug")
    ds = ds.assign_coords(drug=("drug", drugs))
    ds["concentration_nM"] = ("drug", table.loc[drugs, "concentration_nM"].to_numpy(float),
                              {"units": "nM", "long_name": "drug concentration used"})
    ds["exposure_basis"] = ("drug", table.loc[drugs, "basis"].astype(str).to_numpy())
    ds["exposure_clinical"] = ("drug", table.loc[drugs, "clinical"].to_numpy(bool))
    ds["exposure_source"] = ("drug", table.loc[drugs, "source"].astype(str).to_numpy())
    ds["exposure_note"] = ("drug", table.loc[drugs, "note"].astype(str).to_numpy())
    ds.attrs.update({
        "experiment": "resistance_atlas", "reference": reference, "exposure_basis": basis,
        "resistant_drop_pp": float(resistant_drop), "sensitive_margin_pp": float(sensitive_margin),
        "min_reference_gi_percent": float(min_reference_gi), "active_fraction": float(active_fraction),
        "route_margin": float(route_margin),
        "call_rule": (f"GI change vs {reference} <= -{resistant_drop:g} pp: resistant; >= -{sensitive_margin:g} pp: "
                      f"sensitive; between: partially resistant; reference GI < {min_reference_gi:g} %: no call"),
        "contexts": repr(ctx),
        "drug_names": ", ".join(get_drug(d).name for d in drugs),
    })
    notes = treatment_notes(drugs) + identical_context_notes(
        ds["relative_viability"], over="therapy", drugs_of={t: _therapy_drugs(t) for t in therapies})
    return attach_notes(ds, notes)


def atlas_table(atlas: xr.Dataset) -> pd.DataFrame:
    """The atlas as a tidy table (one row per context × therapy)."""
    keep = ["inhibition_percent", "gr", "gi_change", "call", "route",
            *[str(v) for v in atlas.data_vars if str(v).endswith("_residual")]]
    return atlas[keep].to_dataframe().reset_index()


def plot_atlas(atlas: xr.Dataset, *, ax=None):
    """Heat map of GI (%) with each cell's call marked (R resistant, r partial, S sensitive)."""
    from .dose_response import _pyplot

    plt = _pyplot()
    gi = atlas["inhibition_percent"].transpose("context", "therapy").values
    if ax is None:
        _, ax = plt.subplots(figsize=(1.0 + 0.55 * gi.shape[1], 1.2 + 0.4 * gi.shape[0]))
    image = ax.imshow(gi, cmap="viridis", vmin=min(0.0, float(np.nanmin(gi))), vmax=100, aspect="auto")
    marks = {call: code for code, call in CALL_CODES.items()}
    for (i, j), v in np.ndenumerate(gi):
        call = str(atlas["call"].values[i, j])
        ax.text(j, i, f"{v:.0f}\n{marks.get(call, '')}", ha="center", va="center", fontsize=6,
                color="white" if v < 60 else "black")
    ax.set_xticks(range(gi.shape[1]), atlas["therapy"].values, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(gi.shape[0]), atlas["context"].values, fontsize=7)
    legend = "; ".join(f"{code} = {call}" for code, call in CALL_CODES.items())
    ax.set_title(f"growth inhibition at 72 h [%] vs {atlas.attrs.get('reference', '')}; "
                 f"exposure: {atlas.attrs.get('exposure_basis', '')}\ncalls: {legend}", fontsize=8)
    ax.figure.colorbar(image, ax=ax, shrink=0.7)
    return ax
