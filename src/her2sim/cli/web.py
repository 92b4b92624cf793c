"""``her2sim serve``: start the local web workbench (thin: parse → :func:`her2sim.web.serve`)."""

from __future__ import annotations

import secrets
from pathlib import Path

import typer

__all__ = ["register", "serve_command"]


def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to bind (default: this machine only)."),
    port: int = typer.Option(8765, min=1, max=65535, help="Port."),
    token: str | None = typer.Option(None, envvar="HER2SIM_WEB_TOKEN",
                                     help="Access token (generated if the host is not loopback and none is given)."),
    jobs_dir: Path | None = typer.Option(None, "--jobs-dir", help="Folder for jobs and their results "
                                         "(default: a new temporary folder; reuse one to keep results)."),
    workers: int = typer.Option(2, min=1, max=16, help="Jobs running at the same time."),
    scheduler: str | None = typer.Option(None, help="Dask scheduler address for virtual trials."),
) -> None:
    """Start the web workbench: tumours and therapies, dose-response, combinations, atlas and rescue,
    the logical twin, the model and its downloads, in your browser."""
    try:
        from ..web import serve
        from ..web.app import is_loopback
    except ImportError as exc:
        typer.echo(f"error: the web workbench needs its extra: pip install 'her2sim[web]' ({exc})", err=True)
        raise typer.Exit(2) from None

    if not is_loopback(host) and not token:
        token = secrets.token_urlsafe(24)
    shown = "localhost" if is_loopback(host) else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    typer.echo(f"her2sim workbench on {url}  (Ctrl-C to stop)")
    if not is_loopback(host):
        typer.echo("bound to a non-loopback address: every request needs the token above", err=True)
    serve(host, port, token=token, jobs_dir=jobs_dir, workers=workers, scheduler=scheduler)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the main CLI."""
    app.command("serve")(serve_command)
