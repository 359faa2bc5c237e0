"""The boca-templates examples of the documentation, run."""

from __future__ import annotations

import httpx

from boca.core.testing import TestClient

from .conftest import load_example

HOME_TITLE = "<title>Home · Boca</title>"


async def test_quickstart() -> None:
    module = load_example("templates/quickstart.py")
    html = await module.main()
    assert HOME_TITLE in html
    assert "<h1>Home</h1>" in html
    assert "<p>Hello, &lt;Ada&gt;!</p>" in html


async def test_filters_and_globals() -> None:
    module = load_example("templates/filters_globals.py")
    html = module.render_items()
    assert "<title>Shop</title>" in html
    assert "<li>Tea (3.50 €)</li>" in html
    assert "<li>&lt;Cake&gt; (1,200.00 €)</li>" in html
    templates = module.templates
    out = await templates.render_string(
        "{{ 'ada lovelace'|initials }} {{ now_year() }} {{ support_email }} {{ site }}"
    )
    assert out == "AL 2026 help@example.com Shop"
    templates.context["site"] = "Shop 2"
    assert "<title>Shop 2</title>" in module.render_items()


async def test_starlette_example() -> None:
    module = load_example("templates/starlette_app.py")
    transport = httpx.ASGITransport(app=module.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        home = await client.get("/", params={"name": "<script>x</script>"})
        items = await client.get("/items")
    assert home.status_code == 200
    assert home.headers["content-type"] == "text/html; charset=utf-8"
    assert HOME_TITLE in home.text
    assert "<p>Hello, &lt;script&gt;x&lt;/script&gt;!</p>" in home.text
    assert items.status_code == 200
    assert items.text.count("<li>") == 1000
    assert "<li>item 999 (1248.75)</li>" in items.text


async def test_fastapi_example() -> None:
    module = load_example("templates/fastapi_app.py")
    transport = httpx.ASGITransport(app=module.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/", params={"name": "Grace & <Ada>"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<p>Hello, Grace &amp; &lt;Ada&gt;!</p>" in response.text


async def test_jinja2templates_example() -> None:
    module = load_example("templates/jinja2templates.py")
    transport = httpx.ASGITransport(app=module.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/", params={"name": "<Ada>"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert HOME_TITLE in response.text
    assert "<p>Hello, &lt;Ada&gt;!</p>" in response.text


async def test_bare_asgi_example() -> None:
    module = load_example("templates/asgi_app.py")
    transport = httpx.ASGITransport(app=module.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        home = await client.get("/")
        other = await client.get("/nope")
    assert home.status_code == 200
    assert home.headers["content-type"] == "text/html; charset=utf-8"
    assert home.headers["content-length"] == str(len(home.content))
    assert "<p>Hello, ASGI!</p>" in home.text
    assert other.status_code == 404
    assert "<h1>Not found</h1>" in other.text
    assert await module.app({"type": "lifespan"}, None, None) is None


async def test_sandbox_example() -> None:
    module = load_example("templates/sandbox.py")
    assert await module.preview("Hi {{ name }}", name="<b>") == "Hi &lt;b&gt;"
    attack = await module.preview("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    assert attack == "This template tries to reach something it may not."


async def test_reload_example() -> None:
    module = load_example("templates/reload.py")
    assert module.dev_templates.auto_reload is True
    assert module.prod_templates.auto_reload is False
    for templates in (module.dev_templates, module.prod_templates):
        html = await templates.render("index.html", title="T", name="n", site="S")
        assert "<title>T · S</title>" in html


async def test_starlette_example_maps_missing_templates_to_404() -> None:
    module = load_example("templates/starlette_app.py")
    module.app.router.routes.append(_route_rendering("nope.html", module.templates))
    transport = httpx.ASGITransport(app=module.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/broken")
    assert (response.status_code, response.text) == (404, "Page not found")


def _route_rendering(name: str, templates: object) -> object:
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    async def broken(request: object) -> HTMLResponse:
        return HTMLResponse(await templates.render(name))  # type: ignore[attr-defined]

    return Route("/broken", broken)


def test_boca_render() -> None:
    client = TestClient(load_example("templates/boca_render.py").app)
    response = client.get("/users/<b>")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == (
        "<h1>&lt;b&gt;</h1>\n"
        "<p>You asked for /users/&lt;b&gt;.</p>\n"
        '<a href="/users/ada">Ada\'s page</a>'
    )
