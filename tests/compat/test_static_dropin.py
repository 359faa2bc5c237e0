"""boca.static as a drop-in for Starlette's StaticFiles: the host app's exception handlers,
html=True answered as Starlette answers it, and FastAPI's static-files tutorial."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles as StarletteStaticFiles

from boca.static import StaticFiles

from ._support import asgi_client

pytestmark = pytest.mark.anyio


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    for rel, text in {
        "index.html": "<p>home</p>",
        "404.html": "<p>custom 404</p>",
        "docs/index.html": "<p>docs</p>",
        "docs/page.html": "<p>page</p>",
        "noindex/readme.txt": "readme",
        "hello.txt": "Hello",
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


async def test_404_and_405_reach_starlette_exception_handlers(site: Path) -> None:
    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return PlainTextResponse(f"handled {exc.status_code}", status_code=exc.status_code)

    async def not_allowed(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        assert exc.headers == {"Allow": "GET, HEAD"}
        return PlainTextResponse("no", status_code=405, headers=exc.headers)

    app = Starlette(
        routes=[Mount("/static", StaticFiles(site))],
        exception_handlers={404: not_found, 405: not_allowed},
    )
    async with asgi_client(app) as c:
        r = await c.get("/static/missing.txt")
        assert (r.status_code, r.text) == (404, "handled 404")
        r = await c.get("/static/../../etc/passwd")
        assert (r.status_code, r.text) == (404, "handled 404")
        r = await c.post("/static/hello.txt")
        assert (r.status_code, r.text, r.headers["allow"]) == (405, "no", "GET, HEAD")
        assert (await c.get("/static/hello.txt")).text == "Hello"


async def test_fastapi_error_format_never_echoes_the_path(site: Path) -> None:
    app = FastAPI()
    app.mount("/static", StaticFiles(directory=site), name="static")
    async with asgi_client(app) as c:
        r = await c.get("/static/<script>alert(1)</script>.txt")
        assert (r.status_code, r.json()) == (404, {"detail": "Not Found"})
        r = await c.delete("/static/hello.txt")
        assert (r.status_code, r.json()) == (405, {"detail": "Method Not Allowed"})
        assert r.headers["allow"] == "GET, HEAD"


async def test_standalone_keeps_boca_json(site: Path) -> None:
    async with asgi_client(StaticFiles(site)) as c:
        r = await c.get("/missing<b>.txt")
    assert r.status_code == 404
    assert r.json() == {"error": "404 Not Found", "status": 404, "detail": "No file at this path."}


HTML_PATHS = [
    "/",
    "/index.html",
    "/docs",
    "/docs/",
    "/docs/page.html",
    "/noindex/",
    "/noindex",
    "/missing",
    "/missing/",
    "/docs/missing.html",
    "/hello.txt",
]


@pytest.mark.parametrize("path", HTML_PATHS)
async def test_html_mode_answers_as_starlette_does(site: Path, path: str) -> None:
    answers = []
    for static in (
        StarletteStaticFiles(directory=site, html=True),
        StaticFiles(directory=site, html=True),
    ):
        app = Starlette(routes=[Mount("/s", static)])
        async with asgi_client(app) as c:
            r = await c.get("/s" + path, follow_redirects=False)
        location = r.headers.get("location", "").removeprefix("http://testserver")
        answers.append((r.status_code, r.content, location))
    assert answers[1] == answers[0]


async def test_a_file_with_a_trailing_slash_is_not_found(site: Path) -> None:
    # The deliberate difference: Starlette serves /hello.txt/ as /hello.txt; Boca (as nginx)
    # serves a file at its own URL only, so relative links in it cannot resolve elsewhere.
    async with asgi_client(Starlette(routes=[Mount("/s", StaticFiles(site, html=True))])) as c:
        r = await c.get("/s/hello.txt/")
    assert (r.status_code, r.text) == (404, "<p>custom 404</p>")


def test_html_mode_without_404_page_uses_the_host_handler(site: Path) -> None:
    os.remove(site / "404.html")
    app = FastAPI()
    app.mount("/", StaticFiles(directory=site, html=True), name="site")
    client = TestClient(app)
    r = client.get("/nothing/here")
    assert (r.status_code, r.json()) == (404, {"detail": "Not Found"})
    assert client.get("/").text == "<p>home</p>"


@pytest.fixture
def tutorial_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "sample.txt").write_text("This is a sample static file.")
    return tmp_path


def test_fastapi_static_files_tutorial(tutorial_dir: Path, anyio_backend: str) -> None:
    # FastAPI's "Static Files" tutorial, with only the StaticFiles import changed.
    app = FastAPI()
    app.mount("/static", StaticFiles(directory="static"), name="static")

    with TestClient(app, backend=anyio_backend) as client:
        response = client.get("/static/sample.txt")
        assert response.status_code == 200, response.text
        assert response.text == "This is a sample static file."
        response = client.get("/static/non_existent_file.txt")
        assert response.status_code == 404, response.text
        response = client.get("/openapi.json")
        assert response.status_code == 200, response.text
        assert response.json() == {
            "openapi": "3.1.0",
            "info": {"title": "FastAPI", "version": "0.1.0"},
            "paths": {},
        }


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (StaticFiles.__init__, StarletteStaticFiles.__init__),
    ],
)
def test_every_starlette_argument_is_accepted(ours: object, theirs: object) -> None:
    import inspect

    mine = inspect.signature(ours).parameters  # type: ignore[arg-type]
    for name, param in inspect.signature(theirs).parameters.items():  # type: ignore[arg-type]
        assert name in mine, name
        assert mine[name].kind in (param.kind, inspect.Parameter.POSITIONAL_OR_KEYWORD), name
