"""``her2sim calibrate-model``: write the family's calibration problem, run the fit and the ensemble (thin shell).

``write-problem OUTDIR`` calls :func:`her2sim.calibration.flagship_problem.family_problem` and
writes the PEtab problem (lint-checked); ``run PROBLEM OUTDIR`` calls
:func:`her2sim.calibration.pipeline.run_calibration` (resumable: run it again to continue);
``ccle OUTDIR`` calls :func:`her2sim.calibration.ccle.fit_ccle` and writes its tables and figure;
``ensemble [OUTDIR] [--ship]`` calls :func:`her2sim.calibration.ensemble_population.build_population`
(the plausible population around the adopted model with its training / cross-validated scorecard;
``--ship`` regenerates the ensemble shipped with the package, the step to re-run after any model change).
"""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["calibrate_app"]

calibrate_app = typer.Typer(no_args_is_help=True, help="Calibrate a model family to public data; ensembles.")

_DEFAULT_CCLE = Path("..") / "shared" / "data" / "ccle-dose-response.csv"


@calibrate_app.command("write-problem")
def write_problem(
    outdir: Path = typer.Argument(..., file_okay=False, help="Folder to write the PEtab problem to."),
    family: str | None = typer.Option(None, help="Model family (default: the flagship)."),
    ccle: Path | None = typer.Option(_DEFAULT_CCLE, help="Dose-response table (ccle-dose-response.csv); "
                                     "'-' for none."),
    no_findings: bool = typer.Option(False, "--no-findings", help="Leave out the literature findings."),
) -> None:
    """Write the calibration problem (dose-responses, literature sizes, constraints) as PEtab."""
    from ..calibration.flagship_problem import family_problem

    data = None if ccle is None or str(ccle) == "-" else ccle
    if data is not None and not Path(data).is_file():
        raise typer.BadParameter(f"{data}: no such file (give --ccle PATH or '-')", param_hint="--ccle")
    problem = family_problem(family, dose_response=data, checks=() if no_findings else None)
    yaml_path = problem.write(outdir)
    n_est = int(problem.plan["estimate"].sum())
    typer.echo(f"{yaml_path}: {len(problem.tables.measurements)} measurements, "
               f"{len(problem.tables.conditions)} conditions, {n_est} model parameters estimated; "
               f"training findings {', '.join(problem.training_findings) or '-'}")
    for line in problem.omitted:
        typer.echo(f"omitted: {line}", err=True)


@calibrate_app.command("run")
def run(
    problem: Path = typer.Argument(..., exists=True, help="Problem folder (or its problem.yaml)."),
    outdir: Path = typer.Argument(..., file_okay=False, help="Output folder (resumable)."),
    family: str | None = typer.Option(None, help="Model family (default: the flagship)."),
    starts: int = typer.Option(20, "--starts", "-n", min=1, help="Multistart starts."),
    members: int = typer.Option(200, "--members", "-m", min=1, help="Plausible parameter sets wanted."),
    seed: int = typer.Option(0, min=0, help="Seed of the starts and of the ensemble."),
    method: str = typer.Option("fides", help="Optimiser (fides or a bounded scipy method)."),
    sampler: str = typer.Option("plausible", help="plausible (Allen 2016 acceptance) or emcee (posterior)."),
    steps: int = typer.Option(1000, min=10, help="emcee steps per walker."),
    constraints: bool = typer.Option(False, "--constraints/--no-constraints",
                                     help="Apply the qualitative literature checks as acceptance constraints."),
    hessian: str | None = typer.Option(None, help="fides Hessian: fim (default; a forward-sensitivity run per "
                                       "iteration), hybrid, or bfgs (the adjoint gradient only: the flagship's choice)."),
    inflation: float = typer.Option(1.0, min=1e-6, help="Plausible population: proposal scale relative to the "
                                    "inverse Fisher information (the flagship needs ~0.1)."),
    max_time: float | None = typer.Option(None, "--max-time", min=1.0,
                                          help="fides: wall-time limit per start in seconds (the start is then "
                                          "'not-converged' at its best point)."),
) -> None:
    """Multistart fit -> waterfall -> plausible-population ensemble, with progress."""
    import pandas as pd

    from ..calibration.pipeline import run_calibration
    from .calibration import _progress

    options: dict[str, object] = {}
    if hessian is not None:
        options["hessian"] = hessian
    if max_time is not None:
        options["maxtime"] = float(max_time)
    if options and method != "fides":
        raise typer.BadParameter(f"--hessian/--max-time apply to --method fides, not {method!r}", param_hint="--method")
    cons, names = None, []
    folder = problem if problem.is_dir() else problem.parent
    if constraints:
        from ..calibration.flagship_problem import literature_constraints
        from ..family import default_family, get_family

        table = pd.read_csv(folder / "constraints.tsv", sep="\t")
        rows = table[table["status"].str.startswith("qualitative")]
        fam = default_family() if family is None else get_family(family)
        cons = literature_constraints(fam, list(rows["checkId"]))
        names = sorted(set(rows["finding"].astype(str)))
    bar, callback = _progress("calibrate-model")
    with bar:
        result = run_calibration(problem, outdir, family=family, n_starts=starts, n_members=members, seed=seed,
                                 method=method, options=options or None, constraints=cons,
                                 constraint_findings=names, sampler=sampler, n_steps=steps, inflation=inflation,
                                 progress=lambda stage, k, n: callback(k, n, None))
    typer.echo(f"best objective {result.multistart.fval_best:.6g}; {result.fraction_at_optimum:.0%} of starts at "
               f"the optimum; ensemble of {result.ensemble.n_members} members in {outdir / 'ensemble'}")


