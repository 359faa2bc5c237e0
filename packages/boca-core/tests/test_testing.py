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
