"""Fixtures of the web tests: the workbench served by uvicorn on a free 127.0.0.1 port, in-process.

The server runs in a daemon thread on a socket bound by the test (port 0: the OS picks a free
port, so parallel test processes never collide); it only ever listens on loopback.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'her2sim[web]'")
pytest.importorskip("uvicorn", reason="the web extra is not installed: pip install 'her2sim[web]'")
httpx = pytest.importorskip("httpx", reason="httpx is needed to call the web API")


@dataclass
class Server:
    url: str
    app: object
    jobs_dir: Path

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60.0, **kwargs)

    def wait(self, client: httpx.Client, job: dict, timeout: float = 120.0) -> dict:
        """Poll a job until it is finished and its figures are written; return its final state."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = client.get(f"/api/jobs/{job['id']}").json()
            if state["state"] in ("done", "failed", "cancelled") and not state.get("files_pending"):
                return state
            time.sleep(0.05)
        raise TimeoutError(f"job {job['id']} did not finish within {timeout} s")


def start_server(app, jobs_dir: Path) -> tuple[Server, callable]:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="her2sim-test-web")
    thread.start()
    deadline = time.monotonic() + 20.0
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test web server did not start")
        time.sleep(0.02)

    def stop() -> None:
        server.should_exit = True
        thread.join(10.0)
        sock.close()
        app.state.jobs.shutdown()

    return Server(f"http://127.0.0.1:{port}", app, jobs_dir), stop


@pytest.fixture(scope="session")
def serve_app():
    """``serve_app(app, jobs_dir) -> (Server, stop)``: serve another app (token, stand-in modules)."""
    return start_server


@pytest.fixture(scope="session")
def web_server(tmp_path_factory) -> Iterator[Server]:
    """The workbench with jobs executed (the pages' and API's main paths)."""
    from her2sim.web import create_app

    jobs = tmp_path_factory.mktemp("web-jobs")
    app = create_app(jobs_dir=jobs, workers=2, warm=True)
    server, stop = start_server(app, jobs)
    yield server
    stop()


@pytest.fixture(scope="session")
def schema_server(tmp_path_factory) -> Iterator[Server]:
    """The workbench with jobs accepted and validated but not run (property tests of the API)."""
    from her2sim.web import create_app

    jobs = tmp_path_factory.mktemp("web-jobs-schema")
    app = create_app(jobs_dir=jobs, workers=1, execute_jobs=False, warm=False)
    server, stop = start_server(app, jobs)
    yield server
    stop()
