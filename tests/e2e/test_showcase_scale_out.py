"""Two `boca run` processes of the showcase on two ports, one database file and one Redis.

A change made in a page served by one process shows up live in a page served by the other:
the live updates go through boca-channels on a real redis-server (`SHOWCASE_REDIS_URL`). The
sessions and the write limit are kept in the same Redis, so they hold across both processes.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from boca.channels.testing import RedisServer
from showcase.db import migrate

pytestmark = [pytest.mark.e2e, pytest.mark.once]

ROOT = Path(__file__).resolve().parents[2]
BOCA = Path(sys.executable).with_name("boca")


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


Start = Callable[..., list[str]]


@pytest.fixture
def start_two(tmp_path: Path, redis_server: RedisServer) -> Iterator[Start]:
    """Start two `boca run showcase.app:app` on two ports, sharing the database and Redis.

    `start_two(SHOWCASE_WRITE_RATE_LIMIT="4/hour")` adds settings; it gives the two URLs.
    """
    processes: list[subprocess.Popen[bytes]] = []

    def start(**settings: str) -> list[str]:
        database = f"sqlite+aiosqlite:///{tmp_path / 'items.sqlite3'}"
        migrate(database)
        redis_server.command("FLUSHALL")  # no sessions or write counts from another test
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "SHOWCASE_DATABASE_URL": database,
            "SHOWCASE_REDIS_URL": redis_server.url,
            "SHOWCASE_STATIC_BUILD_DIR": str(tmp_path / "static"),
            "SHOWCASE_SECRET_KEY": "one key for every process",
            **settings,
        }
        ports = [free_port(), free_port()]
        for port in ports:
            command = [str(BOCA), "run", "showcase.app:app", "--host", "127.0.0.1"]
            processes.append(
                subprocess.Popen(
                    [*command, "--port", str(port)],
                    cwd=tmp_path,  # no .env file of the repository's
                    env=env,
                )
            )
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process in zip(urls, processes, strict=True):
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, f"boca run exited with {process.returncode}"
                try:
                    if httpx.get(url + "/api/items", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, f"{url} did not start"
                time.sleep(0.1)
        return urls

    try:
        yield start
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)


@pytest.fixture
def two_processes(start_two: Start) -> list[str]:
    """Two processes with the default settings."""
    return start_two()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[[str], Page]]:
    contexts = []

    def open_(url: str) -> Page:
        context = browser.new_context(viewport={"width": 900, "height": 640})
        contexts.append(context)
        page = context.new_page()
        page.goto(url + "/")
        expect(page.locator("#live")).to_have_attribute("data-state", "live")
        return page

    yield open_
    for context in contexts:
        context.close()


# --8<-- [start:two]
def test_pages_on_two_processes_see_each_others_changes(
    two_processes: list[str], open_page: Callable[[str], Page]
) -> None:
    first, second = two_processes
    alice = open_page(first)  # served by one process...
    bob = open_page(second)  # ...and by the other

    alice.get_by_label("New item").fill("Buy tea")
    alice.get_by_role("button", name="Add").click()
    expect(bob.locator("#items .name")).to_have_text(["Buy tea"])

    bob.locator(".item", has_text="Buy tea").get_by_role("checkbox").check()
    expect(alice.locator(".item", has_text="Buy tea")).to_have_class("item done")

    created = httpx.post(second + "/api/items", json={"name": "Bake a cake"})
    assert created.status_code == 201
    expect(alice.locator("#items .name")).to_have_text(["Buy tea", "Bake a cake"])

    alice.locator(".item", has_text="Buy tea").get_by_role("button", name="Delete").click()
    expect(bob.locator("#items .name")).to_have_text(["Bake a cake"])
    # --8<-- [end:two]
    assert httpx.get(first + "/api/items").json() == [
        {"id": 2, "name": "Bake a cake", "done": False}
    ]
    # One session in Redis, whichever process serves the page (the browser sends the same
    # cookie to both ports): the view counter goes on.
    expect(alice.locator("#views")).to_have_text("1")
    alice.goto(second + "/")
    expect(alice.locator("#views")).to_have_text("2")
    alice.goto(first + "/")
    expect(alice.locator("#views")).to_have_text("3")


# -- sessions and the write limit, in Redis -------------------------------------------------------


def views(page: httpx.Response) -> int:
    found = re.search(r'<strong id="views">(\d+)</strong>', page.text)
    assert found is not None, page.text
    return int(found[1])


# --8<-- [start:session]
def test_a_session_is_shared_by_both_processes(
    two_processes: list[str], redis_server: RedisServer
) -> None:
    first, second = two_processes
    with httpx.Client() as alice, httpx.Client() as bob:
        page = alice.get(first + "/")
        assert views(page) == 1
        cookie = page.headers["set-cookie"]
        assert cookie.startswith("session=")
        assert "httponly" in cookie.lower()
        # The cookie holds a signed random id (id.timestamp.signature); the data is in Redis.
        session_id = alice.cookies["session"].split(".")[0]
        stored = redis_server.command("GET", f"showcase:session:{session_id}")
        assert stored == b'$11\r\n{"views":1}\r\n'
        assert views(alice.get(second + "/")) == 2  # the other process reads the same session
        assert views(alice.get(first + "/")) == 3
        stored = redis_server.command("GET", f"showcase:session:{session_id}")
        assert stored == b'$11\r\n{"views":3}\r\n'
        assert views(bob.get(second + "/")) == 1  # another visitor, another session
        assert bob.cookies["session"].split(".")[0] != session_id
        # --8<-- [end:session]


def test_a_page_served_by_one_process_writes_through_the_other(two_processes: list[str]) -> None:
    """Both processes sign with the same key: the page's CSRF token is good on either."""
    first, second = two_processes
    with httpx.Client() as browser:
        page = browser.get(first + "/")
        found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
        assert found is not None
        missing = browser.post(second + "/api/items", json={"name": "tea"})
        assert missing.status_code == 403
        assert missing.json()["detail"] == (
            "CSRF token missing: send it in x-csrftoken or csrf_token."
        )
        created = browser.post(
            second + "/api/items", json={"name": "tea"}, headers={"x-csrftoken": found[1]}
        )
        assert created.status_code == 201
        assert created.json() == {"id": 1, "name": "tea", "done": False}


