"""The showcase in headless Chromium: styled by its fingerprinted CSS, and live across pages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from boca.core.testing import LiveServer
from showcase.app import create_app
from showcase.config import Config
from showcase.db import migrate

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'items.sqlite3'}"
    migrate(url)
    config = Config(
        environ={},
        env_file=tmp_path / "missing.env",
        DATABASE_URL=url,
        STATIC_BUILD_DIR=str(tmp_path / "static"),
    )
    with LiveServer(create_app(config)) as live:
        yield live


@pytest.fixture
def open_page(browser: Browser, server: LiveServer) -> Iterator[Callable[[], Page]]:
    """Open the showcase in a new browser context (a visitor of its own), once it is live."""
    contexts = []

    def open_() -> Page:
        context = browser.new_context(viewport={"width": 900, "height": 640})
        contexts.append(context)
        page = context.new_page()
        page.goto(server.url + "/")
        expect(page.locator("#live")).to_have_attribute("data-state", "live")
        return page

    yield open_
    for context in contexts:  # closes the event streams before the server stops
        context.close()


def test_the_page_is_styled_by_its_fingerprinted_css(open_page: Callable[[], Page]) -> None:
    page = open_page()
    stylesheet = page.locator("link[rel=stylesheet]").get_attribute("href")
    assert stylesheet is not None
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{8}\.css", stylesheet)
    script = page.locator("script[src]").get_attribute("src")
    assert script is not None
    assert re.fullmatch(r"/static/js/app\.[0-9a-f]{8}\.js", script)
    heading = page.locator("h1")
    expect(heading).to_have_text("Boca showcase")
    expect(heading).to_have_css("color", "rgb(194, 65, 12)")  # --accent in app.css
    expect(page.locator("body")).to_have_css("max-width", "640px")
    expect(page.locator("#empty")).to_be_visible()
    expect(page.locator("#views")).to_have_text("1")
    page.reload()
    expect(page.locator("#views")).to_have_text("2")  # the session counts page views


# --8<-- [start:live]
def test_an_item_added_in_one_page_appears_live_in_another(
    open_page: Callable[[], Page], server: LiveServer
) -> None:
    alice = open_page()
    bob = open_page()
    bob.evaluate("window.notReloaded = true")

    alice.get_by_label("New item").fill("Buy tea")
    alice.get_by_role("button", name="Add").click()
    expect(alice.locator("#items .name")).to_have_text(["Buy tea"])
    expect(alice.get_by_label("New item")).to_have_value("")  # the form was reset

    expect(bob.locator("#items .name")).to_have_text(["Buy tea"])
    expect(bob.locator("#empty")).to_be_hidden()
    assert bob.evaluate("window.notReloaded") is True

    alice.get_by_label("New item").fill("Bake a cake")
    alice.keyboard.press("Enter")
    expect(bob.locator("#items .name")).to_have_text(["Buy tea", "Bake a cake"])

    # Ticking an item off in one page strikes it through in the other.
    alice.locator(".item", has_text="Buy tea").get_by_role("checkbox").check()
    bob_tea = bob.locator(".item", has_text="Buy tea")
    expect(bob_tea).to_have_class("item done")
    expect(bob_tea.get_by_role("checkbox")).to_be_checked()
    expect(bob_tea.locator(".name")).to_have_css("text-decoration-line", "line-through")

    # --8<-- [end:live]
    ARTIFACTS.mkdir(exist_ok=True)
    bob.screenshot(path=ARTIFACTS / "showcase.png", full_page=True)
    assert (ARTIFACTS / "showcase.png").stat().st_size > 1000

    # Deleting in one page removes the item everywhere.
    bob.locator(".item", has_text="Bake a cake").get_by_role("button", name="Delete").click()
    expect(alice.locator("#items .name")).to_have_text(["Buy tea"])
    alice.locator(".item", has_text="Buy tea").get_by_role("button", name="Delete").click()
    expect(bob.locator("#items .item")).to_have_count(0)
    expect(bob.locator("#empty")).to_be_visible()
    assert httpx.get(server.url + "/api/items").json() == []


def test_changes_from_the_api_appear_as_text(
    open_page: Callable[[], Page], server: LiveServer
) -> None:
    page = open_page()
    name = '<img src="x" onerror="window.hacked = true">'
    created = httpx.post(server.url + "/api/items", json={"name": name})
    assert created.status_code == 201
    expect(page.locator("#items .name")).to_have_text([name])
    expect(page.locator("#items img")).to_have_count(0)
    assert page.evaluate("window.hacked") is None
    httpx.patch(server.url + "/api/items/1", json={"name": "renamed"})
    expect(page.locator("#items .name")).to_have_text(["renamed"])


def test_invalid_input_shows_the_servers_422(open_page: Callable[[], Page]) -> None:
    page = open_page()
    page.get_by_label("New item").fill("   ")  # passes `required`, refused by the server
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("alert")).to_have_text("name must not be blank")
    expect(page.locator("#items .item")).to_have_count(0)
    page.get_by_label("New item").fill("tea")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("alert")).to_be_hidden()
    expect(page.locator("#items .name")).to_have_text(["tea"])


def test_the_live_indicator_shows_a_lost_stream(open_page: Callable[[], Page]) -> None:
    page = open_page()
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    # What EventSource does when the connection drops (it then reconnects by itself).
    page.evaluate("events.close(); events.dispatchEvent(new Event('error'))")
    expect(page.locator("#live")).to_have_attribute("data-state", "offline")


def test_the_api_docs_render_offline(browser: Browser, server: LiveServer) -> None:
    """Swagger UI at /docs, served by the showcase itself: no request leaves 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    elsewhere: list[str] = []
    errors: list[str] = []

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(server.url + "/docs")
        expect(page.locator(".info .title")).to_contain_text("Showcase items")
        expect(page.locator(".opblock-summary [data-path]")).to_have_text(
            ["/api/items", "/api/items", "/api/items/{item_id}"] + ["/api/items/{item_id}"] * 2
        )
        expect(page.locator(".opblock-summary-method")).to_have_text(
            ["GET", "POST", "GET", "PATCH", "DELETE"]
        )
        expect(page.locator(".models")).to_contain_text("ItemIn")
    finally:
        context.close()
    assert elsewhere == []
    assert errors == []
