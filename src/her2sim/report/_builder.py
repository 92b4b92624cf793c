"""Report builder: run the scenarios, save data, embed figures, write HTML."""

from __future__ import annotations

import base64
import html
import io
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._tables import columns_with_units, units_of

__all__ = ["SCENARIOS", "write_report"]

#: What the default report shows (configuration, not science: every number comes from the API).
SCENARIOS: dict[str, Any] = {
    "dose_response": {
        "treatments": ["trastuzumab", "lapatinib"],
        # JIMT-1 (MUC4-high preset) shows where the model cannot reproduce the catalogue (innate lapatinib
        # resistance): its note appears in the report's model-limitations section
        "contexts": ["parental", "PTEN loss", "PIK3CA H1047R", "p95HER2", "MUC4 high", "JIMT-1"],
        "concentrations_nM": list(np.geomspace(0.01, 1e4, 13)),
    },
    "combinations": [
        ("trastuzumab", "lapatinib", "parental"),
        ("lapatinib", "alpelisib", "PIK3CA H1047R"),
        ("capivasertib", "patritumab", "parental"),
    ],
    "rescue": [("PTEN loss", "trastuzumab"), ("p95HER2", "trastuzumab"), ("PIK3CA H1047R", "trastuzumab")],
    "regimens": [["trastuzumab q3w", "pertuzumab q3w"], ["trastuzumab q3w", "lapatinib 1250 mg qd"],
                 ["capivasertib 400 mg bid 4/3"]],
    "regimen_contexts": ["parental", "PTEN loss", "p95HER2"],
    "regimen_weeks": 3.0,
}


class _Report:
    def __init__(self, out: Path, progress: Callable[[str], None]) -> None:
        self.out = out
        self.data = out / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.sections: list[str] = []
        self.toc: list[tuple[str, str]] = []
        self.progress = progress
        self.notes: list[str] = []
        try:
            import pyarrow  # noqa: F401

            self.parquet = True
        except ImportError:  # a core dependency; said aloud rather than silently skipped
            self.parquet = False
            progress("pyarrow is not importable: Parquet files are not written (pip install pyarrow)")

    def save(self, frame: pd.DataFrame, name: str) -> str:
        frame.to_csv(self.data / f"{name}.csv", index=False)
        if self.parquet:
            clean = frame.copy()
            for col in clean.columns:
                if clean[col].dtype == object:
                    clean[col] = clean[col].astype(str)
            clean.to_parquet(self.data / f"{name}.parquet", index=False)
        return f"data/{name}.csv"

    @staticmethod
    def figure(fig) -> str:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        import matplotlib.pyplot as plt

        plt.close(fig)
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")

    def note(self, ds) -> None:
        """Keep a result's model-limitation notes (see :mod:`her2sim.analysis.atlas`) for the page."""
        for note in str(ds.attrs.get("model_notes", "")).split(" | "):
            if note and note not in self.notes:
                self.notes.append(note)

    def section(self, title: str, text: str, figures: list[str] = (), tables: list[str] = (), data: list[str] = ()) -> None:
        anchor = "sec-" + "".join(c.lower() if c.isalnum() else "-" for c in title).strip("-")
        self.toc.append((anchor, title))
        parts = [f'<h2 id="{anchor}">{html.escape(title)}</h2>', f"<p>{text}</p>"]
        parts += [f'<img src="{src}" alt="{html.escape(title)}">' for src in figures]
        parts += list(tables)
        if data:
            links = ", ".join(f'<a href="{d}">{html.escape(d)}</a>' for d in data)
            parts.append(f'<p class="data">Data behind this section: {links}</p>')
        self.sections.append("\n".join(parts))


def _legend_html(codes: dict[str, str]) -> str:
    items = "".join(f"<li><b>{html.escape(code)}</b>: {html.escape(call)}</li>" for code, call in codes.items())
    return f"<p class='data'>Codes in the atlas cells (below the GI value):</p><ul class='legend'>{items}</ul>"


def _table_html(frame: pd.DataFrame, max_rows: int = 60) -> str:
    shown = frame.head(max_rows)
    note = f"<p class='data'>First {max_rows} of {len(frame)} rows; all rows in the CSV.</p>" if len(frame) > max_rows else ""
    return shown.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0, classes="tbl", escape=True) + note


