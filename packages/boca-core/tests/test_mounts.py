from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import JSONResponse
from starlette.routing import Route as StarletteRoute

from boca.core import App, RouteDeclarationError, Router
from boca.core.testing import TestClient
from boca.core.types import Receive, Scope, Send


async def plain_asgi(scope: Scope, receive: Receive, send: Send) -> None:
    body = f"{scope['root_path']}|{scope['path']}".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def star_view(request: StarletteRequest) -> JSONResponse:
    return JSONResponse(
        {
            "path": request.url.path,
            "root_path": request.scope["root_path"],
            "url_for": str(request.url_for("thing", id="7")),
        }
    )


def make_app() -> App:
    app = App()
    app.mount("/raw", plain_asgi, name="raw")
    app.mount("/star", Starlette(routes=[StarletteRoute("/things/{id}", star_view, name="thing")]))

    @app.route("/raw/owned")
    async def owned(req, res):
        res.text = "route wins"

    return app


app = make_app()
client = TestClient(app)


def test_mount_plain_asgi_root_path() -> None:
    assert client.get("/raw/a/b").text == "/raw|/raw/a/b"
    assert client.get("/raw").text == "/raw|/raw"
    assert client.get("/rawx").status_code == 404


def test_mount_starlette_app() -> None:
    assert client.get("/star/things/1").json() == {
        "path": "/star/things/1",
        "root_path": "/star",
        "url_for": "http://testserver/star/things/7",
    }
    assert client.get("/star/nothing").status_code == 404


def test_routes_win_over_mounts() -> None:
    assert client.get("/raw/owned").text == "route wins"


def test_url_for_mount() -> None:
    assert app.url_for("raw", path="/x y/z") == "/raw/x%20y/z"
    assert app.url_for("raw") == "/raw/"
    with pytest.raises(Exception, match="takes only a 'path' parameter"):
        app.url_for("raw", other=1)


def test_app_served_under_a_root_path() -> None:
    inner = App(base_url="http://testserver")

    @inner.route("/hello", name="hello")
    async def hello(req, res):
        res.json = {"path": req.url.path, "url": str(req.url_for("hello"))}

    outer = App()
    outer.mount("/sub", inner)
    c = TestClient(outer)
    assert c.get("/sub/hello").json() == {
        "path": "/sub/hello",
        "url": "http://testserver/sub/hello",
    }
    # A root_path that is only a prefix of a segment is not stripped.
    assert TestClient(inner, root_path="/sub").get("/subhello").status_code == 404


@pytest.mark.parametrize("prefix", ["api", "/", "/{x}"])
def test_bad_mount_prefix(prefix: str) -> None:
    with pytest.raises(RouteDeclarationError, match="literal path"):
        App().mount(prefix, plain_asgi)


def test_mount_errors() -> None:
    app = App()
    with pytest.raises(RouteDeclarationError, match="is not an ASGI app"):
        app.mount("/x", "nope")  # type: ignore[arg-type]
    app.mount("/x/", plain_asgi, name="x")
    with pytest.raises(RouteDeclarationError, match="already mounted"):
        app.mount("/x", plain_asgi)
    with pytest.raises(RouteDeclarationError, match="'x' is already used by '/x'"):
        app.mount("/y", plain_asgi, name="x")


def test_router_mounts_are_included() -> None:
    router = Router()
    router.mount("/m", plain_asgi)
    app = App()
    app.include(router, prefix="/api")
    assert TestClient(app).get("/api/m/z").text == "/api/m|/api/m/z"


def test_longest_mount_prefix_wins() -> None:
    app = App()
    app.mount("/a", plain_asgi)

    async def other(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"deep"})

    app.mount("/a/b", other)
    c = TestClient(app)
    assert c.get("/a/b/c").text == "deep"
    assert c.get("/a/c").status_code == 200


def test_root_path_equal_to_path_is_the_root() -> None:
    app = App()

    @app.route("/")
    async def index(req, res):
        res.text = "root"

    assert TestClient(app, root_path="/sub").get("/sub").text == "root"
