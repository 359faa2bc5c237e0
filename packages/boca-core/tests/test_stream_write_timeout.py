"""A stream whose client stops reading is closed after `write_timeout` (issue 14): its
generator is finalised instead of being held, paused, for as long as the connection lives."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading

import httpx
import pytest

from boca.core import App, Response, server_event
from boca.core.streaming import stream_response
from boca.core.testing import LiveServer
from boca.core.types import Message

from ._support import wait_for

CHUNK = "x" * 65536


def make_app(finalised: threading.Event, timeout: float | None) -> App:
    app = App()

    @app.route("/events")
    async def events(req, res):
        @res.event_stream(write_timeout=timeout, heartbeat=None)
        async def flood():
            try:
                while True:
                    yield server_event(data=CHUNK)
            finally:
                finalised.set()

    @app.route("/bytes")
    async def raw(req, res):
        @res.stream(write_timeout=timeout)
        async def flood():
            try:
                while True:
                    yield CHUNK
            finally:
                finalised.set()

    @app.route("/ping")
    async def ping(req, res):
        res.text = "pong"

    return app


def stalled_client(server: LiveServer, path: str) -> socket.socket:
    """Ask for `path`, read the head, then read nothing more (a small receive window)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((server.host, server.port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert sock.recv(64).startswith(b"HTTP/1.1 200 OK")
    return sock


@pytest.mark.parametrize("path", ["/events", "/bytes"])
async def test_stream_write_timeout_finalises_a_stalled_stream(
    path: str, caplog: pytest.LogCaptureFixture
) -> None:
    finalised = threading.Event()
    with (
        caplog.at_level(logging.INFO, logger="boca.core"),
        LiveServer(make_app(finalised, 0.3)) as server,
    ):
        sock = stalled_client(server, path)
        try:
            await wait_for(finalised, timeout=10)
            async with httpx.AsyncClient() as client:  # the server still serves others
                assert (await client.get(server.url + "/ping")).text == "pong"
        finally:
            sock.close()
    closed = [r.getMessage() for r in caplog.records if r.name == "boca.core"]
    assert "stream closed: its client read nothing for 0.3 s" in closed


async def test_stream_write_timeout_also_bounds_a_heartbeat() -> None:
    """A generator waiting for its next event while the heartbeat cannot be written."""
    finalised = asyncio.Event()
    sent: list[bytes] = []

    async def quiet():
        try:
            yield server_event(data="first")
            await asyncio.Event().wait()  # no next event, ever
            yield server_event(data="never")  # pragma: no cover
        finally:
            finalised.set()

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body":
            if sent:
                await asyncio.Event().wait()  # the client reads nothing more
            sent.append(message["body"])

    async def receive() -> Message:
        await asyncio.Event().wait()
        raise AssertionError  # pragma: no cover

    start = {"type": "http.response.start", "status": 200, "headers": []}
    await asyncio.wait_for(
        stream_response(
            quiet(), start, receive, send, events=True, heartbeat=0.05, write_timeout=0.1
        ),
        timeout=5,
    )
    assert finalised.is_set()
    assert sent == [b"data: first\n\n"]


async def test_stream_without_write_timeout_waits_for_the_reader() -> None:
    finalised = threading.Event()
    with LiveServer(make_app(finalised, None)) as server:
        sock = stalled_client(server, "/events")
        try:
            await asyncio.sleep(1.0)  # far past the 0.3 s above: still held, as asked
            assert not finalised.is_set()
        finally:
            sock.close()
        await wait_for(finalised, timeout=10)  # the client left: closed at once


@pytest.mark.parametrize("bad", [0, -1, True])
def test_write_timeout_is_checked(bad: float) -> None:
    res = Response(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="write_timeout must be a positive number of seconds"):
        res.event_stream(write_timeout=bad)
    with pytest.raises(ValueError, match="write_timeout must be a positive number of seconds"):
        res.stream(write_timeout=bad)
