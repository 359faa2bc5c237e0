"""boca.templates.Jinja2Templates as a drop-in for Starlette's: TemplateResponse, url_for,
context processors, get_template, env=, and FastAPI's templates tutorial."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio.lowlevel
import jinja2
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.responses import Response
from starlette.routing import Mount, Route

from boca.static import StaticFiles
from boca.templates import Jinja2Templates, TemplateNotFound

from ._support import asgi_client

pytestmark = pytest.mark.anyio


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "templates"
    root.mkdir()
    (root / "index.html").write_text(
        "<a href=\"{{ url_for('user', id=id) }}\">{{ who }}</a>{{ site }}|{{ request.url.path }}"
    )
    (root / "note.txt").write_text("{{ who }}")
    (root / "awaits.html").write_text("{{ later() }}")
    return root


async def test_template_response_in_starlette(folder: Path) -> None:
    ran: list[str] = []
    templates = Jinja2Templates(
        directory=folder, context_processors=[lambda request: {"site": "Boca"}]
    )

    async def index(request: Request) -> Response:
        return templates.TemplateResponse(
            request,
            "index.html",
            {"who": "<b>me</b>", "id": 7},
            status_code=201,
            headers={"x-page": "index"},
            background=BackgroundTask(ran.append, "done"),
        )

    async def note(request: Request) -> Response:
        return templates.TemplateResponse(
            request, "note.txt", {"who": "<i>"}, media_type="text/plain"
        )

    async def user(request: Request) -> Response:
        return Response("user")

    app = Starlette(
        routes=[Route("/", index), Route("/note", note), Route("/users/{id}", user, name="user")]
    )
    async with asgi_client(app) as c:
        r = await c.get("/")
        assert r.status_code == 201
        assert r.text == '<a href="http://testserver/users/7">&lt;b&gt;me&lt;/b&gt;</a>Boca|/'
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert r.headers["x-page"] == "index"
        assert r.headers["content-length"] == str(len(r.content))
        assert ran == ["done"]
        r = await c.get("/note")
        # Escaped whatever the extension; Starlette's select_autoescape() would not escape .txt.
        assert (r.text, r.headers["content-type"]) == ("&lt;i&gt;", "text/plain; charset=utf-8")


def test_test_client_sees_template_and_context(folder: Path, anyio_backend: str) -> None:
    templates = Jinja2Templates(directory=str(folder))

    async def page(request: Request) -> Response:
        return templates.TemplateResponse(request, "note.txt", {"who": "x"})

    client = TestClient(Starlette(routes=[Route("/", page)]), backend=anyio_backend)
    response = client.get("/")
    assert response.text == "x"
    assert response.template.name == "note.txt"  # type: ignore[attr-defined]
    assert response.context["who"] == "x"  # type: ignore[attr-defined]
    assert "request" in response.context  # type: ignore[attr-defined]


def test_get_template_and_env(folder: Path) -> None:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=False)
    templates = Jinja2Templates(env=env)
    assert templates.get_template("note.txt").render(who="<i>") == "<i>"  # the env's own choice
    assert "url_for" in env.globals  # set as Starlette sets it, unless already defined
    with pytest.raises(TemplateNotFound):
        templates.get_template("../secret.html")
    with pytest.raises(TypeError, match="either directory= or env="):
        Jinja2Templates()
    with pytest.raises(TypeError, match="either directory= or env="):
        Jinja2Templates(directory=folder, env=env)


async def test_a_template_that_awaits_renders_when_sent(folder: Path) -> None:
    templates = Jinja2Templates(directory=folder)

    async def later() -> str:
        await anyio.lowlevel.checkpoint()
        return "<later>"

    async def page(request: Request) -> Response:
        response = templates.TemplateResponse(
            request, "awaits.html", {"later": later}, headers={"x-a": "1"}
        )
        assert response.body == b""  # not rendered yet: it awaits
        return response

    async def plain(request: Request) -> Response:
        response = templates.TemplateResponse(request, "note.txt", {"who": "now"})
        assert response.body == b"now"  # rendered at once, as Starlette does
        return response

    app = Starlette(routes=[Route("/", page), Route("/plain", plain)])
    async with asgi_client(app) as c:
        for _ in range(2):  # the second time the template is known to await
            r = await c.get("/")
            assert (r.status_code, r.text) == (200, "&lt;later&gt;")
            assert r.headers["content-length"] == str(len(r.content))
            assert r.headers["x-a"] == "1"
        assert (await c.get("/plain")).text == "now"


@pytest.fixture
def tutorial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "styles.css").write_text("h1 {\n    color: green;\n}\n")
    (tmp_path / "templates" / "item.html").write_text(
        "<html>\n<head>\n    <title>Item Details</title>\n"
        "    <link href=\"{{ url_for('static', path='/styles.css') }}\" rel=\"stylesheet\">\n"
        "</head>\n<body>\n"
        "    <h1><a href=\"{{ url_for('read_item', id=id) }}\">Item ID: {{ id }}</a></h1>\n"
        "</body>\n</html>\n"
    )
    return tmp_path


def fastapi_tutorial_app() -> FastAPI:
    # FastAPI's "Templates" tutorial, with only the StaticFiles and Jinja2Templates imports
    # changed (from fastapi.staticfiles / fastapi.templating to boca.static / boca.templates).
    app = FastAPI()

    app.mount("/static", StaticFiles(directory="static"), name="static")

    templates = Jinja2Templates(directory="templates")

    @app.get("/items/{id}", response_class=HTMLResponse)
    async def read_item(request: Request, id: str) -> Any:
        return templates.TemplateResponse(request=request, name="item.html", context={"id": id})

    return app


def test_fastapi_templates_tutorial(tutorial: Path, anyio_backend: str) -> None:
    client = TestClient(fastapi_tutorial_app(), backend=anyio_backend)
    response = client.get("/items/foo")
    assert response.status_code == 200, response.text
    assert b'<h1><a href="http://testserver/items/foo">Item ID: foo</a></h1>' in response.content
    assert b'href="http://testserver/static/styles.css"' in response.content
    response = client.get("/static/styles.css")
    assert response.status_code == 200, response.text
    assert b"color: green;" in response.content


async def test_templates_and_static_mounted_in_starlette(tutorial: Path) -> None:
    templates = Jinja2Templates(directory="templates")

    async def item(request: Request) -> Response:
        return templates.TemplateResponse(request, "item.html", {"id": "a&b"})

    app = Starlette(
        routes=[
            Route("/items/{id}", item, name="read_item"),
            Mount("/static", StaticFiles(directory="static"), name="static"),
        ]
    )
    async with asgi_client(app) as c:
        r = await c.get("/items/x")
    assert 'href="http://testserver/items/a&amp;b">Item ID: a&amp;b</a>' in r.text


def test_every_starlette_argument_is_accepted() -> None:
    import inspect

    from starlette.templating import Jinja2Templates as StarletteTemplates

    pairs = [
        (Jinja2Templates.__init__, StarletteTemplates.__init__),
        (Jinja2Templates.TemplateResponse, StarletteTemplates.TemplateResponse),
        (Jinja2Templates.get_template, StarletteTemplates.get_template),
    ]
    for ours, theirs in pairs:
        mine = inspect.signature(ours).parameters
        for name, param in inspect.signature(theirs).parameters.items():
            assert name in mine, (theirs, name)
            assert mine[name].kind == param.kind, (theirs, name)
            assert mine[name].default == param.default, (theirs, name)


async def test_template_errors_surface_when_the_response_is_built(folder: Path) -> None:
    (folder / "strict.html").write_text("{{ missing.x }}")
    templates = Jinja2Templates(directory=folder, undefined=jinja2.StrictUndefined)
    always_async = Jinja2Templates(directory=folder, async_render=True)

    async def page(request: Request) -> Response:
        return templates.TemplateResponse(request, "strict.html")

    async def deferred(request: Request) -> Response:
        return always_async.TemplateResponse(request, "note.txt", {"who": "later"})

    app = Starlette(routes=[Route("/", page), Route("/deferred", deferred)])
    async with asgi_client(app) as c:
        with pytest.raises(jinja2.UndefinedError, match="'missing' is undefined"):
            await c.get("/")
        assert (await c.get("/deferred")).text == "later"


async def test_template_response_loops_over_an_async_generator(folder: Path) -> None:
    (folder / "rows.html").write_text("{% for r in rows %}<{{ r }}>{% endfor %}")
    (folder / "broken.html").write_text("{% for r in n %}{% endfor %}")
    templates = Jinja2Templates(directory=folder)

    class Rows:  # async-iterable only, found when the sync render cannot loop over it
        def __aiter__(self) -> Any:
            return self.gen()

        async def gen(self) -> Any:
            yield "a"
            yield "b"

    async def page(request: Request) -> Response:
        return templates.TemplateResponse(request, "rows.html", {"rows": Rows()})

    async def broken(request: Request) -> Response:
        return templates.TemplateResponse(request, "broken.html", {"n": 3})

    app = Starlette(routes=[Route("/", page), Route("/broken", broken)])
    async with asgi_client(app) as c:
        assert (await c.get("/")).text == "<a><b>"
        with pytest.raises(TypeError, match="not iterable"):
            await c.get("/broken")
