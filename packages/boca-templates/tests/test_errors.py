from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from boca.templates import (
    TemplateDirectoryNotFound,
    TemplateNotFound,
    Templates,
    TemplateSyntaxError,
)

pytestmark = pytest.mark.anyio


async def test_missing_template_names_the_template_and_every_directory(
    tmp_path: Path, template_dir: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    templates = Templates([template_dir, other])
    with pytest.raises(TemplateNotFound) as info:
        await templates.render("nope.html")
    message = str(info.value)
    assert message == f"Template 'nope.html' not found (searched: {template_dir}, {other})"
    assert info.value.name == "nope.html"
    assert info.value.searched == (str(template_dir), str(other))
    assert isinstance(info.value, jinja2.TemplateNotFound)
    with pytest.raises(TemplateNotFound, match=r"nope\.html"):
        templates.render_sync("nope.html")
    with pytest.raises(TemplateNotFound, match=r"nope\.html"):
        templates.stream("nope.html")


async def test_missing_include_names_the_included_template(template_dir: Path) -> None:
    templates = Templates(template_dir)
    with pytest.raises(TemplateNotFound, match=r"'missing\.html' not found \(searched: ") as info:
        await templates.render("includes_missing.html")
    assert info.value.name == "missing.html"
    with pytest.raises(TemplateNotFound, match=r"missing\.html"):
        templates.render_sync("includes_missing.html")


async def test_missing_template_with_a_custom_loader() -> None:
    templates = Templates(loader=jinja2.DictLoader({"inc.html": '{% include "gone.html" %}'}))
    with pytest.raises(TemplateNotFound, match=r"'nope\.html' not found \(the loader has no such"):
        await templates.render("nope.html")
    with pytest.raises(TemplateNotFound, match=r"'gone\.html' not found") as info:
        await templates.render("inc.html")
    assert isinstance(info.value.__cause__, jinja2.TemplateNotFound)
    assert info.value.searched == ()


async def test_missing_template_with_a_custom_file_system_loader(template_dir: Path) -> None:
    templates = Templates(loader=jinja2.FileSystemLoader(str(template_dir)))
    with pytest.raises(TemplateNotFound, match=f"searched: {template_dir}"):
        await templates.render("nope.html")


def test_missing_directory_fails_at_creation(tmp_path: Path, template_dir: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(TemplateDirectoryNotFound) as info:
        Templates(missing)
    assert str(missing) in str(info.value)
    assert info.value.directory == str(missing)
    assert isinstance(info.value, FileNotFoundError)
    with pytest.raises(TemplateDirectoryNotFound, match="nowhere"):
        Templates([template_dir, missing])


def test_a_file_is_not_a_directory(template_dir: Path) -> None:
    with pytest.raises(TemplateDirectoryNotFound, match=r"page\.html"):
        Templates(template_dir / "page.html")


def test_default_directory_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TemplateDirectoryNotFound, match=str(tmp_path / "templates")):
        Templates()


def test_empty_directory_list() -> None:
    with pytest.raises(ValueError, match="at least one directory"):
        Templates([])


async def test_syntax_error_names_file_and_line(template_dir: Path) -> None:
    templates = Templates(template_dir)
    with pytest.raises(TemplateSyntaxError) as info:
        await templates.render("broken.html")
    error = info.value
    assert isinstance(error, jinja2.TemplateSyntaxError)
    assert (error.filename, error.lineno, error.name) == (
        str(template_dir / "broken.html"),
        2,
        "broken.html",
    )
    message = str(error)
    assert f'File "{template_dir / "broken.html"}", line 2' in message
    assert "{% if %}" in message
    with pytest.raises(TemplateSyntaxError, match="line 2"):
        templates.render_sync("broken.html")


async def test_syntax_error_in_an_included_template(template_dir: Path) -> None:
    templates = Templates(template_dir)
    with pytest.raises(TemplateSyntaxError, match=r'broken\.html", line 2'):
        await templates.render("includes_broken.html")
    with pytest.raises(TemplateSyntaxError, match=r'broken\.html", line 2'):
        templates.render_sync("includes_broken.html")
    with pytest.raises(TemplateSyntaxError, match=r'broken\.html", line 2'):
        [chunk async for chunk in templates.stream("includes_broken.html")]


async def test_syntax_error_in_a_string(template_dir: Path) -> None:
    templates = Templates(template_dir)
    with pytest.raises(TemplateSyntaxError, match="line 3") as info:
        await templates.render_string("a\nb\n{{ x + }}")
    assert "{{ x + }}" in str(info.value)
    assert not templates._strings  # a failed compile is not cached


async def test_other_template_errors_pass_through(template_dir: Path) -> None:
    templates = Templates(template_dir)
    with pytest.raises(jinja2.TemplateRuntimeError, match="boom"):
        await templates.render_string("{% set x = raise_it() %}", raise_it=_raise)


def _raise() -> None:
    raise jinja2.TemplateRuntimeError("boom")


UNSAFE_NAMES = [
    "../secret.html",
    "../../etc/passwd",
    "partials/../../secret.html",
    "partials/../..",
    "..",
    "/etc/passwd",
    "//etc/passwd",
    "\\etc\\passwd",
    "..\\secret.html",
    "partials\\..\\..\\secret.html",
    "C:/Windows/win.ini",
    "c:secret.html",
    "partials/C:secret.html",
    "\\\\attacker\\share\\x.html",
    "page.html\x00.txt",
    "page\n.html",
    ".. /secret.html",
    "... /secret.html",
    "",
]


@pytest.mark.parametrize("name", UNSAFE_NAMES)
async def test_template_names_cannot_escape_the_directories(
    tmp_path: Path, template_dir: Path, name: str
) -> None:
    (tmp_path / "secret.html").write_text("SECRET")
    templates = Templates(template_dir)
    with pytest.raises(TemplateNotFound, match="invalid template name") as info:
        await templates.render(name)
    assert "SECRET" not in str(info.value)
    with pytest.raises(TemplateNotFound, match="invalid template name"):
        templates.render_sync(name)
    with pytest.raises(TemplateNotFound, match="invalid template name"):
        templates.stream(name)
    assert not templates._cache


async def test_includes_cannot_escape_the_directories(tmp_path: Path, template_dir: Path) -> None:
    (tmp_path / "secret.html").write_text("SECRET")
    (template_dir / "sneaky.html").write_text('{% include "../secret.html" %}')
    templates = Templates(template_dir)
    with pytest.raises(TemplateNotFound, match="invalid template name"):
        await templates.render("sneaky.html")


@pytest.mark.parametrize("name", ["../secret.html", "/etc/passwd", "a\\b"])
async def test_custom_loaders_get_safe_names_too(name: str) -> None:
    templates = Templates(loader=jinja2.FunctionLoader(lambda n: "LEAK " + n))
    with pytest.raises(TemplateNotFound, match="invalid template name"):
        await templates.render(name)


async def test_safe_names_that_look_odd_are_allowed(template_dir: Path) -> None:
    (template_dir / "..dots.html").write_text("dots")
    (template_dir / "a b.html").write_text("space")
    templates = Templates(template_dir)
    assert await templates.render("..dots.html") == "dots"
    assert await templates.render("./a b.html") == "space"
    assert await templates.render("partials//item.html", item=1) == "<i>1</i>"


async def test_non_string_names_are_refused(template_dir: Path) -> None:
    templates = Templates(template_dir)
    with pytest.raises(TemplateNotFound, match="non-empty strings"):
        await templates.render(3)  # type: ignore[arg-type]
