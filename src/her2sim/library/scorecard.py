"""The literature scorecard of the flagship model: a table, a summary and one figure per finding.

:func:`write_scorecard` runs every check of :mod:`her2sim.library.findings` and writes

* ``scorecard.csv`` — one row per finding: ``id, finding, mechanism, verdict`` (reproduced /
  not reproduced / not applicable), ``simulated`` numbers beside the ``published`` value or
  direction, ``tolerance``, ``uses_fitted`` (the read-out goes through a fitted parameter),
  ``passes_without_fitting`` (the verdict is still "reproduced" when every fitted parameter is
  reset to the value it had before fitting) and ``reason`` (why a finding is not reproduced or
  not applicable);
* ``scorecard.md`` — counts, the percentage of applicable findings reproduced, and how many
  reproduced checks stand on sourced/derived/assumed parameters alone versus how many need the
  fitted ones;
* ``figures/<id>.png`` — for each applicable finding, the simulated read-outs of the compared
  conditions (bars for growth inhibition and signal changes, time courses for the adaptive
  responses), with the published value or direction written on the figure.

Progress goes to stderr. Plotting uses matplotlib's Agg back-end (no display needed).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ValidationError
from .findings import CHECKS, Lab, run_checks

__all__ = [
    "write_scorecard", "parse_simulated", "summary", "clinical_exposure_table", "MONOTHERAPY_ACTIVITY",
    "CLINICAL_VERDICT_RULE", "CLINICAL_TUMOUR_VERDICT_RULE", "CLINICAL_CONTEXT_COLUMNS",
]

_NUMBER = re.compile(r"^(?P<name>.+?) (?P<value>[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)$")

#: Time courses drawn for the adaptive-response findings: (label, drugs, genotype, parameters).
_TIMECOURSES: dict[str, tuple[tuple[str, ...], list[tuple[str, dict, tuple, dict]]]] = {
    "L19a": (("HER3_total", "pAKT_S473"), [("lapatinib 1 uM", {"lapatinib": (1.0, "uM")}, (), {})]),
    "L20": (("HER3_total", "pHER3"), [
        ("T + L", {"trastuzumab": (10.0, "ug/mL"), "lapatinib": (1.0, "uM")}, (), {}),
        ("T + L + HER3 antibody", {"trastuzumab": (10.0, "ug/mL"), "lapatinib": (1.0, "uM"),
                                   "patritumab": (10.0, "ug/mL")}, (), {})]),
    "L22": (("pHER3", "AKT_activity"), [
        ("lapatinib", {"lapatinib": (1.0, "uM")}, (), {}),
        ("lapatinib + HER3 siRNA", {"lapatinib": (1.0, "uM")}, ("HER3 knockdown",), {})]),
    "L24": (("HER3_total", "pAKT_S473"), [("MK-2206 1 uM", {"MK-2206": (1.0, "uM")}, (), {})]),
    "L26a": (("pHER3",), [("lapatinib 1 uM", {"lapatinib": (1.0, "uM")}, (), {})]),
    "L32a": (("IRS1_total", "pAKT_S473"), [
        ("everolimus", {"everolimus": (20.0, "nM")}, (), {"IGF1_nM": 2.0}),
        ("everolimus + linsitinib", {"everolimus": (20.0, "nM"), "linsitinib": (3.0, "uM")}, (),
         {"IGF1_nM": 2.0})]),
}


#: Published activity in HER2+ breast cancer: drug -> (activity, source, has monotherapy activity).
#: ``None`` in the last field: not curated. Sources: issue #13 text and ../shared/clinical-trials.csv.
MONOTHERAPY_ACTIVITY: dict[str, tuple[str, str, bool | None]] = {
    "trastuzumab": ("monotherapy ORR 26 % first line", "Vogel CL et al. 2002, J Clin Oncol 20:719", True),
    "lapatinib": ("monotherapy ORR 24 % first line", "Gomez HL et al. 2008, J Clin Oncol 26:2999", True),
    "neratinib": ("monotherapy ORR 24-56 % (trastuzumab-pretreated / naive); phase I breast cohort PR 8/25 (32 %)",
                  "Burstein HJ et al. 2010, J Clin Oncol 28:1301; phase I PMID 19318484 (clinical-trials.csv C46)",
                  True),
    "afatinib": ("monotherapy PR 4/41 (10 %), clinical benefit 46 % after trastuzumab",
                 "phase II, Breast Cancer Res Treat 2012 (clinical-trials.csv C45)", True),
    "tucatinib": ("no monotherapy trial; adds to trastuzumab + capecitabine: PFS HR 0.54 (HER2CLIMB)",
                  "Murthy RK et al. 2020, N Engl J Med 382:597", False),
    "trastuzumab + tucatinib": ("tucatinib adds to trastuzumab + capecitabine: PFS HR 0.54 (HER2CLIMB)",
                                "Murthy RK et al. 2020, N Engl J Med 382:597", None),
    "pertuzumab": ("no monotherapy activity expected (dimerisation block alone; issue #13)",
                   "issue #13 verdict rule", False),
    "everolimus": ("no monotherapy in HER2+; adds to trastuzumab + vinorelbine: PFS HR 0.78 (BOLERO-3)",
                   "BOLERO-3 (clinical-trials.csv C27)", False),
    "alpelisib": ("no HER2+ monotherapy activity curated (PI3K inhibitor; may stay low in PIK3CA-wt)",
                  "issue #13 verdict rule", False),
    "buparlisib": ("adds nothing to trastuzumab + paclitaxel: pCR 32 % vs 40 % placebo (NeoPHOEBE)",
                   "NeoPHOEBE (clinical-trials.csv C15)", False),
    "capivasertib": ("no HER2+ monotherapy activity curated (AKT inhibitor; may stay low in PIK3CA-wt)",
                     "issue #13 verdict rule", False),
    "MK-2206": ("weak monotherapy (findings L42)", "findings.csv L42", False),
    "ipatasertib": ("no HER2+ monotherapy activity curated", "issue #13 verdict rule", False),
    "pictilisib": ("no HER2+ monotherapy activity curated", "issue #13 verdict rule", False),
    "erlotinib": ("no HER2+ breast-cancer monotherapy activity curated (EGFR-selective; CCLE BT-474 keeps 70 % "
                  "viability at 8 uM)", "", None),
}

#: The verdict rule of :func:`clinical_exposure_table`, fixed before any run (issue #13 item 9).
CLINICAL_VERDICT_RULE = (
    "yardstick: trastuzumab's growth inhibition (GI) at 72 h in the BT-474-like tumour at its label regimen "
    "(monotherapy ORR 26 % first line, Vogel 2002). Lapatinib and neratinib must reach >= 0.5 x trastuzumab's GI; "
    "tucatinib must add >= 5 percentage points to trastuzumab's GI (HER2CLIMB); drugs without monotherapy "
    "activity in HER2+ disease may stay low (no requirement); drugs without a curated clinical exposure are "
    "not simulated (no in-vitro fallback)"
)
#: Second verdict column of :func:`clinical_exposure_table`, declared before any run: the thresholds of
#: :data:`CLINICAL_VERDICT_RULE`, read on the tumour exposure column.
CLINICAL_TUMOUR_VERDICT_RULE = (
    "the thresholds of the main rule applied to GI_tumour: GI at 72 h in the BT-474-like tumour when the free "
    "exposure is multiplied by the drug's published tumour-to-plasma ratio (her2sim.library.pk.TUMOUR_PARTITION; "
    "drugs without a ratio keep their plasma exposure); the yardstick stays trastuzumab at its plasma exposure "
    "(no antibody tumour penetration factor is curated)"
)
#: Context columns beside the genotype variants: label -> parameter settings added to the first context.
#: BT-474 is ER-positive (the flagship model is ER-negative by default) and in patients trastuzumab also
#: kills through immune effector cells (``in_vivo`` = 1 switches on ADCC in the signalling model).
CLINICAL_CONTEXT_COLUMNS: dict[str, dict[str, float]] = {
    "ER positive": {"ER_expression": 1.0},
    "in vivo (ADCC)": {"in_vivo": 1.0},
}
_MUST_ACT = ("lapatinib", "neratinib")
_TUMOUR_TAG = " [tumour exposure]"


def _verdict(drug: str, g: float, yard: float) -> str:
    """The verdict of :data:`CLINICAL_VERDICT_RULE` for one drug's GI ``g`` against the yardstick ``yard``."""
    import numpy as np

    if not np.isfinite(g):
        return "no clinical exposure curated: not simulated"
    if drug in _MUST_ACT:
        ok = g >= 0.5 * yard
        return f"{'acts' if ok else 'too weak'}: GI {g:.1f} % vs >= {0.5 * yard:.1f} % required"
    if drug == "trastuzumab + tucatinib":
        ok = g >= yard + 5.0
        return f"{'adds' if ok else 'does not add'}: GI {g:.1f} % vs trastuzumab {yard:.1f} % + 5"
    if drug == "trastuzumab":
        return "yardstick"
    active = MONOTHERAPY_ACTIVITY.get(drug, ("", "", None))[2]
    if active is True:
        return "monotherapy activity; no threshold in the rule (reported only)"
    if active is False:
        return "no requirement (no monotherapy activity)"
    return "no requirement (activity not curated)"


