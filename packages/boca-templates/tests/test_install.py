from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import pytest

from boca.templates import Templates

pytestmark = pytest.mark.anyio


class FakeApp:
    """The surface of boca-core's App that Templates.install may use."""

    def __init__(self, debug: bool = False) -> None:
        self.debug = debug
        self.extensions: MutableMapping[str, Any] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def url_for(self, name: str, /, **path_params: Any) -> str:
        self.calls.append((name, path_params))
        if name == "user":
            return f"/users/{path_params['id']}"
        return "/"


class FakeStatic:
    def url(self, path: str) -> str:
        return f"/static/{path}?v=1"


async def test_install_registers_the_extension(template_dir: Path) -> None:
    app = FakeApp()
    templates = Templates(template_dir)
    templates.install(app)
    assert app.extensions == {"templates": templates}


async def test_url_for_calls_the_app(template_dir: Path) -> None:
    app = FakeApp()
    templates = Templates(template_dir)
    templates.install(app)
    out = await templates.render_string('<a href="{{ url_for("user", id=3) }}">')
    assert out == '<a href="/users/3">'
    assert app.calls == [("user", {"id": 3})]
    (template_dir / "link.html").write_text('{{ url_for("home") }}')
    assert templates.render_sync("link.html") == "/"


async def test_url_for_accepts_a_param_called_name(template_dir: Path) -> None:
    app = FakeApp()
    templates = Templates(template_dir)
    templates.install(app)
    await templates.render_string('{{ url_for("tag", name="x") }}')
    assert app.calls == [("tag", {"name": "x"})]


async def test_static_url_uses_boca_static_at_call_time(template_dir: Path) -> None:
    app = FakeApp()
    templates = Templates(template_dir)
    templates.install(app)
    app.extensions["static"] = FakeStatic()  # installed after templates: still found
    out = await templates.render_string('<link href="{{ static_url("app.css") }}">')
    assert out == '<link href="/static/app.css?v=1">'


async def test_static_url_without_boca_static_is_a_clear_error(template_dir: Path) -> None:
    app = FakeApp()
    templates = Templates(template_dir)
    templates.install(app)
    with pytest.raises(RuntimeError, match=r"static_url\('app.css'\) needs boca-static"):
        await templates.render_string('{{ static_url("app.css") }}')
    app.extensions["static"] = object()  # something without .url()
    with pytest.raises(RuntimeError, match="needs boca-static"):
        await templates.render_string('{{ static_url("app.css") }}')


async def test_user_globals_with_the_same_names_win(template_dir: Path) -> None:
    templates = Templates(template_dir)

    @templates.global_
    def url_for(name: str, **params: Any) -> str:
        return "mine"

    templates.install(FakeApp())
    assert await templates.render_string("{{ url_for('x') }}") == "mine"
    assert templates.globals["static_url"] is not None


async def test_installing_again_rebinds_to_the_new_app(template_dir: Path) -> None:
    first, second = FakeApp(), FakeApp()
    templates = Templates(template_dir)
    templates.install(first)
    templates.install(second)
    await templates.render_string("{{ url_for('home') }}")
    assert (first.calls, second.calls) == ([], [("home", {})])
    assert second.extensions["templates"] is templates


async def test_request_in_the_render_context(template_dir: Path) -> None:
    # boca-core renders with {"request": request, ...}: the template sees it as a variable.
    templates = Templates(template_dir)
    (template_dir / "who.html").write_text("{{ request.path }} {{ user }}")

    class Request:
        path = "/me"

    assert await templates.render("who.html", {"request": Request(), "user": "<ana>"}) == (
        "/me &lt;ana&gt;"
    )
