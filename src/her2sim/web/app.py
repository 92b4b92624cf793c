"""The FastAPI application: JSON endpoints over :mod:`her2sim.web.services`, the pages and jobs."""

from __future__ import annotations

import hmac
import importlib
import ipaddress
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from .. import __version__
from ..errors import Her2simError, UnknownNameError, ValidationError
from . import schemas as S
from . import services
from .jobs import MEDIA_TYPES, JobManager

__all__ = ["TOKEN_COOKIE", "TOKEN_HEADER", "create_app", "is_loopback"]

TOKEN_HEADER = "X-Her2sim-Token"
TOKEN_COOKIE = "her2sim_token"
_STATIC = ("app.js", "style.css")
_PLOTLY_CANDIDATES = ("package_data/plotly.min.js",)
TRIALS_MODULE = "her2sim.trials"


class ErrorBody(BaseModel):
    """An error: ``detail`` says what was wrong and, for names, the allowed values and the closest."""

    detail: Any
    error: str | None = None


_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "bad input: a her2sim error naming the argument and allowed values"},
    401: {"model": ErrorBody, "description": "a token is required (server bound to a non-loopback address)"},
    404: {"model": ErrorBody, "description": "no such job or file"},
    411: {"model": ErrorBody, "description": "a body without Content-Length (chunked) is refused"},
    413: {"model": ErrorBody, "description": "request or upload larger than the server's limit"},
    503: {"model": ErrorBody, "description": "an optional part (virtual trials, plotly) is not installed"},
}


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _plotly_js() -> Path:
    """The ``plotly.min.js`` bundled with the installed ``plotly`` Python package."""
    try:
        root = resources.files("plotly")
    except ModuleNotFoundError:
        raise HTTPException(503, "the plotly package is not installed: pip install 'her2sim[web]'") from None
    for rel in _PLOTLY_CANDIDATES:
        candidate = Path(str(root.joinpath(rel)))
        if candidate.is_file():
            return candidate
    raise HTTPException(503, "plotly.min.js was not found in the installed plotly package")


def trials_module() -> tuple[Any | None, str]:
    """``her2sim.trials`` if importable, else ``(None, reason)``."""
    try:
        return importlib.import_module(TRIALS_MODULE), ""
    except ImportError as exc:
        return None, (f"virtual trials are not available in this installation: {TRIALS_MODULE} cannot be "
                      f"imported ({exc})")


