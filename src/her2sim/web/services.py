"""Adapters between the HTTP API and her2sim's public API: call, then reshape for JSON.

Nothing here computes science: every number comes from a public her2sim function (simulations,
fits, synergy scores, calls, routes, attractors); this module only selects, renames and lists
values, and draws the pathway picture's layout from the model's own structure. Each job function
takes a :class:`~her2sim.web.jobs.Job`, reports its stages, writes its tables and figures to the
job folder and returns the JSON the page plots.
"""

from __future__ import annotations

import functools
import math
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import __version__
from ..errors import UnknownNameError, ValidationError
from ..report._tables import columns_with_units, units_of
from . import schemas as S
from .jobs import Job

#: Read-outs of the *Tumour and therapy* page: model id → display name.
TIME_COURSE_READOUTS: dict[str, str] = {
    "pHER2_total": "pHER2", "pHER3": "pHER3", "pAKT_S473": "pAKT (S473)", "pS6": "pS6", "pERK": "pERK",
    "growth_rate": "net growth rate", "cells": "relative cell number",
}


# ------------------------------------------------------------------------------------------------
# helpers

def _finite(values) -> list[float | None]:
    """A numeric array as a JSON list (NaN/inf → None)."""
    arr = np.asarray(values, dtype=float).reshape(-1)
    return [float(v) if math.isfinite(v) else None for v in arr]


def _scalar(value) -> float | None:
    v = float(value)
    return v if math.isfinite(v) else None


def _records(frame) -> list[dict[str, Any]]:
    """A DataFrame as JSON records (NaN → None, numpy scalars → Python)."""
    out = []
    for row in frame.to_dict(orient="records"):
        clean = {}
        for k, v in row.items():
            if isinstance(v, (np.floating, float)):
                # ±inf is meaningful in fit tables ("not reached"); NaN becomes null
                clean[str(k)] = ("inf" if v > 0 else "-inf") if np.isinf(v) else _scalar(v)
            elif isinstance(v, np.integer):
                clean[str(k)] = int(v)
            elif isinstance(v, np.bool_):
                clean[str(k)] = bool(v)
            else:
                clean[str(k)] = v if isinstance(v, (str, int, bool)) or v is None else str(v)
        out.append(clean)
    return out


def _attrs(ds) -> dict[str, Any]:
    """Provenance attrs of a Dataset that are plain values."""
    return {str(k): (v if isinstance(v, (str, int, float, bool)) else str(v)) for k, v in ds.attrs.items()}


def _family() -> Any:
    """The model family the workbench serves (the default family: the flagship)."""
    from ..family import default_family

    return default_family()


def provenance_record(params: Mapping[str, Any], attrs: Mapping[str, Any] | None = None, *,
                      seed: int | None = None) -> dict[str, Any]:
    """What a result needs to be reproduced: versions, model, parameters, seed."""
    family = _family()
    model = family.model()
    out = {"her2sim_version": __version__, "model_id": family.model_id, "model_sha256": model.fingerprint(),
           "parameters": dict(params), "seed": seed}
    if attrs:
        out["result_attrs"] = {k: v for k, v in attrs.items() if k not in ("contexts",)}
    return out


def _q(text: str) -> str:
    return shlex.quote(str(text))


def _py(code: str) -> str:
    """``python -c CODE`` as a shell command, double-quoted when that needs no escapes (readable)."""
    if not any(ch in code for ch in '"$`\\!'):
        return f'python -c "{code}"'
    return f"python -c {_q(code)}"


# ------------------------------------------------------------------------------------------------
# catalogue (synchronous)

