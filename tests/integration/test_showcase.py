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
from boca.middleware import MemoryStore, RedisStore
from showcase.app import build_static, create_app
from showcase.config import HERE, Config
from showcase.db import ItemStore, migrate
from showcase.live import CHANNEL, Changes, make_channels
from showcase.middleware import middleware

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


# -- CSRF and the write limit -------------------------------------------------------------------


# --8<-- [start:csrf]
def page_token(client: httpx.Client) -> str:
    """Load the page as a browser does: its CSRF token, now also in the client's cookies."""
    page = client.get("/")
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert found is not None, page.text
    assert client.cookies["csrftoken"] == found[1]
    return found[1]


def forbidden(detail: str) -> dict[str, Any]:
    return {"error": "403 Forbidden", "status": 403, "detail": detail}


def test_a_browsers_write_needs_the_pages_csrf_token(client: httpx.Client) -> None:
    token = page_token(client)  # the client holds the page's cookies now, as a browser would
    missing = client.post("/api/items", json={"name": "tea"})
    assert missing.status_code == 403
    assert missing.headers["content-type"] == "application/json"
    assert missing.json() == forbidden("CSRF token missing: send it in x-csrftoken or csrf_token.")
    wrong = client.post("/api/items", json={"name": "tea"}, headers={"x-csrftoken": "forged"})
    assert wrong.status_code == 403
    assert wrong.json() == forbidden("CSRF token invalid: load the form again.")
    assert client.get("/api/items").json() == []  # nothing was written

    sent = {"x-csrftoken": token, "sec-fetch-site": "same-origin"}  # as the page sends it
    created = client.post("/api/items", json={"name": "tea"}, headers=sent)
    assert created.status_code == 201
    assert created.json() == {"id": 1, "name": "tea", "done": False}
    ticked = client.patch("/api/items/1", json={"done": True}, headers=sent)
    assert ticked.status_code == 200
    assert client.patch("/api/items/1", json={"done": False}).status_code == 403
    assert client.delete("/api/items/1").status_code == 403
    assert client.delete("/api/items/1", headers=sent).status_code == 204
    assert client.get("/api/items").json() == []


# --8<-- [end:csrf]


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        (
            {"sec-fetch-site": "cross-site", "origin": "https://evil.example"},
            "Cross-site request refused (Sec-Fetch-Site: cross-site).",
        ),
        (
            {"sec-fetch-site": "same-site"},
            "Cross-site request refused (Sec-Fetch-Site: same-site).",
        ),
        (
            {"origin": "https://evil.example"},
            "Cross-origin request refused (Origin is not this site).",
        ),
        ({"origin": "null"}, "Cross-origin request refused (Origin is not this site)."),
    ],
)
def test_a_write_from_another_site_is_refused_even_with_a_token(
    client: httpx.Client, headers: dict[str, str], detail: str
) -> None:
    token = page_token(client)
    for method, path, body in [
        ("POST", "/api/items", {"name": "tea"}),
        ("PATCH", "/api/items/1", {"done": True}),
        ("DELETE", "/api/items/1", None),
    ]:
        refused = client.request(method, path, json=body, headers={**headers, "x-csrftoken": token})
        assert refused.status_code == 403
        assert refused.json() == forbidden(detail)
    assert client.get("/api/items").json() == []


def test_a_browser_that_never_loaded_the_page_cannot_write(server: LiveServer) -> None:
    """No cookies, but an `Origin`: a browser (every browser sends one with a POST)."""
    refused = httpx.post(
        f"{server.url}/api/items", json={"name": "tea"}, headers={"origin": server.url}
    )
    assert refused.status_code == 403
    assert refused.json() == forbidden("CSRF cookie missing or invalid: load the form again.")
    stale = httpx.post(  # a cookie, but not one of ours: a browser with cookies is checked
        f"{server.url}/api/items", json={"name": "tea"}, headers={"cookie": "csrftoken=forged"}
    )
    assert stale.status_code == 403
    assert stale.json() == forbidden("CSRF cookie missing or invalid: load the form again.")


def test_programs_write_without_a_token(server: LiveServer) -> None:
    """No cookies, no `Origin`, no `Sec-Fetch-Site`: not a browser, so nothing to forge."""
    created = httpx.post(f"{server.url}/api/items", json={"name": "tea"})
    assert created.status_code == 201
    assert "set-cookie" not in created.headers
    assert httpx.delete(f"{server.url}/api/items/1").status_code == 204


