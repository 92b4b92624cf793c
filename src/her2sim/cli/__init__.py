"""The ``her2sim`` command line: a thin shell over the public API (no science here)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ._common import Her2simGroup, as_option, check_choice, check_positive, columns_with_units, ensure_parent, print_table, units_of

app = typer.Typer(
    name="her2sim",
    cls=Her2simGroup,
    help="HER2/PI3K/AKT signalling and resistance to HER2-targeted therapy: models, checks and analyses.",
    no_args_is_help=True,
    add_completion=False,
)


def _register_subapps() -> None:
    from .logical import logical_app
    from .sensitivity import sensitivity_command

    app.add_typer(logical_app, name="logical", help="The logical (Boolean) twin: attractors, scans, stochastic runs.")
    app.command("sensitivity")(sensitivity_command)
    from .calibration import register as register_calibration

    register_calibration(app)
    from .trials import register as register_trials; register_trials(app)  # noqa: E702
    from .web import register as register_web  # `her2sim serve`

    register_web(app)


def _echo_err(message: str) -> None:
    typer.echo(message, err=True)


@app.command()
def validate(
    out: Path = typer.Option(Path("her2sim-output/validate"), "--out", "-o", help="Folder for the scorecard and figures."),
    figures: bool = typer.Option(True, help="Write one figure per finding."),
    parameters: Path | None = typer.Option(
        None, "--parameters", "-p", exists=True, dir_okay=False,
        help="PEtab parameter table (e.g. calibrate-model run's best_parameters.tsv): its estimated model "
             "parameters replace the model's values; observation parameters (scales, noise) are skipped."),
) -> None:
    """Run the literature scorecard of the flagship model and write it (CSV, Markdown, figures)."""
    model = None
    if parameters is not None:
        from ..calibration.fit import read_parameter_values
        from ..errors import UnknownNameError
        from ..library.her2_model import build

        model = build()
        values = read_parameter_values(parameters)
        applied = {k: v for k, v in values.items() if k in set(model.parameter_ids)}
        skipped = [k for k in values if k not in applied]
        if not applied and values:  # a table of typos or of another model: name the closest id
            raise UnknownNameError("--parameters", next(iter(values)), model.parameter_ids)
        if not applied:
            raise typer.BadParameter(f"{parameters}: no estimated parameters (estimate = 1)", param_hint="--parameters")
        model = model.with_parameters(applied)
        _echo_err(f"{len(applied)} model parameters from {parameters.name}; skipped {len(skipped)} that are not "
                  f"model parameters" + (f" ({', '.join(skipped[:5])}{', ...' if len(skipped) > 5 else ''})"
                                         if skipped else ""))
    out.mkdir(parents=True, exist_ok=True)
    try:
        from ..library.scorecard import write_scorecard
    except ImportError:  # scorecard writer not installed: table only
        from ..library.findings import run_checks

        table = run_checks(model)
        table.to_csv(out / "scorecard.csv", index=False)
    else:
        kw = {"figures": figures} if _accepts(write_scorecard, "figures") else {}
        table = write_scorecard(out, model=model, **kw)
    verdicts = table["verdict"].value_counts().to_dict()
    applicable = sum(v for k, v in verdicts.items() if k != "not applicable")
    ok = verdicts.get("reproduced", 0)
    frac = ok / applicable if applicable else float("nan")
    typer.echo(f"reproduced {ok} of {applicable} applicable findings ({100 * frac:.1f} %); "
               f"not applicable: {verdicts.get('not applicable', 0)}")
    if "counted" in table:
        from ..library.scorecard import summary

        counts = summary(table)
        typer.echo(f"counted: {counts['n_reproduced_counted']} of {counts['n_counted']} reproduced "
                   f"({counts['percent_reproduced_counted']:.1f} %); listed, not counted: "
                   f"{', '.join(counts['not_counted_ids']) or 'none'} (by construction or no ablation)")
    typer.echo(f"scorecard written to {out}")


def _accepts(func, name: str) -> bool:
    import inspect

    return name in inspect.signature(func).parameters


@app.command()
def parameters(
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the table as CSV here."),
    wide: bool = typer.Option(False, "--wide", help="Print every cell in full (default: cut to the terminal width)."),
) -> None:
    """List the flagship model's parameters with value, units and provenance."""
    from ..library.her2_model import parameter_table

    table = parameter_table()
    if out is not None:
        table.to_csv(ensure_parent(out), index=False)
        typer.echo(f"{len(table)} parameters written to {out}")
    else:
        print_table(table, wide=wide)
    counts = table["kind"].value_counts().to_dict() if "kind" in table else {}
    _echo_err("provenance: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


@app.command()
def drugs(
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the table as CSV here."),
    wide: bool = typer.Option(False, "--wide", help="Print every cell in full (default: cut to the terminal width)."),
) -> None:
    """List the drug catalogue: targets, binding sites, potencies and their sources."""
    from ..library.catalogue import catalogue_tables

    tables = catalogue_tables()
    table = tables.targets if hasattr(tables, "targets") else tables["targets"]
    if out is not None:
        table.to_csv(ensure_parent(out), index=False)
        typer.echo(f"{len(table)} drug-target rows written to {out}")
    elif wide:
        print_table(table, wide=True)
    else:  # the columns a reader scans first; --wide or --out for all of them
        keep = [c for c in ("drug", "node", "binding_site", "potency_nM", "potency_kind", "free_potency_nM",
                            "provenance_kind") if c in table.columns]
        print_table(table[keep] if keep else table)


@app.command()
def simulate(
    model_file: Path | None = typer.Argument(None, exists=True, dir_okay=False,
                                             help="An SBML model file; omit it to simulate the flagship model."),
    genotype: list[str] = typer.Option([], "--genotype", "-g",
                                       help="Flagship: genotype, with an optional strength ('PTEN loss:0.8'); repeat. "
                                            "See 'her2sim list genotypes'."),
    cell_line: str | None = typer.Option(None, "--cell-line", "-l", help="Flagship: a cell-line preset ('her2sim list cell-lines')."),
    drug: list[str] = typer.Option([], "--drug", "-d",
                                   help="Flagship: DRUG=VALUE[UNIT] from t = 0, e.g. 'trastuzumab=10 ug/mL', 'lapatinib=1 uM' "
                                        "(bare numbers are nM); repeat."),
    readout: list[str] = typer.Option([], "--readout", "-r", help="Flagship: read-outs ('her2sim list readouts'); repeat."),
    serum: float = typer.Option(10.0, "--serum", min=0.0, max=100.0,
                                help="Flagship: serum % of the medium; doses are nominal and act through their free "
                                     "fraction in it (default 10 %)."),
    t_end: float | None = typer.Option(None, "--t-end",
                                       help="End time: hours for the flagship (default 72); the model's time unit for SBML (required)."),
    points: int = typer.Option(101, "--points", min=2, max=100_000, help="Number of output times."),
    out: Path | None = typer.Option(None, "--out", "-o",
                                    help="CSV output (default simulation.csv; flagship: her2sim-output/simulate/time_course.csv)."),
    plot: Path | None = typer.Option(None, "--plot",
                                     help="Figure file (.png, .svg or .pdf); flagship default: the CSV path with .png."),
    rtol: float = typer.Option(1e-8, help="Relative tolerance."),
    atol: float = typer.Option(1e-12, help="Absolute tolerance (concentration units)."),
    preequilibrate: bool = typer.Option(False, help="SBML: start from the steady state (the flagship always does)."),
) -> None:
    """Simulate a time course: the flagship model (genotype, cell line, drugs) or a user's SBML file.

    Writes a CSV with one row per time point and units in every column name, and a plot.
    """
    import numpy as np

    from ..library.drugs import SUPPORTED_UNITS

    check_positive("--t-end", t_end)
    check_positive("--rtol", rtol)
    check_positive("--atol", atol)
    if plot is not None and plot.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise typer.BadParameter(f"{plot.suffix or 'no suffix'!r} is not one of '.png', '.svg', '.pdf'", param_hint="--plot")
    if model_file is not None:
        flagship_only = {"--genotype": genotype, "--cell-line": cell_line, "--drug": drug, "--readout": readout}
        given = [k for k, v in flagship_only.items() if v]
        if given:
            raise typer.BadParameter(f"{', '.join(given)} apply to the flagship model only; omit MODEL_FILE to use them",
                                     param_hint=given[0])
        if t_end is None:
            raise typer.BadParameter("is required for an SBML file (in the model's time unit)", param_hint="--t-end")
        from ..io.sbml import read_sbml
        from ..simulation import simulate as run

        model = read_sbml(model_file)
        _echo_err(f"simulating {model_file.name}: the first run of a model structure compiles it "
                  "(seconds to a minute for large models); later runs reuse the cached library")
        ds = run(model, np.linspace(0.0, t_end, points), rtol=rtol, atol=atol, preequilibrate=preequilibrate)
        time_unit = ds["time"].attrs.get("units") or "model time unit"
        label = f"{model!r}"
    else:
        from ..family import default_family
        from ..library.protocols import treat
        from ._flagship import check_drugs, flagship_readouts, parse_context, parse_dose

        t_end = 72.0 if t_end is None else t_end
        genotypes: dict[str, float] = {}
        for item in genotype:
            parsed = parse_context(item, option="--genotype")
            genotypes.update(parsed if isinstance(parsed, dict) else {p.strip(): 1.0 for p in parsed.split(" + ")})
        family = default_family()
        if genotypes:  # the family's lookup, as everywhere (case, hyphens, aliases; closest name on error)
            as_option("--genotype", family.resolve_context, genotypes)
        settings = as_option("--cell-line", family.resolve_context, cell_line)[1] if cell_line else {}
        doses = dict(parse_dose(d) for d in drug)
        for name, (value, dose_unit) in doses.items():
            check_drugs("--drug", name)
            check_choice("--drug (unit)", dose_unit, SUPPORTED_UNITS)
        allowed = flagship_readouts()
        for r in readout:
            check_choice("--readout", r, allowed)
        readouts = list(readout) or ["cells", "pHER2_total", "pHER3", "pAKT_S473", "pS6", "pERK"]
        ds = treat(doses, times=np.linspace(0.0, t_end, points), genotype=genotypes or None,
                   parameters=settings or None, outputs=readouts, serum_percent=serum)
        time_unit = "h"
        label = ("flagship model; " + "; ".join(filter(None, [
            f"cell line {cell_line}" if cell_line else "",
            "genotype " + " + ".join(f"{k}:{v:g}" if v != 1 else k for k, v in genotypes.items()) if genotypes else "",
            ("drugs " + ", ".join(f"{k} {v:g} {u}" for k, (v, u) in doses.items()) + f" in {serum:g} % serum")
            if doses else "untreated"])))
        out = out or Path("her2sim-output/simulate/time_course.csv")
        plot = plot or out.with_suffix(".png")
    out = out or Path("simulation.csv")
    frame = ds.drop_vars("status").to_dataframe()
    frame.index.name = f"time [{time_unit}]"
    units = units_of(ds)
    # the flagship declares every unit; an SBML file without unit definitions gets "model units", not a guess
    fallback = "1" if model_file is None else "model units"
    frame.columns = [f"{c} [{units.get(str(c)) or fallback}]" for c in frame.columns]
    frame.to_csv(ensure_parent(out))
    typer.echo(f"{label}: {ds.attrs.get('n_steps', '?')} steps; written to {out}")
    if plot is not None:
        from ..analysis.dose_response import _pyplot

        plt = _pyplot()
        columns = list(frame.columns)
        fig, axes = plt.subplots(len(columns), 1, figsize=(6, 1.4 + 1.3 * len(columns)), sharex=True, squeeze=False)
        for ax, col in zip(axes[:, 0], columns):
            ax.plot(frame.index.values, frame[col].values, lw=1.2)
            ax.set_ylabel(col, fontsize=7)
        axes[-1, 0].set_xlabel(frame.index.name)
        axes[0, 0].set_title(label, fontsize=8)
        fig.savefig(ensure_parent(plot), dpi=120, bbox_inches="tight")
        plt.close(fig)
        typer.echo(f"plot written to {plot}")


@app.command("list")
def list_command(
    what: str = typer.Argument(..., help="genotypes, cell-lines, drugs, regimens or readouts."),
    wide: bool = typer.Option(False, "--wide", help="Print every cell in full (default: cut to the terminal width)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the full table as CSV here."),
) -> None:
    """List the names the commands accept: genotypes, cell lines, drugs, regimens, read-outs."""
    from ._flagship import LISTS, list_table

    check_choice("WHAT", what, LISTS)
    table = list_table(what)
    if out is not None:
        table.to_csv(ensure_parent(out), index=False)
        typer.echo(f"{len(table)} {what} written to {out}")
    else:
        print_table(table, wide=wide)


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _save_figure(ax_or_axes, path: Path) -> None:
    import matplotlib.pyplot as plt

    first = ax_or_axes[0] if hasattr(ax_or_axes, "__len__") else ax_or_axes
    first.figure.savefig(ensure_parent(path), dpi=120, bbox_inches="tight")
    plt.close(first.figure)


def _write_table(frame, path: Path) -> None:
    frame.to_csv(ensure_parent(path), index=False)
    _echo_err(f"wrote {path}")


@app.command("dose-response")
def dose_response_cmd(
    treatment: str = typer.Argument(..., help="Drug, or drugs joined by '+' (equal-ratio mixture)."),
    contexts: str = typer.Option("parental", "--contexts", "-c",
                                 help="Comma-separated genotypes ('PTEN loss:0.5' for a strength) or cell lines."),
    low: float = typer.Option(0.01, help="Lowest concentration (> 0)."),
    high: float = typer.Option(1e4, help="Highest concentration (> --low)."),
    points: int = typer.Option(12, min=4, max=200, help="Number of concentrations."),
    unit: str = typer.Option("nM", help="Concentration unit (nM, uM, ug/mL...)."),
    serum: float = typer.Option(10.0, "--serum", min=0.0, max=100.0,
                                help="Serum % of the medium: doses are nominal and act through their free fraction "
                                     "in it (default 10 %)."),
    time: float = typer.Option(72.0, help="End point in hours (> 0)."),
    measured: Path | None = typer.Option(None, exists=True, dir_okay=False,
                                         help="Fit this CSV (dose, response, replicate[, drug, cell_line]) instead."),
    ic: list[float] = typer.Option([50.0], "--ic", help="Inhibition levels (%) to read, e.g. --ic 50 --ic 70; repeat."),
    flat_fit_pvalue: float = typer.Option(0.05, "--flat-fit-pvalue",
                                          help="GRmetrics flat-fit rule: F-test p-value at or above which the GR "
                                               "curve is reported flat (GRmetrics default 0.05)."),
    force_sigmoid: bool = typer.Option(False, "--force-sigmoid", help="Keep every sigmoidal GR fit (no flat-fit rule)."),
    grmax_doses: int = typer.Option(2, "--grmax-doses", min=1, max=10,
                                    help="GRmax = smallest GR over this many highest doses (GRmetrics: 2)."),
    n_boot: int = typer.Option(200, min=0, max=100_000, help="Bootstrap refits for measured data."),
    seed: int = typer.Option(0, help="Bootstrap seed."),
    out: Path = typer.Option(Path("her2sim-output/dose-response"), "--out", "-o", help="Output folder."),
) -> None:
    """Dose-response curves: 4PL fits (IC50, Emax, Hill, AUC) and GR metrics; or fit measured data.

    Potencies outside the tested range are reported as the tested bound with '<' or '>'.
    """
    import numpy as np

    from ..analysis import dose_response as dr
    from ..library.drugs import SUPPORTED_UNITS
    from ._flagship import check_drugs, parse_contexts

    check_choice("--unit", unit, SUPPORTED_UNITS)
    check_positive("--time", time)
    check_positive("--low", low)
    check_positive("--high", high)
    if not high > low:
        raise typer.BadParameter(f"must be above --low ({low:g}), got {high:g}", param_hint="--high")
    for level in ic:
        if not 0 < level < 100:
            raise typer.BadParameter(f"inhibition levels are percentages in (0, 100), got {level:g}", param_hint="--ic")
    if not 0 < flat_fit_pvalue <= 1:
        raise typer.BadParameter(f"must be in (0, 1], got {flat_fit_pvalue!r}", param_hint="--flat-fit-pvalue")
    levels = tuple(sorted({1.0 - level / 100.0 for level in ic} | {0.5}, reverse=True))
    if measured is not None:
        fits = dr.fit_measured(measured, n_boot=n_boot, seed=seed, dose_unit=unit, ic_levels=levels)
        _write_table(columns_with_units(fits.to_dataframe().reset_index(), units_of(fits)), out / "fits.csv")
        typer.echo(_potency_summary(fits, "group", ic).to_string(index=False))
        return
    check_drugs("TREATMENT", treatment)
    parsed = parse_contexts(contexts)
    ds = dr.simulate_dose_response(treatment, np.geomspace(low, high, points), unit=unit, contexts=parsed, time=time,
                                   serum_percent=serum)
    fits = dr.fit_dose_response(ds, ic_levels=levels)
    grm = dr.gr_metrics(ds, flat_fit_pvalue_threshold=None if force_sigmoid else flat_fit_pvalue,
                        grmax_doses=grmax_doses)
    curves = ds[["relative_viability", "inhibition_percent", "gr"]]
    _write_table(columns_with_units(curves.to_dataframe().reset_index(), units_of(curves)), out / "curves.csv")
    _write_table(columns_with_units(fits.to_dataframe().reset_index(), units_of(fits)), out / "fits.csv")
    _write_table(columns_with_units(grm.to_dataframe().reset_index(), units_of(grm)), out / "gr_metrics.csv")
    _save_figure(dr.plot_dose_response(ds, fits=fits), out / "dose_response.png")
    _save_figure(dr.plot_gr(ds, metrics=grm), out / "gr.png")
    typer.echo(_potency_summary(fits, "context", ic).to_string(index=False))


def _potency_summary(fits, dim: str, ic: list[float]):
    """Potencies with their censoring qualifier ('< 0.01' = below the lowest tested dose)."""
    import pandas as pd

    unit = fits["ec50"].attrs.get("units", "")
    names = ["ic50", *[f"ic{level:g}" for level in ic if level != 50.0], "ec50"]
    rows = []
    for label in fits[dim].values:
        row = {dim: str(label)}
        sel = fits.sel({dim: label})
        for name in names:
            if name in fits:
                q = str(sel[f"{name}_censored"].values)
                row[f"{name} [{unit}]"] = f"{q} {float(sel[name]):.4g}".strip()
        for name in ("einf", "hill", "auc", "r2"):
            row[name] = f"{float(sel[name]):.3g}"
        rows.append(row)
    return pd.DataFrame(rows)


@app.command()
def combination(
    drug_a: str = typer.Argument(..., help="First drug."),
    drug_b: str = typer.Argument(..., help="Second drug."),
    context: str = typer.Option("parental", "--context", "-c", help="Genotype(s) joined by ' + ', or a cell line."),
    points: int = typer.Option(8, min=3, max=30, help="Doses per axis, including 0."),
    matrix: Path | None = typer.Option(None, exists=True, dir_okay=False,
                                       help="Score this long-format CSV (dose_a, dose_b, response) instead."),
    response: str = typer.Option("inhibition", help="For --matrix: inhibition, inhibition_percent or viability."),
    unit: str = typer.Option("nM", help="For --matrix: the dose unit."),
    out: Path = typer.Option(Path("her2sim-output/combination"), "--out", "-o", help="Output folder."),
) -> None:
    """Dose matrix of two drugs: synergy by Bliss, HSA, Loewe (with the Chou-Talalay CI) and ZIP."""
    import pandas as pd

    from ..analysis import synergy as syn
    from ._flagship import check_drugs, parse_context

    check_choice("--response", response, ("inhibition", "inhibition_percent", "viability"))
    if matrix is not None:
        ds = syn.read_combination_csv(matrix, response=response, drug_a=drug_a, drug_b=drug_b, unit=unit)
    else:
        check_drugs("DRUG_A", drug_a)
        check_drugs("DRUG_B", drug_b)
        ds = syn.simulate_combination(drug_a, drug_b, syn.default_grid(drug_a, points), syn.default_grid(drug_b, points),
                                      context=parse_context(context, option="--context"))
    scores = syn.synergy(ds)
    _write_table(syn.synergy_table(scores), out / "synergy.csv")
    summary = {f"{k} [{scores[k].attrs.get('units', '1')}]": float(scores[k])
               for k in scores.data_vars if scores[k].ndim == 0}
    _write_table(pd.DataFrame([summary]), out / "synergy_summary.csv")
    for model_name in ("bliss", "zip"):
        _save_figure(syn.plot_synergy_map(scores, model=model_name), out / f"{model_name}_map.png")
    _save_figure(syn.plot_isobologram(ds), out / "isobologram.png")
    typer.echo(", ".join(f"{k} {v:.3g}" for k, v in summary.items()))


@app.command()
def atlas(
    contexts: str = typer.Option(",".join(("parental", "PTEN loss", "PIK3CA H1047R", "PIK3CA E545K", "p95HER2",
                                           "HER3 overexpression", "IGF1R overexpression", "MUC4 high", "KRAS G12")),
                                 "--contexts", "-c", help="Comma-separated contexts; the reference is added if missing."),
    therapies: str = typer.Option("", "--therapies", "-t", help="Comma-separated therapies (default: the atlas set)."),
    reference: str = typer.Option("parental", help="Reference context of the calls."),
    basis: str = typer.Option("free_average", help="Exposure basis: free_average, free_trough, free_peak, in_vitro."),
    resistant_drop: float = typer.Option(20.0, help="GI drop (pp) that calls resistance."),
    sensitive_margin: float = typer.Option(10.0, help="GI drop (pp) up to which the call is 'sensitive'."),
    out: Path = typer.Option(Path("her2sim-output/atlas"), "--out", "-o", help="Output folder."),
) -> None:
    """Resistance atlas: genotypes × therapies at clinical exposures, with calls and routes.

    Figure codes: R resistant, r partially resistant, S sensitive, ref reference, - inactive in reference.
    """
    from ..analysis import atlas as atlas_mod
    from ._flagship import check_drugs, context_labels, parse_context, parse_contexts

    check_choice("--basis", basis, atlas_mod.BASES)
    check_positive("--resistant-drop", resistant_drop, allow_zero=True)
    check_positive("--sensitive-margin", sensitive_margin, allow_zero=True)
    if sensitive_margin > resistant_drop:
        raise typer.BadParameter(f"must not exceed --resistant-drop ({resistant_drop:g}), got {sensitive_margin:g}",
                                 param_hint="--sensitive-margin")
    parsed = parse_contexts(contexts)
    reference_parsed = parse_context(reference, option="--reference")
    reference_label = context_labels([reference_parsed])[0]
    if reference_label not in context_labels(parsed):
        parsed = [reference_parsed, *parsed]
        _echo_err(f"note: the reference {reference_label!r} was added to the contexts")
    for therapy in _split(therapies):
        check_drugs("--therapies", therapy)
    kwargs = {"therapies": _split(therapies)} if therapies else {}
    result = atlas_mod.resistance_atlas(parsed, reference=reference_label, basis=basis,
                                        resistant_drop=resistant_drop, sensitive_margin=sensitive_margin, **kwargs)
    table = atlas_mod.atlas_table(result)
    table.insert(table.columns.get_loc("call") + 1, "code",
                 table["call"].map({call: code for code, call in atlas_mod.CALL_CODES.items()}))
    _write_table(columns_with_units(table, units_of(result)), out / "atlas.csv")
    _write_table(atlas_mod.exposure_table(basis, list(result["drug"].values)), out / "exposures.csv")
    _save_figure(atlas_mod.plot_atlas(result), out / "atlas.png")
    typer.echo(result.attrs["call_rule"])
    typer.echo("codes: " + "; ".join(f"{code} = {call}" for code, call in atlas_mod.CALL_CODES.items()))


@app.command()
def rescue(
    context: str = typer.Argument(..., help="Resistant context (genotype(s) joined by ' + ', or a cell line)."),
    failing: str = typer.Option("trastuzumab", help="The failing therapy."),
    backbone: str = typer.Option("", help="Comma-separated drugs every combination must contain."),
    max_size: int = typer.Option(3, min=1, max=3, help="Largest combination."),
    basis: str = typer.Option("free_average", help="Exposure basis (see 'atlas')."),
    include_unexposed: bool = typer.Option(False, "--include-unexposed",
                                           help="Also rank drugs without a clinical exposure (dosed at an in-vitro "
                                                "reference dose, flagged NOT COMPARABLE)."),
    top: int = typer.Option(10, min=1, max=1000, help="Hits explained and printed."),
    out: Path = typer.Option(Path("her2sim-output/rescue"), "--out", "-o", help="Output folder."),
) -> None:
    """Rank single agents, pairs and triplets for a resistant tumour, with mechanistic explanations."""
    from ..analysis import atlas as atlas_mod
    from ..analysis import rescue as rescue_mod
    from ._flagship import check_drugs, parse_context

    check_choice("--basis", basis, atlas_mod.BASES)
    check_drugs("--failing", failing)
    check_drugs("--backbone", backbone, sep=",")
    result = rescue_mod.rescue_search(parse_context(context, option="CONTEXT"), failing=failing,
                                      backbone=_split(backbone), max_size=max_size, basis=basis,
                                      include_unexposed=include_unexposed, top=top)
    table = rescue_mod.rescue_table(result)
    _write_table(columns_with_units(table, units_of(result)), out / "rescue.csv")
    excluded = result.attrs.get("excluded_unexposed", "none")
    if excluded != "none":
        _echo_err(f"note: left out (no clinical exposure; --include-unexposed to rank them at in-vitro doses): {excluded}")
    for _, row in table.head(top).iterrows():
        typer.echo(f"{row['rank_effect']:>3}. {row['combination']}: {row['explanation']}")


@app.command()
def regimen(
    regimens: str = typer.Argument(..., help="Comma-separated regimens ('her2sim list regimens')."),
    contexts: str = typer.Option("parental,PTEN loss,p95HER2", "--contexts", "-c", help="Comma-separated contexts."),
    weeks: float = typer.Option(3.0, help="Weeks of therapy (> 0, at most 52)."),
    out: Path = typer.Option(Path("her2sim-output/regimen"), "--out", "-o", help="Output folder."),
) -> None:
    """Weeks of clinical dosing through compartmental PK, fed hourly to the model.

    time_course.csv and pk.csv have one row per time point (hours, as in the figure).
    """
    from ..analysis import regimen as regimen_mod
    from ._flagship import parse_contexts

    check_positive("--weeks", weeks)
    if weeks > 52:
        raise typer.BadParameter(f"must be at most 52, got {weeks:g}", param_hint="--weeks")
    names = _split(regimens)
    if not names:
        raise typer.BadParameter("give at least one regimen ('her2sim list regimens')", param_hint="REGIMENS")
    from ..library import pk

    for name in names:
        as_option("REGIMENS", pk.regimen, name)
    ds = regimen_mod.simulate_regimen(names, contexts=parse_contexts(contexts), weeks=weeks)
    tumour, plasma = regimen_mod.regimen_tables(ds)
    _write_table(tumour, out / "time_course.csv")
    _write_table(plasma, out / "pk.csv")
    _save_figure(regimen_mod.plot_regimen(ds), out / "regimen.png")
    final = ds["inhibition_percent"].isel(time=-1).to_pandas()
    typer.echo("GI at the end: " + ", ".join(f"{k} {v:.1f} %" for k, v in final.items()))


@app.command()
def report(
    out: Path = typer.Option(Path("her2sim-output/report"), "--out", "-o", help="Output folder."),
    scorecard: bool = typer.Option(True, help="Include the literature scorecard."),
    threads: int | None = typer.Option(None, min=1, max=1024, help="Simulation threads (default: all cores)."),
) -> None:
    """Write the self-contained HTML report (figures embedded, data as CSV/Parquet beside it)."""
    from ..report import write_report

    path = write_report(out, n_threads=threads, scorecard=scorecard)
    typer.echo(f"report written to {path}")


_register_subapps()


def main() -> None:
    """Console entry point."""
    try:
        app()
    except Exception as exc:  # a clean message, not a traceback, for known errors
        from ..errors import Her2simError

        if isinstance(exc, Her2simError):
            _echo_err(f"error: {exc}")
            sys.exit(2)
        raise


if __name__ == "__main__":
    main()
