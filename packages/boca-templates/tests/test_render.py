from __future__ import annotations

import importlib.metadata
import os
import threading
from pathlib import Path

import anyio
import anyio.lowlevel
import jinja2
import pytest

import boca.templates
from boca.templates import Templates

pytestmark = pytest.mark.anyio


def test_public_api() -> None:
    # The installed distribution's version: the one pyproject.toml gave the wheel.
    assert boca.templates.__version__ == importlib.metadata.version("boca-templates")
    assert sorted(boca.templates.__all__) == [
        "Jinja2Templates",
        "TemplateDirectoryNotFound",
        "TemplateNotFound",
        "TemplateResponse",
        "TemplateSyntaxError",
        "Templates",
    ]


async def test_render_with_context_and_kwargs(template_dir: Path) -> None:
    templates = Templates(template_dir)
    assert await templates.render("page.html", {"title": "T", "body": "b"}) == "<h1>T</h1><p>b</p>"
    assert await templates.render("page.html", title="T", body="b") == "<h1>T</h1><p>b</p>"
    assert (
        await templates.render("page.html", context={"title": "T"}, body="x")
        == "<h1>T</h1><p>x</p>"
    )
    assert await templates.render("page.html") == "<h1></h1><p></p>"


async def test_kwargs_override_context_which_overrides_global_context(template_dir: Path) -> None:
    templates = Templates(template_dir, context={"title": "global", "body": "global"})
    assert await templates.render("page.html") == "<h1>global</h1><p>global</p>"
    assert await templates.render("page.html", {"title": "ctx"}) == "<h1>ctx</h1><p>global</p>"
    out = await templates.render("page.html", {"title": "ctx"}, title="kw")
    assert out == "<h1>kw</h1><p>global</p>"
    assert await templates.render("page.html", title="kw") == "<h1>kw</h1><p>global</p>"


async def test_render_does_not_modify_the_callers_context(template_dir: Path) -> None:
    templates = Templates(template_dir, context={"body": "g"})
    context = {"title": "t"}
    await templates.render("page.html", context, name="x")
    assert context == {"title": "t"}
    assert templates.context == {"body": "g"}


async def test_template_variables_named_name_and_source(template_dir: Path) -> None:
    templates = Templates(template_dir)
    assert await templates.render("hello.html", name="Ana") == "Hello Ana!"
    assert templates.render_sync("hello.html", name="Ana") == "Hello Ana!"
    assert await templates.render_string("{{ source }}", source="s") == "s"


async def test_global_context_changes_at_runtime(template_dir: Path) -> None:
    templates = Templates(template_dir)
    templates.context["name"] = "first"
    assert await templates.render("hello.html") == "Hello first!"
    templates.context["name"] = "second"
    assert await templates.render("hello.html") == "Hello second!"
    templates.context = {"name": "third"}
    assert templates.render_sync("hello.html") == "Hello third!"
    templates.context.clear()
    assert await templates.render("hello.html") == "Hello !"


async def test_inheritance_and_includes(template_dir: Path) -> None:
    templates = Templates(template_dir)
    out = await templates.render("child.html", title="<T>", item="<i>")
    assert out == "<title>&lt;T&gt;</title><i>&lt;i&gt;</i>"
    assert templates.render_sync("child.html", title="<T>", item="<i>") == out


async def test_several_directories_are_searched_in_order(
    tmp_path: Path, template_dir: Path
) -> None:
    override = tmp_path / "override"
    override.mkdir()
    (override / "hello.html").write_text("Hi {{ name }}")
    templates = Templates([override, str(template_dir)])
    assert await templates.render("hello.html", name="x") == "Hi x"
    assert await templates.render("page.html", title="t") == "<h1>t</h1><p></p>"


