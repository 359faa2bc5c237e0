"""A graceful shutdown ends open streams instead of waiting for them."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx

from boca.core import App, server_event
from boca.core.testing import LiveServer


def test_event_streams_end_cleanly_when_the_server_stops() -> None:
    app = App()
    closed = threading.Event()

    @app.route("/events")
    async def events(req, res):
        @res.event_stream(heartbeat=None)
        async def stream():
            try:
                yield server_event(data="hello")
                while True:  # an endless stream, as live updates are
                    await asyncio.sleep(3600)
                    yield server_event(data="never")
            finally:
                closed.set()

    server = LiveServer(app, timeout_graceful_shutdown=30)
    server.start()
    received: list[bytes] = []
    ended = threading.Event()

    def read() -> None:
        with httpx.stream("GET", server.url + "/events", timeout=60) as response:
            received.extend(response.iter_bytes())  # raises if the stream is cut
        ended.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert b"".join(received) == b"data: hello\n\n"
    started = time.monotonic()
    server.stop()
    stopped_in = time.monotonic() - started
    reader.join(10)
    assert ended.is_set(), "the stream ended with its final chunk, not cut"
    assert closed.is_set(), "the generator's finally ran"
    assert stopped_in < 15, f"the shutdown waited {stopped_in:.1f} s for an endless stream"


def test_plain_requests_do_not_see_the_extension_without_boca_protocol() -> None:
    seen: list[object] = []
    app = App()

    @app.route("/")
    async def index(req, res):
        seen.append(req.scope.get("extensions", {}).get("boca.shutdown"))
        res.text = "ok"

    with LiveServer(app, http="httptools") as server:
        assert httpx.get(server.url + "/").text == "ok"
    with LiveServer(app) as server:
        assert httpx.get(server.url + "/").text == "ok"
    assert seen[0] is None
    assert set(seen[1]) == {"event"}  # type: ignore[arg-type]
