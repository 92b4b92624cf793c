"""``her2sim sensitivity``: local, Morris or Sobol sensitivity with a progress bar and resumable output.

A thin shell over :mod:`her2sim.analysis.sensitivity`: it parses options, calls the public API
(which owns the chunked, resumable store), and writes tables and figures. No science here.
"""

from __future__ import annotations

import re
from pathlib import Path

import typer

__all__ = ["sensitivity_command"]

_METHODS = ("local", "morris", "sobol")


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").lower()[:60]


class _RichProgress:
    """A rich progress bar over chunks, on stderr."""

    def __init__(self, description: str):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
            TimeRemainingColumn

        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True))
        self._description = description
        self._task = None

    def __enter__(self):
        self._progress.__enter__()
        return self

    def __exit__(self, *exc):
        return self._progress.__exit__(*exc)

    def __call__(self, done: int, total: int) -> None:
        if self._task is None:
            self._task = self._progress.add_task(self._description, total=total)
        self._progress.update(self._task, completed=done, total=total)


def sensitivity_command(
    method: str = typer.Option("morris", "--method", "-m", help="local, morris or sobol."),
    readouts: str = typer.Option("gi@72h", "--readout", "-r",
                                 help="Comma-separated read-outs: output@<h>h (value), fold:output@<h>h, "
                                      "gi@<h>h (% growth inhibition), gr@<h>h (GR value)."),
    drugs: str = typer.Option("", "--drugs", "-d",
                              help="Comma-separated doses applied in every read-out, e.g. 'lapatinib=1000nM' "
                                   "or 'trastuzumab=10ug/mL' (bare numbers are nM)."),
    contexts: str = typer.Option("parental", "--contexts", "-c",
                                 help="Comma-separated genotypes (joined by ' + ' for combinations) or cell lines."),
    parameters: str = typer.Option("kinetic", "--parameters", "-p",
                                   help="A group (kinetic, pharmacology, input, all) or comma-separated ids."),
    factor: float = typer.Option(3.0, help="Each parameter varies log-uniformly within x/÷ this factor."),
    n: int | None = typer.Option(None, "--n", "-n",
                                 help="Morris trajectories (default 20) or Sobol base samples, a power of 2 "
                                      "(default 64); not used by 'local'."),
    levels: int = typer.Option(4, help="Morris grid levels."),
    step: float = typer.Option(0.01, help="Local: step h in ln p (checked against h/2)."),
    seed: int = typer.Option(0, help="Seed of the sample and of the bootstrap."),
    chunk_size: int = typer.Option(256, "--chunk-size", min=1, help="Sample rows per ensemble call and stored chunk."),
    threads: int | None = typer.Option(None, "--threads", help="Simulation threads (default: all cores)."),
    top: int = typer.Option(12, min=1, help="Parameters shown per figure panel."),
    out: Path = typer.Option(Path("her2sim-output/sensitivity"), "--out", "-o",
                             help="Output folder; finished chunks there are reused by a rerun with the same settings."),
) -> None:
    """Sensitivity of read-outs to model parameters per genotype: tables, rankings and figures (resumable)."""
    from ..analysis import sensitivity as sa
    from ..errors import Her2simError
    from ._common import check_choice, check_positive

    check_choice("--method", method, _METHODS)
    check_positive("--step", step)
    if not factor > 1:
        raise typer.BadParameter(f"must be > 1 (parameters vary within x/÷ factor), got {factor!r}", param_hint="--factor")
    if n is not None and n < 1:
        raise typer.BadParameter(f"must be >= 1, got {n}", param_hint="--n")
    if levels < 2:
        raise typer.BadParameter(f"must be >= 2, got {levels}", param_hint="--levels")
    if threads is not None and threads < 1:
        raise typer.BadParameter(f"must be >= 1, got {threads}", param_hint="--threads")

    try:
        if method not in _METHODS:
            from ..errors import UnknownNameError

            raise UnknownNameError("method", method, _METHODS)
        doses = sa.parse_doses(drugs)
        items = [sa.parse_readout(text, drugs=doses) for text in _split(readouts)]
        chosen = _split(parameters)
        selection: str | list[str] = chosen[0] if len(chosen) == 1 and chosen[0] in (*sa.PARAMETER_GROUPS, "all") \
            else chosen
        kwargs = dict(contexts=_split(contexts), parameters=selection, n_threads=threads, store=out)
        if method == "local":
            kwargs["step"] = step
        else:
            kwargs.update(factor=factor, seed=seed, chunk_size=chunk_size)
            if method == "morris":
                kwargs["num_levels"] = levels
        with _RichProgress(f"{method} chunks") as progress:
            ds = sa.run_sensitivity(method, items, n=n, progress=progress, **kwargs)
    except Her2simError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    _write_outputs(sa, ds, out, top)
    typer.echo(f"{method}: {ds.attrs['n_members']} model runs ({ds.attrs['n_failed_members']} failed), "
               f"chunks computed {ds.attrs['n_chunks_computed']}, reused {ds.attrs['n_chunks_reused']}; "
               f"written to {out}")


def _write_outputs(sa, ds, out: Path, top: int) -> None:
    import matplotlib.pyplot as plt

    indices = ds[[v for v in ds.data_vars if ds[v].dims == ("parameter", "readout", "context")]]
    indices.to_dataframe().reset_index().to_csv(out / "indices.csv", index=False)
    ds[["readout_value"]].to_dataframe().reset_index().to_csv(out / "readout_values.csv", index=False)
    ranking = sa.rank_drivers(ds)
    ranking.to_csv(out / "ranking.csv", index=False)
    for i, label in enumerate(ds["readout"].values):
        stem = f"{i + 1:02d}_{_slug(str(label))}"
        fig = sa.plot_sensitivity(ds, readout=str(label), top=top)
        fig.savefig(out / f"{ds.attrs['method']}_{stem}.png", dpi=120, bbox_inches="tight")
        plt.close(fig)
        if ds.sizes["context"] > 1:
            ax = sa.plot_ranking_heatmap(ranking, readout=str(label), top=max(top, 15))
            ax.figure.savefig(out / f"ranking_{stem}.png", dpi=120, bbox_inches="tight")
            plt.close(ax.figure)
    for _, row in ranking[ranking["rank"] <= 3].iterrows():
        typer.echo(f"{row['readout']} | {row['context']}: {row['rank']}. {row['parameter']} "
                   f"({row['metric']} {row['value']:.3g}{' ' + row['towards'] if row['towards'] else ''})")