@functools.cache
def catalogue() -> dict[str, Any]:
    """Names the pages offer: contexts, genotypes, cell lines, drugs, units, regimens, atlas defaults."""
    from ..analysis.atlas import BASES, DEFAULT_CONTEXTS, DEFAULT_THERAPIES
    from ..analysis.synergy import MODELS
    from ..library import pk
    from ..library.cell_lines import list_cell_lines
    from ..library.drugs import SUPPORTED_UNITS, all_drugs
    from ..library.her2_logical import SCAN_DRUGS
    from ..library.her2_model import GENOTYPES  # the family has no described genotype list (names only)

    family = _family()
    lines = []
    for name in list_cell_lines():
        try:
            family.resolve_context(name)
        except UnknownNameError:
            continue
        lines.append(name)
    drugs = [{"name": d.name, "class": d.drug_class, "modality": d.modality, "action": d.action,
              "unit": d.canonical_unit, "aliases": list(d.aliases)} for d in all_drugs()]
    return {
        "her2sim_version": __version__,
        "genotypes": [{"name": k, "description": v[1]} for k, v in GENOTYPES.items()],
        "cell_lines": lines,
        "drugs": drugs,
        "units": list(SUPPORTED_UNITS),
        "regimens": list(pk.REGIMENS),
        "readouts": TIME_COURSE_READOUTS,
        "atlas": {"contexts": list(DEFAULT_CONTEXTS), "therapies": list(DEFAULT_THERAPIES), "bases": list(BASES)},
        "synergy_models": list(MODELS),
        "scan_drugs": list(SCAN_DRUGS),
        "limits": S.LIMITS.as_dict(),
    }


# ------------------------------------------------------------------------------------------------
# tumour and therapy

def _tumour_settings(tumour: S.Tumour) -> tuple[str, dict[str, float]]:
    """Label and parameter settings of the chosen tumour (cell line and/or genotypes)."""
    from ..analysis._runs import resolve_context

    settings: dict[str, float] = {}
    labels = []
    if tumour.cell_line:
        label, values = resolve_context(tumour.cell_line)
        settings.update(values)
        labels.append(label)
    if tumour.genotypes:
        settings.update(resolve_context(dict(tumour.genotypes))[1])
        labels.append(" + ".join(f"{k} ({v:g})" if v != 1 else k for k, v in tumour.genotypes.items()))
    return (" + ".join(labels) or "parental"), settings


def _context_arg(tumour: S.Tumour) -> Any:
    """The tumour as a context accepted by the analyses: a cell-line name or ``{genotype: strength}``."""
    if tumour.genotypes:
        return dict(tumour.genotypes)
    return tumour.cell_line or "parental"


def _doses(drugs: Mapping[str, S.Dose]) -> dict[str, tuple[float, str]]:
    return {name: (float(d.value), d.unit) for name, d in drugs.items()}


def time_course(req: S.TimeCourseRequest) -> dict[str, Any]:
    """Treated and untreated time courses of the read-outs, and the pathway coloured by activity."""
    from ..library.protocols import treat

    node_map = tuple(_family().node_map())
    label, settings = _tumour_settings(req.tumour)
    times = np.linspace(0.0, req.hours, req.points)
    observables = list(dict.fromkeys([*TIME_COURSE_READOUTS, *(e.observable for e in node_map)]))
    doses = _doses(req.drugs)
    treated = treat(doses, times=times, parameters=settings, outputs=observables, serum_percent=req.serum_percent)
    control = treat({}, times=times, parameters=settings, outputs=list(TIME_COURSE_READOUTS))
    series = {}
    for key, name in TIME_COURSE_READOUTS.items():
        series[key] = {"name": name, "units": treated[key].attrs.get("units", ""),
                       "long_name": treated[key].attrs.get("long_name", name),
                       "treated": _finite(treated[key].values), "untreated": _finite(control[key].values)}
    end = {e.observable: float(treated[e.observable].values[-1]) for e in node_map}
    start = {e.observable: float(treated[e.observable].values[0]) for e in node_map}
    states_end = {e.node: e.state(end[e.observable]) for e in node_map}  # thresholded through the NodeMap
    states_start = {e.node: e.state(start[e.observable]) for e in node_map}
    activity = {e.node: {"observable": e.observable, "units": e.units, "threshold": e.threshold,
                         "on_when": "above" if e.above else "below", "value": _scalar(end[e.observable]),
                         "value_untreated": _scalar(start[e.observable]), "state": states_end.get(e.node),
                         "state_untreated": states_start.get(e.node)} for e in node_map}
    failed = int(np.asarray(treated["status"]).max()) if "status" in treated else 0
    params = req.model_dump()
    return {
        "label": label, "time": _finite(times), "time_units": "hour", "series": series,
        "activity": activity, "status": failed,
        "provenance": provenance_record(params, _attrs(treated)),
        "cli": _time_course_python(label, settings, doses, req.hours, req.points, req.serum_percent),
    }


