"""The showcase that `make run` serves, end to end over a real server, with its own database."""

from __future__ import annotations

# --8<-- [start:imports]
import gzip
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from boca.channels import SubscriberTooSlow
from boca.core import App
from boca.core.testing import LiveServer
from showcase.app import build_static, create_app
from showcase.config import HERE, Config
from showcase.db import ItemStore, migrate
from showcase.live import CHANNEL, Changes, make_channels

# --8<-- [end:imports]


# --8<-- [start:fixtures]
@pytest.fixture
def config(tmp_path: Path) -> Config:
    url = f"sqlite+aiosqlite:///{tmp_path / 'items.sqlite3'}"
    migrate(url)  # what `make run` does before serving: `alembic upgrade head`
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
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as http:
        yield http


# --8<-- [end:fixtures]


# --8<-- [start:next_event]
def next_event(lines: Iterator[str]) -> tuple[str, Any]:
    """The next server-sent event's type and JSON data (comments, like heartbeats, skipped)."""
    kind = "message"
    data: list[str] = []
    for line in lines:
        if line == "" and data:
            return kind, json.loads("\n".join(data))
        field, _, value = line.partition(": ")
        if field == "event":
            kind = value
        elif field == "data":
            data.append(value)
    raise AssertionError("the event stream ended")


# --8<-- [end:next_event]


# -- the JSON API --------------------------------------------------------------------------------


# --8<-- [start:crud]
def test_create_list_get_update_delete(client: httpx.Client) -> None:
    assert client.get("/api/items").json() == []

    created = client.post("/api/items", json={"name": "  tea  "})
    assert created.status_code == 201
    assert created.headers["location"] == "/api/items/1"
    assert created.headers["content-type"] == "application/json"
    assert created.json() == {"id": 1, "name": "tea", "done": False}
    second = client.post("/api/items", json={"name": "cake", "done": True})
    assert second.json() == {"id": 2, "name": "cake", "done": True}

    listed = client.get("/api/items")
    assert listed.status_code == 200
    assert listed.json() == [
        {"id": 1, "name": "tea", "done": False},
        {"id": 2, "name": "cake", "done": True},
    ]
    assert client.get("/api/items/2").json() == {"id": 2, "name": "cake", "done": True}

    done = client.patch("/api/items/1", json={"done": True})
    assert done.status_code == 200
    assert done.json() == {"id": 1, "name": "tea", "done": True}
    renamed = client.patch("/api/items/1", json={"name": "green tea"})
    assert renamed.json() == {"id": 1, "name": "green tea", "done": True}
    both = client.patch("/api/items/1", json={"name": "tea", "done": False})
    assert both.json() == {"id": 1, "name": "tea", "done": False}

    deleted = client.delete("/api/items/1")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert client.get("/api/items").json() == [{"id": 2, "name": "cake", "done": True}]


# --8<-- [end:crud]


@pytest.mark.parametrize(
    ("method", "body"),
    [("GET", None), ("PATCH", {"done": True}), ("DELETE", None)],
)
def test_missing_item_is_a_404(client: httpx.Client, method: str, body: Any) -> None:
    response = client.request(method, "/api/items/99", json=body)
    assert response.status_code == 404
    assert response.json() == {"error": "404 Not Found", "status": 404, "detail": "no item 99"}


def test_unknown_route_and_method(client: httpx.Client) -> None:
    assert client.get("/api/nothing").status_code == 404
    assert client.get("/api/items/abc").status_code == 404
    put = client.put("/api/items/1", json={"name": "x"})
    assert put.status_code == 405
    assert put.headers["allow"] == "GET, HEAD, PATCH, DELETE, OPTIONS"


