"""boca.templates inside plain Starlette and FastAPI apps (no boca-core), in-process and
through a real Uvicorn server."""

from __future__ import annotations

from collections.abc import Awaitable, Iterator
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Mount, Route

from boca.templates import TemplateNotFound, Templates

from ._support import serve

pytestmark = pytest.mark.anyio

XSS = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    root = tmp_path_factory.mktemp("templates")
    (root / "page.html").write_text(
        '<h1>{{ title }}</h1><p title="{{ q }}">{{ q }}</p>{{ request.url.path }}'
    )
    (root / "list.jinja").write_text("{% for i in items %}<li>{{ i }}</li>{% endfor %}")
    (root / "note.txt").write_text("{{ q }}")
    return Templates(root, context={"title": "Boca"})


def starlette_app(templates: Templates) -> Starlette:
    async def page(request: Request) -> Response:
        q = request.query_params.get("q", "")
        return HTMLResponse(await templates.render("page.html", request=request, q=q))

    async def stream(request: Request) -> Response:
        items = [f"<{i}>" for i in range(int(request.query_params.get("n", "3")))]
        return StreamingResponse(
            templates.stream("list.jinja", items=items), media_type="text/html"
        )

    async def chosen(request: Request) -> Response:
        # A template name from the URL: it can only pick a file inside the template folder.
        name = request.path_params["name"]
        return HTMLResponse(await templates.render(name, q="n", request=request))

    async def not_found(request: Request, exc: Exception) -> Response:
        return PlainTextResponse("no such page", status_code=404)

    async def raw(scope: Any, receive: Any, send: Any) -> None:
        await templates.response("note.txt", {"q": XSS}, status_code=202)(scope, receive, send)

    return Starlette(
        routes=[
            Route("/", page),
            Route("/stream", stream),
            Route("/pages/{name:path}", chosen),
            Mount("/raw", app=raw),
        ],
        exception_handlers={TemplateNotFound: not_found},
    )


def fastapi_app(templates: Templates) -> FastAPI:
    app = FastAPI()

    @app.get("/", response_class=HTMLResponse)
    async def page(request: Request, q: str = "") -> HTMLResponse:
        return HTMLResponse(await templates.render("page.html", {"request": request, "q": q}))

    @app.get("/stream")
    async def stream(n: int = 3) -> StreamingResponse:
        items = [f"<{i}>" for i in range(n)]
        return StreamingResponse(
            templates.stream("list.jinja", items=items), media_type="text/html"
        )

    app.mount("/raw", templates.response("note.txt", {"q": XSS}, status_code=202))
    return app


@pytest.fixture(params=["starlette", "fastapi"])
def app(request: pytest.FixtureRequest, templates: Templates) -> Any:
    return starlette_app(templates) if request.param == "starlette" else fastapi_app(templates)


async def client_for(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_page_is_rendered_and_escaped(app: Any) -> None:
    async with await client_for(app) as client:
        response = await client.get("/", params={"q": XSS + '"'})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == f'<h1>Boca</h1><p title="{ESCAPED}&#34;">{ESCAPED}&#34;</p>/'


async def test_streaming_response(app: Any) -> None:
    async with await client_for(app) as client:
        response = await client.get("/stream", params={"n": "2000"})
    assert response.status_code == 200
    assert response.text == "".join(f"<li>&lt;{i}&gt;</li>" for i in range(2000))


async def test_bare_asgi_response_mounted(templates: Templates) -> None:
    async with await client_for(starlette_app(templates)) as client:
        response = await client.get("/raw/")
    assert response.status_code == 202
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-length"] == str(len(ESCAPED))
    assert response.text == ESCAPED
    async with await client_for(fastapi_app(templates)) as client:
        response = await client.get("/raw/")
    assert (response.status_code, response.text) == (202, ESCAPED)


@pytest.mark.parametrize(
    "path",
    [
        "/pages/..%2fsecret.html",
        "/pages/%2e%2e/secret.html",
        "/pages/%2E%2E%2Fsecret.html",
        "/pages/..%5csecret.html",
        "/pages//etc/passwd",
        "/pages/%2fetc%2fpasswd",
        "/pages/missing.html",
    ],
)
async def test_template_names_from_the_url_stay_inside(templates: Templates, path: str) -> None:
    secret = templates._searched[0] + "/../secret.html"
    with open(secret, "w") as f:
        f.write("SECRET")
    async with await client_for(starlette_app(templates)) as client:
        response = await client.get(path)
        ok = await client.get("/pages/page.html")
    assert (response.status_code, response.text) == (404, "no such page")
    assert ok.status_code == 200


async def gather(*calls: Awaitable[httpx.Response]) -> list[httpx.Response]:
    """Run requests concurrently on the test's event loop (asyncio or trio), in order."""
    results: list[httpx.Response | None] = [None] * len(calls)

    async def one(i: int, call: Awaitable[httpx.Response]) -> None:
        results[i] = await call

    async with anyio.create_task_group() as group:
        for i, call in enumerate(calls):
            group.start_soon(one, i, call)
    return [r for r in results if r is not None]


@pytest.fixture
def server(app: Any) -> Iterator[str]:
    with serve(app, lifespan="off") as port:
        yield f"http://127.0.0.1:{port}"


async def test_through_uvicorn(server: str) -> None:
    async with httpx.AsyncClient(base_url=server) as client:
        page, streamed, raw = await gather(
            client.get("/", params={"q": XSS}),
            client.get("/stream", params={"n": "5000"}),
            client.get("/raw/"),
        )
    assert page.status_code == 200
    assert page.text == f'<h1>Boca</h1><p title="{ESCAPED}">{ESCAPED}</p>/'
    assert streamed.status_code == 200
    assert streamed.headers.get("transfer-encoding") == "chunked"
    assert streamed.text == "".join(f"<li>&lt;{i}&gt;</li>" for i in range(5000))
    assert (raw.status_code, raw.text) == (202, ESCAPED)
    assert raw.headers["content-length"] == str(len(ESCAPED))


async def test_head_through_uvicorn(server: str) -> None:
    async with httpx.AsyncClient(base_url=server) as client:
        response = await client.head("/raw/")
    assert response.status_code == 202
    assert response.content == b""
    assert response.headers["content-length"] == str(len(ESCAPED))


async def test_concurrent_requests_through_uvicorn(server: str) -> None:
    async with httpx.AsyncClient(base_url=server) as client:
        responses = await gather(*(client.get("/", params={"q": f"q{i}"}) for i in range(100)))
    for i, response in enumerate(responses):
        assert response.text == f'<h1>Boca</h1><p title="q{i}">q{i}</p>/'