def _time_course_python(label: str, settings: Mapping[str, float], doses, hours: float, points: int,
                        serum_percent: float = 10.0) -> str:
    code = ("import numpy as np; from her2sim.library.protocols import treat; "
            f"ds = treat({dict(doses)!r}, times=np.linspace(0, {hours:g}, {points}), parameters={dict(settings)!r}, "
            f"serum_percent={serum_percent:g}); "
            "print(ds)")
    return f"{_py(code)}  # {label}"


@functools.cache
def pathway() -> dict[str, Any]:
    """The network picture's structure: layered nodes and signed edges of the logical twin."""
    from ..library.her2_logical import LAYERS  # the picture's layout of the twin's nodes
    from ..logical.expr import monotonicity

    family = _family()
    model = family.logical()
    placed = [tuple(n for n in layer if n in model.nodes) for layer in LAYERS]
    extra = tuple(n for n in model.nodes if n not in {n for layer in placed for n in layer})
    if extra:
        placed.append(extra)
    mapped = {entry.node: entry for entry in family.node_map()}
    nodes = []
    for depth, layer in enumerate(placed):
        for k, node in enumerate(layer):
            nodes.append({"id": node, "layer": depth, "x": (k + 1) / (len(layer) + 1), "input": node in model.inputs,
                          "observable": mapped[node].observable if node in mapped else None})
    edges = []
    for target in model.nodes:
        signs = monotonicity(model.rule(target).expression)
        for regulator in model.regulators(target):
            if regulator != target:
                edges.append({"source": regulator, "target": target, "sign": signs[regulator][0] or "?"})
    return {"model_id": model.id, "layers": len(placed), "nodes": nodes, "edges": edges}


# ------------------------------------------------------------------------------------------------
# job functions

def job_regimen(job: Job, req: S.RegimenRequest) -> dict[str, Any]:
    """Clinical regimens through PK on the chosen tumour (:func:`her2sim.analysis.simulate_regimen`)."""
    from ..analysis.regimen import plot_regimen, simulate_regimen

    job.progress(0.1, "simulating the regimen")
    context = _context_arg(req.tumour)
    ds = simulate_regimen(list(req.regimens), contexts=[context], weeks=req.weeks)
    job.progress(0.8, "writing results")
    job.save_table(ds.drop_vars(["free_nM", "status"]).to_dataframe().reset_index(), "time_course")
    job.save_table(ds["free_nM"].to_dataframe().reset_index(), "pk")
    job.defer_figure(lambda: plot_regimen(ds), "regimen")
    ctx = str(ds["context"].values[0])
    job.provenance = provenance_record(req.model_dump(), _attrs(ds))
    series = {r: {"name": TIME_COURSE_READOUTS.get(r, r), "values": _finite(ds[r].sel(context=ctx).values),
                  "units": ds[r].attrs.get("units", "")}
              for r in ("pHER3", "pAKT_S473", "pS6", "pERK", "inhibition_percent") if r in ds}
    return {"context": ctx, "time": _finite(ds["time"].values), "series": series,
            "pk": {str(r): _finite(ds["free_nM"].sel(regimen=r).values) for r in ds["regimen"].values}}


def job_dose_response(job: Job, req: S.DoseResponseRequest) -> dict[str, Any]:
    """Simulated dose-response with 4PL fits and GR metrics."""
    from ..analysis import dose_response as dr

    job.progress(0.05, "simulating the dose series")
    conc = np.geomspace(req.low, req.high, req.points)
    ds = dr.simulate_dose_response(req.treatment, conc, unit=req.unit, contexts=list(req.contexts), time=req.time,
                                   readouts=(), serum_percent=req.serum_percent)
    job.progress(0.6, "fitting curves and GR metrics")
    fits, grm = dr.fit_dose_response(ds), dr.gr_metrics(ds)
    job.progress(0.8, "writing results")
    curves_ds = ds[["relative_viability", "inhibition_percent", "gr"]]
    # the same tables as the CLI writes (units in the column names)
    job.save_table(columns_with_units(curves_ds.to_dataframe().reset_index(), units_of(curves_ds)), "curves")
    job.save_table(columns_with_units(fits.to_dataframe().reset_index(), units_of(fits)), "fits")
    job.save_table(columns_with_units(grm.to_dataframe().reset_index(), units_of(grm)), "gr_metrics")
    job.defer_figure(lambda: dr.plot_dose_response(ds, fits=fits), "dose_response")
    job.defer_figure(lambda: dr.plot_gr(ds, metrics=grm), "gr")
    job.provenance = provenance_record(req.model_dump(), _attrs(ds))
    contexts = [str(c) for c in ds["context"].values]
    curves = {}
    for c in contexts:
        fitted = fits.sel(context=c)
        grid = np.geomspace(req.low, req.high, 80)
        curves[c] = {
            "viability": _finite(ds["relative_viability"].sel(context=c).values),
            "gr": _finite(ds["gr"].sel(context=c).values),
            # the fitted curve is evaluated by her2sim's own 4PL (dose_response.log_logistic)
            "fit_x": _finite(grid),
            "fit_y": _finite(dr.log_logistic(grid, float(fitted["top"]), float(fitted["einf"]),
                                             float(fitted["ec50"]), float(fitted["hill"]))),
        }
    return {"concentration": _finite(conc), "unit": req.unit, "contexts": contexts, "curves": curves,
            "fits": _records(fits[["ic50", "ec50", "einf", "hill", "auc", "r2"]].to_dataframe().reset_index()),
            "gr_metrics": _records(grm[["GR50", "GRmax", "GRinf", "GEC50", "h_GR", "GR_AOC"]].to_dataframe().reset_index()),
            "n_failed": int(ds.attrs.get("n_failed", 0))}


