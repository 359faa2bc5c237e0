"""Two `boca run` processes of the showcase on two ports, one database file and one Redis.

A change made in a page served by one process shows up live in a page served by the other:
the live updates go through boca-channels on a real redis-server (`SHOWCASE_REDIS_URL`).
"""

from __future__ import annotations

import os
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

pytestmark = pytest.mark.e2e

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


@pytest.fixture
def two_processes(tmp_path: Path, redis_server: RedisServer) -> Iterator[list[str]]:
    """Two `boca run showcase.app:app` on two ports, sharing the database file and Redis."""
    database = f"sqlite+aiosqlite:///{tmp_path / 'items.sqlite3'}"
    migrate(database)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SHOWCASE_DATABASE_URL": database,
        "SHOWCASE_REDIS_URL": redis_server.url,
        "SHOWCASE_STATIC_BUILD_DIR": str(tmp_path / "static"),
        "SHOWCASE_SECRET_KEY": "one key for every process",
    }
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [str(BOCA), "run", "showcase.app:app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path,  # no .env file of the repository's
            env=env,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
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
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)


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