def write_report(out_dir: str | Path, *, n_threads: int | None = None, scorecard: bool = True) -> Path:
    """Run the default analyses and write ``report.html`` with its data files.

    Parameters
    ----------
    out_dir
        Folder to write (created): ``report.html``, ``data/*.csv`` (+ ``.parquet``),
        ``scorecard/``.
    n_threads
        Threads for the simulations (default: every core).
    scorecard
        Run the literature scorecard (:func:`her2sim.library.scorecard.write_scorecard`).

    Returns
    -------
    pathlib.Path
        The HTML file. Progress is printed on stderr.
    """
    from ..analysis.atlas import ModelLimitationWarning

    start = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    def progress(message: str) -> None:
        print(f"[report {time.perf_counter() - start:6.1f} s] {message}", file=sys.stderr, flush=True)

    with warnings.catch_warnings():
        # the analyses' model-limitation warnings are collected from their attrs and shown on the page
        warnings.simplefilter("ignore", ModelLimitationWarning)
        return _write(out, progress, start, n_threads=n_threads, scorecard=scorecard)


def _write(out: Path, progress: Callable[[str], None], start: float, *, n_threads: int | None, scorecard: bool) -> Path:
    from .. import __version__
    from ..analysis import atlas as atlas_mod
    from ..analysis import dose_response as dr
    from ..analysis import regimen as regimen_mod
    from ..analysis import rescue as rescue_mod
    from ..analysis import synergy as syn
    from ..analysis.dose_response import _pyplot
    from ..library.her2_model import build, parameter_table

    plt = _pyplot()
    rep = _Report(out, progress)
    model = build()

    # ----------------------------------------------------------------- atlas
    progress("resistance atlas (clinical free exposures and in-vitro doses)")
    atlases = {basis: atlas_mod.resistance_atlas(basis=basis, model=model, n_threads=n_threads)
               for basis in ("free_average", "in_vitro")}
    figs, files = [], []
    for basis, a in atlases.items():
        rep.note(a)
        fig, ax = plt.subplots(figsize=(10, 5.5))
        atlas_mod.plot_atlas(a, ax=ax)
        figs.append(rep.figure(fig))
        files.append(rep.save(columns_with_units(atlas_mod.atlas_table(a), units_of(a)), f"atlas_{basis}"))
    exposures = atlas_mod.exposure_table("free_average")
    files.append(rep.save(exposures, "exposures_free_average"))
    rep.notes.extend(atlas_mod.treatment_notes(exposures["drug"]))
    a0 = atlases["free_average"]
    rep.section(
        "Resistance atlas",
        "Growth inhibition (GI, %) at 72 h for genotypes × therapies, with the call against the parental "
        f"HER2-amplified tumour ({html.escape(a0.attrs['call_rule'])}) and the route (nodes left active). Top: "
        "time-averaged unbound plasma concentrations of the labelled regimens (her2sim.library.pk); bottom: the "
        "in-vitro reference doses of the cited cell studies. Exposures used:",
        figures=figs,
        tables=[_legend_html(atlas_mod.CALL_CODES),
                _table_html(exposures[["drug", "concentration_nM", "basis", "clinical", "note"]])],
        data=files,
    )

    # ----------------------------------------------------------------- clinical exposure
    progress("clinical-exposure table (label regimens -> free exposure -> GI at 72 h)")
    from ..library.scorecard import clinical_exposure_table

    clinical = clinical_exposure_table(model=model, n_threads=n_threads)
    rep.section(
        "Clinical exposure and activity",
        "Every catalogued drug at its label regimen through the PK module: time-averaged unbound plasma "
        "concentration, growth inhibition (GI, %) at 72 h of a BT-474-like tumour and its PIK3CA H1047R and "
        "PTEN-null variants, beside the published activity, with the verdict. Rule (fixed before the run): "
        + html.escape(clinical.attrs["rule"]) + ".",
        tables=[_table_html(clinical.round(2))],
        data=[rep.save(clinical, "clinical_exposure")],
    )

    # ----------------------------------------------------------------- dose response
    progress("dose-response and GR curves")
    cfg = SCENARIOS["dose_response"]
    figs, files, tables = [], [], []
    for treatment in cfg["treatments"]:
        ds = dr.simulate_dose_response(treatment, cfg["concentrations_nM"], contexts=cfg["contexts"],
                                       model=model, n_threads=n_threads)
        rep.note(ds)
        fits = dr.fit_dose_response(ds)
        grm = dr.gr_metrics(ds)
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
        dr.plot_dose_response(ds, fits=fits, ax=axes[0])
        dr.plot_gr(ds, metrics=grm, ax=axes[1])
        axes[0].set_title(f"{treatment}: relative viability at 72 h", fontsize=9)
        axes[1].set_title(f"{treatment}: GR values", fontsize=9)
        figs.append(rep.figure(fig))
        curves = ds[["relative_viability", "inhibition_percent", "gr"]]
        files.append(rep.save(columns_with_units(curves.to_dataframe().reset_index(), units_of(curves)),
                              f"dose_response_{treatment}"))
        fit_frame = fits.to_dataframe().reset_index()
        gr_frame = grm.to_dataframe().reset_index()
        shown = fit_frame[["context"]].copy()
        shown.insert(0, "treatment", treatment)
        for name in ("ic50", "ec50"):
            shown[f"{name} [nM]"] = [f"{q} {v:.4g}".strip() for q, v in zip(fit_frame[f"{name}_censored"], fit_frame[name])]
        for name in ("einf", "hill", "auc", "r2", "converged"):
            shown[name] = fit_frame[name]
        for name in ("GR50", "GRmax", "GR_AOC", "fit"):
            shown[name] = gr_frame[name]
        gr_frame = gr_frame.rename(columns={c: f"GR {c}" for c in ("rse", "r2", "converged", "fit", "pval")})
        gr_units = {f"GR {k}" if k in ("rse", "r2", "pval") else k: v for k, v in units_of(grm).items()}
        summary = columns_with_units(fit_frame, units_of(fits)).merge(columns_with_units(gr_frame, gr_units), on="context")
        summary.insert(0, "treatment", treatment)
        files.append(rep.save(summary, f"dose_response_fits_{treatment}"))
        tables.append(_table_html(shown))
    rep.section("Dose-response and GR curves",
                "4-parameter log-logistic fits of relative viability (absolute IC50 = 0.5 crossing; a potency outside "
                "the tested range is shown as the tested bound with '&lt;' or '&gt;', never as a measurement) and GR "
                "metrics (Hafner et al. 2016, Nat Methods 13:521) with GRmetrics' conventions: GRmax = smallest GR at "
                "the two highest doses, and a flat fit (fit = flat, GR50 = ±inf) when the sigmoid is not "
                "significantly better than a flat line (F-test, p &lt; 0.05). Concentrations in nM.",
                figures=figs, tables=tables, data=files)

    # ----------------------------------------------------------------- synergy
    progress("combination matrices and synergy")
    figs, files, rows = [], [], []
    for drug_a, drug_b, context in SCENARIOS["combinations"]:
        ds = syn.simulate_combination(drug_a, drug_b, context=context, model=model, n_threads=n_threads)
        rep.note(ds)
        scores = syn.synergy(ds)
        fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
        syn.plot_synergy_map(scores, model="bliss", ax=axes[0])
        syn.plot_synergy_map(scores, model="zip", ax=axes[1])
        syn.plot_isobologram(ds, level=0.5, ax=axes[2])
        fig.suptitle(f"{drug_a} + {drug_b} in {context}", fontsize=10)
        figs.append(rep.figure(fig))
        files.append(rep.save(syn.synergy_table(scores), f"synergy_{drug_a}_{drug_b}_{context}".replace(" ", "_")))
        rows.append({"combination": f"{drug_a} + {drug_b}", "context": context,
                     **{f"{m} mean [pp]": float(scores[f"{m}_mean_excess"]) for m in syn.MODELS},
                     **{f"{m} max [pp]": float(scores[f"{m}_max_excess"]) for m in syn.MODELS},
                     "Loewe CI median [1]": float(scores["loewe_ci_median"])})
    summary = pd.DataFrame(rows)
    files.append(rep.save(summary, "synergy_summary"))
    rep.section("Combinations and synergy",
                "8 × 8 dose matrices; synergy scores are observed minus expected inhibition in percentage points "
                "under Bliss independence, HSA, Loewe additivity and ZIP (Yadav et al. 2015), and the Chou-Talalay "
                "combination index (CI &lt; 1 synergy, 1 additive, &gt; 1 antagonism); maps show Bliss and "
                "ZIP, the isobologram the 50 % iso-effect contour against Loewe additivity. In the CSV files "
                "effects are in %, scores in percentage points.",
                figures=figs, tables=[_table_html(summary)], data=files)

    # ----------------------------------------------------------------- rescue
    progress("rescue search")
    tables, files = [], []
    for context, failing in SCENARIOS["rescue"]:
        result = rescue_mod.rescue_search(context, failing=failing, model=model, n_threads=n_threads)
        rep.note(result)
        table = rescue_mod.rescue_table(result)
        files.append(rep.save(columns_with_units(table, units_of(result)), f"rescue_{context}".replace(" ", "_")))
        shown = table[["rank_effect", "combination", "exposure", "inhibition_percent", "bliss_excess", "rank_synergy",
                       "switched_off", "explanation"]]
        tables.append(f"<h3>{html.escape(context)} (failing: {html.escape(failing)}; GI "
                      f"{result.attrs['failing_gi_percent']:.0f} %; left out for lack of a clinical exposure: "
                      f"{html.escape(result.attrs.get('excluded_unexposed', 'none'))})</h3>")
        tables.append(_table_html(shown, max_rows=10))
        by_synergy = table[table["size"] > 1].sort_values("rank_synergy").head(5)[shown.columns]
        tables.append("<p>Top 5 by Bliss excess:</p>" + _table_html(by_synergy, max_rows=5))
    rep.section("Rescue search",
                "Singles, pairs and triplets of catalogue drugs (one per mechanism class) at the free-average "
                "exposures of the atlas, ranked by GI and by Bliss excess; only drugs with a curated clinical "
                "exposure are ranked (the others would be dosed at in-vitro reference doses and are not comparable; "
                "they are named per tumour). Each top hit names the read-outs it switches off relative to the "
                "failing therapy.", tables=tables, data=files)

    # ----------------------------------------------------------------- regimens
    progress("clinical regimens over weeks (PK-driven)")
    figs, files = [], []
    for regs in SCENARIOS["regimens"]:
        ds = regimen_mod.simulate_regimen(regs, contexts=SCENARIOS["regimen_contexts"],
                                          weeks=SCENARIOS["regimen_weeks"], model=model, n_threads=n_threads)
        fig, axes = plt.subplots(3, 1, figsize=(7, 6.5), sharex=True)
        regimen_mod.plot_regimen(ds, axes=axes)
        axes[0].set_title(" + ".join(regs), fontsize=9)
        figs.append(rep.figure(fig))
        rep.note(ds)
        tumour, plasma = regimen_mod.regimen_tables(ds)
        files.append(rep.save(tumour, "regimen_" + "_".join(r.split()[0] for r in regs)))
        files.append(rep.save(plasma, "pk_" + "_".join(r.split()[0] for r in regs)))
    rep.section("Time courses under clinical regimens",
                "Free plasma concentrations from 2-compartment (antibodies) and 1-compartment oral (small molecules) "
                "PK, fed hourly to the model; pAKT and growth inhibition against the untreated tumour. Times in hours "
                "in the figures and the CSV files (one row per time point). Which PK values are sourced, derived or "
                "assumed: her2sim.library.pk.", figures=figs, data=files)

    # ----------------------------------------------------------------- scorecard
    if scorecard:
        progress("literature scorecard")
        from ..library.scorecard import write_scorecard

        card = write_scorecard(out / "scorecard", model=model)
        files = [rep.save(card, "scorecard")]
        counts = card["verdict"].value_counts().to_dict()
        from ..library.scorecard import summary as _card_summary

        score = _card_summary(card)
        rep.section("Literature scorecard",
                    "Every executable literature check (findings L01-L55): "
                    + ", ".join(f"{html.escape(str(k))}: {v}" for k, v in counts.items())
                    + f". Counted (not true by construction, shown able to fail by an ablation): "
                    f"{score['n_reproduced_counted']} of {score['n_counted']} reproduced; listed, not counted: "
                    + html.escape(", ".join(score["not_counted_ids"]) or "none")
                    + ". Figures per finding are in scorecard/figures.",
                    tables=[_table_html(card[["id", "verdict", "counted", "finding", "simulated", "expected",
                                              "reason"]], 80)],
                    data=files + ["scorecard/scorecard.md"])

    # ----------------------------------------------------------------- ensemble
    progress("plausible ensemble: bands and training / cross-validated scorecard (stored)")
    _ensemble_section(rep, plt, n_threads=n_threads)

    # ----------------------------------------------------------------- provenance
    progress("parameter provenance")
    params = parameter_table(model)
    files = [rep.save(params, "parameters")]
    counts = params["kind"].value_counts().to_dict()
    rep.section("Parameter provenance",
                "Every model parameter with value, units and provenance ("
                + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) + ").",
                tables=[_table_html(params[["id", "value", "units", "kind", "source", "note"]], max_rows=500)],
                data=files)

    for note in rep.notes:
        progress(f"model limitation: {note}")
    if rep.notes:
        rep.section("Model limitations met in this report",
                    "Where the model cannot tell apart what the catalogue distinguishes (emitted as "
                    "ModelLimitationWarning by the analyses):",
                    tables=["<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in rep.notes) + "</ul>"])
    seconds = time.perf_counter() - start
    toc = "<nav><h2>Contents</h2><ol>" + "".join(
        f'<li><a href="#{anchor}">{html.escape(title)}</a></li>' for anchor, title in rep.toc) + "</ol></nav>"
    page = _HTML.format(version=__version__, model=html.escape(model.id), sha=model.fingerprint()[:12],
                        seconds=f"{seconds:.0f}", body=toc + "\n<hr>\n" + "\n<hr>\n".join(rep.sections))
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    progress(f"written {path} in {seconds:.1f} s")
    return path


#: Ensemble bands shown in the report (configuration: drug, context, concentrations / times).
ENSEMBLE_SCENARIOS: dict[str, Any] = {
    # kept small: 200 members × 9 doses + 200 time courses is ~1/4 of the report's time on 2 loaded cores
    "dose_response": [("lapatinib", "parental")],
    "concentrations_nM": list(np.geomspace(1.0, 1e4, 8)),
    "time_course": {"drugs": {"lapatinib": 1000.0}, "readouts": ["pAKT_S473", "pERK"],
                    "times": [0.0, 1.0, 2.0, 4.0, 8.0, 24.0, 48.0, 72.0]},
}


def _ensemble_section(rep: _Report, plt: Any, *, n_threads: int | None = None) -> None:
    """The shipped ensemble's 90 % bands and its stored scorecard (training / cross-validated columns).

    The scorecard is read from the ensemble folder (computing it takes minutes); the bands are
    simulated here (a few seconds). Without an ensemble for this model version the section says
    how to regenerate it instead of failing the report.
    """
    from ..calibration.ensemble import ensemble_dose_response, ensemble_time_course, plot_band
    from ..calibration.ensemble_population import TARGETS, load_scorecard, summary
    from ..errors import Her2simError
    from ..family import default_family

    fam = default_family()
    title = "Plausible ensemble: bands and cross-validated scorecard"
    try:
        ens = fam.ensemble()
        card, header = load_scorecard(family=fam)
    except Her2simError as exc:
        rep.section(title, "No ensemble is shipped for this model version, so no bands or ensemble scorecard: "
                    f"{html.escape(str(exc))}. Regenerate it with <code>her2sim calibrate-model ensemble --ship</code> "
                    "(or <code>python scripts/regenerate_ensemble.py</code>).")
        return
    d = header.get("details", {})
    figs, files = [], []
    fig, axes = plt.subplots(1, len(ENSEMBLE_SCENARIOS["dose_response"]) + 1, figsize=(11, 3.8))
    for ax, (drug, context) in zip(axes, ENSEMBLE_SCENARIOS["dose_response"]):
        ds = ensemble_dose_response(fam, ens, drug, ENSEMBLE_SCENARIOS["concentrations_nM"], context=context)
        plot_band(ds, "relative_growth", ax=ax, label=f"{drug} (median)")
        ax.set_title(f"{drug}, {context}: relative growth at 72 h ({ens.n_members} members)", fontsize=9)
        frame = ds[["relative_growth_median", "relative_growth_p05", "relative_growth_p95"]].to_dataframe().reset_index()
        frame.insert(0, "drug", drug)
        files.append(rep.save(columns_with_units(frame, units_of(ds)), f"ensemble_dose_response_{drug}"))
    tc_cfg = ENSEMBLE_SCENARIOS["time_course"]
    tc = ensemble_time_course(fam, ens, tc_cfg["times"], drugs=tc_cfg["drugs"], readouts=tc_cfg["readouts"])
    for readout in tc_cfg["readouts"]:
        plot_band(tc, readout, ax=axes[-1], label=f"{readout} (median)")
    axes[-1].set_title("lapatinib 1 uM: time course (90 % band)", fontsize=9)
    axes[-1].set_xlabel("time (h)")
    figs.append(rep.figure(fig))
    files.append(rep.save(columns_with_units(tc.drop_vars("n_failed").to_dataframe().reset_index(), units_of(tc)),
                          "ensemble_time_course"))
    s = summary(card)
    shown = card[["finding", "role", "mechanisms", "adopted_model", "training_fraction", "cv_fraction",
                  "training_reproduced", "cv_reproduced", "constrained", "cv_folds", "pool_failures", "counted"]]
    files.append(rep.save(card, "ensemble_scorecard"))
    stale = "" if header.get("thresholds_current") else (
        " <b>The checks' thresholds changed after this scorecard was made (thresholds_version "
        f"{html.escape(str(d.get('thresholds_version')))}): regenerate the ensemble.</b>")
    rep.section(
        title,
        f"{ens.n_members} plausible parameter sets of this model version (procedure {html.escape(str(header['procedure']))},"
        f" seed {header.get('seed')}, inflation {d.get('inflation')}): {d.get('accepted')} of {d.get('candidates')} "
        f"candidates accepted ({100 * float(d.get('acceptance_rate', 0)):.1f} %); the acceptance needs the CCLE "
        f"lapatinib curves within Δ = {float(d.get('delta') or 0):.1f} of the adopted model's objective and every "
        f"literature check the adopted model passes (not imposed: {html.escape(', '.join(d.get('not_imposed', [])))};"
        " contradictory findings shown, never fitted). Bands are 5th-95th percentiles over the members. Scorecard "
        "per finding: training = fraction of the members reproducing it; cross-validated = the fraction on the "
        "population accepted without every finding of its mechanism (worst of its mechanisms' folds), from one "
        "stored verdict matrix (candidates × checks). Counted findings reproduced by ≥ 50 %: training "
        f"{s['training']}/{s['counted']} (target {TARGETS['training']:.0%}), cross-validated "
        f"{s['cross_validated']}/{s['counted']} (target {TARGETS['cross_validated']:.0%}). Of these, "
        f"{s['counted'] - s['challenged']} hold in every candidate drawn (column pool_failures = 0): their "
        "cross-validated verdict predicts nothing; of the "
        f"{s['challenged']} findings that some candidates fail, {s['cv_challenged']} are reproduced cross-validated."
        + stale,
        figures=figs, tables=[_table_html(shown, 80)], data=files)


_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>her2sim report</title>
<style>
body {{ font-family: sans-serif; max-width: 1200px; margin: 2em auto; color: #222; }}
img {{ max-width: 100%; display: block; margin: 0.8em 0; }}
table.tbl {{ border-collapse: collapse; font-size: 12px; margin: 0.5em 0; }}
table.tbl td, table.tbl th {{ padding: 2px 6px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }}
p.data {{ font-size: 12px; color: #555; }}
</style></head><body>
<h1>her2sim report</h1>
<p>her2sim {version}; model {model} (sha256 {sha}…); built in {seconds} s. All figures are embedded; the data behind each
section are in the <code>data/</code> folder beside this file.</p>
{body}
</body></html>
"""
