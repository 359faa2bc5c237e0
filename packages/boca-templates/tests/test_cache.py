"""The compiled-template cache: one entry per template whatever the spelling, bounded (LRU)."""

from __future__ import annotations

from pathlib import Path

import pytest

from boca.templates import TemplateNotFound, Templates

pytestmark = pytest.mark.anyio


def spellings(count: int, name: str = "page.html") -> list[str]:
    """`count` distinct spellings of `name`: each bit of i picks `./` or `.//`."""
    out = []
    for i in range(count):
        prefix = "".join(".//" if i >> bit & 1 else "./" for bit in range(15))
        out.append(f"{prefix}{i % 7 * '/'}{name}")
    assert len(set(out)) == count
    return out


def test_hostile_template_name_spellings_keep_the_cache_bounded(template_dir: Path) -> None:
    # Issue 14, item 1: user-influenced names used to compile and keep every spelling.
    templates = Templates(template_dir, cache_size=50)
    for name in spellings(20_000):
        assert templates.render_sync(name, title="t", body="b") == "<h1>t</h1><p>b</p>"
    assert list(templates._cache.entries) == ["page.html"]
    assert len(templates.env.cache) == len(templates.sync_env.cache) == 1


async def test_cache_is_least_recently_used_and_bounded(template_dir: Path) -> None:
    for i in range(120):
        (template_dir / f"p{i}.html").write_text(f"{i}:{{{{ x }}}}")
    templates = Templates(template_dir, cache_size=100)
    for i in range(120):
        assert await templates.render(f"p{i}.html", x="y") == f"{i}:y"
        await templates.render("p0.html", x="y")  # kept warm
    assert len(templates._cache) == 100
    assert "p0.html" in templates._cache.entries
    assert "p1.html" not in templates._cache.entries
    assert len(templates.env.cache) <= 100
    assert len(templates.sync_env.cache) <= 100


async def test_default_cache_size_and_spellings_in_subdirectories(template_dir: Path) -> None:
    templates = Templates(template_dir)
    assert templates.cache_size == 400
    for name in ("partials/item.html", "./partials//./item.html", "partials/./item.html"):
        assert await templates.render(name, item=1) == "<i>1</i>"
    assert list(templates._cache.entries) == ["partials/item.html"]


async def test_missing_names_never_enter_the_cache(template_dir: Path) -> None:
    templates = Templates(template_dir)
    await templates.render("hello.html", name="a")
    for i in range(500):
        with pytest.raises(TemplateNotFound):
            await templates.render(f"./missing{i}.html")
    assert list(templates._cache.entries) == ["hello.html"]


def test_cache_size_must_be_positive(template_dir: Path) -> None:
    with pytest.raises(ValueError, match="cache_size must be an int >= 1"):
        Templates(template_dir, cache_size=0)