@calibrate_app.command("ccle")
def ccle_fit(
    outdir: Path = typer.Argument(..., file_okay=False, help="Output folder (resumable)."),
    ccle: Path = typer.Option(_DEFAULT_CCLE, help="CCLE dose-response table (ccle-dose-response.csv)."),
    drug: list[str] = typer.Option(["lapatinib"], "--drug", help="Drug whose curves are fitted (repeatable)."),
    starts: int = typer.Option(3, "--starts", "-n", min=1, help="Multistart starts."),
    seed: int = typer.Option(0, min=0, help="Seed of the starts."),
) -> None:
    """Fit the CCLE curves with the held-out amplified lines left out; predict them (issue #14 item 4).

    Writes parameters.json, lines.tsv, table.nc and ccle_fit.png; the multistart store in
    OUTDIR/multistart makes a killed run resumable.
    """
    from ..calibration.ccle import fit_ccle, write_fit

    if not ccle.is_file():
        raise typer.BadParameter(f"{ccle}: no such file", param_hint="--ccle")
    fit = fit_ccle(ccle, drugs=drug, n_starts=starts, seed=seed, store=outdir / "multistart")
    write_fit(fit, outdir)
    typer.echo(f"held out: {', '.join(fit.held_out)}; parameters: "
               + ", ".join(f"{k}={v:.4g}" for k, v in fit.parameters.items()))
    for name, targets in fit.targets.items():
        for key, (value, target, met) in targets.items():
            typer.echo(f"{name} {key}: {value:.3f} (target {target:g}) {'met' if met else 'NOT met'}")


@calibrate_app.command("ensemble")
def ensemble(
    outdir: Path | None = typer.Argument(None, file_okay=False, help="Ensemble folder to write (or --ship)."),
    ship: bool = typer.Option(False, "--ship", help="Write the package-data ensemble of the family's model "
                              "(regenerate after a model change)."),
    family: str | None = typer.Option(None, help="Model family (default: the flagship)."),
    ccle: Path | None = typer.Option(_DEFAULT_CCLE, help="CCLE dose-response table; '-' for none (constraints only)."),
    members: int = typer.Option(200, "--members", "-m", min=1, help="Plausible parameter sets wanted."),
    seed: int = typer.Option(0, min=0, help="Seed of the candidate draws."),
    inflation: float | None = typer.Option(None, min=1e-6, help="Candidate sd relative to the provenance priors "
                                           "(default: DEFAULT_INFLATION of her2sim.calibration.ensemble_population)."),
    work_dir: Path = typer.Option(Path("build") / "ensemble-work", help="Resumable candidate chunks (kept between "
                                  "runs; a run with other settings is refused)."),
    max_candidates: int | None = typer.Option(None, min=1, help="Stop after this many candidates."),
    workers: int = typer.Option(1, min=1, help="Processes evaluating candidate chunks side by side (same result "
                                "for any number)."),
) -> None:
    """Plausible population around the adopted model + training / cross-validated scorecard (resumable)."""
    from ..calibration.ensemble_population import DEFAULT_INFLATION, build_population, shipped_folder, summary
    from .calibration import _progress

    if (outdir is None) == (not ship):
        raise typer.BadParameter("give either OUTDIR or --ship (not both)", param_hint="OUTDIR")
    data = None if ccle is None or str(ccle) == "-" else ccle
    if data is not None and not Path(data).is_file():
        raise typer.BadParameter(f"{data}: no such file (give --ccle PATH or '-')", param_hint="--ccle")
    out = shipped_folder(family) if ship else outdir
    bar, callback = _progress("plausible population")
    with bar:
        run = build_population(out, family=family, n_members=members, seed=seed,
                               inflation=DEFAULT_INFLATION if inflation is None else inflation, data=data,
                               work_dir=work_dir, max_candidates=max_candidates, workers=workers,
                               progress=lambda k, n, note: callback(k, n, None))
    d = run.ensemble.header["details"]
    s = summary(run.scorecard)
    typer.echo(f"{run.out_dir}: {run.ensemble.n_members} members of {d['candidates']} candidates "
               f"(acceptance {d['acceptance_rate']:.1%}); counted findings reproduced: training "
               f"{s['training']}/{s['counted']}, cross-validated {s['cross_validated']}/{s['counted']}")
    if d.get("exhausted"):
        typer.echo(f"only {run.ensemble.n_members} of {members} members within the candidate limit", err=True)