def check_measured_upload(job: Job, filename: str) -> None:
    """Parse an uploaded dose-response CSV with the CLI's validating reader (fails fast)."""
    from ..analysis.dose_response import read_measured_csv

    frame = _read_upload(job, filename, read_measured_csv)
    if len(frame) > S.LIMITS.upload_rows:
        raise ValidationError(f"the upload has {len(frame)} rows; at most {S.LIMITS.upload_rows} are accepted")
    if frame.groupby(["drug", "cell_line"]).ngroups > S.LIMITS.upload_groups:
        raise ValidationError(f"at most {S.LIMITS.upload_groups} (drug, cell_line) groups are accepted per upload")


def _read_upload(job: Job, filename: str, reader, **kwargs):
    path = job.path("upload.csv")
    try:
        return reader(path, **kwargs)
    except ValidationError as exc:  # name the user's file, not the server's folder
        raise ValidationError(str(exc).replace(str(path), filename)) from None
    except (ValueError, UnicodeDecodeError) as exc:  # pandas parser errors are ValueErrors
        raise ValidationError(f"{filename}: not a readable CSV table ({exc})") from None


def job_measured(job: Job, req: S.MeasuredRequest, filename: str) -> dict[str, Any]:
    """Fit an uploaded dose-response table (4PL per drug × cell line, bootstrap intervals)."""
    from ..analysis.dose_response import fit_measured, log_logistic, read_measured_csv

    job.progress(0.05, "fitting the measured curves")
    frame = _read_upload(job, filename, read_measured_csv)
    fits = fit_measured(frame, n_boot=req.n_boot, seed=req.seed, top=req.top)
    job.progress(0.85, "writing results")
    table = fits.to_dataframe().reset_index()
    job.save_table(columns_with_units(table, units_of(fits)), "fits")
    job.provenance = provenance_record({**req.model_dump(), "file": filename}, _attrs(fits), seed=req.seed)
    groups = {}
    for label, group in frame.groupby(["drug", "cell_line"], sort=True):
        key = f"{label[0]} | {label[1]}"
        f = fits.sel(group=key)
        positive = group["dose"][group["dose"] > 0]
        lo, hi = (float(positive.min()), float(positive.max())) if len(positive) else (1e-3, 1.0)
        grid = np.geomspace(lo, hi, 80)
        groups[key] = {"dose": _finite(group["dose"]), "response": _finite(group["response"]), "fit_x": _finite(grid),
                       "fit_y": _finite(log_logistic(grid, float(f["top"]), float(f["einf"]), float(f["ec50"]),
                                                     float(f["hill"])))}
    cols = [c for c in ("fit", "pval", "ic50", "ic50_censored", "ic50_lower", "ic50_upper", "ec50", "einf", "hill",
                        "auc", "r2", "converged")
            if c in table]
    return {"groups": groups, "fits": _records(table[["group", *cols]])}


def job_combination(job: Job, req: S.CombinationRequest) -> dict[str, Any]:
    """Simulated dose matrix with Bliss/HSA/Loewe/ZIP maps and the isobologram."""
    from ..analysis import synergy as syn

    job.progress(0.05, "simulating the dose matrix")
    da, db = syn.default_grid(req.drug_a, req.points), syn.default_grid(req.drug_b, req.points)
    ds = syn.simulate_combination(req.drug_a, req.drug_b, da, db, context=_context_arg(req.tumour))
    return _synergy_result(job, ds, req.model_dump())


