"""The ``her2sim`` command line: a thin shell over the public API (no science here)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

app = typer.Typer(
    name="her2sim",
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
    from .web import register as register_web  # `her2sim serve`

    register_web(app)


def _echo_err(message: str) -> None:
    typer.echo(message, err=True)


@app.command()
def validate(
    out: Path = typer.Option(Path("her2sim-output/validate"), "--out", "-o", help="Folder for the scorecard and figures."),
    figures: bool = typer.Option(True, help="Write one figure per finding."),
) -> None:
    """Run the literature scorecard of the flagship model and write it (CSV, Markdown, figures)."""
    out.mkdir(parents=True, exist_ok=True)
    try:
        from ..library.scorecard import write_scorecard
    except ImportError:  # scorecard writer not installed: table only
        from ..library.findings import run_checks

        table = run_checks()
        table.to_csv(out / "scorecard.csv", index=False)
    else:
        table = write_scorecard(out, figures=figures) if _accepts(write_scorecard, "figures") else write_scorecard(out)
    verdicts = table["verdict"].value_counts().to_dict()
    applicable = sum(v for k, v in verdicts.items() if k != "not applicable")
    ok = verdicts.get("reproduced", 0)
    frac = ok / applicable if applicable else float("nan")
    typer.echo(f"reproduced {ok} of {applicable} applicable findings ({100 * frac:.1f} %); "
               f"not applicable: {verdicts.get('not applicable', 0)}")
    typer.echo(f"scorecard written to {out}")


def _accepts(func, name: str) -> bool:
    import inspect

    return name in inspect.signature(func).parameters


@app.command()
def parameters(
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the table as CSV here."),
) -> None:
    """List the flagship model's parameters with value, units and provenance."""
    from ..library.her2_model import parameter_table

    table = parameter_table()
    if out is not None:
        table.to_csv(out, index=False)
        typer.echo(f"{len(table)} parameters written to {out}")
    else:
        with _wide_pandas():
            typer.echo(table.to_string(index=False))
    counts = table["kind"].value_counts().to_dict() if "kind" in table else {}
    _echo_err("provenance: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


@app.command()
def drugs(
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the table as CSV here."),
) -> None:
    """List the drug catalogue: targets, binding sites, potencies and their sources."""
    from ..library.catalogue import catalogue_tables

    tables = catalogue_tables()
    table = tables.targets if hasattr(tables, "targets") else tables["targets"]
    if out is not None:
        table.to_csv(out, index=False)
        typer.echo(f"{len(table)} drug-target rows written to {out}")
    else:
        with _wide_pandas():
            typer.echo(table.to_string(index=False))


@app.command()
def simulate(
    sbml: Path = typer.Argument(..., exists=True, dir_okay=False, help="An SBML model file."),
    t_end: float = typer.Option(..., "--t-end", help="End time, in the model's time unit."),
    points: int = typer.Option(101, "--points", min=2, help="Number of output times."),
    out: Path = typer.Option(Path("simulation.csv"), "--out", "-o", help="CSV output."),
    rtol: float = typer.Option(1e-8, help="Relative tolerance."),
    atol: float = typer.Option(1e-12, help="Absolute tolerance (concentration units)."),
    preequilibrate: bool = typer.Option(False, help="Start from the steady state."),
) -> None:
    """Simulate an SBML model with the compiled engine and write a CSV time course."""
    import numpy as np

    from ..io.sbml import read_sbml
    from ..simulation import simulate as run

    model = read_sbml(sbml)
    ds = run(model, np.linspace(0.0, t_end, points), rtol=rtol, atol=atol, preequilibrate=preequilibrate)
    ds.drop_vars("status").to_dataframe().to_csv(out)
    typer.echo(f"{model!r}: {ds.attrs['n_steps']} steps; written to {out}")


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _save_figure(ax_or_axes, path: Path) -> None:
    import matplotlib.pyplot as plt

    first = ax_or_axes[0] if hasattr(ax_or_axes, "__len__") else ax_or_axes
    first.figure.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(first.figure)


def _write_table(frame, path: Path) -> None:
    frame.to_csv(path, index=False)
    _echo_err(f"wrote {path}")


@app.command("dose-response")
def dose_response_cmd(
    treatment: str = typer.Argument(..., help="Drug, or drugs joined by '+' (equal-ratio mixture)."),
    contexts: str = typer.Option("parental", "--contexts", "-c", help="Comma-separated genotypes/cell lines."),
    low: float = typer.Option(0.01, help="Lowest concentration."),
    high: float = typer.Option(1e4, help="Highest concentration."),
    points: int = typer.Option(12, min=4, help="Number of concentrations."),
    unit: str = typer.Option("nM", help="Concentration unit (nM, uM, ug/mL...)."),
    time: float = typer.Option(72.0, help="End point in hours."),
    measured: Path | None = typer.Option(None, exists=True, dir_okay=False,
                                         help="Fit this CSV (dose, response, replicate[, drug, cell_line]) instead."),
    n_boot: int = typer.Option(200, help="Bootstrap refits for measured data."),
    seed: int = typer.Option(0, help="Bootstrap seed."),
    out: Path = typer.Option(Path("her2sim-output/dose-response"), "--out", "-o", help="Output folder."),
) -> None:
    """Dose-response curves: 4PL fits (IC50, Emax, Hill, AUC) and GR metrics; or fit measured data."""
    import numpy as np

    from ..analysis import dose_response as dr

    out.mkdir(parents=True, exist_ok=True)
    if measured is not None:
        fits = dr.fit_measured(measured, n_boot=n_boot, seed=seed)
        _write_table(fits.to_dataframe().reset_index(), out / "fits.csv")
        return
    ds = dr.simulate_dose_response(treatment, np.geomspace(low, high, points), unit=unit,
                                   contexts=_split(contexts), time=time)
    fits, grm = dr.fit_dose_response(ds), dr.gr_metrics(ds)
    _write_table(ds[["relative_viability", "inhibition_percent", "gr"]].to_dataframe().reset_index(), out / "curves.csv")
    _write_table(fits.to_dataframe().reset_index(), out / "fits.csv")
    _write_table(grm.to_dataframe().reset_index(), out / "gr_metrics.csv")
    _save_figure(dr.plot_dose_response(ds, fits=fits), out / "dose_response.png")
    _save_figure(dr.plot_gr(ds, metrics=grm), out / "gr.png")
    typer.echo(fits[["ic50", "ec50", "einf", "hill", "auc", "r2"]].to_dataframe().to_string())


@app.command()
def combination(
    drug_a: str = typer.Argument(..., help="First drug."),
    drug_b: str = typer.Argument(..., help="Second drug."),
    context: str = typer.Option("parental", "--context", "-c", help="Genotype(s) joined by ' + ', or a cell line."),
    points: int = typer.Option(8, min=3, help="Doses per axis, including 0."),
    matrix: Path | None = typer.Option(None, exists=True, dir_okay=False,
                                       help="Score this long-format CSV (dose_a, dose_b, response) instead."),
    response: str = typer.Option("inhibition", help="For --matrix: inhibition, inhibition_percent or viability."),
    out: Path = typer.Option(Path("her2sim-output/combination"), "--out", "-o", help="Output folder."),
) -> None:
    """Dose matrix of two drugs and synergy by Bliss, HSA, Loewe and ZIP."""
    from ..analysis import synergy as syn

    out.mkdir(parents=True, exist_ok=True)
    if matrix is not None:
        ds = syn.read_combination_csv(matrix, response=response, drug_a=drug_a, drug_b=drug_b)
    else:
        ds = syn.simulate_combination(drug_a, drug_b, syn.default_grid(drug_a, points), syn.default_grid(drug_b, points),
                                      context=context)
    scores = syn.synergy(ds)
    grid = scores.drop_vars([v for v in scores.data_vars if scores[v].ndim == 0]).to_dataframe().reset_index()
    _write_table(grid, out / "synergy.csv")
    summary = {k: float(scores[k]) for k in scores.data_vars if scores[k].ndim == 0}
    import pandas as pd

    _write_table(pd.DataFrame([summary]), out / "synergy_summary.csv")
    for model_name in ("bliss", "zip"):
        _save_figure(syn.plot_synergy_map(scores, model=model_name), out / f"{model_name}_map.png")
    _save_figure(syn.plot_isobologram(ds), out / "isobologram.png")
    typer.echo(", ".join(f"{k} {v:.2f}" for k, v in summary.items()))


@app.command()
def atlas(
    contexts: str = typer.Option(",".join(("parental", "PTEN loss", "PIK3CA H1047R", "PIK3CA E545K", "p95HER2",
                                           "HER3 overexpression", "IGF1R overexpression", "MUC4 high", "KRAS G12")),
                                 "--contexts", "-c", help="Comma-separated contexts (must include the reference)."),
    therapies: str = typer.Option("", "--therapies", "-t", help="Comma-separated therapies (default: the atlas set)."),
    reference: str = typer.Option("parental", help="Reference context of the calls."),
    basis: str = typer.Option("free_average", help="Exposure basis: free_average, free_trough, free_peak, in_vitro."),
    resistant_drop: float = typer.Option(20.0, help="GI drop (pp) that calls resistance."),
    sensitive_margin: float = typer.Option(10.0, help="GI drop (pp) up to which the call is 'sensitive'."),
    out: Path = typer.Option(Path("her2sim-output/atlas"), "--out", "-o", help="Output folder."),
) -> None:
    """Resistance atlas: genotypes × therapies at clinical exposures, with calls and routes."""
    from ..analysis import atlas as atlas_mod

    out.mkdir(parents=True, exist_ok=True)
    kwargs = {"therapies": _split(therapies)} if therapies else {}
    result = atlas_mod.resistance_atlas(_split(contexts), reference=reference, basis=basis,
                                        resistant_drop=resistant_drop, sensitive_margin=sensitive_margin, **kwargs)
    _write_table(atlas_mod.atlas_table(result), out / "atlas.csv")
    _write_table(atlas_mod.exposure_table(basis, list(result["drug"].values)), out / "exposures.csv")
    _save_figure(atlas_mod.plot_atlas(result), out / "atlas.png")
    typer.echo(result.attrs["call_rule"])


@app.command()
def rescue(
    context: str = typer.Argument(..., help="Resistant context (genotype(s) joined by ' + ', or a cell line)."),
    failing: str = typer.Option("trastuzumab", help="The failing therapy."),
    backbone: str = typer.Option("", help="Comma-separated drugs every combination must contain."),
    max_size: int = typer.Option(3, min=1, max=3, help="Largest combination."),
    basis: str = typer.Option("free_average", help="Exposure basis (see 'atlas')."),
    top: int = typer.Option(10, help="Hits explained and printed."),
    out: Path = typer.Option(Path("her2sim-output/rescue"), "--out", "-o", help="Output folder."),
) -> None:
    """Rank single agents, pairs and triplets for a resistant tumour, with mechanistic explanations."""
    from ..analysis import rescue as rescue_mod

    out.mkdir(parents=True, exist_ok=True)
    result = rescue_mod.rescue_search(context, failing=failing, backbone=_split(backbone), max_size=max_size,
                                      basis=basis, top=top)
    table = rescue_mod.rescue_table(result)
    _write_table(table, out / "rescue.csv")
    for _, row in table.head(top).iterrows():
        typer.echo(f"{row['rank_effect']:>3}. {row['combination']}: {row['explanation']}")


@app.command()
def regimen(
    regimens: str = typer.Argument(..., help="Comma-separated regimens (e.g. 'trastuzumab q3w,pertuzumab q3w')."),
    contexts: str = typer.Option("parental,PTEN loss,p95HER2", "--contexts", "-c", help="Comma-separated contexts."),
    weeks: float = typer.Option(3.0, help="Weeks of therapy."),
    out: Path = typer.Option(Path("her2sim-output/regimen"), "--out", "-o", help="Output folder."),
) -> None:
    """Weeks of clinical dosing through compartmental PK, fed hourly to the model."""
    from ..analysis import regimen as regimen_mod

    out.mkdir(parents=True, exist_ok=True)
    ds = regimen_mod.simulate_regimen(_split(regimens), contexts=_split(contexts), weeks=weeks)
    _write_table(ds.drop_vars(["free_nM", "status"]).to_dataframe().reset_index(), out / "time_course.csv")
    _write_table(ds["free_nM"].to_dataframe().reset_index(), out / "pk.csv")
    _save_figure(regimen_mod.plot_regimen(ds), out / "regimen.png")
    final = ds["inhibition_percent"].isel(time=-1).to_pandas()
    typer.echo("GI at the end: " + ", ".join(f"{k} {v:.1f} %" for k, v in final.items()))


@app.command()
def report(
    out: Path = typer.Option(Path("her2sim-output/report"), "--out", "-o", help="Output folder."),
    scorecard: bool = typer.Option(True, help="Include the literature scorecard."),
    threads: int | None = typer.Option(None, help="Simulation threads (default: all cores)."),
) -> None:
    """Write the self-contained HTML report (figures embedded, data as CSV/Parquet beside it)."""
    from ..report import write_report

    path = write_report(out, n_threads=threads, scorecard=scorecard)
    typer.echo(f"report written to {path}")


class _wide_pandas:
    def __enter__(self):
        import pandas as pd

        self._ctx = pd.option_context("display.width", 200, "display.max_colwidth", 80, "display.max_rows", 500)
        self._ctx.__enter__()

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


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
