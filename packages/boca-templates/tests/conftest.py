from __future__ import annotations

from pathlib import Path

import pytest

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