def check_matrix_upload(job: Job, filename: str, req: S.MatrixRequest) -> None:
    """Parse an uploaded combination matrix with the CLI's reader (fails fast), bounded in size."""
    from ..analysis.synergy import read_combination_csv

    ds = _read_upload(job, filename, read_combination_csv, response=req.response, drug_a=req.drug_a,
                      drug_b=req.drug_b)
    n = max(ds.sizes["dose_a"], ds.sizes["dose_b"])
    if n > S.LIMITS.matrix_points:
        raise ValidationError(f"the matrix has {ds.sizes['dose_a']} × {ds.sizes['dose_b']} doses; at most "
                              f"{S.LIMITS.matrix_points} per axis are accepted")


def job_matrix(job: Job, req: S.MatrixRequest, filename: str) -> dict[str, Any]:
    """Score an uploaded dose matrix."""
    from ..analysis.synergy import read_combination_csv

    job.progress(0.05, "reading the matrix")
    ds = _read_upload(job, filename, read_combination_csv, response=req.response, drug_a=req.drug_a,
                      drug_b=req.drug_b)
    return _synergy_result(job, ds, {**req.model_dump(), "file": filename})


def _synergy_result(job: Job, ds, params: Mapping[str, Any]) -> dict[str, Any]:
    from ..analysis import synergy as syn

    job.progress(0.5, "scoring synergy")
    scores = syn.synergy(ds)
    job.progress(0.7, "writing results")
    grid = scores.drop_vars([v for v in scores.data_vars if scores[v].ndim == 0]).to_dataframe().reset_index()
    job.save_table(grid, "synergy")
    summary = {k: _scalar(scores[k]) for k in scores.data_vars if scores[k].ndim == 0}
    import pandas as pd

    job.save_table(pd.DataFrame([summary]), "synergy_summary")
    job.defer_figure(lambda: syn.plot_isobologram(ds), "isobologram")  # shown on the page: first
    for name in syn.MODELS:
        job.defer_figure(lambda name=name: syn.plot_synergy_map(scores, model=name), f"{name}_map")
    job.provenance = provenance_record(params, _attrs(ds))
    maps = {m: [_finite(row) for row in scores[f"{m}_excess"].transpose("dose_a", "dose_b").values]
            for m in syn.MODELS}
    return {"drug_a": str(ds.attrs.get("drug_a")), "drug_b": str(ds.attrs.get("drug_b")),
            "unit": str(ds["dose_a"].attrs.get("units", "nM")),
            "dose_a": _finite(ds["dose_a"].values), "dose_b": _finite(ds["dose_b"].values),
            "observed": [_finite(r) for r in scores["observed"].transpose("dose_a", "dose_b").values],
            "maps": maps, "summary": summary, "isobologram": "isobologram.svg",
            "references": dict(syn.REFERENCES)}


def job_atlas(job: Job, req: S.AtlasRequest) -> dict[str, Any]:
    """Genotype × therapy atlas with calls and routes (:func:`her2sim.analysis.resistance_atlas`)."""
    from ..analysis import atlas as atlas_mod

    job.progress(0.05, "simulating contexts × therapies")
    result = atlas_mod.resistance_atlas(list(req.contexts), list(req.therapies), reference=req.reference,
                                        basis=req.basis)
    job.progress(0.8, "writing results")
    table = atlas_mod.atlas_table(result)
    job.save_table(table, "atlas")
    job.save_table(atlas_mod.exposure_table(req.basis, list(result["drug"].values)), "exposures")
    job.defer_figure(lambda: atlas_mod.plot_atlas(result), "atlas")
    job.provenance = provenance_record(req.model_dump(), _attrs(result))
    gi = result["inhibition_percent"].transpose("context", "therapy")
    return {"contexts": [str(c) for c in result["context"].values],
            "therapies": [str(t) for t in result["therapy"].values],
            "gi": [_finite(r) for r in gi.values],
            "call": result["call"].transpose("context", "therapy").values.astype(str).tolist(),
            "route": result["route"].transpose("context", "therapy").values.astype(str).tolist(),
            "table": _records(table), "call_rule": str(result.attrs.get("call_rule", "")),
            "exposures": _records(atlas_mod.exposure_table(req.basis, list(result["drug"].values))
                                  [["drug", "concentration_nM", "basis", "clinical", "source"]])}


