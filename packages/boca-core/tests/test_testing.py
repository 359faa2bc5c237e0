from __future__ import annotations

import httpx
import pytest

from boca.core import App
from boca.core.testing import LiveServer, TestClient


def make_app() -> App:
    app = App()
    started: list[str] = []

    @app.on("startup")
    async def startup():
        started.append("yes")

    @app.route("/")
    async def index(req, res):
        res.json = {"started": started, "host": req.url.hostname}

    return app


def test_sync_client_without_lifespan() -> None:
    assert TestClient(make_app()).get("/").json() == {"started": [], "host": "testserver"}


def test_sync_client_runs_lifespan() -> None:
    with TestClient(make_app()) as client:
        assert client.get("/").json()["started"] == ["yes"]


async def test_async_client_runs_lifespan() -> None:
    client = TestClient(make_app(), base_url="http://example.org")
    async with client as c:
        assert isinstance(c, httpx.AsyncClient)
        assert (await c.get("/")).json() == {"started": ["yes"], "host": "example.org"}
    await client.__aexit__()  # a second exit is harmless


def test_live_server() -> None:
    with LiveServer(make_app()) as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.ws_url == f"ws://127.0.0.1:{server.port}"
        response = httpx.get(server.url + "/")
        assert response.json() == {"started": ["yes"], "host": "127.0.0.1"}
        assert response.headers["server"] == "uvicorn"


def test_live_server_startup_failure() -> None:
    app = App()

    @app.on("startup")
    async def fail():
        raise RuntimeError("cannot start")

    server = LiveServer(app)
    with pytest.raises(RuntimeError, match="failed to start"):
        server.start()
    server.stop()


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.anyio
async def test_async_client_on_asyncio_and_trio(anyio_backend: str) -> None:
    app = App()
    events: list[str] = []

    @app.on("startup")
    async def started() -> None:
        events.append("startup")

    @app.on("shutdown")
    async def stopped() -> None:
        events.append("shutdown")

    @app.route("/")
    async def home(req, res):  # type: ignore[no-untyped-def]
        res.json = {"events": events}

    async with TestClient(app) as client:
        response = await client.get("/")
    assert response.json() == {"events": ["startup"]}
    assert events == ["startup", "shutdown"]


@pytest.mark.anyio
async def test_async_client_startup_failure_raises(anyio_backend: str) -> None:
    app = App()

    @app.on("startup")
    async def broken() -> None:
        raise LookupError("no database")

    with pytest.raises(RuntimeError, match="application startup failed: LookupError") as info:
        async with TestClient(app):
            pass  # pragma: no cover - never entered
    assert isinstance(info.value.__cause__, LookupError)


@pytest.mark.anyio
async def test_async_client_lets_the_tests_exception_through(anyio_backend: str) -> None:
    app = App()
    stopped: list[bool] = []

    @app.on("shutdown")
    async def stop() -> None:
        stopped.append(True)

    with pytest.raises(KeyError, match="raised by the test"):
        async with TestClient(app):
            raise KeyError("raised by the test")
    assert stopped == [True]  # shut down all the same
