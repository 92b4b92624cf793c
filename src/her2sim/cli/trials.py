"""``her2sim trial`` and ``her2sim cohort``: thin shells over :mod:`her2sim.trials` (no science here)."""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["cohort", "register", "trial"]


def _progress():
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TimeRemainingColumn,
    )

    bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                   TimeRemainingColumn(), transient=False)
    task = bar.add_task("tumours", total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update


def _run(spec, n: int | None, out: Path, workers: int | None, scheduler: str | None, seed: int | None,
         chunk_size: int | None):
    from .. import trials
    from ..errors import Her2simError

    try:
        spec = trials.load_spec(spec)
        bar, update = _progress()
        with bar:
            return trials.run_trial(spec, n=n, out=out, seed=seed, scheduler=scheduler, workers=workers,
                                    progress=update, chunk_size=chunk_size)
    except Her2simError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


_SPEC = typer.Argument(..., help="A trial spec: a YAML file or a shipped name (see --list).")
_N = typer.Option(None, "--n", help="Virtual patients (default: the spec's trial size).")
_OUT = typer.Option(Path("her2sim-output/trial"), "--out", "-o", help="Output folder (resumable).")
_WORKERS = typer.Option(None, "--workers", help="Local Dask worker processes (default: every core; 0 = no Dask).")
_SCHED = typer.Option(None, "--scheduler", help="Address of a running Dask scheduler (tcp://host:8786).")
_SEED = typer.Option(None, "--seed", help="Randomisation seed (default: the spec's).")
_CHUNK = typer.Option(None, "--chunk-size", help="Tumours per chunk (one compiled ensemble call each).")


def trial(spec: str = _SPEC, n: int | None = _N, out: Path = _OUT, workers: int | None = _WORKERS,
          scheduler: str | None = _SCHED, seed: int | None = _SEED, chunk_size: int | None = _CHUNK,
          report: bool = typer.Option(True, help="Write report.html and summary.csv into OUT.")) -> None:
    """Run a virtual trial (e.g. `her2sim trial neoaltto --n 100000`) and write its report."""
    from .. import trials

    result = _run(spec, n, out, workers, scheduler, seed, chunk_size)
    summary = result.summary()
    summary.to_csv(out / "summary.csv", index=False)
    result.comparison().to_csv(out / "comparison.csv", index=False)
    cols = [c for c in ("arm", "role", "n", "failed", "pcr", "pcr_ci_low", "pcr_ci_high", "published_pcr", "orr",
                        "median_pfs_months", "published_median_pfs_months") if c in summary]
    typer.echo(summary[cols].to_string(index=False))
    if report:
        typer.echo(f"report written to {trials.write_report(result, out / 'report.html')}")


def cohort(spec: str = _SPEC, n: int | None = _N, out: Path = _OUT, workers: int | None = _WORKERS,
           scheduler: str | None = _SCHED, seed: int | None = _SEED, chunk_size: int | None = _CHUNK,
           sql: str | None = typer.Option(None, "--sql", help="DuckDB query over table `tumours` to print after the run.")) -> None:
    """Simulate the virtual tumours of a spec into Parquet chunks (no report); optionally query them."""
    from .. import trials

    result = _run(spec, n, out, workers, scheduler, seed, chunk_size)
    typer.echo(f"{result.spec.n} tumours in {out / 'chunks'}")
    if sql:
        typer.echo(trials.query(out, sql).to_string(index=False))


def list_trials() -> None:
    """List the shipped trial specs."""
    from .. import trials

    for name in trials.list_specs():
        typer.echo(f"{name}: {trials.load_spec(name).title}")


def register(app: typer.Typer) -> None:
    """Add ``trial``, ``cohort`` and ``trials`` (list) to the ``her2sim`` app."""
    app.command("trial")(trial)
    app.command("cohort")(cohort)
    app.command("trials")(list_trials)
