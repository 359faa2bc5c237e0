from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest

from boca.core import App
from boca.core.testing import TestClient


def test_startup_and_shutdown_decorator_and_call_form() -> None:
    app = App()
    events: list[str] = []

    @app.on("startup")
    async def first():
        events.append("startup decorator")

    async def second():
        events.append("startup call")

    assert app.on("startup", second) is second

    @app.on("shutdown")
    async def bye():
        events.append("shutdown")

    @app.route("/")
    async def index(req, res):
        res.json = events

    with TestClient(app) as client:
        assert client.get("/").json() == ["startup decorator", "startup call"]
    assert events[-1] == "shutdown"


def test_on_errors() -> None:
    app = App()
    with pytest.raises(ValueError, match="unknown event 'start'"):
        app.on("start")

    def sync():  # type: ignore[no-untyped-def]
        pass

    with pytest.raises(TypeError, match="must be an async function"):
        app.on("shutdown", sync)


def test_lifespan_context_state() -> None:
    events: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: App) -> AsyncIterator[dict[str, object]]:
        events.append("enter")
        yield {"db": "connection", "n": 1}
        events.append("exit")

    app = App(lifespan=lifespan)

    @app.route("/")
    async def index(req, res):
        res.json = {"db": req.app.state.db, "n": req.app.state.n, "raw": req.app.lifespan_state}

    with TestClient(app) as client:
        assert client.get("/").json() == {
            "db": "connection",
            "n": 1,
            "raw": {"db": "connection", "n": 1},
        }
    assert events == ["enter", "exit"]


def test_lifespan_non_mapping_state() -> None:
    @contextlib.asynccontextmanager
    async def lifespan(app: App) -> AsyncIterator[str]:
        yield "token"

    app = App(lifespan=lifespan)
    with TestClient(app):
        assert app.lifespan_state == "token"


async def test_startup_failure_async(caplog: pytest.LogCaptureFixture) -> None:
    app = App()

    @app.on("startup")
    async def fail():
        raise RuntimeError("no database")

    with pytest.raises(RuntimeError, match="application startup failed: RuntimeError: no database"):
        async with TestClient(app):
            pass
    assert "application startup failed" in caplog.text


def test_startup_failure_sync() -> None:
    app = App()

    @app.on("startup")
    async def fail():
        raise RuntimeError("no database")

    with pytest.raises(RuntimeError, match="no database"), TestClient(app):
        pass


async def test_shutdown_failures_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    @contextlib.asynccontextmanager
    async def lifespan(app: App) -> AsyncIterator[None]:
        yield
        raise RuntimeError("close failed")

    app = App(lifespan=lifespan)

    @app.on("shutdown")
    async def handler():
        raise ValueError("handler failed")

    async with TestClient(app):
        pass
    assert "shutdown handler" in caplog.text
    assert "handler failed" in caplog.text
    assert "application shutdown failed" in caplog.text


async def test_websocket_scope_is_closed() -> None:
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    await App()({"type": "websocket", "path": "/"}, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1008, "reason": ""}]


async def test_unknown_scope_type_is_ignored() -> None:
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        raise AssertionError("never called")

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    await App()({"type": "webtransport", "path": "/"}, receive, send)
    assert sent == []