def clinical_exposure_table(*, contexts: tuple[str, ...] = ("parental", "PIK3CA H1047R", "PTEN loss"),
                            context_columns: Mapping[str, Mapping[str, float]] | None = None,
                            time: float = 72.0, model=None, n_threads: int | None = None) -> pd.DataFrame:
    """Every catalogued drug at its label regimen: free exposure, GI at 72 h, published activity, verdict.

    Free exposures are the time-averaged unbound plasma concentrations of the labelled regimens
    (:mod:`her2sim.library.pk`; catalogue exposures where no PK model exists), applied for
    ``time`` hours to a BT-474-like tumour (``"parental"``) and its PIK3CA-mutant and PTEN-null
    variants. Drugs without a clinical exposure get NaN and the verdict says so: nothing falls
    back to an in-vitro dose. The verdict follows :data:`CLINICAL_VERDICT_RULE`.

    Context columns (:data:`CLINICAL_CONTEXT_COLUMNS` by default) add parameter settings to the first
    context: ``GI_ER positive`` (BT-474 is ER-positive) and ``GI_in vivo (ADCC)`` (immune effector
    cells present, so trastuzumab's yardstick includes its ADCC). They are shown, not judged.
    ``free_tumour_nM`` multiplies the free exposure by the drug's published tumour-to-plasma ratio
    (:func:`her2sim.library.pk.tumour_partition`; plasma exposure where none is published) and
    ``GI_tumour`` is the first context's GI there; ``verdict_tumour`` applies the same thresholds to
    it (:data:`CLINICAL_TUMOUR_VERDICT_RULE`).

    Parameters
    ----------
    contexts
        Genotype contexts (names :func:`her2sim.analysis.resolve_context` knows); the first is the
        one the verdict reads.
    context_columns
        ``{label: {parameter id: value}}`` added on top of the first context.
    time
        Treatment duration (h) at which GI is read.
    model
        A variant of the flagship model (default: the default family's model).
    n_threads
        Threads of the ensemble run.

    Returns
    -------
    pandas.DataFrame
        One row per drug plus ``"trastuzumab + tucatinib"``: ``drug, regimen_or_basis, free_nM,
        exposure_source, tumour_partition, free_tumour_nM, tumour_source, GI_<context>`` (%),
        ``GI_tumour, published_activity, activity_source, verdict, verdict_tumour``;
        ``attrs["rule"]`` and ``attrs["tumour_rule"]`` hold the verdict rules. ``.to_xarray()``
        gives the labelled array form.
    """
    import numpy as np

    from ..analysis._runs import resolve_context
    from ..analysis.atlas import exposure_table, simulate_therapies, therapy_concentrations
    from .drugs import list_drugs
    from .pk import tumour_partition

    names = list(list_drugs())
    exposures = exposure_table("free_average", names)
    clinical = exposures[exposures["clinical"].astype(bool)]
    therapies = list(clinical["drug"])
    if "trastuzumab" in therapies and "tucatinib" in therapies:
        therapies.append("trastuzumab + tucatinib")
    ctx = {c: resolve_context(c)[1] for c in contexts}
    extra = dict(CLINICAL_CONTEXT_COLUMNS if context_columns is None else context_columns)
    for label, settings in extra.items():
        if label in ctx:
            raise ValidationError(f"context_columns: {label!r} is also a genotype context; give it another label")
        ctx[label] = {**ctx[contexts[0]], **{str(k): float(v) for k, v in settings.items()}}
    concentrations = therapy_concentrations(therapies, clinical)
    partition = {name: tumour_partition(name) for name in therapies if " + " not in name}
    for name, (ratio, _) in partition.items():
        if ratio is not None:
            concentrations[name + _TUMOUR_TAG] = {k: v * ratio for k, v in concentrations[name].items()}
    ds = simulate_therapies(ctx, concentrations, time=time, model=model, n_threads=n_threads)
    gi = ds["inhibition_percent"]
    first = contexts[0]
    table = exposures.set_index("drug")
    rows = []
    for name in [*names, "trastuzumab + tucatinib"]:
        simulated = name in therapies
        row: dict[str, Any] = {"drug": name}
        if name in table.index:
            row.update({"regimen_or_basis": table.loc[name, "note"] if simulated else "no clinical exposure",
                        "free_nM": float(table.loc[name, "concentration_nM"]) if simulated else float("nan"),
                        "exposure_source": table.loc[name, "source"] if simulated else table.loc[name, "note"]})
        else:
            row.update({"regimen_or_basis": "both label regimens", "free_nM": float("nan"),
                        "exposure_source": "as the single drugs"})
        ratio, prov = partition.get(name, (None, ("", "", "")))
        row["tumour_partition"] = float("nan") if ratio is None else float(ratio)
        row["free_tumour_nM"] = row["free_nM"] * (1.0 if ratio is None else float(ratio))
        row["tumour_source"] = (f"{prov[0]}: {prov[1]}; {prov[2]}" if ratio is not None
                                else "no tumour-to-plasma ratio curated: plasma exposure")
        for c in ctx:
            row[f"GI_{c}"] = float(gi.sel(context=c, therapy=name)) if simulated else float("nan")
        tumour_therapy = name + _TUMOUR_TAG if ratio is not None else name
        row["GI_tumour"] = float(gi.sel(context=first, therapy=tumour_therapy)) if simulated else float("nan")
        activity, source, _ = MONOTHERAPY_ACTIVITY.get(name, ("not curated", "", None))
        row["published_activity"], row["activity_source"] = activity, source
        rows.append(row)
    frame = pd.DataFrame(rows)
    yard = float(frame.set_index("drug")[f"GI_{first}"].get("trastuzumab", np.nan))
    frame["verdict"] = [_verdict(d, g, yard) for d, g in zip(frame["drug"], frame[f"GI_{first}"])]
    frame["verdict_tumour"] = [_verdict(d, g, yard) for d, g in zip(frame["drug"], frame["GI_tumour"])]
    frame.attrs["rule"] = CLINICAL_VERDICT_RULE
    frame.attrs["tumour_rule"] = CLINICAL_TUMOUR_VERDICT_RULE
    frame.attrs["time_h"] = float(time)
    return frame


