"""Middleware on a Router: only that router's routes go through it."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from boca.core import App, HTTPError, Middleware, Router, WebSocket
from boca.core.testing import LiveServer, TestClient


class Tag:
    """A plain ASGI middleware: notes its name in the scope and adds a response header."""

    instances = 0

    def __init__(self, app: Any, name: str = "tag") -> None:
        self.app = app
        self.name = name
        Tag.instances += 1

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        scope.setdefault("trail", []).append(self.name)

        async def tagged(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-through", self.name.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, tagged)


class Boom:
    def __init__(self, app: Any, error: type[Exception] = RuntimeError) -> None:
        self.app = app
        self.error = error

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        raise self.error("middleware failed")


class Deny(Middleware):
    async def before_dispatch(self, req: Any, res: Any) -> Any:
        if req.headers.get("x-key") != "k":
            res.status_code = 401
            res.json = {"denied": True}
            return res
        return None


def build() -> App:
    app = App()
    api = Router()
    api.add_middleware(Tag, name="api")

    @api.route("/items")
    async def items(req: Any, res: Any) -> dict[str, Any]:
        return {"trail": req.scope.get("trail", [])}

    @api.websocket_route("/live")
    async def live(ws: WebSocket) -> None:
        await ws.send(",".join(ws.scope.get("trail", [])))

    app.include(api, prefix="/api")

    @app.route("/plain")
    async def plain(req: Any, res: Any) -> dict[str, Any]:
        return {"trail": req.scope.get("trail", [])}

    return app


def test_router_middleware_applies_only_to_its_routes() -> None:
    client = TestClient(build())
    response = client.get("/api/items")
    assert response.json() == {"trail": ["api"]}
    assert response.headers.get_list("x-through") == ["api"]
    plain = client.get("/plain")
    assert plain.json() == {"trail": []}
    assert "x-through" not in plain.headers


def test_composes_with_app_middleware_app_outermost() -> None:
    app = build()
    app.add_middleware(Tag, name="app")
    client = TestClient(app)
    response = client.get("/api/items")
    assert response.json() == {"trail": ["app", "api"]}
    assert response.headers.get_list("x-through") == ["api", "app"]
    assert client.get("/plain").json() == {"trail": ["app"]}


def test_nested_routers_inner_middleware_is_innermost() -> None:
    inner = Router()
    inner.add_middleware(Tag, name="inner")

    @inner.route("/x")
    async def x(req: Any, res: Any) -> list[str]:
        return list(req.scope["trail"])

    outer = Router()
    outer.add_middleware(Tag, name="outer")
    outer.include(inner, prefix="/in")
    app = App()
    app.include(outer, prefix="/out")
    assert TestClient(app).get("/out/in/x").json() == ["outer", "inner"]


def test_routes_of_one_router_share_the_middleware_instance() -> None:
    Tag.instances = 0
    api = Router()
    api.add_middleware(Tag, name="api")
    for i in range(3):
        api.add_route(f"/r{i}", _ok)
    other = Router()
    other.add_middleware(Tag, name="other")
    other.add_route("/o", _ok)
    app = App()
    app.include(api)
    app.include(other)
    client = TestClient(app)
    for path in ("/r0", "/r1", "/r2", "/r0", "/o"):
        assert client.get(path).status_code == 200
    assert Tag.instances == 2


async def _ok(req: Any, res: Any) -> str:
    return "ok"


def test_short_circuiting_middleware_on_a_router() -> None:
    api = Router()
    api.add_middleware(Deny)

    @api.route("/secret")
    async def secret(req: Any, res: Any) -> dict[str, bool]:
        return {"secret": True}

    app = App()
    app.include(api)

    @app.route("/open")
    async def open_(req: Any, res: Any) -> dict[str, bool]:
        return {"open": True}

    client = TestClient(app)
    denied = client.get("/secret")
    assert (denied.status_code, denied.json()) == (401, {"denied": True})
    assert client.get("/secret", headers={"x-key": "k"}).json() == {"secret": True}
    assert client.get("/open").json() == {"open": True}


def test_exceptions_in_router_middleware_reach_the_error_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = Router()
    api.add_middleware(Boom)
    api.add_route("/boom", _ok)
    teapot = Router()
    teapot.add_middleware(Boom, error=LookupError)
    teapot.add_route("/handled", _ok)
    refused = Router()
    refused.add_middleware(Boom, error=lambda message: HTTPError(402, detail=message))
    refused.add_route("/pay", _ok)
    app = App()
    for router in (api, teapot, refused):
        app.include(router)

    @app.error_handler(LookupError)
    async def lookup(req: Any, res: Any, exc: LookupError) -> None:
        res.status_code = 418
        res.json = {"handled": str(exc)}

    caplog.set_level(logging.ERROR, logger="boca.core")
    client = TestClient(app)
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.json()["error"] == "500 Internal Server Error"
    assert len([r for r in caplog.records if r.levelno == logging.ERROR]) == 1
    handled = client.get("/handled")
    assert (handled.status_code, handled.json()) == (418, {"handled": "middleware failed"})
    paid = client.get("/pay")
    assert paid.status_code == 402
    assert paid.json() == {
        "error": "402 Payment Required",
        "status": 402,
        "detail": "middleware failed",
    }


def test_add_middleware_refuses_non_callables() -> None:
    with pytest.raises(TypeError, match="is not an ASGI middleware class"):
        Router().add_middleware("not a class")


async def test_websocket_routes_go_through_router_middleware() -> None:
    with LiveServer(build()) as server:
        async with connect(server.ws_url + "/api/live", proxy=None) as ws:
            assert await ws.recv() == "api"
        async with httpx.AsyncClient(base_url=server.url) as http:
            response = await http.get("/api/items")
        assert response.headers["x-through"] == "api"


async def test_websocket_router_middleware_error_closes(caplog: pytest.LogCaptureFixture) -> None:
    api = Router()
    api.add_middleware(Boom)

    @api.websocket_route("/ws")
    async def ws_view(ws: WebSocket) -> None:  # pragma: no cover - the middleware fails first
        await ws.send("never")

    app = App()
    app.include(api)
    caplog.set_level(logging.ERROR, logger="boca.core")
    with LiveServer(app) as server:
        with pytest.raises(InvalidStatus) as info:
            async with connect(server.ws_url + "/ws", proxy=None):
                pass  # pragma: no cover
        assert info.value.response.status_code == 403
    errors = [r for r in caplog.records if r.name == "boca.core" and r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors] == ["Unhandled exception in websocket '/ws'"]


class FailAfter:
    """Fails once the response is on its way: too late for an error page."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)
        raise RuntimeError("after the response")


def test_router_middleware_failing_after_the_response_started_is_raised() -> None:
    api = Router()
    api.add_middleware(FailAfter)
    api.add_route("/late", _ok)
    app = App()
    app.include(api)
    with pytest.raises(RuntimeError, match="after the response"):
        TestClient(app, raise_server_exceptions=True).get("/late")
    response = TestClient(app).get("/late")
    assert (response.status_code, response.text) == (200, "ok")