async def test_default_directory_is_templates_in_the_working_dir(
    template_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(template_dir.parent)
    templates = Templates()
    monkeypatch.chdir(template_dir)  # the directory was resolved when Templates was created
    assert await templates.render("hello.html", name="x") == "Hello x!"
    assert repr(templates) == f"<Templates {template_dir} auto_reload=False>"


async def test_custom_loader() -> None:
    templates = Templates(loader=jinja2.DictLoader({"a.html": "A{{ x }}"}))
    assert await templates.render("a.html", x="<") == "A&lt;"
    assert templates.render_sync("a.html", x=1) == "A1"
    assert repr(templates).startswith("<Templates <jinja2.loaders.DictLoader")


def test_directory_and_loader_together_is_an_error(template_dir: Path) -> None:
    with pytest.raises(TypeError, match="one of directory=, loader= or env="):
        Templates(template_dir, loader=jinja2.DictLoader({}))


def test_enable_async_is_managed(template_dir: Path) -> None:
    with pytest.raises(TypeError, match="enable_async"):
        Templates(template_dir, enable_async=False)


@pytest.mark.parametrize("size", [-1, 1.5, "10"])
def test_bad_stream_chunk_size(template_dir: Path, size: object) -> None:
    with pytest.raises(ValueError, match="stream_chunk_size"):
        Templates(template_dir, stream_chunk_size=size)  # type: ignore[arg-type]


async def test_environment_options_reach_both_environments(template_dir: Path) -> None:
    templates = Templates(template_dir, undefined=jinja2.StrictUndefined, trim_blocks=True)
    assert templates.env.is_async
    assert not templates.sync_env.is_async
    assert templates.sync_env.trim_blocks
    assert templates.env.trim_blocks
    with pytest.raises(jinja2.UndefinedError, match="'title' is undefined"):
        await templates.render("page.html")
    with pytest.raises(jinja2.UndefinedError, match="'title' is undefined"):
        templates.render_sync("page.html")


async def test_filters_and_globals_are_shared_by_both_environments(template_dir: Path) -> None:
    templates = Templates(template_dir)

    @templates.filter
    def shout(value: str) -> str:
        return value.upper() + "!"

    @templates.filter("twice")
    def double(value: str) -> str:
        return value * 2

    @templates.filter(name="thrice")
    def triple(value: str) -> str:
        return value * 3

    @templates.filter()
    def quiet(value: str) -> str:
        return value.lower()

    @templates.global_
    def greeting() -> str:
        return "hey"

    @templates.global_("site")
    def site_name() -> str:
        return "Boca"

    @templates.global_(name="year")
    def this_year() -> int:
        return 2026

    templates.globals["version"] = "1.0"
    assert shout("a") == "A!"  # the decorators return the function unchanged
    source = (
        "{{ 'a'|shout }} {{ 'b'|twice }} {{ 'c'|thrice }} {{ 'D'|quiet }} "
        "{{ greeting() }} {{ site() }} {{ year() }} {{ version }}"
    )
    expected = "A! bb ccc d hey Boca 2026 1.0"
    assert await templates.render_string(source) == expected
    assert templates.env.filters is templates.sync_env.filters
    assert templates.env.globals is templates.sync_env.globals is templates.globals
    (Path(templates._searched[0]) / "all.html").write_text(source)
    assert templates.render_sync("all.html") == expected
    assert await templates.render("all.html") == expected


async def test_async_globals_are_awaited(template_dir: Path) -> None:
    templates = Templates(template_dir)

    @templates.global_
    async def fetch(n: int) -> str:
        await anyio.lowlevel.checkpoint()
        return f"<{n}>"

    assert await templates.render_string("{{ fetch(3) }}") == "&lt;3&gt;"


async def test_render_string_caches_compiled_sources(template_dir: Path) -> None:
    templates = Templates(template_dir)
    assert await templates.render_string("{{ a }}", a=1) == "1"
    assert await templates.render_string("{{ a }}", {"a": 2}) == "2"
    assert len(templates._strings) == 1
    for i in range(100):
        await templates.render_string(f"{i}{{{{ a }}}}", a=i)
    assert len(templates._strings) == 64  # bounded


async def test_hundreds_of_concurrent_renders_never_mix(template_dir: Path) -> None:
    templates = Templates(template_dir, context={"body": "shared"})

    async def slow(value: int) -> int:
        await anyio.sleep(0.001 * (value % 5))  # interleave renders at random points
        return value

    (template_dir / "slow.html").write_text("{{ title }}:{{ slow(n) }}:{{ body }}:{{ title }}")
    (template_dir / "other.html").write_text(
        "{% for i in range(3) %}{{ slow(n) }}{{ who }}{% endfor %}"
    )

    async def one(n: int) -> tuple[str, str]:
        if n % 2:
            return await templates.render("slow.html", title=f"t{n}", n=n, slow=slow), (
                f"t{n}:{n}:shared:t{n}"
            )
        expected = f"{n}w{n}" * 3
        return await templates.render("other.html", {"who": f"w{n}"}, n=n, slow=slow), expected

    results: list[tuple[str, str]] = []

    async def collect(n: int) -> None:
        results.append(await one(n))

    async with anyio.create_task_group() as group:
        for n in range(400):
            group.start_soon(collect, n)
    assert len(results) == 400
    assert all(got == want for got, want in results)


def test_render_sync_from_many_threads(template_dir: Path) -> None:
    templates = Templates(template_dir)
    results: dict[int, str] = {}

    def work(n: int) -> None:
        results[n] = templates.render_sync("hello.html", name=str(n))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: f"Hello {n}!" for n in range(50)}


async def test_render_sync_inside_a_running_loop(template_dir: Path) -> None:
    templates = Templates(template_dir)
    assert templates.render_sync("hello.html", name="loop") == "Hello loop!"


async def test_pathlike_directory(template_dir: Path) -> None:
    templates = Templates(os.fspath(template_dir))
    assert await templates.render("hello.html", name="x") == "Hello x!"


async def test_sync_rendering_gives_the_same_pages(template_dir: Path) -> None:
    fast = Templates(template_dir, async_render=False)
    slow = Templates(template_dir)
    context = {"title": "<T>", "body": "b & c"}
    assert await fast.render("page.html", context) == await slow.render("page.html", context)
    assert await fast.render("page.html", context) == "<h1>&lt;T&gt;</h1><p>b &amp; c</p>"
    source = "{% for i in items %}<i>{{ i }}</i>{% endfor %}"
    assert await fast.render_string(source, items=["<", 2]) == "<i>&lt;</i><i>2</i>"
    assert await fast.render_string(source, items=[3]) == "<i>3</i>"  # from the cache


async def test_async_mode_is_what_lets_templates_await(template_dir: Path) -> None:
    async def greeting() -> str:
        await anyio.lowlevel.checkpoint()
        return "hi"

    templates = Templates(template_dir)
    templates.globals["greeting"] = greeting
    assert await templates.render_string("{{ greeting() }}") == "hi"
    templates.async_render = False
    # Never a page that prints "<coroutine object ...>": a clear error, and no warning.
    with pytest.raises(TypeError, match="awaits an async function"):
        await templates.render_string("{{ greeting() }}")