def problems(response: httpx.Response) -> list[tuple[list[Any], str]]:
    """The `(loc, type)` of each failure in a validation error answer."""
    body = response.json()
    assert body["error"] == f"{response.status_code} {response.reason_phrase}"
    assert body["status"] == response.status_code
    return [(entry["loc"], entry["type"]) for entry in body["detail"]]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, [(["body", "name"], "missing")]),
        ({"name": "   "}, [(["body", "name"], "constraint")]),
        ({"name": ""}, [(["body", "name"], "constraint")]),
        ({"name": 7}, [(["body", "name"], "type")]),
        ({"name": "x" * 201}, [(["body", "name"], "constraint")]),
        ({"name": "tea", "done": "yes"}, [(["body", "done"], "type")]),
        ({"name": "tea", "colour": "red"}, [(["body", "colour"], "extra")]),
        ({"name": 7, "done": "yes"}, [(["body", "name"], "type"), (["body", "done"], "type")]),
        (["tea"], [(["body"], "type")]),
        ("tea", [(["body"], "type")]),
    ],
)
def test_invalid_create_is_a_422_naming_each_problem(
    client: httpx.Client, body: Any, expected: list[tuple[list[Any], str]]
) -> None:
    response = client.post("/api/items", json=body)
    assert response.status_code == 422
    assert problems(response) == expected
    assert client.get("/api/items").json() == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, [(["body"], "missing")]),
        ({"name": ""}, [(["body", "name"], "constraint")]),
        ({"done": 1}, [(["body", "done"], "type")]),
        ({"id": 5}, [(["body", "id"], "extra")]),
    ],
)
def test_invalid_update_is_a_422(
    client: httpx.Client, body: Any, expected: list[tuple[list[Any], str]]
) -> None:
    client.post("/api/items", json={"name": "tea"})
    response = client.patch("/api/items/1", json=body)
    assert response.status_code == 422
    assert problems(response) == expected
    assert client.get("/api/items/1").json() == {"id": 1, "name": "tea", "done": False}


def test_an_empty_update_says_what_to_give(client: httpx.Client) -> None:
    client.post("/api/items", json={"name": "tea"})
    response = client.patch("/api/items/1", json={})
    assert response.json() == {
        "error": "422 Unprocessable Content",
        "status": 422,
        "detail": [{"loc": ["body"], "msg": "give at least one of: name, done", "type": "missing"}],
    }


def test_a_longest_name_is_accepted(client: httpx.Client) -> None:
    response = client.post("/api/items", json={"name": "é" * 200})
    assert response.status_code == 201
    assert response.json()["name"] == "é" * 200


