"""A request body must be complete within a total deadline, not only keep trickling
(issue 14, #6): one byte every so often never trips the idle `body_timeout`."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest

from boca.core import App
from boca.core.requests import BODY_MIN_DEADLINE, BODY_MIN_RATE, default_body_deadline
from boca.core.testing import LiveServer

from .test_slow_clients import upload_app


def trickle(server: LiveServer, every: float) -> bytes:
    """POST a 1,000-byte body one byte at a time, `every` seconds apart, until answered."""
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
        answer = b""
        for _ in range(1000):
            try:
                sock.sendall(b"a")
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(every)
            sock.setblocking(False)
            try:
                answer += sock.recv(65536)
            except BlockingIOError:
                continue
            finally:
                sock.setblocking(True)
            if answer:
                break
        while True:  # the rest of the answer, up to the server closing the connection
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            answer += chunk
    return answer


def test_body_deadline_cuts_a_trickled_body() -> None:
    with LiveServer(upload_app(0.5, body_deadline=1.0)) as server:
        answer = trickle(server, every=0.1)
        assert httpx.get(server.url + "/ping").text == "pong"
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n", 1)[0] == b"HTTP/1.1 408 Request Timeout"
    assert b"connection: close" in head.lower()
    assert json.loads(body) == {
        "error": "408 Request Timeout",
        "status": 408,
        "detail": "request body not complete within 1 s",
    }


def test_body_deadline_default_follows_max_body_size() -> None:
    assert BODY_MIN_RATE == 64 * 1024
    assert BODY_MIN_DEADLINE == 60.0
    assert default_body_deadline(10 * 1024 * 1024) == 160.0
    assert default_body_deadline(1000) == 60.0
    assert default_body_deadline(None) is None
    assert App().body_deadline == "auto"


def test_body_deadline_auto_uses_the_route_limit() -> None:
    app = App(body_timeout=None)

    @app.route("/small", methods=["POST"], max_body_size=100)
    async def small(req, res):
        res.json = {"deadline": req.body_deadline, "limit": req.max_body_size}

    with LiveServer(app) as server:
        response = httpx.post(server.url + "/small", content=b"x")
    assert response.json() == {"deadline": "auto", "limit": 100}


def test_a_body_within_the_deadline_is_read() -> None:
    with LiveServer(upload_app(0.5, body_deadline=5.0)) as server:

        def pieces():
            for _ in range(3):
                time.sleep(0.05)
                yield b"x" * 100

        response = httpx.post(server.url + "/upload", content=pieces())
    assert response.status_code == 200
    assert response.json() == {"bytes": 300}


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (0, ValueError, "body_deadline must be > 0 seconds, not 0"),
        (-1.5, ValueError, "body_deadline must be > 0 seconds"),
        ("soon", TypeError, "body_deadline must be seconds, 'auto' or None, not 'soon'"),
        (True, TypeError, "body_deadline must be seconds"),
    ],
)
def test_body_deadline_is_checked(value: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        App(body_deadline=value)  # type: ignore[arg-type]