def parse_simulated(text: str) -> dict[str, float]:
    """Numbers of a check's ``simulated`` text (``"GI_T 42.4, GI_L 58.0"``) as a dict."""
    values: dict[str, float] = {}
    for part in str(text).split(", "):
        match = _NUMBER.match(part.strip())
        if match:
            values[match.group("name")] = float(match.group("value"))
    return values


def summary(frame: pd.DataFrame) -> dict[str, Any]:
    """Counts behind ``scorecard.md``.

    ``n_counted`` / ``n_reproduced_counted`` are the score: checks true by construction and passes
    that no ablation shows able to fail (``counted`` False) are listed but not counted
    (``n_not_counted``, ``not_counted_ids``); the ``n_applicable`` / ``n_reproduced`` counts
    include them.
    """
    applicable = frame[frame["verdict"] != "not applicable"]
    reproduced = applicable[applicable["verdict"] == "reproduced"]
    n_app = len(applicable)
    without = int(reproduced["passes_without_fitting"].sum()) if "passes_without_fitting" in frame else 0
    counted_mask = applicable["counted"].astype(bool) if "counted" in frame else pd.Series(True, index=applicable.index)
    counted = applicable[counted_mask]
    n_counted_reproduced = int((counted["verdict"] == "reproduced").sum())
    return {
        "n_counted": int(len(counted)),
        "n_reproduced_counted": n_counted_reproduced,
        "percent_reproduced_counted": 100.0 * n_counted_reproduced / len(counted) if len(counted) else float("nan"),
        "n_not_counted": int(n_app - len(counted)),
        "not_counted_ids": [str(i) for i in applicable.loc[~counted_mask, "id"]],
        "n_by_construction": int(applicable["by_construction"].astype(bool).sum()) if "by_construction" in frame else 0,
        "n_findings": int(len(frame)),
        "n_applicable": int(n_app),
        "n_reproduced": int(len(reproduced)),
        "n_not_reproduced": int(n_app - len(reproduced)),
        "n_not_applicable": int(len(frame) - n_app),
        "percent_reproduced": 100.0 * len(reproduced) / n_app if n_app else float("nan"),
        "n_reproduced_without_fitting": without,
        "n_reproduced_needing_fitting": int(len(reproduced) - without),
        "n_reproduced_not_using_fitted": int((~reproduced["uses_fitted"].astype(bool)).sum()),
    }


