"""``her2sim logical``: the logical twin from the command line (thin: parse → API → files).

Register with ``app.add_typer(logical_app, name="logical")``.
"""

from __future__ import annotations

from pathlib import Path

import typer

logical_app = typer.Typer(
    help="Logical (Boolean) twin of the flagship model: attractors, intervention scans, stochastic runs.",
    no_args_is_help=True,
    add_completion=False,
)

_GENOTYPE_HELP = "Kinetic genotype name(s), e.g. 'PTEN loss'; repeat for several; 'a + b' combines."


@logical_app.command()
def attractors(
    genotype: list[str] = typer.Option(["HER2 amplified"], "--genotype", "-g", help=_GENOTYPE_HELP),
    treatment: list[str] = typer.Option(["none"], "--treatment", "-t", help="Drugs, e.g. 'trastuzumab + lapatinib'; repeat."),
    engine: str = typer.Option("aeon", help="aeon (asynchronous attractors) or mpbn (minimal trap spaces)."),
    out: Path = typer.Option(Path("her2sim-output/logical"), "--out", "-o", help="Output folder."),
    figures: bool = typer.Option(True, help="Draw the network coloured by the first attractor of each condition."),
) -> None:
    """Attractors for every genotype × treatment: attractors.csv (and network PNGs)."""
    from ..library import her2_logical as hl

    out.mkdir(parents=True, exist_ok=True)
    ds = hl.attractors(genotype, treatment, engine=engine)  # type: ignore[arg-type]
    table = ds["state"].to_dataframe().reset_index().dropna(subset=["state"], how="all")
    table.to_csv(out / "attractors.csv", index=False)
    if figures:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        for g_label in ds["genotype"].values:
            for t_label in ds["treatment"].values:
                model = hl.condition(hl._labelled([str(g_label)])[str(g_label)], hl._labelled([str(t_label)])[str(t_label)])
                ax = hl.plot_network(model, ds["state"].sel(genotype=g_label, treatment=t_label, attractor=0))
                ax.set_title(f"{g_label} | {t_label}")
                name = f"network_{_slug(str(g_label))}__{_slug(str(t_label))}.png"
                ax.figure.savefig(out / name, dpi=120, bbox_inches="tight")
                plt.close(ax.figure)
    counts = ds["n_attractors"].to_pandas()
    typer.echo(counts.to_string())
    typer.echo(f"written to {out}")


@logical_app.command()
def scan(
    genotype: list[str] = typer.Option([], "--genotype", "-g", help=_GENOTYPE_HELP),
    drug: list[str] = typer.Option([], "--drug", "-d", help="Candidate drugs (default: one per mechanism)."),
    order: int = typer.Option(2, help="1: single drugs; 2: singles and pairs."),
    phenotype: str = typer.Option("Proliferation", help="Phenotype node ranked."),
    out: Path = typer.Option(Path("her2sim-output/logical/scan.csv"), "--out", "-o", help="CSV file."),
) -> None:
    """Rank single/double drug interventions by their effect on a phenotype under a genotype."""
    from ..library import her2_logical as hl

    kwargs = {"interventions": tuple(drug)} if drug else {}
    ds = hl.scan(_genotypes(genotype), order=order, phenotype=phenotype, **kwargs)
    out.parent.mkdir(parents=True, exist_ok=True)
    table = ds.to_dataframe().reset_index()
    table.to_csv(out, index=False)
    typer.echo(table.head(10).to_string(index=False))
    typer.echo(f"{len(table)} interventions written to {out}")


@logical_app.command()
def simulate(
    genotype: list[str] = typer.Option([], "--genotype", "-g", help=_GENOTYPE_HELP),
    drug: list[str] = typer.Option([], "--drug", "-d", help="Drug(s) applied at t = 0."),
    t_max: float = typer.Option(40.0, help="Time horizon (1/rate units)."),
    trajectories: int = typer.Option(1000, help="Number of stochastic trajectories."),
    seed: int = typer.Option(0, help="Random seed."),
    engine: str = typer.Option("numpy", help="numpy or maboss."),
    out: Path = typer.Option(Path("her2sim-output/logical"), "--out", "-o", help="Output folder."),
) -> None:
    """Stochastic phenotype probabilities over time after treatment: probabilities.csv and a PNG."""
    from ..library import her2_logical as hl

    ds = hl.simulate(_genotypes(genotype), list(drug), t_max=t_max, n_trajectories=trajectories, seed=seed,
                     engine=engine)  # type: ignore[arg-type]
    out.mkdir(parents=True, exist_ok=True)
    ds["probability"].to_pandas().to_csv(out / "probabilities.csv")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name in ds["phenotype"].values:
        ds["phenotype_probability"].sel(phenotype=name).plot(ax=ax, label=str(name))
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("probability on")
    ax.set_title(f"{ds.attrs['genotype']} | {ds.attrs['treatment']}")
    ax.legend()
    fig.savefig(out / "phenotypes.png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    final = ds["phenotype_probability"].isel(time=-1).to_pandas()
    typer.echo(final.to_string())
    typer.echo(f"written to {out}")


def _genotypes(items: list[str]) -> list[str]:
    names: list[str] = []
    for item in items:
        names += [part.strip() for part in item.split("+") if part.strip()]
    return [n for n in names if n not in ("HER2 amplified", "wild type", "none")] or []


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text).strip("_") or "none"
