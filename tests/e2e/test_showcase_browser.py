"""The showcase in headless Chromium: styled by its fingerprinted CSS, and live across pages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect

from boca.core.testing import LiveServer
from showcase.app import create_app
from showcase.config import Config
from showcase.db import migrate

pytestmark = [pytest.mark.e2e, pytest.mark.once]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def config(tmp_path: Path) -> Config:
    url = f"sqlite+aiosqlite:///{tmp_path / 'items.sqlite3'}"
    migrate(url)
    return Config(
        environ={},
        env_file=tmp_path / "missing.env",
        DATABASE_URL=url,
        STATIC_BUILD_DIR=str(tmp_path / "static"),
    )


@pytest.fixture
def server(config: Config) -> Iterator[LiveServer]:
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


def test_the_pages_writes_carry_its_csrf_token(
    open_page: Callable[[], Page], server: LiveServer
) -> None:
    page = open_page()
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    assert cookies["csrftoken"] == token
    sent: list[dict[str, str]] = []

    def record(request: Request) -> None:
        if request.method != "GET":
            sent.append(request.headers)

    page.on("request", record)
    page.get_by_label("New item").fill("tea")
    page.get_by_role("button", name="Add").click()
    expect(page.locator("#items .name")).to_have_text(["tea"])
    page.locator(".item", has_text="tea").get_by_role("checkbox").check()
    expect(page.locator(".item", has_text="tea")).to_have_class("item done")
    assert [headers.get("x-csrftoken") for headers in sent] == [token, token]
    # The same write from the page's own script, without the token, is refused.
    answer = page.evaluate(
        """async () => {
            const response = await fetch("/api/items", {
                method: "POST",
                headers: {"content-type": "application/json"},
                body: JSON.stringify({name: "forged"}),
            });
            return [response.status, (await response.json()).detail];
        }"""
    )
    assert answer == [403, "CSRF token missing: send it in x-csrftoken or csrf_token."]
    assert httpx.get(server.url + "/api/items").json() == [{"id": 1, "name": "tea", "done": True}]


#: A write from a page's script: `[status, detail]`, or what stopped it before it was sent.
WRITE = """async ([method, target, type]) => {
    let response;
    try {
        response = await fetch(target, {
            method, headers: {"content-type": type}, body: JSON.stringify({done: true}),
        });
    } catch (error) {
        return "refused by the preflight";
    }
    return [response.status, (await response.json()).detail];
}"""


def test_a_page_on_another_site_cannot_write(browser: Browser, server: LiveServer) -> None:
    """`localhost` is another site than `127.0.0.1` to the browser, though the same server."""
    assert httpx.post(server.url + "/api/items", json={"name": "tea"}).status_code == 201
    context = browser.new_context()
    try:
        other = context.new_page()
        other.goto(server.url.replace("127.0.0.1", "localhost") + "/api/items")
        item = server.url + "/api/items/1"
        # CORS offers other origins reading only: PATCH and DELETE fail their preflight.
        assert other.evaluate(WRITE, ["PATCH", item, "application/json"]) == (
            "refused by the preflight"
        )
        assert other.evaluate(WRITE, ["DELETE", item, "application/json"]) == (
            "refused by the preflight"
        )
        # A POST passes its preflight (POST and Content-Type are always allowed), or needs
        # none (text/plain): CSRF refuses it, and the refusal carries the CORS headers, so
        # the other page can read why.
        cross_site = [403, "Cross-site request refused (Sec-Fetch-Site: cross-site)."]
        items = server.url + "/api/items"
        assert other.evaluate(WRITE, ["POST", items, "application/json"]) == cross_site
        assert other.evaluate(WRITE, ["POST", items, "text/plain"]) == cross_site
    finally:
        context.close()
    assert httpx.get(server.url + "/api/items").json() == [{"id": 1, "name": "tea", "done": False}]


def test_too_many_writes_show_the_servers_429(browser: Browser, config: Config) -> None:
    config.WRITE_RATE_LIMIT = "2/hour"  # a burst of 2, then one every 30 minutes
    with LiveServer(create_app(config)) as server:
        context = browser.new_context(viewport={"width": 900, "height": 640})
        try:
            page = context.new_page()
            page.goto(server.url + "/")
            expect(page.locator("#live")).to_have_attribute("data-state", "live")
            for name in ("tea", "cake", "jam"):
                page.get_by_label("New item").fill(name)
                page.get_by_role("button", name="Add").click()
                if name != "jam":
                    expect(page.locator("#items .name").last).to_have_text(name)
            alert = page.get_by_role("alert")
            expect(alert).to_have_text(
                re.compile(r"Too many requests: the limit is 2/hour; retry in \d+ s\.")
            )
            expect(page.locator("#items .name")).to_have_text(["tea", "cake"])
            expect(page.get_by_label("New item")).to_have_value("jam")  # kept, to try again
            # A refused tick leaves the box as the server has it.
            tea = page.locator(".item", has_text="tea").get_by_role("checkbox")
            tea.click()
            expect(alert).to_have_text(re.compile(r"Too many requests: "))
            expect(tea).not_to_be_checked()
        finally:
            context.close()
        assert httpx.get(server.url + "/api/items/1").json()["done"] is False


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