def _fitted_priors(model) -> dict[str, float]:
    from .her2_model import FITTED_PRIORS

    ids = set(model.parameter_ids)
    return {k: v for k, (v, _) in FITTED_PRIORS.items() if k in ids}


def _figure(row: Mapping[str, Any], lab: Lab, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    values = parse_simulated(row["simulated"])
    timecourse = _TIMECOURSES.get(row["id"])
    gi = {k: v for k, v in values.items() if k.startswith("GI")}
    other = {k: v for k, v in values.items() if not k.startswith("GI")}
    panels = [p for p in (gi, other) if p] + ([timecourse] if timecourse else [])
    fig, axes = plt.subplots(1, max(1, len(panels)), figsize=(4.8 * max(1, len(panels)), 4.2),
                             squeeze=False)
    k = 0
    colour = "tab:green" if row["verdict"] == "reproduced" else "tab:red"
    for group, unit in ((gi, "growth inhibition at 72 h [%]"), (other, "simulated value")):
        if not group:
            continue
        ax = axes[0, k]
        k += 1
        names = list(group)
        ax.bar(range(len(names)), [group[n] for n in names], color=colour, alpha=0.75)
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels([n.replace("_", " ") for n in names], rotation=45, ha="right", fontsize=7)
        ax.set_ylabel(unit)
        ax.axhline(0.0, color="black", linewidth=0.6)
        if group is gi and row["id"] in ("L01", "L01b", "L02a"):
            ax.axhline(42.0, color="black", linestyle="--", linewidth=1.0)
            ax.axhspan(27.0, 57.0, color="grey", alpha=0.15, label="published −42 % ± 15")
            ax.legend(fontsize=7)
    if timecourse:
        ax = axes[0, k]
        readouts, conditions = timecourse
        for label, drugs, genotype, parameters in conditions:
            ds = lab.run(drugs, genotype=genotype, parameters=parameters)
            for readout in readouts:
                series = ds[readout]
                base = float(series.sel(time=0.0))
                rel = series / base if base else series
                ax.plot(ds["time"], rel, marker="o", markersize=3, label=f"{readout} ({label})")
        ax.set_xlabel("time after treatment [h]")
        ax.set_ylabel("relative to untreated (t = 0)")
        ax.axhline(1.0, color="black", linewidth=0.6)
        ax.legend(fontsize=6)
    fig.suptitle(f"{row['id']} ({row['finding']}, mechanism {row['mechanism']}): {row['verdict']}",
                 fontsize=10, color=colour)
    text = f"published: {row['published']}\nexpected: {row['expected']}\ntolerance: {row['tolerance']}"
    fig.text(0.01, 0.01, _wrap(text, 150), fontsize=6.5, va="bottom", ha="left")
    fig.tight_layout(rect=(0, 0.16, 1, 0.93))
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.fill(line, width) for line in text.splitlines())


