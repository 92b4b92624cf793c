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
    from ..simulate import simulate as run

    model = read_sbml(sbml)
    ds = run(model, np.linspace(0.0, t_end, points), rtol=rtol, atol=atol, preequilibrate=preequilibrate)
    ds.drop_vars("status").to_dataframe().to_csv(out)
    typer.echo(f"{model!r}: {ds.attrs['n_steps']} steps; written to {out}")


class _wide_pandas:
    def __enter__(self):
        import pandas as pd

        self._ctx = pd.option_context("display.width", 200, "display.max_colwidth", 80, "display.max_rows", 500)
        self._ctx.__enter__()

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


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
