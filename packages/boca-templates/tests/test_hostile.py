"""Rows T1-T4 of the reliability cases."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from boca.templates import Templates

pytestmark = pytest.mark.anyio

XSS = "<script>alert('XSS')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;XSS&#39;)&lt;/script&gt;"
ATTR = '" onmouseover="alert(1)'
ESCAPED_ATTR = "&#34; onmouseover=&#34;alert(1)"


async def test_hostile_T1(template_dir: Path) -> None:
    templates = Templates(template_dir)
    (template_dir / "attr.html").write_text('<a title="{{ name }}">{{ name }}</a>')
    assert await templates.render("hello.html", name=XSS) == f"Hello {ESCAPED}!"
    assert templates.render_sync("hello.html", name=XSS) == f"Hello {ESCAPED}!"
    assert await templates.render_string("{{ name }}", name=XSS) == ESCAPED
    assert (
        "".join([c async for c in templates.stream("hello.html", name=XSS)]) == f"Hello {ESCAPED}!"
    )
    out = await templates.render("attr.html", name=ATTR)
    assert out == f'<a title="{ESCAPED_ATTR}">{ESCAPED_ATTR}</a>'
    # Values from the global context and from globals are escaped as well.
    templates.context["name"] = XSS
    assert await templates.render("hello.html") == f"Hello {ESCAPED}!"


@pytest.mark.parametrize("name", ["page.jinja", "page.j2", "email.txt", "feed.xml", "page.html"])
async def test_hostile_T2(template_dir: Path, name: str) -> None:
    templates = Templates(template_dir)
    (template_dir / "page.html").write_text("<p>{{ name }}</p>")
    if name == "feed.xml":
        expected = f"<title>{ESCAPED}</title>"
    elif name == "email.txt":
        expected = f"Hi {ESCAPED}"
    else:
        expected = f"<p>{ESCAPED}</p>"
    assert await templates.render(name, name=XSS) == expected
    assert templates.render_sync(name, name=XSS) == expected
    scope = {"type": "http", "method": "GET"}
    sent: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    await templates.response(name, {"name": XSS})(scope, _never, send)
    assert sent[1]["body"] == expected.encode()


async def test_autoescape_can_be_turned_off_or_chosen_per_template(template_dir: Path) -> None:
    off = Templates(template_dir, autoescape=False)
    assert await off.render("email.txt", name="<b>") == "Hi <b>"
    assert await off.render_string("{{ x }}", x="<b>") == "<b>"
    by_name = Templates(template_dir, autoescape=lambda name: not (name or "").endswith(".txt"))
    assert await by_name.render("email.txt", name="<b>") == "Hi <b>"
    assert await by_name.render("page.j2", name="<b>") == "<p>&lt;b&gt;</p>"
    assert by_name.render_sync("email.txt", name="<b>") == "Hi <b>"


async def _never() -> dict[str, object]:  # pragma: no cover - a template response never reads
    raise AssertionError("receive() called")


HOSTILE_KEYS = [
    "onmouseover=alert(1) x",
    "a/b",
    "a>b",
    'a"b',
    "a'b",
    "a<b",
    "a\tb",
    "a\x00b",
    "a\x0bb",
    "a\x85b",
    "",
]


@pytest.mark.parametrize("key", HOSTILE_KEYS)
async def test_hostile_T3(template_dir: Path, key: str) -> None:
    templates = Templates(template_dir)
    (template_dir / "attrs.html").write_text("<div{{ attrs|xmlattr }}>x</div>")
    with pytest.raises(ValueError, match="Invalid HTML attribute name") as info:
        await templates.render("attrs.html", attrs={key: "v"})
    assert repr(key) in str(info.value)
    with pytest.raises(ValueError, match="Invalid HTML attribute name"):
        templates.render_sync("attrs.html", attrs={"ok": 1, key: "v"})


async def test_xmlattr_still_works_for_valid_names(template_dir: Path) -> None:
    templates = Templates(template_dir)
    source = "<div{{ attrs|xmlattr }}><p{{ {'a': 1}|xmlattr(false) }}>"
    attrs = {"class": "x", "data-user": '"><script>', "aria-label": None, "hidden": True}
    out = await templates.render_string(source, attrs=attrs)
    assert out == '<div class="x" data-user="&#34;&gt;&lt;script&gt;" hidden="True"><pa="1">'
    with pytest.raises(ValueError, match="Invalid HTML attribute name 3"):
        await templates.render_string("{{ {3: 1}|xmlattr }}")


SSTI_RAISES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ ''.format.__self__.__class__.__base__ }}",
    "{{ '{0.__class__.__mro__}'.format(1) }}",
    "{{ ('{0.__class__.__mro__}'|attr('format'))(1) }}",
]
# One unsafe step gives an undefined value that renders empty: nothing leaks.
SSTI_EMPTY = [
    "{{ ''.__class__ }}",
    "{{ lipsum.__globals__ }}",
    "{{ '{0.__class__}'.format(1) }}",
    "{{ ''|attr('__class__') }}",
]


@pytest.mark.parametrize("source", SSTI_RAISES)
async def test_hostile_T4(template_dir: Path, source: str) -> None:
    templates = Templates(template_dir, sandboxed=True)
    assert isinstance(templates.env, SandboxedEnvironment)
    assert isinstance(templates.sync_env, SandboxedEnvironment)
    with pytest.raises(SecurityError, match="unsafe"):
        await templates.render_string(source)
    (template_dir / "user.html").write_text(source)
    with pytest.raises(SecurityError, match="unsafe"):
        await templates.render("user.html")
    with pytest.raises(SecurityError, match="unsafe"):
        templates.render_sync("user.html")


@pytest.mark.parametrize("source", SSTI_EMPTY)
async def test_sandbox_renders_single_unsafe_steps_empty(template_dir: Path, source: str) -> None:
    templates = Templates(template_dir, sandboxed=True)
    assert await templates.render_string(source) == ""


async def test_without_the_sandbox_templates_can_reach_python_internals(template_dir: Path) -> None:
    # Why sandboxed=True exists: a normal environment trusts template authors.
    templates = Templates(template_dir)
    assert "class &#39;object&#39;" in await templates.render_string("{{ ''.__class__.__mro__ }}")


async def test_sandbox_still_renders_and_escapes(template_dir: Path) -> None:
    templates = Templates(template_dir, sandboxed=True)
    assert (
        await templates.render("child.html", title=XSS, item=1)
        == f"<title>{ESCAPED}</title><i>1</i>"
    )


def test_no_helper_renders_source_from_a_request() -> None:
    # Rendering a string is explicit (render_string); nothing takes a request or a scope.
    public = {name for name in dir(Templates) if not name.startswith("_")}
    assert public == {
        "auto_reload",
        "filter",
        "get_template",
        "global_",
        "globals",
        "install",
        "render",
        "render_string",
        "render_sync",
        "response",
        "stream",
    }


def test_jinja2_has_the_sandbox_fixes() -> None:
    major, minor, patch = (int(p) for p in jinja2.__version__.split(".")[:3])
    assert (major, minor, patch) >= (3, 1, 6)
