"""``her2sim fit`` and ``her2sim profile``: calibration of PEtab problems (thin: parse → API → files).

Register with ``register(app)``. Both commands resume from their output folder: a killed run keeps
every finished start (or profiled parameter), and running the same command again only does the rest.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ..engine.solver import DEFAULT_SOLVER

__all__ = ["register", "fit", "profile"]


def _progress(description: str):
    """A rich progress bar driven by the API's ``progress(n_done, n_total, item)`` callbacks."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TimeRemainingColumn(), TextColumn("{task.fields[note]}"), console=Console(stderr=True))
    task = bar.add_task(description, total=None, note="")

    def callback(n_done: int, n_total: int, item) -> None:
        note = ""
        if item is not None:
            note = f"last: {getattr(item, 'fval', getattr(item, 'identifiability', ''))}"
            if hasattr(item, "parameter"):
                note = f"last: {item.parameter} ({item.identifiability})"
            elif hasattr(item, "fval"):
                note = f"last: f={item.fval:.6g} ({item.status})"
        bar.update(task, total=n_total, completed=n_done, note=note)

    return bar, callback


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def fit(
    problem: Path = typer.Argument(..., exists=True, dir_okay=False, help="PEtab problem yaml."),
    starts: int = typer.Option(20, "--starts", "-n", min=1, help="Number of starts."),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed of the starting points."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Processes over starts."),
    method: str = typer.Option("L-BFGS-B", help="fides, or a scipy.optimize.minimize method with bounds."),
    sampling: str = typer.Option("uniform", help="Starting points: uniform or latin-hypercube (parameter scales)."),
    maxiter: int | None = typer.Option(None, help="Iteration cap per start (method default if not given)."),
    gradient: str = typer.Option(
        "auto", help="Objective gradient: auto (adjoint for many parameters), forward, adjoint or finite-differences."
    ),
    rtol: float = typer.Option(1e-8, help="Relative tolerance of the simulations."),
    atol: float = typer.Option(1e-12, help="Absolute tolerance of the simulations."),
    tolerance: float = typer.Option(0.1, help="Objective slack for 'reached' (negative log-likelihood units)."),
    reference: float | None = typer.Option(None, help="Reference objective (default: value at nominal parameters)."),
    analytic_scalings: bool = typer.Option(
        False, "--analytic-scalings/--numeric-scalings",
        help="Optimise pure observable scalings in closed form (hierarchical), the rest numerically."),
    hessian: str = typer.Option("fim", help="fides only: fim, hybrid (FIM then BFGS) or bfgs."),
    polish: str | None = typer.Option(None, help="Second optimiser from each start's best point (e.g. L-BFGS-B)."),
    max_steps: int = typer.Option(DEFAULT_SOLVER.max_steps, min=1, help="Solver steps per simulation before it counts as failed."),
    out: Path = typer.Option(Path("her2sim-output/fit"), "--out", "-o", help="Output folder (resumable store)."),
) -> None:
    """Multi-start fit: per-start results, starts.csv, waterfall.png and best_parameters.tsv in OUT."""
    from ._common import check_choice, check_positive

    check_choice("--sampling", sampling, ("uniform", "latin-hypercube"))
    check_choice("--gradient", gradient, ("auto", "forward", "adjoint", "finite-differences"))
    check_choice("--hessian", hessian, ("fim", "hybrid", "bfgs"))
    check_positive("--rtol", rtol)
    check_positive("--atol", atol)
    check_positive("--tolerance", tolerance, allow_zero=True)
    if maxiter is not None and maxiter < 1:
        raise typer.BadParameter(f"must be >= 1, got {maxiter}", param_hint="--maxiter")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..calibration import PetabObjective
    from ..calibration import fit as fit_mod

    objective = PetabObjective(problem, rtol=rtol, atol=atol, gradient=gradient,  # type: ignore[arg-type]
                               max_steps=max_steps)
    if analytic_scalings:
        from ..calibration import HierarchicalObjective

        objective = HierarchicalObjective(objective)  # type: ignore[assignment]
    options = {} if maxiter is None else {"maxiter": maxiter} if method not in ("TNC", "Powell", "Nelder-Mead") \
        else {"maxfun" if method == "TNC" else "maxfev": maxiter}
    if method == "fides" and hessian != "fim":
        options["hessian"] = hessian
    if polish:
        options["polish"] = polish
    bar, callback = _progress(f"fit {problem.name}")
    with bar:
        result = fit_mod.multistart(objective, starts, seed=seed, method=method, sampling=sampling, options=options,
                                    n_workers=workers, store=out, progress=callback)
    table = result.to_frame()
    table.to_csv(out / "starts.csv", index=False)
    ref = result.fval_nominal if reference is None else reference
    ref_label = "nominal parameters" if reference is None else "reference"
    ax = fit_mod.plot_waterfall(result, reference=ref, reference_label=ref_label, tolerance=tolerance)
    ax.figure.savefig(out / "waterfall.png", dpi=120, bbox_inches="tight")
    plt.close(ax.figure)
    fit_mod.write_parameter_table(objective.problem, result.x_best, out / "best_parameters.tsv")
    counts = table["status"].value_counts().to_dict()
    typer.echo(f"{result.n_starts} starts ({len(result.resumed)} resumed from {out}); status: "
               + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    typer.echo(f"best objective {result.fval_best:.6f} (start {result.best.start}); "
               f"{result.n_within(tolerance)} starts within {tolerance:g} of it")
    typer.echo(f"{ref_label}: objective {ref:.6f}; fraction of starts reaching it (f <= ref + {tolerance:g}): "
               f"{result.fraction_reaching(ref, tolerance):.3f}")
    typer.echo(f"written to {out}: starts.csv, waterfall.png, best_parameters.tsv")


def profile(
    problem: Path = typer.Argument(..., exists=True, dir_okay=False, help="PEtab problem yaml."),
    fit_dir: Path = typer.Option(..., "--fit", exists=True, file_okay=False, help="Output folder of 'her2sim fit'."),
    parameters: str = typer.Option("", "--parameters", "-p", help="Comma-separated parameter ids (default all)."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Processes over parameters."),
    confidence: float = typer.Option(0.95, help="Confidence level of the pointwise intervals."),
    max_points: int = typer.Option(100, min=1, help="Points per side before giving up."),
    out: Path = typer.Option(Path("her2sim-output/profile"), "--out", "-o", help="Output folder (resumable store)."),
) -> None:
    """Profile likelihoods from the best fit: profiles.csv, profile_points.csv and profiles.png in OUT."""
    if not 0 < confidence < 1:
        raise typer.BadParameter(f"must be in (0, 1), got {confidence!r}", param_hint="--confidence")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..calibration import PetabObjective
    from ..calibration import fit as fit_mod
    from ..calibration import profile as profile_mod
    from ..errors import ValidationError

    fitted = fit_mod.load_multistart(fit_dir)
    s = fitted.settings
    objective = PetabObjective(problem, rtol=s.get("rtol") or 1e-8, atol=s.get("atol") or 1e-12,
                               include_priors=True if s.get("include_priors") is None else bool(s["include_priors"]),
                               gradient=s.get("gradient") or "forward", max_steps=s.get("max_steps") or DEFAULT_SOLVER.max_steps)
    # analytic scalings of the fit (if any) are profiled numerically: a profile fixes each
    # parameter in turn, which a closed-form inner optimum would override
    if s.get("problem_sha256") != fit_mod.problem_fingerprint(objective.problem):
        raise ValidationError(f"{problem.name} is not the problem fitted in {fit_dir} (content differs)")
    if not fitted.starts:
        raise ValidationError(f"{fit_dir} has no finished starts")
    bar, callback = _progress(f"profile {problem.name}")
    with bar:
        result = profile_mod.profile_from_fit(objective, fitted, parameters=_split(parameters) or None,
                                              confidence=confidence, max_points=max_points, n_workers=workers,
                                              store=out, progress=callback)
    summary = result.summary()
    summary.to_csv(out / "profiles.csv", index=False)
    result.points().to_csv(out / "profile_points.csv", index=False)
    axes = profile_mod.plot_profiles(result)
    axes[0].figure.savefig(out / "profiles.png", dpi=120, bbox_inches="tight")
    plt.close(axes[0].figure)
    for _, row in summary.iterrows():
        typer.echo(f"{row['parameter']}: {row['identifiability']}; {row['scale']} estimate {row['estimate']:.4g}, "
                   f"{100 * confidence:g} % CI [{row['ci_lower']:.4g}, {row['ci_upper']:.4g}]"
                   + (" (better optimum found: refit)" if row["better_optimum"] else ""))
    typer.echo(f"written to {out}: profiles.csv, profile_points.csv, profiles.png")


def register(app: typer.Typer) -> None:
    """Add ``fit`` and ``profile`` to the ``her2sim`` app."""
    app.command("fit")(fit)
    app.command("profile")(profile)
    from .calibrate_model import calibrate_app

    app.add_typer(calibrate_app, name="calibrate-model")
