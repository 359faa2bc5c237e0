"""`{{ csrf_input() }}` and `{{ csrf_token() }}`: the CSRF field and token from whatever CSRF
battery the request carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from boca.templates import Templates

SOURCE = "<form>{{ csrf_input() }}</form>"


class Request:
    def __init__(self, scope: dict[str, Any]) -> None:
        self.scope = scope


class Provider:
    """Stands for boca-middleware's CSRF battery at app.extensions["csrf"]."""

    def input(self, request: Any) -> str:
        return f'<input type="hidden" name="csrf_token" value="{request.scope["token"]}">'

    def token(self, request: Any) -> str:
        return str(request.scope["token"])


class App:
    def __init__(self, **extensions: Any) -> None:
        self.extensions = extensions


class ScopeToken:
    """Stands for the token CSRFMiddleware puts at scope["csrf_token"]."""

    def input(self) -> str:
        return '<input type="hidden" name="csrf_token" value="t&lt;2">'

    def __call__(self) -> str:
        return "t<2"


async def test_from_the_app_extension(template_dir: Path) -> None:
    templates = Templates(template_dir)
    request = Request({"app": App(csrf=Provider()), "token": "t1"})
    out = await templates.render_string(SOURCE, request=request)
    # Markup: the field is not escaped again.
    assert out == '<form><input type="hidden" name="csrf_token" value="t1"></form>'


async def test_from_the_scope_in_starlette_apps(template_dir: Path) -> None:
    templates = Templates(template_dir)
    request = Request({"app": object(), "csrf_token": ScopeToken()})
    out = await templates.render_string(SOURCE, request=request)
    assert out == '<form><input type="hidden" name="csrf_token" value="t&lt;2"></form>'


async def test_clear_errors_without_request_or_protection(template_dir: Path) -> None:
    templates = Templates(template_dir)
    with pytest.raises(RuntimeError, match="csrf_input\\(\\) in a template needs the request"):
        await templates.render_string(SOURCE)
    with pytest.raises(RuntimeError, match="csrf_input\\(\\) needs boca-middleware's CSRF"):
        await templates.render_string(SOURCE, request=Request({"app": App()}))


async def test_a_user_global_of_the_same_name_wins(template_dir: Path) -> None:
    templates = Templates(template_dir)
    templates.globals["csrf_input"] = lambda: "mine"
    assert await templates.render_string(SOURCE) == "<form>mine</form>"


TOKEN = '<meta name="csrf-token" content="{{ csrf_token() }}">'


async def test_the_token_from_the_app_extension(template_dir: Path) -> None:
    templates = Templates(template_dir)
    request = Request({"app": App(csrf=Provider()), "token": "t1"})
    assert await templates.render_string(TOKEN, request=request) == (
        '<meta name="csrf-token" content="t1">'
    )


async def test_the_token_from_the_scope_is_escaped(template_dir: Path) -> None:
    """A plain string, not Markup: autoescaping applies as to any value."""
    templates = Templates(template_dir)
    request = Request({"app": object(), "csrf_token": ScopeToken()})
    assert await templates.render_string(TOKEN, request=request) == (
        '<meta name="csrf-token" content="t&lt;2">'
    )


async def test_the_token_names_itself_in_its_errors(template_dir: Path) -> None:
    templates = Templates(template_dir)
    with pytest.raises(RuntimeError, match="csrf_token\\(\\) in a template needs the request"):
        await templates.render_string(TOKEN)
    with pytest.raises(RuntimeError, match="csrf_token\\(\\) needs boca-middleware's CSRF"):
        await templates.render_string(TOKEN, request=Request({"app": App(), "csrf_token": "x"}))