def job_rescue(job: Job, req: S.RescueRequest) -> dict[str, Any]:
    """Rescue search for a resistant tumour (:func:`her2sim.analysis.rescue_search`)."""
    from ..analysis import rescue as rescue_mod

    job.progress(0.05, "simulating candidate combinations")
    result = rescue_mod.rescue_search(_context_arg(req.tumour), failing=req.failing,
                                      backbone=list(req.backbone), max_size=req.max_size, basis=req.basis, top=req.top)
    job.progress(0.8, "writing results")
    table = rescue_mod.rescue_table(result)
    job.save_table(table, "rescue")
    job.provenance = provenance_record(req.model_dump(), _attrs(result))
    keep = ["rank_effect", "combination", "size", "inhibition_percent", "gr", "bliss_excess", "rank_synergy",
            "switched_off", "explanation"]
    return {"context": str(result.attrs.get("context")), "failing": str(result.attrs.get("failing")),
            "failing_gi": _scalar(result.attrs.get("failing_gi_percent", float("nan"))),
            "hits": _records(table[keep].head(req.top)), "n_combinations": len(table)}


def job_logical_scan(job: Job, req: S.ScanRequest) -> dict[str, Any]:
    """Perturbation scan of the logical twin (:func:`her2sim.library.her2_logical.scan`)."""
    from ..library import her2_logical as hl

    job.progress(0.05, "computing attractors for every intervention")
    ds = hl.scan(list(req.genotypes), interventions=list(req.interventions), order=req.order,
                 phenotype=req.phenotype)
    job.progress(0.9, "writing results")
    table = ds.to_dataframe().reset_index()
    job.save_table(table, "scan")
    job.provenance = provenance_record(req.model_dump(), _attrs(ds))
    return {"phenotype": req.phenotype, "rows": _records(table), "baseline": _scalar(ds.attrs["baseline_fraction_on"])}


def logical_attractors(req: S.AttractorRequest) -> dict[str, Any]:
    """Attractors of the twin for one genotype × treatment (synchronous; fast)."""
    from ..library import her2_logical as hl

    genotype = " + ".join(req.genotypes) or "HER2 amplified"
    treatment = " + ".join(req.drugs) or "none"
    ds = hl.attractors([genotype], [treatment])
    n = int(ds["n_attractors"].values[0, 0])
    states = ds["state"].isel(genotype=0, treatment=0).values[:n]
    nodes = [str(x) for x in ds["node"].values]
    return {"genotype": genotype, "treatment": treatment, "n_attractors": n, "nodes": nodes,
            "attractors": [_finite(s) for s in states], "size": _finite(ds["size"].values[0, 0, :n]),
            "provenance": provenance_record(req.model_dump(), _attrs(ds)),
            "cli": f"her2sim logical attractors -g {_q(genotype)} -t {_q(treatment)}"}


# ------------------------------------------------------------------------------------------------
# model page

def model_tables() -> dict[str, list[dict[str, Any]]]:
    """Species, reactions, parameters (with provenance) and drugs (with sources) of the flagship."""
    from ..library.catalogue import catalogue_tables
    from ..library.her2_model import parameter_table  # provenance table of any model (lives with the flagship)

    model = _family().model()
    species = [{"id": s.id, "name": s.name, "compartment": s.compartment, "initial": s.initial, "units": s.units,
                "genes": ", ".join(s.genes), "provenance": _provenance_text(s.provenance)} for s in model.species]
    reactions = [{"id": r.id, "name": r.name,
                  "equation": " + ".join(f"{n:g} {s}" if n != 1 else s for s, n in r.reactants) + " → "
                  + " + ".join(f"{n:g} {s}" if n != 1 else s for s, n in r.products),
                  "rate": str(r.rate), "modifiers": ", ".join(r.modifiers),
                  "provenance": _provenance_text(r.provenance)} for r in model.reactions]
    tables = catalogue_tables()
    targets = tables.targets
    return {"species": species, "reactions": reactions, "parameters": _records(parameter_table(model)),
            "drugs": _records(targets)}


def _provenance_text(prov) -> str:
    if prov is None:
        return ""
    return "; ".join(x for x in (prov.kind, prov.source, prov.note) if x)


