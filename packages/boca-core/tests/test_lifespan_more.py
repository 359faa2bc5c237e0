"""Lifespan: startup and shutdown handlers, `lifespan=`, state, failures at startup and shutdown."""

from __future__ import annotations

import contextlib
import logging
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from boca.core import App
from boca.core.testing import LiveServer, TestClient


def test_order_of_lifespan_providers_and_handlers() -> None:
    log: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: App) -> AsyncIterator[dict[str, str]]:
        log.append("lifespan enter")
        yield {"engine": "sqlite"}
        log.append("lifespan exit")

    app = App(lifespan=lifespan)

    @app.provider(scope="app")
    async def pool() -> AsyncIterator[str]:
        log.append("pool up")
        yield "pool"
        log.append("pool down")

    @app.on("startup")
    async def warm() -> None:
        log.append(f"startup sees {app.state.engine}")

    async def goodbye() -> None:
        log.append("shutdown handler")

    app.on("shutdown", goodbye)

    @app.route("/")
    async def index(req: Any, res: Any, pool: str) -> dict[str, Any]:
        return {
            "engine": req.app.state.engine,
            "lifespan_state": req.app.lifespan_state,
            "pool": pool,
        }

    with TestClient(app) as client:
        assert client.get("/").json() == {
            "engine": "sqlite",
            "lifespan_state": {"engine": "sqlite"},
            "pool": "pool",
        }
        assert log == ["lifespan enter", "pool up", "startup sees sqlite"]
    assert log == [
        "lifespan enter",
        "pool up",
        "startup sees sqlite",
        "shutdown handler",
        "pool down",
        "lifespan exit",
    ]


def test_decorator_and_call_form_return_the_function() -> None:
    app = App()

    async def handler() -> None: ...

    assert app.on("startup")(handler) is handler
    assert app.on("shutdown", handler) is handler


def test_non_async_handlers_are_refused_at_declaration() -> None:
    app = App()

    def sync_startup() -> None: ...

    with pytest.raises(TypeError, match=r"startup handler .*sync_startup.* must be an async"):
        app.on("startup", sync_startup)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"shutdown handler .* must be an async function"):
        app.on("shutdown")(lambda: None)


async def test_every_shutdown_handler_runs_and_each_failure_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = App()
    ran: list[str] = []

    @app.on("shutdown")
    async def first() -> None:
        ran.append("first")
        raise ValueError("first failed")

    @app.on("shutdown")
    async def second() -> None:
        ran.append("second")
        raise OSError("second failed")

    @app.on("shutdown")
    async def third() -> None:
        ran.append("third")

    caplog.set_level(logging.ERROR, logger="boca.core")
    async with TestClient(app):
        pass
    assert ran == ["first", "second", "third"]
    failures = [r for r in caplog.records if r.getMessage().startswith("shutdown handler")]
    assert len(failures) == 2
    assert [str(r.exc_info[1]) for r in failures if r.exc_info] == ["first failed", "second failed"]
    # The app's own shutdown still completed: no "application shutdown failed".
    assert "application shutdown failed" not in caplog.text


def test_lifespan_state_through_a_live_server() -> None:
    @contextlib.asynccontextmanager
    async def lifespan(app: App) -> AsyncIterator[dict[str, int]]:
        yield {"answer": 42}

    app = App(lifespan=lifespan)

    @app.route("/")
    async def index(req: Any, res: Any) -> dict[str, int]:
        return {"answer": req.app.state.answer}

    with LiveServer(app) as server:
        assert httpx.get(server.url + "/").json() == {"answer": 42}


def test_live_server_reports_a_failed_startup() -> None:
    app = App()

    @app.on("startup")
    async def fail() -> None:
        raise RuntimeError("no database")

    server = LiveServer(app, log_level="critical")
    with pytest.raises(RuntimeError, match=r"failed to start \(exit code 3"):
        server.start()
    server.stop()


FAILING_APP = """
from boca.core import App

app = App()


@app.on("startup")
async def connect():
    raise ConnectionRefusedError("database at db:5432 refused the connection")


@app.route("/")
async def index(req, res):
    res.text = "should never be served"
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serves(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def test_hostile_F11(tmp_path: Path) -> None:
    """A failing startup stops the server: exit code 3, the port never served, and the
    error named on stderr."""
    (tmp_path / "failing_app.py").write_text(textwrap.dedent(FAILING_APP))
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "failing_app:app", "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    served = False
    try:
        while process.poll() is None:
            served = served or _serves(port)
            time.sleep(0.02)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:  # pragma: no cover - only when the test fails
            process.kill()
    assert process.returncode == 3
    assert not served
    assert not _serves(port)
    assert "ConnectionRefusedError: database at db:5432 refused the connection" in stderr
    assert "application startup failed" in stderr
    assert "Application startup failed. Exiting." in stderr
    assert "Uvicorn running on" not in stderr


def test_failed_startup_handler_tears_down_what_was_set_up() -> None:
    log: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: App) -> AsyncIterator[None]:
        log.append("enter")
        try:
            yield
        finally:  # the startup error is raised at the yield
            log.append("exit")

    app = App(lifespan=lifespan)

    @app.provider(scope="app")
    async def pool() -> AsyncIterator[str]:
        yield "pool"
        log.append("pool down")

    @app.on("startup")
    async def fail() -> None:
        raise LookupError("no config")

    @app.on("shutdown")
    async def never() -> None:  # pragma: no cover - startup failed
        log.append("shutdown handler")

    with pytest.raises(LookupError, match="no config"), TestClient(app):
        pass
    assert log == ["enter", "pool down", "exit"]