def create_app(*, jobs_dir: str | Path | None = None, token: str | None = None, workers: int = 2,
               execute_jobs: bool = True, scheduler: str | None = None, warm: bool = True) -> FastAPI:
    """Build the web application.

    Parameters
    ----------
    jobs_dir
        Folder for job state and results (default: a new temporary folder).
    token
        If given, every request must carry it (header ``X-Her2sim-Token``, cookie
        ``her2sim_token`` or ``?token=`` on a page load, which sets the cookie).
    workers
        Threads running jobs.
    execute_jobs
        ``False``: jobs are validated and recorded but not run (API schema tests).
    scheduler
        Dask scheduler address passed to virtual trials (``None``: the trial module's default).
    warm
        Build and compile the flagship model in the background at start, so the first page's
        simulation does not pay for it.
    """
    folder = Path(jobs_dir) if jobs_dir is not None else Path(tempfile.mkdtemp(prefix="her2sim-web-jobs-"))
    manager = JobManager(folder, workers=workers, execute=execute_jobs)
    app = FastAPI(title="her2sim workbench", version=__version__,
                  description="Local web workbench over the her2sim public API (no science in the web layer).",
                  responses=_ERROR_RESPONSES)
    app.state.jobs = manager
    app.state.token = token
    app.state.scheduler = scheduler
    static = resources.files("her2sim.web").joinpath("static")

    if warm:
        def _warm() -> None:
            try:
                services.catalogue()
                services.time_course(S.TimeCourseRequest(points=2))
                import matplotlib

                matplotlib.use("Agg")
                import matplotlib.pyplot
            except Exception:  # noqa: BLE001, S110 - warming is best effort; the first request reports errors
                pass
        threading.Thread(target=_warm, name="her2sim-warm", daemon=True).start()

    # ------------------------------------------------------------------ middleware
    @app.middleware("http")
    async def guard(request: Request, call_next):
        length = request.headers.get("content-length")
        if length is None and request.method in ("POST", "PUT", "PATCH") and "chunked" in \
                request.headers.get("transfer-encoding", "").lower():
            return JSONResponse({"detail": "a request body must declare its Content-Length (no chunked bodies), "
                                           "so its size can be checked before it is read"}, status_code=411)
        limit = S.LIMITS.upload_bytes + 65536 if request.url.path.startswith("/api/upload") else S.LIMITS.request_bytes
        if length is not None:
            try:
                too_big = int(length) > limit
            except ValueError:
                return JSONResponse({"detail": "invalid Content-Length"}, status_code=400)
            if too_big:
                return JSONResponse({"detail": f"request body of {int(length)} bytes exceeds the limit of "
                                               f"{limit} bytes"}, status_code=413)
        set_cookie = False
        if app.state.token:
            offered = (request.headers.get(TOKEN_HEADER) or request.cookies.get(TOKEN_COOKIE)
                       or request.query_params.get("token") or "")
            if not hmac.compare_digest(offered.encode(), app.state.token.encode()):
                return JSONResponse({"detail": "a valid token is required (open the URL printed by "
                                               "'her2sim serve', or send the X-Her2sim-Token header)"},
                                    status_code=401)
            set_cookie = request.query_params.get("token") is not None
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={1000 * (time.perf_counter() - started):.1f}"
        if set_cookie:
            response.set_cookie(TOKEN_COOKIE, app.state.token, httponly=True, samesite="strict")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                                    "script-src 'self' 'unsafe-eval'")
        return response

    @app.exception_handler(Her2simError)
    async def her2sim_error(request: Request, exc: Her2simError):
        status = 404 if isinstance(exc, UnknownNameError) and "job" in str(exc)[:10] else 400
        return JSONResponse({"detail": str(exc), "error": type(exc).__name__}, status_code=status)

    # ------------------------------------------------------------------ pages and assets
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(static.joinpath("index.html").read_text(encoding="utf-8"))

    @app.get("/static/{name}", include_in_schema=False)
    def static_file(name: str) -> Response:
        if name not in _STATIC:
            raise HTTPException(404, "not found")
        media = "text/javascript" if name.endswith(".js") else "text/css"
        return Response(static.joinpath(name).read_text(encoding="utf-8"), media_type=media)

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(_plotly_js(), media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    # ------------------------------------------------------------------ synchronous API
    @app.get("/api/health", summary="Server and package versions")
    def health() -> dict[str, Any]:
        return {"status": "ok", "her2sim_version": __version__, "token_required": bool(app.state.token)}

    @app.get("/api/catalogue", summary="Names the pages offer (genotypes, cell lines, drugs, units, regimens)")
    def catalogue() -> dict[str, Any]:
        return services.catalogue()

    @app.get("/api/pathway", summary="Structure of the pathway picture (logical twin's nodes and signed edges)")
    def pathway() -> dict[str, Any]:
        return services.pathway()

    @app.post("/api/time-course", summary="Time courses of the read-outs under a therapy, with node activities")
    def time_course(req: S.TimeCourseRequest) -> dict[str, Any]:
        return services.time_course(req)

    @app.post("/api/logical/attractors", summary="Attractors of the logical twin for one condition")
    def attractors(req: S.AttractorRequest) -> dict[str, Any]:
        return services.logical_attractors(req)

    @app.get("/api/model/tables", summary="Species, reactions, parameters with provenance, drugs with sources")
    def model_tables() -> dict[str, Any]:
        return services.model_tables()

    @app.get("/api/model/sbml", summary="Download the flagship model as SBML", response_class=Response,
             responses={200: {"content": {"application/xml": {}}, "description": "SBML L3V2"}})
    def sbml() -> Response:
        return Response(services.sbml_text(), media_type="application/xml",
                        headers={"Content-Disposition": 'attachment; filename="her2_pi3k_akt.xml"'})

    @app.get("/api/model/sbml-qual", summary="Download the logical twin as SBML-qual", response_class=Response,
             responses={200: {"content": {"application/xml": {}}, "description": "SBML L3V1 qual"}})
    def sbml_qual() -> Response:
        return Response(services.sbml_qual_text(), media_type="application/xml",
                        headers={"Content-Disposition": 'attachment; filename="her2_pi3k_akt_qual.xml"'})

    @app.get("/api/trials/specs", summary="Virtual-trial specifications, or why trials are unavailable")
    def trial_specs() -> dict[str, Any]:
        module, reason = trials_module()
        if module is None:
            return {"available": False, "reason": reason, "specs": []}
        return {"available": True, "reason": "", "specs": [str(s) for s in module.list_specs()]}

    # ------------------------------------------------------------------ jobs
    def submit(kind: str, params: dict[str, Any], function, cli: str, before=None) -> dict[str, Any]:
        job = manager.submit(kind, params, function, cli=cli, before=before)
        return job.public(with_result=False)

    @app.post("/api/jobs/regimen", summary="Job: clinical regimens through PK on a tumour")
    def job_regimen(req: S.RegimenRequest) -> dict[str, Any]:
        _check_regimens(req.regimens)
        services._tumour_settings(req.tumour)  # names checked now, not in the job
        return submit("regimen", req.model_dump(), lambda job: services.job_regimen(job, req), services.cli_regimen(req))

    @app.post("/api/jobs/dose-response", summary="Job: simulated dose-response, 4PL fits and GR metrics")
    def job_dose_response(req: S.DoseResponseRequest) -> dict[str, Any]:
        _check_drugs(req.treatment.split("+"))
        _check_contexts(req.contexts)
        _check_unit(req.unit)
        return submit("dose-response", req.model_dump(), lambda job: services.job_dose_response(job, req),
                      services.cli_dose_response(req))

    @app.post("/api/upload/dose-response", summary="Job: fit an uploaded dose-response CSV (GRcalculator-style)")
    async def job_measured(file: UploadFile = File(...), n_boot: int = Form(200, ge=0, le=S.LIMITS.bootstrap),
                           seed: int = Form(0, ge=0, le=2**31 - 1)) -> dict[str, Any]:
        req = S.MeasuredRequest(n_boot=n_boot, seed=seed)
        data, name = await _read_upload(file)
        return submit("dose-response-measured", {**req.model_dump(), "file": name},
                      lambda job: services.job_measured(job, req, name), services.cli_measured(req, name),
                      before=lambda job: (_store(job, data), services.check_measured_upload(job, name)))

    @app.post("/api/jobs/combination", summary="Job: simulated dose matrix with synergy maps and isobologram")
    def job_combination(req: S.CombinationRequest) -> dict[str, Any]:
        _check_drugs([req.drug_a, req.drug_b])
        services._tumour_settings(req.tumour)
        return submit("combination", req.model_dump(), lambda job: services.job_combination(job, req),
                      services.cli_combination(req))

    @app.post("/api/upload/combination", summary="Job: score an uploaded dose matrix (SynergyFinder-style)")
    async def job_matrix(file: UploadFile = File(...),
                         drug_a: str = Form("drug A", min_length=1, max_length=S.LIMITS.name_chars),
                         drug_b: str = Form("drug B", min_length=1, max_length=S.LIMITS.name_chars),
                         response: str = Form("inhibition")) -> dict[str, Any]:
        try:
            req = S.MatrixRequest(drug_a=drug_a, drug_b=drug_b, response=response)
        except ValueError:
            raise ValidationError(f"response={response[:40]!r} is not known; allowed values: 'inhibition', "
                                  "'inhibition_percent', 'viability'") from None
        data, name = await _read_upload(file)
        return submit("combination-matrix", {**req.model_dump(), "file": name},
                      lambda job: services.job_matrix(job, req, name), services.cli_matrix(req, name),
                      before=lambda job: (_store(job, data), services.check_matrix_upload(job, name, req)))

    @app.post("/api/jobs/atlas", summary="Job: genotype × therapy resistance atlas with calls and routes")
    def job_atlas(req: S.AtlasRequest) -> dict[str, Any]:
        _check_contexts(req.contexts)
        for t in req.therapies:
            _check_drugs(t.split("+"))
        if req.reference not in req.contexts:
            raise ValidationError(f"reference {req.reference!r} must be one of the contexts {req.contexts}")
        return submit("atlas", req.model_dump(), lambda job: services.job_atlas(job, req), services.cli_atlas(req))

    @app.post("/api/jobs/rescue", summary="Job: rescue search (single agents, pairs, triplets) for a tumour")
    def job_rescue(req: S.RescueRequest) -> dict[str, Any]:
        _check_drugs([*req.failing.split("+"), *req.backbone])
        services._tumour_settings(req.tumour)
        return submit("rescue", req.model_dump(), lambda job: services.job_rescue(job, req), services.cli_rescue(req))

    @app.post("/api/jobs/logical-scan", summary="Job: perturbation scan of the logical twin")
    def job_scan(req: S.ScanRequest) -> dict[str, Any]:
        _check_drugs([i for i in req.interventions if "=" not in i])
        _check_genotypes(req.genotypes)
        return submit("logical-scan", req.model_dump(), lambda job: services.job_logical_scan(job, req),
                      services.cli_scan(req))

    @app.post("/api/jobs/petab", summary="Job: a PEtab problem on the flagship model (zip)")
    def job_petab(req: S.PetabRequest) -> dict[str, Any]:
        _check_contexts([req.context])
        _check_drugs(list(req.drugs))
        _check_parameters(req.estimate)
        _check_readouts(req.readouts)
        return submit("petab", req.model_dump(), lambda job: services.job_petab(job, req), services.cli_petab(req))

    @app.post("/api/jobs/trial", summary="Job: a virtual trial (her2sim.trials), when installed")
    def job_trial(req: S.TrialRequest) -> dict[str, Any]:
        module, reason = trials_module()
        if module is None:
            raise HTTPException(503, reason)
        specs = [str(s) for s in module.list_specs()]
        if req.spec not in specs:
            raise UnknownNameError("spec", req.spec, specs)
        return submit("trial", req.model_dump(),
                      lambda job: services.job_trial(job, module, req, app.state.scheduler),
                      services.cli_trial(req.spec, req.n, req.seed))

    @app.get("/api/jobs", summary="All jobs of this server, newest first")
    def jobs() -> list[dict[str, Any]]:
        return [j.public(with_result=False) for j in manager.list()]

    @app.get("/api/jobs/{job_id}", summary="State, progress, provenance, CLI command and result of a job")
    def job(job_id: str) -> dict[str, Any]:
        return _job(job_id).public()

    @app.delete("/api/jobs/{job_id}", summary="Cancel a job")
    def cancel(job_id: str) -> dict[str, Any]:
        _job(job_id)
        return manager.cancel(job_id).public(with_result=False)

    @app.get("/api/jobs/{job_id}/files/{name}", summary="Download a result file of a job", response_class=FileResponse,
             responses={200: {"content": {m: {} for m in sorted(set(MEDIA_TYPES.values()))},
                              "description": "the file (CSV, Parquet, PNG, SVG, zip, ...)"}})
    def job_file(job_id: str, name: str) -> FileResponse:
        _job(job_id)
        try:
            path, media = manager.file(job_id, name)
        except KeyError:
            raise HTTPException(404, f"job {job_id} has no file {name[:100]!r}") from None
        inline = path.suffix in (".svg", ".png")
        return FileResponse(path, media_type=media, filename=None if inline else name)

    def _job(job_id: str):
        try:
            return manager.get(job_id)
        except ValidationError as exc:
            raise HTTPException(404, str(exc)) from None
        except KeyError:
            raise HTTPException(404, f"no job {job_id!r} on this server") from None

    return app


# ------------------------------------------------------------------------------------------------
# name checks before a job is queued (the public API's own errors, raised early)

def _check_drugs(names) -> None:
    from ..library.drugs import get_drug

    for n in names:
        get_drug(n.strip())


def _check_unit(unit: str) -> None:
    from ..library.drugs import SUPPORTED_UNITS

    if unit not in SUPPORTED_UNITS:
        raise UnknownNameError("unit", unit, SUPPORTED_UNITS)


def _check_contexts(contexts) -> None:
    from ..analysis._runs import resolve_context

    for c in contexts:
        resolve_context(c)


def _check_genotypes(names) -> None:
    from ..family import default_family

    default_family().resolve_context(list(names))  # a list of genotype names: unknown ones raise


def _check_regimens(names) -> None:
    from ..library.pk import regimen

    for n in names:
        regimen(n)


def _check_parameters(ids) -> None:
    from ..family import default_family

    model = default_family().model()
    known = set(model.parameter_ids)
    for pid in ids:
        if pid not in known:
            raise UnknownNameError("estimate", pid, known)


def _check_readouts(ids) -> None:
    from ..family import default_family

    model = default_family().model()
    known = set(model.parameter_ids) | set(model.species_ids)
    for r in ids:
        if r not in known:
            raise UnknownNameError("readouts", r, known)


async def _read_upload(file: UploadFile) -> tuple[bytes, str]:
    """Read an upload up to the byte limit; the name is reduced to a safe display name."""
    data = await file.read(S.LIMITS.upload_bytes + 1)
    if len(data) > S.LIMITS.upload_bytes:
        raise HTTPException(413, f"the uploaded file exceeds {S.LIMITS.upload_bytes} bytes")
    if not data.strip():
        raise ValidationError("file: the uploaded file is empty")
    raw = (file.filename or "upload.csv").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in raw if ch.isalnum() or ch in "._- ")[:80] or "upload.csv"
    return data, name


def _store(job, data: bytes) -> None:
    job.path("upload.csv").write_bytes(data)
    job.add_file("upload.csv")
