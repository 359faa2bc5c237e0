"""boca.static inside plain Starlette and FastAPI apps (no boca-core)."""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from boca.static import IMMUTABLE, StaticFiles, build

from ._support import asgi_client

pytestmark = pytest.mark.anyio

CSS = b"body { color: red; }\n" * 40


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "app.css").write_bytes(CSS)
    (tmp_path / "hello.txt").write_text("Hello, world!\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.html").write_text("<h1>Docs</h1>")
    (tmp_path.parent / "secret.txt").write_text("TOP SECRET")
    build(tmp_path, brotli=False)
    return tmp_path


def _starlette(static: StaticFiles) -> Starlette:
    async def home(request: Request) -> Response:
        fingerprinted = static.url("css/app.css", root_path=request.scope.get("root_path", ""))
        by_name = request.url_for("static", path="/hello.txt")
        return PlainTextResponse(f"{fingerprinted} {by_name.path}")

    return Starlette(routes=[Route("/", home), Mount("/static", app=static, name="static")])


async def test_mounted_in_starlette(root: Path) -> None:
    static = StaticFiles(root, html=True)
    async with asgi_client(_starlette(static)) as c:
        r = await c.get("/static/hello.txt")
        assert (r.status_code, r.text) == (200, "Hello, world!\n")
        assert r.headers["x-content-type-options"] == "nosniff"
        r = await c.get("/static/hello.txt", headers={"range": "bytes=0-4"})
        assert (r.status_code, r.content, r.headers["content-range"]) == (
            206,
            b"Hello",
            "bytes 0-4/14",
        )
        etag = r.headers["etag"]
        assert (
            await c.get("/static/hello.txt", headers={"if-none-match": etag})
        ).status_code == 304
        assert (await c.post("/static/hello.txt")).status_code == 405
        assert (await c.get("/static/nope.txt")).status_code == 404
        r = await c.get("/static/docs", follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (307, "/static/docs/")
        assert (await c.get("/static/docs/")).text == "<h1>Docs</h1>"
        r = await c.get("/static/css/app.css", headers={"accept-encoding": "gzip"})
        assert r.headers["content-encoding"] == "gzip"
        assert r.content == CSS  # httpx decodes
        home = await c.get("/")
    hashed = static.url("css/app.css")
    assert hashed.startswith("/static/css/app.")
    assert hashed != "/static/css/app.css"
    assert home.text == f"{hashed} /static/hello.txt"


async def test_traversal_through_starlette_mount(root: Path) -> None:
    app = _starlette(StaticFiles(root))
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    for path in ("/static/../secret.txt", "/static/..\\secret.txt", "/static//etc/passwd"):
        sent.clear()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [],
            "server": ("testserver", 80),
        }
        await app(scope, receive, send)
        assert sent[0]["status"] == 404, path
        assert b"SECRET" not in b"".join(m.get("body", b"") for m in sent)  # type: ignore[misc]


async def test_url_honours_root_path(root: Path) -> None:
    static = StaticFiles(root)
    async with asgi_client(_starlette(static), root_path="/api") as c:
        home = await c.get("/api/")
        fingerprinted, by_name = home.text.split()
        assert fingerprinted == "/api" + static.url("css/app.css")
        assert by_name == "/api/static/hello.txt"
        r = await c.get(fingerprinted)
        assert (r.status_code, r.content) == (200, CSS)
        assert r.headers["cache-control"] == IMMUTABLE.decode()
        assert (await c.get("/api/static/hello.txt")).text == "Hello, world!\n"


async def test_mounted_in_fastapi(root: Path) -> None:
    static = StaticFiles(root, path="/assets")
    app = FastAPI()
    app.mount("/assets", static, name="assets")

    @app.get("/")
    async def home() -> dict[str, str]:
        return {"css": static.url("css/app.css")}

    async with asgi_client(app) as c:
        css_url = (await c.get("/")).json()["css"]
        assert css_url.startswith("/assets/css/app.")
        r = await c.get(css_url, headers={"accept-encoding": "gzip"})
        assert r.status_code == 200
        assert r.headers["cache-control"] == IMMUTABLE.decode()
        assert r.headers["vary"] == "Accept-Encoding"
        r = await c.head("/assets/hello.txt")
        assert (r.status_code, r.content, r.headers["content-length"]) == (200, b"", "14")
        r = await c.get("/assets/hello.txt", headers={"range": "bytes=-6"})
        assert (r.status_code, r.content) == (206, b"orld!\n")
        # On the wire the body is the precompressed sibling.
        assert gzip.decompress(await _raw(c, "/assets/css/app.css")) == CSS


async def _raw(c: httpx.AsyncClient, path: str) -> bytes:
    async with c.stream("GET", path, headers={"accept-encoding": "gzip"}) as r:
        return b"".join([chunk async for chunk in r.aiter_raw()])
