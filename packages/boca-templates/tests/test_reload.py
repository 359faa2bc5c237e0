from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import pytest

from boca.templates import Templates

pytestmark = pytest.mark.anyio


def edit(path: Path, text: str) -> None:
    """Rewrite a template and move its mtime forward, as a later save would."""
    mtime = path.stat().st_mtime
    path.write_text(text)
    os.utime(path, (mtime + 5, mtime + 5))


class App:
    def __init__(self, debug: bool) -> None:
        self.debug = debug
        self.extensions: MutableMapping[str, Any] = {}

    def url_for(self, name: str, /, **path_params: Any) -> str:
        return "/"


async def test_standalone_default_compiles_once(template_dir: Path) -> None:
    templates = Templates(template_dir)
    assert templates.auto_reload is False
    assert await templates.render("hello.html", name="a") == "Hello a!"
    assert templates.render_sync("hello.html", name="a") == "Hello a!"
    edit(template_dir / "hello.html", "Bye {{ name }}!")
    assert await templates.render("hello.html", name="a") == "Hello a!"
    assert templates.render_sync("hello.html", name="a") == "Hello a!"
    assert [c async for c in templates.stream("hello.html", name="a")] == ["Hello a!"]


async def test_auto_reload_shows_edits(template_dir: Path) -> None:
    templates = Templates(template_dir, auto_reload=True)
    assert await templates.render("hello.html", name="a") == "Hello a!"
    assert templates.render_sync("hello.html", name="a") == "Hello a!"
    edit(template_dir / "hello.html", "Bye {{ name }}!")
    assert await templates.render("hello.html", name="a") == "Bye a!"
    assert templates.render_sync("hello.html", name="a") == "Bye a!"
    # Entries remember only names: the compiled templates stay in Jinja2's checked cache.
    assert all(
        e.sync_template is e.async_template is None for e in templates._cache.entries.values()
    )


async def test_edits_in_included_templates_show_up_with_auto_reload(template_dir: Path) -> None:
    templates = Templates(template_dir, auto_reload=True)
    assert await templates.render("child.html", title="t", item=1) == "<title>t</title><i>1</i>"
    edit(template_dir / "partials" / "item.html", "<b>{{ item }}</b>")
    assert await templates.render("child.html", title="t", item=1) == "<title>t</title><b>1</b>"


async def test_installed_in_debug_app_follows_debug(template_dir: Path) -> None:
    templates = Templates(template_dir)
    await templates.render("hello.html", name="a")  # cached before install
    templates.install(App(debug=True))
    assert templates.auto_reload is True
    edit(template_dir / "hello.html", "Bye {{ name }}!")
    assert await templates.render("hello.html", name="a") == "Bye a!"


async def test_installed_in_production_app_compiles_once(template_dir: Path) -> None:
    templates = Templates(template_dir)
    templates.install(App(debug=False))
    assert templates.auto_reload is False
    assert await templates.render("hello.html", name="a") == "Hello a!"
    edit(template_dir / "hello.html", "Bye {{ name }}!")
    assert await templates.render("hello.html", name="a") == "Hello a!"
    # Both modes were compiled from the first version of the file.
    assert templates.render_sync("hello.html", name="a") == "Hello a!"


async def test_explicit_auto_reload_wins_over_debug(template_dir: Path) -> None:
    off = Templates(template_dir, auto_reload=False)
    off.install(App(debug=True))
    assert off.auto_reload is False
    on = Templates(template_dir, auto_reload=True)
    on.install(App(debug=False))
    assert on.auto_reload is True


async def test_setting_auto_reload_at_runtime(template_dir: Path) -> None:
    templates = Templates(template_dir)
    await templates.render("hello.html", name="a")
    templates.auto_reload = True
    assert templates.env.auto_reload
    assert templates.sync_env.auto_reload
    edit(template_dir / "hello.html", "Bye {{ name }}!")
    assert await templates.render("hello.html", name="a") == "Bye a!"
    templates.auto_reload = False
    templates.install(App(debug=True))  # set explicitly: install leaves it alone
    assert templates.auto_reload is False