def test_malformed_json_is_a_400(client: httpx.Client) -> None:
    response = client.post(
        "/api/items", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert problems(response) == [(["body"], "json")]
    assert response.json()["detail"][0]["msg"].startswith("Malformed JSON")


def test_a_body_that_is_not_json_is_a_415(client: httpx.Client) -> None:
    response = client.post(
        "/api/items", content=b"name=tea", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415
    assert response.json()["status"] == 415


def test_items_are_kept_in_the_sqlite_file(config: Config, tmp_path: Path) -> None:
    with LiveServer(create_app(config)) as server:
        httpx.post(f"{server.url}/api/items", json={"name": "tea"})
    with sqlite3.connect(tmp_path / "items.sqlite3") as db:
        assert db.execute("SELECT id, name, done FROM items").fetchall() == [(1, "tea", 0)]
    with LiveServer(create_app(config)) as server:  # a restart: the table is already there
        assert httpx.get(f"{server.url}/api/items").json() == [
            {"id": 1, "name": "tea", "done": False}
        ]


# -- live updates --------------------------------------------------------------------------------


# --8<-- [start:events]
def test_the_event_stream_sends_a_snapshot_then_each_change(
    server: LiveServer, client: httpx.Client
) -> None:
    client.post("/api/items", json={"name": "tea"})
    with httpx.stream("GET", f"{server.url}/api/events") as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert "content-encoding" not in stream.headers  # events are never compressed
        lines = stream.iter_lines()
        assert next_event(lines) == ("snapshot", [{"id": 1, "name": "tea", "done": False}])

        client.post("/api/items", json={"name": "cake"})
        assert next_event(lines) == ("created", {"id": 2, "name": "cake", "done": False})
        client.patch("/api/items/2", json={"done": True})
        assert next_event(lines) == ("updated", {"id": 2, "name": "cake", "done": True})
        client.delete("/api/items/1")
        assert next_event(lines) == ("deleted", {"id": 1})
        # Failed writes send nothing: the next event is the next real change.
        client.post("/api/items", json={"name": ""})
        client.delete("/api/items/1")
        client.post("/api/items", json={"name": "jam"})
        assert next_event(lines) == ("created", {"id": 3, "name": "jam", "done": False})


# --8<-- [end:events]


def test_the_stream_tells_browsers_to_reconnect_quickly(server: LiveServer) -> None:
    with httpx.stream("GET", f"{server.url}/api/events") as stream:
        first = next(stream.iter_raw())
    assert first == b"event: snapshot\nretry: 1000\ndata: []\n\n"


async def test_a_page_that_falls_behind_is_let_go() -> None:
    async with make_channels() as channels:
        changes = Changes(channels)
        async with changes.subscribe() as slow, changes.subscribe() as fast:
            for n in range(257):  # one more than a page may have pending
                await changes.publish("created", {"id": n})
                assert (await fast.receive()).data["data"] == {"id": n}  # this page reads
            assert slow.closed
            assert slow.pending == 0  # let go: nothing kept for it
            with pytest.raises(SubscriberTooSlow):
                await slow.receive()
            assert not fast.closed
        assert channels.subscribers(CHANNEL) == 0


async def test_every_change_goes_out_on_the_items_channel(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'items.sqlite3'}"
    await anyio.to_thread.run_sync(migrate, url)  # Alembic runs its own event loop
    async with (
        make_channels() as channels,
        ItemStore.open(url, Changes(channels)) as store,
        channels.subscribe(CHANNEL) as sub,
    ):
        assert await store.create("tea") == {"id": 1, "name": "tea", "done": False}
        await store.update(1, done=True)
        assert await store.delete(1) is True
        assert await store.delete(1) is False  # nothing changed: nothing sent
        got = [(await sub.receive()).data for _ in range(3)]
        assert sub.pending == 0
    assert got == [
        {"kind": "created", "data": {"id": 1, "name": "tea", "done": False}},
        {"kind": "updated", "data": {"id": 1, "name": "tea", "done": True}},
        {"kind": "deleted", "data": {"id": 1}},
    ]


def test_shutdown_ends_the_event_streams(config: Config) -> None:
    server = LiveServer(create_app(config))
    server.start()
    try:
        with httpx.stream("GET", f"{server.url}/api/events") as stream:
            chunks = stream.iter_raw()
            assert next(chunks) == b"event: snapshot\nretry: 1000\ndata: []\n\n"
            server.stop()  # the channels close: the stream ends instead of holding shutdown
            assert list(chunks) == []
    finally:
        server.stop()


def test_with_a_redis_url_the_changes_go_through_redis(tmp_path: Path) -> None:
    config = Config(environ={"SHOWCASE_REDIS_URL": "redis://cache.internal:6379/1"})
    assert config.REDIS_URL == "redis://cache.internal:6379/1"
    assert repr(make_channels(config.REDIS_URL)) == (
        "Channels(RedisBackend('redis://cache.internal:6379/1'))"
    )
    assert repr(make_channels(Config(environ={}).REDIS_URL)) == "Channels(MemoryBackend())"


# -- the page, sessions, static files --------------------------------------------------------


def test_the_page_lists_items_escaped(client: httpx.Client) -> None:
    client.post("/api/items", json={"name": "<b>tea</b>"})
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Boca showcase</h1>" in page.text
    assert '<span class="name">&lt;b&gt;tea&lt;/b&gt;</span>' in page.text
    assert '<p id="empty" hidden>No items yet.</p>' in page.text
    assert 'data-api="/api/items" data-events="/api/events"' in page.text


def test_the_empty_page_says_so(client: httpx.Client) -> None:
    assert '<p id="empty">No items yet.</p>' in client.get("/").text


def views_line(page: httpx.Response) -> str:
    found = re.search(r"seen this page <strong id=\"views\">\d+</strong> times?", page.text)
    assert found is not None, page.text
    return found[0].removeprefix("seen this page ")


def test_the_session_counts_page_views(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as alice, httpx.Client(base_url=server.url) as bob:
        first = alice.get("/")
        assert views_line(first) == '<strong id="views">1</strong> time'
        cookie = first.headers["set-cookie"]
        assert cookie.startswith("session=")
        assert "httponly" in cookie.lower()  # attribute names are case-insensitive
        assert "cookie" in first.headers["vary"].lower()  # caches keep pages apart
        assert views_line(alice.get("/")) == '<strong id="views">2</strong> times'
        assert views_line(alice.get("/")) == '<strong id="views">3</strong> times'
        assert views_line(bob.get("/")) == '<strong id="views">1</strong> time'


def test_static_files_are_fingerprinted_and_immutable(client: httpx.Client) -> None:
    page = client.get("/").text
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{8}\.css)"', page)
    js = re.search(r'src="(/static/js/app\.[0-9a-f]{8}\.js)"', page)
    assert css is not None
    assert js is not None
    response = client.get(css[1])
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.text == (HERE / "static" / "css" / "app.css").read_text()
    script = client.get(js[1])
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.text == (HERE / "static" / "js" / "app.js").read_text()


def test_the_static_build_leaves_the_sources_alone(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text("h1 { color: red }\n")
    static = build_static(source, tmp_path / "out")
    assert sorted(p.relative_to(source).as_posix() for p in source.rglob("*")) == [
        "css",
        "css/site.css",
    ]
    url = static.url("css/site.css")
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{8}\.css", url)
    (source / "css" / "site.css").write_text("h1 { color: blue }\n")
    rebuilt = build_static(source, tmp_path / "out")  # again: the new content, a new name
    assert rebuilt.url("css/site.css") != url
    assert (tmp_path / "out" / "css" / "site.css").read_text() == "h1 { color: blue }\n"


# -- middleware switched on by the settings ------------------------------------------------------


def test_responses_are_gzipped_for_clients_that_accept_it(client: httpx.Client) -> None:
    for n in range(20):
        client.post("/api/items", json={"name": f"item number {n}"})
    raw = client.get("/api/items", headers={"accept-encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in raw.headers["vary"].lower()
    assert len(raw.json()) == 20  # httpx decoded it
    assert int(raw.headers["content-length"]) < len(raw.content)
    plain = client.get("/api/items", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.json() == raw.json()


def test_gzip_body_is_real_gzip(server: LiveServer) -> None:
    with httpx.stream("GET", f"{server.url}/", headers={"accept-encoding": "gzip"}) as response:
        body = b"".join(response.iter_raw())
    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(body).startswith(b"<!doctype html>")


def test_cors_lets_other_origins_call_the_api(client: httpx.Client) -> None:
    simple = client.get("/api/items", headers={"origin": "https://example.com"})
    assert simple.status_code == 200
    assert simple.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/api/items/1",
        headers={
            "origin": "https://example.com",
            "access-control-request-method": "PATCH",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "PATCH" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    refused = client.options(
        "/api/items",
        headers={"origin": "https://example.com", "access-control-request-method": "PUT"},
    )
    assert refused.status_code == 400


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "localhost.:1/x"])
def test_a_foreign_host_is_refused(client: httpx.Client, host: str) -> None:
    response = client.get("/api/items", headers={"host": host})
    assert response.status_code == 400
    assert response.text == "Invalid host header"


def test_localhost_is_a_trusted_host(client: httpx.Client) -> None:
    assert client.get("/api/items", headers={"host": "localhost:8000"}).status_code == 200


# -- configuration -------------------------------------------------------------------------------


def test_settings_come_from_the_environment(tmp_path: Path) -> None:
    config = Config(
        environ={"SHOWCASE_DATABASE_URL": "postgresql+asyncpg://db/x", "SHOWCASE_GZIP": "false"},
        env_file=tmp_path / "missing.env",
    )
    assert config.DATABASE_URL == "postgresql+asyncpg://db/x"
    assert config.GZIP is False
    assert "***" in repr(config)
    assert config.SECRET_KEY not in repr(config)


def test_defaults_keep_the_database_in_the_showcase_folder(tmp_path: Path) -> None:
    config = Config(environ={}, env_file=tmp_path / "missing.env")
    assert f"sqlite+aiosqlite:///{HERE / 'showcase.sqlite3'}" == config.DATABASE_URL
    assert Path(config.STATIC_BUILD_DIR) == HERE / "static-build"
    assert config.ALLOWED_HOSTS == ["127.0.0.1", "localhost"]
    assert len(config.SECRET_KEY) == 64


def test_make_run_serves_the_module_level_app() -> None:
    from showcase.app import app

    assert isinstance(app, App)
    assert app.settings["SESSIONS"] is True
