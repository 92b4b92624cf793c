"""The her2sim web workbench: ``her2sim serve``, a local web application over the public API.

Why FastAPI with a small hand-written front end (and not Panel, Dash or Shiny for Python)
--------------------------------------------------------------------------------------------
* **The API is the product.** Every page is a view over JSON endpoints whose request bodies are
  pydantic models with their bounds; FastAPI turns them into an OpenAPI schema, so the same
  contract is browsable (``/docs``), testable by property-based tools (the tests drive it with
  hypothesis/schemathesis), and callable from scripts without the pages.
* **Long work is explicit.** Simulations over ~1 s run as server-side jobs (a thread pool, state on
  disk); a request-per-callback framework (Dash, Panel) ties work to a browser session, which
  fights progress that survives a reload and downloads kept per job.
* **Offline and auditable.** The front end is three small files (HTML, vanilla JS, CSS) plus the
  ``plotly.min.js`` bundled inside the installed ``plotly`` Python package, served from our own
  route: no CDN, no node build step, nothing fetched at run time.
* **Thin.** No science in this package: :mod:`her2sim.web.services` calls the public API and
  reshapes its Datasets into JSON; the browser only draws.

Public API: :func:`create_app` (the ASGI app, for uvicorn or tests) and :func:`serve`.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["create_app", "serve"]


def create_app(**kwargs):
    """The FastAPI application (see :func:`her2sim.web.app.create_app` for the options)."""
    from .app import create_app as _create

    return _create(**kwargs)


def serve(host: str = "127.0.0.1", port: int = 8765, *, token: str | None = None, jobs_dir: str | Path | None = None,
          workers: int = 2, scheduler: str | None = None, log_level: str = "warning") -> None:
    """Run the workbench with uvicorn until interrupted.

    Parameters
    ----------
    host, port
        Address to bind; the default is the loopback interface only.
    token
        Access token; required (and generated when not given) for a non-loopback ``host``.
    jobs_dir
        Folder for job state and results (default: a new temporary folder).
    workers
        Threads running jobs.
    scheduler
        Dask scheduler address for virtual trials.
    """
    import uvicorn

    from .app import create_app as _create
    from .app import is_loopback

    if not is_loopback(host) and not token:
        from ..errors import ValidationError

        raise ValidationError(f"host={host!r} is not a loopback address: a token is required (pass --token)")
    app = _create(jobs_dir=jobs_dir, token=token, workers=workers, scheduler=scheduler)
    uvicorn.run(app, host=host, port=port, log_level=log_level)
