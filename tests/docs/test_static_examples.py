"""The boca-static examples of the documentation, run."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from boca.static import IMMUTABLE, StaticFiles

from .conftest import EXAMPLES, load_example

PUBLIC = EXAMPLES / "static" / "public"


def client(app: Any, root_path: str = "") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, root_path=root_path)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_asgi_app() -> None:
    app = load_example("static/asgi_app.py").app
    async with client(app) as c:
        home = await c.get("/")
        assert home.status_code == 200
        assert home.text == (PUBLIC / "index.html").read_text()
        assert home.headers["content-type"] == "text/html; charset=utf-8"
        docs = await c.get("/docs", follow_redirects=False)
        assert (docs.status_code, docs.headers["location"]) == (307, "/docs/")
        assert (await c.get("/docs/")).text == (PUBLIC / "docs" / "index.html").read_text()
        missing = await c.get("/nope")
        assert (missing.status_code, missing.text) == (404, (PUBLIC / "404.html").read_text())
        css = await c.get("/css/app.css", headers={"range": "bytes=0-3"})
        assert (css.status_code, css.text) == (206, ":roo")


async def test_boca_app() -> None:
    module = load_example("static/boca_app.py")
    assert module.app.extensions["static"] is module.static
    async with client(module.app) as c:
        assert (await c.get("/")).json() == {"css": "/static/css/app.css"}
        r = await c.get("/static/css/app.css")
        assert r.status_code == 200
        assert r.content == (PUBLIC / "css" / "app.css").read_bytes()
        assert (await c.get("/static/../boca_app.py")).status_code == 404


async def test_starlette_app() -> None:
    app = load_example("static/starlette_app.py").app
    async with client(app, root_path="/site") as c:
        assert (await c.get("/site/")).json() == {
            "css": "/site/static/css/app.css",
            "js": "http://testserver/site/static/js/app.js",
        }
        r = await c.get("/site/static/js/app.js")
        assert r.headers["content-type"] == "text/javascript; charset=utf-8"


async def test_fastapi_app() -> None:
    app = load_example("static/fastapi_app.py").app
    async with client(app) as c:
        r = await c.get("/static/css/app.css")
        assert (r.status_code, r.headers["x-content-type-options"]) == (200, "nosniff")
        etag = r.headers["etag"]
        assert (
            await c.get("/static/css/app.css", headers={"if-none-match": etag})
        ).status_code == 304


async def test_starlette_errors() -> None:
    app = load_example("static/starlette_errors.py").app
    async with client(app) as c:
        r = await c.get("/static/missing.css")
        assert (r.status_code, r.text) == (404, "<h1>Nothing here</h1>")
        assert (await c.get("/static/css/app.css")).status_code == 200


async def test_spa() -> None:
    app = load_example("static/spa.py").app
    async with client(app) as c:
        r = await c.get("/users/42")
        assert (r.status_code, r.text) == (200, (PUBLIC / "index.html").read_text())
        assert r.headers["cache-control"] == "public, max-age=0"
        assert (await c.get("/js/app.js")).text == (PUBLIC / "js" / "app.js").read_text()


def test_options() -> None:
    static = load_example("static/options.py").static
    assert isinstance(static, StaticFiles)
    assert static.check_interval == 1.0
    assert static.url("css/app.css") == "/static/css/app.css"


async def test_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "public"
    shutil.copytree(PUBLIC, site)
    static = load_example("static/build.py").fingerprint(site)
    assert capsys.readouterr().out == "5 files, 2 .gz, 2 .br\n"
    url = static.url("css/app.css")
    assert url.startswith("/static/css/app.")
    assert url != "/static/css/app.css"
    async with client(static, root_path="/static") as c:
        r = await c.get(url, headers={"accept-encoding": "gzip"})
        assert r.headers["cache-control"] == IMMUTABLE.decode()
        assert r.content == (PUBLIC / "css" / "app.css").read_bytes()
        async with c.stream("GET", url, headers={"accept-encoding": "gzip"}) as raw:
            body = b"".join([chunk async for chunk in raw.aiter_raw()])
        assert gzip.decompress(body) == (PUBLIC / "css" / "app.css").read_bytes()
