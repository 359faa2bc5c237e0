"""Swagger UI and ReDoc in headless Chromium, from a real Uvicorn, with no network but 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from boca.core.testing import LiveServer

from ._app import create_app

pytestmark = [pytest.mark.e2e, pytest.mark.once]

# The docs page's screenshot: `BOCA_UPDATE_SCREENSHOTS=1 pytest .../test_browser.py` rewrites it.
DOCS_SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "assets" / "openapi-swagger-ui.png"


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with LiveServer(create_app(scalar_path="/scalar")) as live:
        yield live


@pytest.fixture
def offline(browser: Any) -> Iterator[tuple[Page, list[str], list[str]]]:
    """A page whose requests to any host but 127.0.0.1 fail, with what it tried and logged."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    elsewhere: list[str] = []
    problems: list[str] = []

    def only_local(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    yield page, elsewhere, problems
    context.close()


def test_swagger_ui_renders_the_operations(
    offline: tuple[Page, list[str], list[str]], server: LiveServer, tmp_path: Path
) -> None:
    page, elsewhere, problems = offline
    page.goto(server.url + "/docs")
    expect(page.locator(".info .title")).to_contain_text("Notes API")
    # The deprecated DELETE has its own class: read every operation's data-path.
    operations = page.locator(".opblock-summary [data-path]")
    expect(operations).to_have_text(
        ["/notes", "/notes", "/notes/{note_id}", "/notes/{note_id}", "/uploads"]
    )
    expect(page.locator(".opblock-deprecated")).to_have_count(1)
    expect(page.locator(".opblock-summary-method")).to_have_text(
        ["POST", "GET", "GET", "DELETE", "POST"]
    )
    upload = page.locator(".opblock", has=page.locator("[data-path='/uploads']"))
    upload.locator(".opblock-summary").click()
    upload.locator(".try-out__btn").click()
    expect(upload.locator("input[type=file]")).to_have_count(1)  # a file picker: format binary
    upload.locator(".opblock-summary").click()
    expect(page.locator(".models")).to_contain_text("NoteIn")
    page.evaluate("document.activeElement.blur()")
    update = os.environ.get("BOCA_UPDATE_SCREENSHOTS") == "1"
    screenshot = DOCS_SCREENSHOT if update else tmp_path / "swagger-ui.png"
    page.screenshot(path=str(screenshot))
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert elsewhere == []
    assert problems == []


def test_redoc_renders_the_operations(
    offline: tuple[Page, list[str], list[str]], server: LiveServer
) -> None:
    page, elsewhere, problems = offline
    page.goto(server.url + "/redoc")
    expect(page.locator("h1")).to_contain_text("Notes API (1.0.0)")
    expect(page.locator("h2", has_text="Create a note.")).to_be_visible()
    expect(page.locator("h2", has_text="Upload a file.")).to_be_visible()
    expect(page.get_by_text("x-request-source").first).to_be_visible()
    assert elsewhere == []
    # The only thing the strict CSP stops: ReDoc's "API docs by Redocly" logo, from its CDN
    # (the image hides itself when it fails).
    assert all("cdn.redoc.ly" in problem for problem in problems), problems


def test_scalar_renders_the_operations(
    offline: tuple[Page, list[str], list[str]], server: LiveServer
) -> None:
    page, elsewhere, problems = offline
    page.goto(server.url + "/scalar")
    expect(page.get_by_text("Create a note.").first).to_be_visible()
    expect(page.get_by_text("Read one note.").first).to_be_visible()
    assert elsewhere == []
    assert problems == []