def _markdown(frame: pd.DataFrame, counts: Mapping[str, Any], seconds: float) -> str:
    lines = [
        "# her2sim flagship model — literature scorecard",
        "",
        f"Model `her2_pi3k_akt`; {counts['n_findings']} rows: {counts['n_applicable']} applicable checks "
        f"(one or more per finding) and {counts['n_not_applicable']} findings not applicable.",
        "",
        f"* **Reproduced: {counts['n_reproduced']} of {counts['n_applicable']} applicable "
        f"({counts['percent_reproduced']:.1f} %)**; not reproduced: {counts['n_not_reproduced']}; "
        f"not applicable: {counts['n_not_applicable']}.",
        f"* Reproduced checks that still pass when every fitted parameter is reset to its value "
        f"before fitting (sourced, derived and assumed parameters only): "
        f"**{counts['n_reproduced_without_fitting']}**; reproduced only with the fitted values: "
        f"**{counts['n_reproduced_needing_fitting']}**.",
        f"* Reproduced checks whose read-out does not go through any fitted parameter at all: "
        f"{counts['n_reproduced_not_using_fitted']}.",
        f"* **Counted: {counts['n_reproduced_counted']} of {counts['n_counted']} reproduced "
        f"({counts['percent_reproduced_counted']:.1f} %)**. Listed, not counted ({counts['n_not_counted']}): "
        f"{', '.join(counts['not_counted_ids']) or 'none'} — true by construction ({counts['n_by_construction']}), "
        "or passing with no ablation able to make them fail (null findings). Every counted check that "
        "reproduces fails when the mechanism it is about is switched off (column ablation; tests/test_literature_ablation.py).",
        f"* Run time: {seconds:.0f} s.",
        "",
        "| id | mechanism | verdict | counted | simulated | published | tolerance | uses fitted | passes without fitting "
        "| ablation | reason |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in frame.iterrows():
        na = r["verdict"] == "not applicable"
        cells = [r["id"], r["mechanism"], r["verdict"],
                 "" if na else ("yes" if r["counted"] else ("no: by construction" if r["by_construction"] else "no")),
                 r["simulated"], r["published"], r["tolerance"],
                 "yes" if r["uses_fitted"] else "no",
                 "" if na else ("yes" if r["passes_without_fitting"] else "no"),
                 r["ablation"], r["reason"]]
        lines.append("| " + " | ".join(str(c).replace("|", "/").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _clinical_markdown(table: pd.DataFrame) -> str:
    gi = [c for c in table.columns if c.startswith("GI_")]
    lines = ["", "## Clinical exposure and activity", "", f"Rule (fixed before the run): {table.attrs['rule']}.", "",
             f"Tumour-exposure verdict (declared before the run): {table.attrs.get('tumour_rule', 'not computed')}.",
             "",
             "| drug | free nM | tumour nM | " + " | ".join(f"{c[3:]} GI %" for c in gi)
             + " | published activity | verdict | verdict (tumour exposure) |",
             "|---|---|---|" + "---|" * len(gi) + "---|---|---|"]
    for _, r in table.iterrows():
        def num(x: float, fmt: str) -> str:
            return "—" if pd.isna(x) else format(x, fmt)

        cells = [r["drug"], num(r["free_nM"], ".3g"), num(r.get("free_tumour_nM", float("nan")), ".3g"),
                 *[num(r[c], ".1f") for c in gi],
                 f"{r['published_activity']} ({r['activity_source']})" if r["activity_source"] else r["published_activity"],
                 r["verdict"], r.get("verdict_tumour", "")]
        lines.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def write_scorecard(out_dir, *, model=None) -> pd.DataFrame:
    """Run every literature check and write ``scorecard.csv``, ``scorecard.md`` and figures.

    Also writes ``clinical_exposure.csv`` (:func:`clinical_exposure_table`) and its section of
    ``scorecard.md``.

    Parameters
    ----------
    out_dir
        Directory to write into (created if missing); figures go to ``out_dir/figures``.
    model
        A variant of the flagship model (default :func:`her2sim.library.her2_model.build`).

    Returns
    -------
    pandas.DataFrame
        The scorecard (the content of ``scorecard.csv``).
    """
    from .her2_model import build

    start = time.perf_counter()
    out = Path(out_dir)
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    model = model or build()

    def progress(message: str) -> None:
        print(f"[scorecard {time.perf_counter() - start:6.1f} s] {message}", file=sys.stderr, flush=True)

    progress(f"running {len(CHECKS)} checks")
    lab = Lab(model)
    frame = run_checks(model, lab=lab)
    priors = _fitted_priors(model)
    progress(f"re-running with {len(priors)} fitted parameters at their pre-fit values")
    unfitted = run_checks(model.with_parameters(priors)).set_index("id")["verdict"] if priors else None
    frame["passes_without_fitting"] = [
        bool(v == "reproduced" and (unfitted is None or unfitted.get(i) == "reproduced"))
        for i, v in zip(frame["id"], frame["verdict"])
    ]
    columns = ["id", "finding", "mechanism", "verdict", "counted", "by_construction", "simulated", "published",
               "expected", "tolerance", "uses_fitted", "fitted_parameters", "passes_without_fitting", "ablation",
               "reason", "context", "perturbation", "readout"]
    frame = frame[columns]
    frame.to_csv(out / "scorecard.csv", index=False)
    applicable = frame[frame["verdict"] != "not applicable"]
    for n, (_, row) in enumerate(applicable.iterrows(), start=1):
        _figure(row, lab, figures / f"{row['id']}.png")
        if n % 10 == 0 or n == len(applicable):
            progress(f"figures {n}/{len(applicable)}")
    counts = summary(frame)
    seconds = time.perf_counter() - start
    progress("clinical-exposure table (label regimens -> free exposure -> GI at 72 h)")
    clinical = clinical_exposure_table(model=model)
    clinical.to_csv(out / "clinical_exposure.csv", index=False)
    seconds = time.perf_counter() - start
    (out / "scorecard.md").write_text(_markdown(frame, counts, seconds) + _clinical_markdown(clinical),
                                      encoding="utf-8")
    progress(f"done: {counts['n_reproduced']}/{counts['n_applicable']} reproduced "
             f"({counts['percent_reproduced']:.1f} %); counted {counts['n_reproduced_counted']}/{counts['n_counted']}")
    return frame
