"""Sync-first rendering: Jinja2's fast sync mode unless a template awaits something."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio.lowlevel
import jinja2
import pytest

from boca.templates import Templates

pytestmark = pytest.mark.anyio


async def test_default_renders_sync_and_remembers_templates_that_await(template_dir: Path) -> None:
    calls: list[str] = []

    def before() -> str:
        calls.append("before")
        return "b"

    async def fetch() -> str:
        await anyio.lowlevel.checkpoint()
        return "<f>"

    (template_dir / "mixed.html").write_text("{{ before() }}{{ fetch() }}")
    templates = Templates(template_dir)
    templates.globals.update(before=before, fetch=fetch)
    assert templates.async_render is None
    assert await templates.render("hello.html", name="x") == "Hello x!"
    assert not templates._cache.get("hello.html").needs_async  # type: ignore[union-attr]
    assert await templates.render("mixed.html") == "b&lt;f&gt;"
    # The first render started again in async mode: calls before the first await ran twice.
    assert calls == ["before", "before"]
    assert templates._cache.get("mixed.html").needs_async  # type: ignore[union-attr]
    assert await templates.render("mixed.html") == "b&lt;f&gt;"
    assert calls == ["before", "before", "before"]


async def test_async_iterables_in_the_context_render_async(
    template_dir: Path,
) -> None:
    async def numbers() -> AsyncIterator[int]:
        for i in range(3):
            yield i

    templates = Templates(template_dir)
    source = "{% for i in items %}{{ i }}{% endfor %}"
    assert await templates.render_string(source, items=numbers()) == "012"
    assert await templates.render_string(source, items=[4, 5]) == "45"


class Streamed:
    """Like a Boca request: async-iterable (its body), rarely looped over in a template."""

    def __init__(self, *items: str) -> None:
        self.items = items

    def __aiter__(self) -> AsyncIterator[str]:
        return self._gen()

    async def _gen(self) -> AsyncIterator[str]:
        for item in self.items:
            yield item

    def __str__(self) -> str:
        return "streamed"


@jinja2.pass_context
def mode(context: Any) -> str:
    return "async" if context.environment.is_async else "sync"


async def test_an_async_iterable_that_is_not_looped_over_keeps_sync_mode(
    template_dir: Path,
) -> None:
    templates = Templates(template_dir)
    templates.globals["mode"] = mode
    page = "{{ mode() }}:{{ request }}"
    assert await templates.render_string(page, request=Streamed()) == "sync:streamed"
    loop = "{{ mode() }}:{% for i in request %}{{ i }}{% endfor %}"
    assert await templates.render_string(loop, request=Streamed("a", "b")) == "async:ab"
    # A TypeError that has nothing to do with async iterables is the template's own.
    with pytest.raises(TypeError):
        await templates.render_string("{% for i in n %}{% endfor %}", n=3)


async def test_async_filters_and_macros(template_dir: Path) -> None:
    templates = Templates(template_dir)

    @templates.filter
    async def shout(text: str) -> str:
        return text.upper()

    source = "{% macro m(x) %}<{{ x }}>{% endmacro %}{{ m('a') }}{{ 'b' | shout }}"
    assert await templates.render_string(source) == "<a>B"
    # A filter put straight into Jinja2's registry is found when a template is first used.
    other = Templates(template_dir)

    async def lower(text: str) -> str:
        return text.lower()

    other.env.filters["lower2"] = lower
    assert await other.render_string("{{ x | lower2 }}", x="B") == "b"


async def test_async_render_true_and_false(template_dir: Path) -> None:
    async def fetch() -> str:
        return "f"

    always = Templates(template_dir, async_render=True)
    always.globals["fetch"] = fetch
    assert await always.render_string("{{ fetch() }}") == "f"
    assert await always.render("hello.html", name="a") == "Hello a!"
    never = Templates(template_dir, async_render=False)
    never.globals["fetch"] = fetch
    assert await never.render("hello.html", name="a") == "Hello a!"
    (template_dir / "f.html").write_text("{{ fetch() }}")
    with pytest.raises(TypeError, match=r"'f\.html' awaits an async function"):
        await never.render("f.html")

    async def letters() -> AsyncIterator[str]:
        yield "a"

    with pytest.raises(TypeError, match="awaits"):
        never.render_sync("list.html", items=letters())


async def test_stream_is_always_async(template_dir: Path) -> None:
    async def fetch() -> str:
        return "f"

    templates = Templates(template_dir, stream_chunk_size=0)
    templates.globals["fetch"] = fetch
    (template_dir / "s.html").write_text("<p>{{ fetch() }}</p>")
    assert [c async for c in templates.stream("s.html")] == ["<p>", "f", "</p>"]


async def test_env_is_used_as_given(template_dir: Path) -> None:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dir), autoescape=False)
    env.globals["site"] = "S"
    templates = Templates(env=env)
    assert await templates.render_string("{{ site }}{{ x }}", x="<i>") == "S<i>"
    assert templates.render_sync("hello.html", name="<b>") == "Hello <b>!"
    with pytest.raises(TypeError, match="takes no Jinja2 options"):
        Templates(env=env, trim_blocks=True)
    with pytest.raises(TypeError, match="one of directory=, loader= or env="):
        Templates(template_dir, env=env)


async def test_url_for_uses_the_request_in_the_context(template_dir: Path) -> None:
    class Request:
        def url_for(self, name: str, /, **params: Any) -> str:
            return f"/{name}/{params['id']}"

    templates = Templates(template_dir)
    source = "{{ url_for('user', id=3) }}"
    assert await templates.render_string(source, request=Request()) == "/user/3"
    with pytest.raises(RuntimeError, match=r"url_for\('user'\) in a template needs the request"):
        await templates.render_string(source)
    templates.globals["url_for"] = lambda name, **params: "mine"
    assert await templates.render_string(source) == "mine"


def test_get_template_is_the_sync_template(template_dir: Path) -> None:
    templates = Templates(template_dir)
    template = templates.get_template("./hello.html")
    assert template.render(name="t") == "Hello t!"
    assert templates.get_template("hello.html") is template