def test_writes_over_the_limit_are_a_429_and_reads_never_are(config: Config) -> None:
    config.WRITE_RATE_LIMIT = "3/hour"  # a burst of 3, then one every 20 minutes
    policy = '"3/hour";q=3;w=3600'
    with LiveServer(create_app(config)) as server, httpx.Client(base_url=server.url) as client:
        writes = [
            client.post("/api/items", json={"name": "tea"}),
            client.patch("/api/items/1", json={"done": True}),
            client.delete("/api/items/1"),
        ]
        assert [w.status_code for w in writes] == [201, 200, 204]  # one budget for all three
        assert [w.headers["ratelimit-policy"] for w in writes] == [policy] * 3
        states = [re.fullmatch(r'"3/hour";(r=\d);t=\d+', w.headers["ratelimit"]) for w in writes]
        assert [state and state[1] for state in states] == ["r=2", "r=1", "r=0"]

        refused = client.post("/api/items", json={"name": "cake"})
        assert refused.status_code == 429
        retry = int(refused.headers["retry-after"])
        assert 1 <= retry <= 1200
        assert refused.json() == {
            "error": "429 Too Many Requests",
            "status": 429,
            "detail": f"Too many requests: the limit is 3/hour; retry in {retry} s.",
        }
        assert refused.headers["ratelimit-policy"] == policy
        assert re.fullmatch(r'"3/hour";r=0;t=\d+', refused.headers["ratelimit"])
        assert client.patch("/api/items/1", json={"done": False}).status_code == 429
        assert client.delete("/api/items/1").status_code == 429

        for _ in range(10):  # reading is never limited, and is not counted
            for path, status in [("/api/items", 200), ("/api/items/1", 404), ("/", 200)]:
                read = client.get(path)
                assert read.status_code == status
                assert "ratelimit" not in read.headers
        assert client.head("/api/items").status_code == 200
        assert client.get("/api/items").json() == []  # the refused writes did nothing


def test_the_default_write_limit(client: httpx.Client) -> None:
    created = client.post("/api/items", json={"name": "tea"})
    assert created.headers["ratelimit-policy"] == '"30/10 seconds";q=30;w=10'
    assert re.fullmatch(r'"30/10 seconds";r=29;t=\d+', created.headers["ratelimit"])


# -- the other middleware ------------------------------------------------------------------------


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


def test_cors_lets_other_origins_read_the_api(client: httpx.Client) -> None:
    simple = client.get("/api/items", headers={"origin": "https://example.com"})
    assert simple.status_code == 200
    assert simple.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/api/items",
        headers={"origin": "https://example.com", "access-control-request-method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["access-control-allow-methods"] == "GET"
    # Writing is not offered to other origins: CSRF would refuse a browser's write from one.
    refused = client.options(
        "/api/items/1",
        headers={
            "origin": "https://example.com",
            "access-control-request-method": "PATCH",
            "access-control-request-headers": "content-type",
        },
    )
    assert refused.status_code == 400
    assert refused.text == "Disallowed CORS method"
    assert "access-control-allow-origin" not in refused.headers


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
    assert config.REDIS_URL == ""
    assert config.WRITE_RATE_LIMIT == "30/10 seconds"


def test_the_write_limit_comes_from_the_environment(tmp_path: Path) -> None:
    config = Config(
        environ={"SHOWCASE_WRITE_RATE_LIMIT": "5/minute"}, env_file=tmp_path / "missing.env"
    )
    assert config.WRITE_RATE_LIMIT == "5/minute"


def test_a_write_limit_that_does_not_parse_stops_the_app(config: Config) -> None:
    config.WRITE_RATE_LIMIT = "lots"
    with pytest.raises(ValueError, match=r"^SHOWCASE_WRITE_RATE_LIMIT: Rate limit 'lots': "):
        create_app(config)


def test_make_run_serves_the_module_level_app() -> None:
    from showcase.app import app

    assert isinstance(app, App)


def test_the_middleware_order_and_stores(tmp_path: Path) -> None:
    config = Config(environ={}, env_file=tmp_path / "missing.env")
    stack = middleware(config)
    assert [cls.__name__ for cls, _ in stack] == [
        "TrustedHostMiddleware",  # outermost: a foreign Host never reaches the others
        "CORSMiddleware",  # its headers go on the refusals of those below
        "RateLimitMiddleware",  # before CSRF: forged writes are counted too
        "BrowserCSRFMiddleware",
        "SessionMiddleware",
        "GZipMiddleware",
    ]
    options = {cls.__name__: options for cls, options in stack}
    assert isinstance(options["RateLimitMiddleware"]["store"], MemoryStore)
    assert options["SessionMiddleware"]["store"] is None  # the session is the signed cookie

    shared = Config(environ={"SHOWCASE_REDIS_URL": "redis://cache.internal:6379/1"})
    options = {cls.__name__: options for cls, options in middleware(shared)}
    store = options["RateLimitMiddleware"]["store"]
    assert isinstance(store, RedisStore)
    assert repr(store) == "RedisStore('redis://cache.internal:6379/1', prefix='showcase:')"
    assert options["SessionMiddleware"]["store"] is store  # one connection pool for both