# --8<-- [start:limit]
def test_the_write_limit_holds_across_both_processes(start_two: Start) -> None:
    # A burst of 4, then one write every 15 minutes: the test never waits that long.
    first, second = start_two(SHOWCASE_WRITE_RATE_LIMIT="4/hour")
    writes = [
        httpx.post(first + "/api/items", json={"name": "tea"}),
        httpx.post(second + "/api/items", json={"name": "cake"}),
        httpx.patch(first + "/api/items/2", json={"done": True}),
        httpx.delete(second + "/api/items/1"),
    ]
    assert [w.status_code for w in writes] == [201, 201, 200, 204]
    # One count for both processes: each write leaves one fewer, whichever answered it.
    states = [re.fullmatch(r'"4/hour";(r=\d);t=\d+', w.headers["ratelimit"]) for w in writes]
    assert [state and state[1] for state in states] == ["r=3", "r=2", "r=1", "r=0"]

    for url in (first, second):
        refused = httpx.post(url + "/api/items", json={"name": "jam"})
        assert refused.status_code == 429
        retry = int(refused.headers["retry-after"])
        assert 1 <= retry <= 900
        assert refused.headers["ratelimit-policy"] == '"4/hour";q=4;w=3600'
        assert refused.json() == {
            "error": "429 Too Many Requests",
            "status": 429,
            "detail": f"Too many requests: the limit is 4/hour; retry in {retry} s.",
        }
        assert httpx.delete(url + "/api/items/2").status_code == 429
        listed = httpx.get(url + "/api/items")  # reading is never limited
        assert listed.status_code == 200
        assert "ratelimit" not in listed.headers
        assert listed.json() == [{"id": 2, "name": "cake", "done": True}]
    # --8<-- [end:limit]
