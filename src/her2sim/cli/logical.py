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


def read_user_model(path: Path, cfg: Path | None = None):
    """A user's logical model file: .bnet, .aeon, SBML-qual (.sbml/.xml), or MaBoSS .bnd (+ .cfg).

    MaBoSS files are read with :func:`her2sim.logical.io.read_maboss` when this installation has
    it; otherwise the suffix is refused with the list of readable formats.
    """
    from ..logical import io as logical_io

    if path.suffix.lower() == ".bnd" and hasattr(logical_io, "read_maboss"):
        return logical_io.read_maboss(path, cfg)
    if cfg is not None:
        raise typer.BadParameter("applies to MaBoSS .bnd files only", param_hint="--cfg")
    return logical_io.read_logical(path)


def _file_attractors(path: str, cfg: str | None, engine: str, method: str):
    """Child-process job: attractors of a user's model file."""
    from ..logical.analysis import attractors as find

    model = read_user_model(Path(path), Path(cfg) if cfg else None)
    return find(model, engine=engine, method=method)  # type: ignore[arg-type]


def _twin_attractors(genotypes: list[str], treatments: list[str], engine: str):
    """Child-process job: attractors of the flagship's logical twin."""
    from ..library import her2_logical as hl

    return hl.attractors(genotypes, treatments, engine=engine)  # type: ignore[arg-type]


_ENGINES = ("aeon", "mpbn")
_METHODS = ("asynchronous", "trap_spaces")


def _hint(engine: str) -> str:
    if engine == "aeon":
        return "Try --engine mpbn (minimal trap spaces, usually much faster), or a larger --time-limit (0: none)."
    return "Try a larger --time-limit (0: none), or --engine aeon --method trap_spaces."


@logical_app.command()
def attractors(
    model_file: Path | None = typer.Argument(None, exists=True, dir_okay=False,
                                             help="A logical model file (.bnet, .aeon, SBML-qual .sbml/.xml, MaBoSS "
                                                  ".bnd); omit it for the flagship's logical twin."),
    genotype: list[str] = typer.Option(["HER2 amplified"], "--genotype", "-g", help=_GENOTYPE_HELP + " (twin only)"),
    treatment: list[str] = typer.Option(["none"], "--treatment", "-t",
                                        help="Drugs, e.g. 'trastuzumab + lapatinib'; repeat (twin only)."),
    engine: str = typer.Option("aeon", help="aeon (asynchronous attractors) or mpbn (minimal trap spaces)."),
    method: str = typer.Option("", help="For a model file: asynchronous or trap_spaces (default: by engine)."),
    cfg: Path | None = typer.Option(None, exists=True, dir_okay=False, help="MaBoSS .cfg beside a .bnd file."),
    time_limit: float = typer.Option(600.0, "--time-limit", min=0.0,
                                     help="Stop the search after this many seconds (0: no limit)."),
    out: Path = typer.Option(Path("her2sim-output/logical"), "--out", "-o", help="Output folder."),
    figures: bool = typer.Option(True, help="Twin: draw the network coloured by the first attractor of each condition."),
) -> None:
    """Attractors of a model file, or of the twin for every genotype × treatment: attractors.csv (and PNGs).

    The search runs in a child process with progress on stderr and a time limit.
    """
    from ._common import check_choice, run_with_limit

    check_choice("--engine", engine, _ENGINES)
    if method:
        check_choice("--method", method, _METHODS)
    limit = time_limit or None
    if model_file is not None:
        given = [name for name, value, default in (("--genotype", genotype, ["HER2 amplified"]),
                                                   ("--treatment", treatment, ["none"])) if value != default]
        if given:
            raise typer.BadParameter("applies to the flagship's twin only; omit MODEL_FILE to use it", param_hint=given[0])
        read_user_model(model_file, cfg)  # parse errors are reported now, before the search starts
        chosen = method or ("asynchronous" if engine == "aeon" else "trap_spaces")
        ds = run_with_limit(_file_attractors, {"path": str(model_file), "cfg": str(cfg) if cfg else None,
                                               "engine": engine, "method": chosen},
                            time_limit=limit, label=f"attractor search ({engine}, {chosen})", hint=_hint(engine))
        out.mkdir(parents=True, exist_ok=True)
        table = ds["state"].to_pandas()
        table.insert(0, "size [states]", ds["size"].values)
        table.to_csv(out / "attractors.csv")
        typer.echo(f"{ds.sizes['attractor']} attractor(s) of {model_file.name} ({engine}, {chosen}); "
                   f"written to {out / 'attractors.csv'}")
        return
    if cfg is not None:
        raise typer.BadParameter("applies to a MaBoSS model file only", param_hint="--cfg")
    from ..library import her2_logical as hl

    ds = run_with_limit(_twin_attractors, {"genotypes": list(genotype), "treatments": list(treatment), "engine": engine},
                        time_limit=limit, label=f"attractor search of the twin ({engine})", hint=_hint(engine))
    table = ds["state"].to_dataframe().reset_index().dropna(subset=["state"], how="all")
    out.mkdir(parents=True, exist_ok=True)
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
    order: int = typer.Option(2, min=1, max=2, help="1: single drugs; 2: singles and pairs."),
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
    trajectories: int = typer.Option(1000, min=1, max=10_000_000, help="Number of stochastic trajectories."),
    seed: int = typer.Option(0, help="Random seed."),
    engine: str = typer.Option("numpy", help="numpy or maboss."),
    out: Path = typer.Option(Path("her2sim-output/logical"), "--out", "-o", help="Output folder."),
) -> None:
    """Stochastic phenotype probabilities over time after treatment: probabilities.csv and a PNG."""
    from ._common import check_choice, check_positive

    check_positive("--t-max", t_max)
    check_choice("--engine", engine, ("numpy", "maboss"))
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
