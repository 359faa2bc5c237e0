"""The examples of the websockets, hooks, providers, lifespan and battery pages, run."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from boca.core import Plugin
from boca.core.testing import LiveServer, TestClient

from .conftest import load_example

ORIGIN = "https://chat.example"


def ws_connect(url: str, **options: Any) -> connect:
    return connect(url, origin=ORIGIN, proxy=None, **options)  # type: ignore[arg-type]


async def test_websockets() -> None:
    example = load_example("core/websockets.py")
    with LiveServer(example.app) as server:
        url = server.ws_url
        async with (
            ws_connect(url + "/chat/tea?name=ada") as ada,
            ws_connect(url + "/chat/tea?name=bob") as bob,
        ):
            await ada.send(json.dumps({"text": "hi"}))
            expected = {"from": "ada", "text": "hi"}
            assert json.loads(await ada.recv()) == expected
            assert json.loads(await bob.recv()) == expected
            await ada.send("not json")
            with pytest.raises(ConnectionClosed) as closed:
                await ada.recv()
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1007

        with pytest.raises(InvalidStatus) as refused:
            async with ws_connect(url + "/feed"):
                pass  # pragma: no cover
        assert refused.value.response.status_code == 403
        async with ws_connect(url + "/feed?token=s3cret") as feed:
            assert [json.loads(await feed.recv()) for _ in range(3)] == [
                {"tick": 0},
                {"tick": 1},
                {"tick": 2},
            ]
            with pytest.raises(ConnectionClosed) as closed:
                await feed.recv()
            assert closed.value.rcvd is not None
            assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4000, "that's all")

        async with ws_connect(url + "/upload/7") as up:
            await up.send(b"12345")
            assert json.loads(await up.recv()) == {"id": 7, "received": 5}
            await up.send(b"678")
            assert json.loads(await up.recv()) == {"id": 7, "received": 8}

        async with ws_connect(url + "/count") as count:
            assert await count.recv() == "hello"
            await count.send("a")
            assert await count.recv() == "1: a"
            await count.close(1001)

        # Another site's page may not open the chat.
        evil: Any = "https://evil.example"
        with pytest.raises(InvalidStatus) as refused:
            async with connect(url + "/chat/tea", origin=evil, proxy=None):
                pass  # pragma: no cover
        assert refused.value.response.status_code == 403
    assert example.DISCONNECTS == [(1, 1001)]
    assert list(example.ROOMS) == ["tea"]
    assert not example.ROOMS["tea"]  # everyone left


def test_hooks() -> None:
    client = TestClient(load_example("core/hooks.py").app)
    cached = client.get("/articles/welcome")
    assert cached.json() == {"title": "Welcome!", "cached": True}
    assert "cache-control" not in cached.headers  # the view and its after hooks did not run
    fresh = client.get("/articles/hello-world")
    assert fresh.json() == {"title": "Hello-World", "cached": False}
    assert fresh.headers["cache-control"] == "max-age=300"

    assert client.get("/notes").status_code == 401
    assert client.get("/notes", headers={"x-token": "s3cret"}).json() == ["buy tea"]
    created = client.post("/notes", json={"text": "milk"}, headers={"x-token": "s3cret"})
    assert created.status_code == 201
    assert created.json() == {"data": {"text": "milk"}, "params": {}}

    refused = client.get("/admin/stats", headers={"x-token": "s3cret"})
    assert refused.status_code == 401
    assert refused.json()["detail"] == "a valid X-Token header (admin) is needed"
    stats = client.get("/admin/stats", headers={"x-token": "admin-token"})
    assert stats.json() == {"users": 3}
    assert stats.headers["x-admin"] == "1"
    assert "x-admin" not in client.get("/notes", headers={"x-token": "s3cret"}).headers


def test_providers() -> None:
    example = load_example("core/providers.py")
    with TestClient(example.app) as client:
        assert client.get("/users/1").json() == {"id": 1, "name": "ada", "of": 2}
        assert client.get("/users/3").status_code == 500
        assert client.get("/db").json() == {
            "log": ["begin", "commit", "end", "begin", "rollback", "end"],
            "open": True,
        }
    example.test_user_with_a_fake_count()
    with TestClient(example.app) as client:  # the override is gone
        assert client.get("/users/2").json() == {"id": 2, "name": "grace", "of": 2}


def test_lifespan() -> None:
    example = load_example("core/lifespan.py")
    with TestClient(example.app) as client:
        assert client.get("/").json() == {"pool": {"size": 4}, "same": True}
        assert example.EVENTS == ["pool opened", "cache warmed with a pool of 4"]
    assert example.EVENTS == [
        "pool opened",
        "cache warmed with a pool of 4",
        "metrics flushed",
        "pool closed",
    ]


def test_battery() -> None:
    example = load_example("core/battery.py")
    assert isinstance(example.Maintenance(), Plugin)
    app = example.create_app()
    battery = app.extensions["maintenance"]
    with TestClient(app) as client:
        assert battery.ready
        assert battery.status_url == "/maintenance"
        assert client.get("/").json() == {"hello": "world"}
        reports = client.get("/reports")
        assert reports.status_code == 503
        assert reports.headers["retry-after"] == "60"
        assert reports.json() == {"error": "503 Service Unavailable", "status": "/maintenance"}
        battery.enabled = True
        down = client.get("/")
        assert (down.status_code, down.headers["retry-after"]) == (503, "60")
        assert client.get("/maintenance").json() == {"maintenance": True, "retry_after": 60}
        css = client.get("/maintenance-assets/style.css")
        assert (css.status_code, css.headers["content-type"]) == (200, "text/css")

    debug_app = example.create_app(debug=True)
    with TestClient(debug_app) as client:
        assert client.get("/reports").json()["detail"] == (
            "the reporting database is being migrated"
        )


async def test_battery_in_a_plain_asgi_app() -> None:
    """The battery's middleware is plain ASGI: it runs without boca.core around it."""
    example = load_example("core/battery.py")
    battery = example.Maintenance(retry_after=5)
    battery.enabled = True
    wrapped = example.MaintenanceMiddleware(example.maintenance_css, battery=battery)
    transport = httpx.ASGITransport(app=wrapped)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        page = await client.get("/page")
        assert (page.status_code, page.headers["retry-after"]) == (503, "5")
        css = await client.get("/maintenance-assets/x.css")
        assert css.text == "body { font-family: sans-serif; }"