def sbml_text() -> str:
    """The flagship model as SBML (:func:`her2sim.write_sbml`)."""
    from ..io.sbml import write_sbml

    return write_sbml(_family().model())


def sbml_qual_text() -> str:
    """The logical twin as SBML-qual (:func:`her2sim.logical.io.to_sbml_qual`)."""
    from ..logical.io import to_sbml_qual

    return to_sbml_qual(_family().logical())


def job_petab(job: Job, req: S.PetabRequest) -> dict[str, Any]:
    """A PEtab problem on the flagship model (:func:`her2sim.calibration.model_problem`), zipped.

    The measurement table is simulated at the nominal parameters with the noise model
    (:func:`~her2sim.calibration.model_problem.synthetic_measurements`, seeded) so the problem is
    complete and runs with ``her2sim fit``; replace it with measured values.
    """
    import shutil

    from ..calibration.model_problem import (
        Estimate,
        ObservableSpec,
        measurement_design,
        petab_tables_for_model,
        synthetic_measurements,
    )
    model = _family().model()
    job.progress(0.05, "building the PEtab tables")
    conditions = {"control": {"context": req.context}}
    for drug, dose in req.drugs.items():
        conditions[f"c_{len(conditions)}"] = {"context": req.context, "drugs": {drug: (dose.value, dose.unit)},
                                              "name": f"{drug} {dose.value:g} {dose.unit}"}
    observables = {f"obs_{r}": ObservableSpec(r, 0.1, "log", name=r) for r in req.readouts}
    estimate = {}
    for pid in req.estimate:
        value = model.get_parameter(pid).value
        if not value > 0:
            raise ValidationError(f"estimate: parameter {pid!r} has value {value!r}; only positive parameters "
                                  "can be given the ×/÷ 10 log10 bounds")
        estimate[pid] = Estimate(value / 10.0, value * 10.0, "log10")
    design = measurement_design(list(conditions), list(observables), list(req.times))
    tables = petab_tables_for_model(model, estimate=estimate, conditions=conditions, observables=observables,
                                    measurements=design)
    job.progress(0.4, "simulating the measurement table")
    nominal = {pid: model.get_parameter(pid).value for pid in estimate}
    tables = tables.with_measurements(synthetic_measurements(tables, nominal, seed=req.seed))
    job.progress(0.8, "writing and checking the problem (petab lint)")
    out = job.folder / "petab"
    tables.write(out, lint=True)
    shutil.make_archive(str(job.folder / "petab_problem"), "zip", out)
    job.add_file("petab_problem.zip")
    job.provenance = provenance_record(req.model_dump(), seed=req.seed)
    return {"files": sorted(p.name for p in out.iterdir()), "zip": "petab_problem.zip"}


# ------------------------------------------------------------------------------------------------
# CLI equivalents (shown on the pages)

def cli_dose_response(req: S.DoseResponseRequest) -> str:
    return (f"her2sim dose-response {_q(req.treatment)} -c {_q(','.join(req.contexts))} --low {req.low:g} "
            f"--high {req.high:g} --points {req.points} --unit {_q(req.unit)} --time {req.time:g} "
            f"--serum {req.serum_percent:g}")


def cli_measured(req: S.MeasuredRequest, filename: str) -> str:
    return f"her2sim dose-response measured --measured {_q(filename)} --n-boot {req.n_boot} --seed {req.seed}"


def cli_combination(req: S.CombinationRequest) -> str:
    context = req.tumour.cell_line or " + ".join(req.tumour.genotypes) or "parental"
    return f"her2sim combination {_q(req.drug_a)} {_q(req.drug_b)} -c {_q(context)} --points {req.points}"


def cli_matrix(req: S.MatrixRequest, filename: str) -> str:
    return (f"her2sim combination {_q(req.drug_a)} {_q(req.drug_b)} --matrix {_q(filename)} "
            f"--response {_q(req.response)}")


def cli_atlas(req: S.AtlasRequest) -> str:
    return (f"her2sim atlas -c {_q(','.join(req.contexts))} -t {_q(','.join(req.therapies))} "
            f"--reference {_q(req.reference)} --basis {req.basis}")


def cli_rescue(req: S.RescueRequest) -> str:
    context = req.tumour.cell_line or " + ".join(req.tumour.genotypes) or "parental"
    backbone = f" --backbone {_q(','.join(req.backbone))}" if req.backbone else ""
    return (f"her2sim rescue {_q(context)} --failing {_q(req.failing)}{backbone} --max-size {req.max_size} "
            f"--basis {req.basis} --top {req.top}")


