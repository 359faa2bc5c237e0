"""Server-sent events: the exact wire format, heartbeats, Last-Event-ID, real clients."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from boca.core import App, ServerEvent, server_event
from boca.core.testing import LiveServer, TestClient

from ._support import wait_for


class Flags:
    def __init__(self) -> None:
        self.go = threading.Event()
        self.closed = threading.Event()
        self.last_ids: list[str | None] = []


def make_app(flags: Flags) -> App:
    app = App()

    @app.route("/events")
    async def events(req, res):
        @res.event_stream(heartbeat=15)
        async def stream() -> AsyncIterator[Any]:
            yield server_event(data="line1\nline2", event="tick", id=1)
            yield {"json": True}
            yield ["a", 1]
            yield "plain text"
            yield b"bytes text"
            yield server_event(comment="just a comment")
            yield server_event(retry=2500)
            yield server_event(data="")

    @app.route("/cached")
    async def cached(req, res):
        res.headers["cache-control"] = "no-store"

        @res.event_stream
        async def stream() -> AsyncIterator[str]:
            yield "x"

    @app.route("/heartbeat")
    async def heartbeat(req, res):
        @res.event_stream(heartbeat=0.2)
        async def stream() -> AsyncIterator[str]:
            yield "a"
            await wait_for(flags.go)
            yield "b"

    @app.route("/resume")
    async def resume(req, res):
        flags.last_ids.append(req.last_event_id)
        first = int(req.last_event_id or 0) + 1

        @res.event_stream(heartbeat=None)
        async def stream() -> AsyncIterator[ServerEvent]:
            for n in range(first, first + 2):
                yield server_event(data=f"event {n}", id=n)

    @app.route("/forever")
    async def forever(req, res):
        @res.event_stream(heartbeat=0.1)
        async def stream() -> AsyncIterator[ServerEvent]:
            n = 0
            try:
                while True:
                    n += 1
                    yield server_event(json={"n": n}, id=n)
                    await asyncio.sleep(0.01)
            finally:
                flags.closed.set()

    return app


@pytest.fixture
def flags() -> Flags:
    return Flags()


@pytest.fixture
def live(flags: Flags) -> Iterator[LiveServer]:
    with LiveServer(make_app(flags)) as server:
        yield server


def test_wire_format(flags: Flags) -> None:
    response = TestClient(make_app(flags)).get("/events")
    assert response.status_code == 200
    assert response.text == (
        "event: tick\nid: 1\ndata: line1\ndata: line2\n\n"
        'data: {"json":true}\n\n'
        'data: ["a",1]\n\n'
        "data: plain text\n\n"
        "data: bytes text\n\n"
        ": just a comment\n\n"
        "retry: 2500\n\n"
        "data: \n\n"
    )


def test_headers(flags: Flags) -> None:
    response = TestClient(make_app(flags)).get("/events")
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    assert "content-length" not in response.headers


def test_a_cache_control_set_by_the_view_is_kept(flags: Flags) -> None:
    response = TestClient(make_app(flags)).get("/cached")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.text == "data: x\n\n"


def test_server_event_fields() -> None:
    assert bytes(server_event(data="a\r\nb\rc\nd")) == b"data: a\ndata: b\ndata: c\ndata: d\n\n"
    assert bytes(server_event(data=b"raw")) == b"data: raw\n\n"
    assert bytes(server_event(data=42, id="x-1")) == b"id: x-1\ndata: 42\n\n"
    assert bytes(server_event(comment="one\ntwo")) == b": one\n: two\n\n"
    assert bytes(server_event(comment="")) == b": \n\n"
    assert bytes(server_event(event="ping")) == b"event: ping\n\n"
    assert bytes(server_event(json=[], retry=0)) == b"retry: 0\ndata: []\n\n"
    assert repr(server_event(data="x")) == "ServerEvent(b'data: x\\n\\n')"
    assert server_event(data="x").encoded == b"data: x\n\n"


def test_server_event_lists_and_dicts_as_bocadillo_wrote_them() -> None:
    assert bytes(server_event(data=["one", "two"])) == b"data: one\ndata: two\n\n"
    assert bytes(server_event(data=("a\nb", 3))) == b"data: a\ndata: b\ndata: 3\n\n"
    with pytest.raises(ValueError, match="an empty server event"):
        server_event(data=[])
    assert bytes(server_event(data={"id": 1, "ok": True})) == b'data: {"id":1,"ok":true}\n\n'


@pytest.mark.parametrize("bad", [object(), None.__class__, {1, 2}, [b"ok", object()], True])
def test_server_event_refuses_other_data(bad: Any) -> None:
    with pytest.raises(TypeError) as info:
        server_event(data=bad, event="x")
    assert str(info.value).startswith("server_event data must be text, bytes, a number, a list")
    assert str(info.value).endswith("use json= to send it as JSON")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"data": "x", "event": "a\nb"}, "server event 'event' must not contain line breaks"),
        ({"data": "x", "event": "a\rb"}, "server event 'event' must not contain line breaks"),
        ({"data": "x", "id": "1\n2"}, "server event 'id' must not contain line breaks"),
        ({"data": "x", "id": "1\x002"}, "a server event id must not contain NUL"),
        ({"data": "x", "json": {"a": 1}}, "give server_event either data= or json=, not both"),
        ({}, "an empty server event: give data, json, event, id, retry or comment"),
        ({"data": "x", "event": ""}, "a server event type must not be empty"),
        ({"data": "x", "retry": -1}, "server event retry is a delay in milliseconds, not -1"),
    ],
)
def test_server_event_validation(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as info:
        server_event(**kwargs)
    assert str(info.value).startswith(message)


def test_heartbeat_after_silence(live: LiveServer, flags: Flags) -> None:
    with (
        httpx.Client(base_url=live.url, timeout=10) as client,
        client.stream("GET", "/heartbeat") as response,
    ):
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        received = b""
        chunks = response.iter_raw()
        while b": heartbeat\n\n: heartbeat\n\n" not in received:
            received += next(chunks)
        flags.go.set()
        for chunk in chunks:
            received += chunk
    assert received.startswith(b"data: a\n\n: heartbeat\n\n: heartbeat\n\n")
    assert received.endswith(b"data: b\n\n")
    assert set(received[len(b"data: a\n\n") : -len(b"data: b\n\n")].split(b"\n\n")) == {
        b": heartbeat",
        b"",
    }


def test_last_event_id(live: LiveServer, flags: Flags) -> None:
    fresh = httpx.get(live.url + "/resume")
    assert fresh.text == "id: 1\ndata: event 1\n\nid: 2\ndata: event 2\n\n"
    resumed = httpx.get(live.url + "/resume", headers={"Last-Event-ID": "2"})
    assert resumed.text == "id: 3\ndata: event 3\n\nid: 4\ndata: event 4\n\n"
    assert flags.last_ids == [None, "2"]


def parse(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """A minimal EventSource parser, like a browser's (fields of one event until a blank line)."""
    event: dict[str, str] = {}
    for line in lines:
        if not line:
            if event:
                yield event
            event = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(": ")
            event[name] = event[name] + "\n" + value if name in event else value


def test_a_real_client_reads_and_disconnects(live: LiveServer, flags: Flags) -> None:
    with (
        httpx.Client(base_url=live.url, timeout=10) as client,
        client.stream("GET", "/forever") as response,
    ):
        events = parse(response.iter_lines())
        assert next(events) == {"id": "1", "data": '{"n":1}'}
        assert next(events) == {"id": "2", "data": '{"n":2}'}
    # The client is gone: the generator is closed, its `finally` runs.
    assert flags.closed.wait(2)
    assert httpx.get(live.url + "/resume").status_code == 200
