"""Fixtures for boca.templates' tests.

Every async test runs twice, on asyncio and on trio, through anyio's pytest plugin: each test
module sets `pytestmark = pytest.mark.anyio`, and `anyio_backend` below lists both loops.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Hand tests marked `anyio` back to anyio's plugin, on their `anyio_backend`.

    pytest-asyncio's auto mode (the repository's setting) claims every coroutine test and
    would run the trio variant on asyncio.
    """
    for item in items:
        if (
            isinstance(item, pytest.Function)
            and type(item) is not pytest.Function
            and item.get_closest_marker("anyio") is not None
        ):
            item.__class__ = pytest.Function
            item.own_markers = [m for m in item.own_markers if m.name != "asyncio"]


PAGES = {
    "page.html": "<h1>{{ title }}</h1><p>{{ body }}</p>",
    "hello.html": "Hello {{ name }}!",
    "list.html": "{% for item in items %}<li>{{ item }}</li>{% endfor %}",
    "base.html": "<title>{% block title %}{% endblock %}</title>{% block content %}{% endblock %}",
    "child.html": (
        '{% extends "base.html" %}{% block title %}{{ title }}{% endblock %}'
        '{% block content %}{% include "partials/item.html" %}{% endblock %}'
    ),
    "partials/item.html": "<i>{{ item }}</i>",
    "page.jinja": "<p>{{ name }}</p>",
    "page.j2": "<p>{{ name }}</p>",
    "email.txt": "Hi {{ name }}",
    "feed.xml": "<title>{{ name }}</title>",
    "broken.html": "line one\n{% if %}\n",
    "includes_broken.html": '{% include "broken.html" %}',
    "includes_missing.html": '{% include "missing.html" %}',
}


@pytest.fixture
def template_dir(tmp_path: Path) -> Path:
    root = tmp_path / "templates"
    for name, source in PAGES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return root