def cli_regimen(req: S.RegimenRequest) -> str:
    context = req.tumour.cell_line or " + ".join(req.tumour.genotypes) or "parental"
    return f"her2sim regimen {_q(','.join(req.regimens))} -c {_q(context)} --weeks {req.weeks:g}"


def cli_scan(req: S.ScanRequest) -> str:
    parts = " ".join(f"-g {_q(g)}" for g in req.genotypes) + " " + " ".join(f"-d {_q(d)}" for d in req.interventions)
    return f"her2sim logical scan {parts.strip()} --order {req.order} --phenotype {_q(req.phenotype)}"


def cli_petab(req: S.PetabRequest) -> str:
    conditions = {"control": {"context": req.context}}
    for drug, dose in req.drugs.items():
        conditions[f"c_{len(conditions)}"] = {"context": req.context, "drugs": {drug: (dose.value, dose.unit)},
                                              "name": f"{drug} {dose.value:g} {dose.unit}"}
    code = (
        "from her2sim.library.her2_model import build; "
        "from her2sim.calibration.model_problem import Estimate, ObservableSpec, measurement_design, "
        "petab_tables_for_model, synthetic_measurements; "
        "m = build(); "
        f"est = {{p: Estimate(m.get_parameter(p).value / 10, m.get_parameter(p).value * 10, 'log10') for p in {list(req.estimate)!r}}}; "
        f"obs = {{'obs_' + r: ObservableSpec(r, 0.1, 'log', name=r) for r in {list(req.readouts)!r}}}; "
        f"cond = {conditions!r}; "
        f"t = petab_tables_for_model(m, estimate=est, conditions=cond, observables=obs, "
        f"measurements=measurement_design(list(cond), list(obs), {list(req.times)!r})); "
        f"t = t.with_measurements(synthetic_measurements(t, {{p: m.get_parameter(p).value for p in est}}, seed={req.seed})); "
        "t.write('petab', lint=True)"
    )
    return _py(code)


def cli_trial(spec: str, n: int, seed: int | None) -> str:
    code = (f"from her2sim import trials; r = trials.run_trial(trials.load_spec({spec!r}), n={n}, out='trial', "
            f"seed={seed!r}); trials.write_report(r, 'trial-report')")
    return _py(code)


def list_names(values: Sequence[str]) -> list[str]:
    return [str(v) for v in values]


# ------------------------------------------------------------------------------------------------
# virtual trials (her2sim.trials, imported lazily by the app)

def job_trial(job: Job, module: Any, req: S.TrialRequest, scheduler: str | None) -> dict[str, Any]:
    """Run a virtual trial through the contract of ``her2sim.trials`` and keep its report.

    Contract: ``load_spec(name_or_path)``, ``run_trial(spec, *, n, out, seed=None, scheduler=None,
    workers=None, progress=None) -> TrialResult`` with ``progress(done, total)``,
    ``TrialResult.summary() -> DataFrame`` and ``write_report(result, path) -> Path``.
    """
    import shutil
    from pathlib import Path

    job.progress(0.0, "loading the trial specification")
    spec = module.load_spec(req.spec)

    def progress(done: int, total: int) -> None:
        job.progress(done / total if total else 0.0, f"{done} of {total} virtual patients")

    result = module.run_trial(spec, n=req.n, out=job.folder / "trial", seed=req.seed, scheduler=scheduler,
                              progress=progress)
    job.progress(0.95, "writing the trial report")
    summary = result.summary()
    job.save_table(summary.reset_index() if summary.index.name else summary, "trial_summary")
    report = Path(module.write_report(result, job.folder / "report"))
    if report.is_file():
        name = f"trial_report{report.suffix}"
        if report.resolve() != job.path(name).resolve():
            shutil.copyfile(report, job.path(name))
        job.add_file(name)
    elif report.is_dir():
        shutil.make_archive(str(job.folder / "trial_report"), "zip", report)
        job.add_file("trial_report.zip")
    job.provenance = provenance_record(req.model_dump(), seed=req.seed)
    frame = summary.reset_index() if summary.index.name else summary
    return {"spec": req.spec, "n": req.n, "summary": _records(frame.head(200)),
            "report": next((f for f in job.files if f.startswith("trial_report")), None)}
