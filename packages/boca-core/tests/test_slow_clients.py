"""F8: a request head trickled byte by byte is cut off after a deadline, with a 408."""

from __future__ import annotations

import json
import socket
import time

import httpx

from boca.core import App
from boca.core.server import HEAD_TIMEOUT, HttpToolsProtocol
from boca.core.testing import LiveServer


class QuickHeads(HttpToolsProtocol):
    head_timeout = 0.5


def make_app() -> App:
    app = App()

    @app.route("/ping")
    async def ping(req, res):
        res.text = "pong"

    return app


def test_hostile_F8() -> None:
    with LiveServer(make_app(), http=QuickHeads) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as sock:
            sock.sendall(b"GET /ping HTTP/1.1\r\n")
            started = time.monotonic()
            answer = b""
            # Trickle one byte every 0.1 s: each byte would reset Uvicorn's keep-alive timer.
            for byte in b"Host: slow.example\r\nX-Drip: " + b"a" * 200:
                try:
                    sock.sendall(bytes([byte]))
                except (BrokenPipeError, ConnectionResetError):
                    break
                time.sleep(0.1)
                sock.setblocking(False)
                try:
                    answer += sock.recv(4096)
                except BlockingIOError:
                    pass
                finally:
                    sock.setblocking(True)
                if answer:
                    break
            if not answer:  # pragma: no cover - only when the deadline did not fire
                answer = sock.recv(4096)
            waited = time.monotonic() - started
        assert answer.split(b"\r\n", 1)[0] == b"HTTP/1.1 408 Request Timeout"
        assert b"connection: close" in answer.lower()
        assert waited < 5, "cut off long before the 20 s the trickle would take"
        # The server is still serving others.
        assert httpx.get(server.url + "/ping").text == "pong"


def test_a_prompt_request_is_not_affected_and_the_default_is_generous() -> None:
    assert HEAD_TIMEOUT == 10.0
    with (
        LiveServer(make_app(), http=QuickHeads) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        for _ in range(3):  # keep-alive: the timer is per request, not per connection
            assert client.get("/ping").text == "pong"
            time.sleep(0.6)


def test_the_timer_is_cancelled_when_the_client_leaves_mid_head() -> None:
    with LiveServer(make_app(), http=QuickHeads) as server:
        with socket.create_connection((server.host, server.port)) as sock:
            sock.sendall(b"GET /ping HTTP/1.1\r\nHo")
        time.sleep(0.8)  # past the deadline, with the connection already gone
        assert httpx.get(server.url + "/ping").text == "pong"


def upload_app(timeout: float | None) -> App:
    app = App(body_timeout=timeout)

    @app.route("/upload", methods=["POST"])
    async def upload(req, res):
        res.json = {"bytes": len(await req.body())}

    @app.route("/ping")
    async def ping(req, res):
        res.text = "pong"

    return app


def test_hostile_F9() -> None:
    with LiveServer(upload_app(0.5)) as server:
        with socket.create_connection((server.host, server.port), timeout=10) as sock:
            sock.sendall(
                b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + b"a" * 10
            )
            started = time.monotonic()
            answer = b""
            while True:  # the client sends nothing more: the view's wait times out
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
            waited = time.monotonic() - started
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.split(b"\r\n", 1)[0] == b"HTTP/1.1 408 Request Timeout"
        assert b"connection: close" in head.lower()
        assert json.loads(body) == {
            "error": "408 Request Timeout",
            "status": 408,
            "detail": "no request body received for 0.5 s",
        }
        assert waited < 5, "the worker was freed long before the upload would have ended"
        assert httpx.get(server.url + "/ping").text == "pong"


def test_a_steady_upload_is_not_cut_and_none_waits_forever() -> None:
    with LiveServer(upload_app(0.5)) as server:

        def slow_body():  # a pause shorter than the timeout between pieces
            for _ in range(4):
                time.sleep(0.2)
                yield b"x" * 100

        response = httpx.post(server.url + "/upload", content=slow_body())
        assert response.json() == {"bytes": 400}
    with LiveServer(upload_app(None)) as server:

        def slower_body():
            yield b"x"
            time.sleep(0.8)
            yield b"y"

        assert httpx.post(server.url + "/upload", content=slower_body()).json() == {"bytes": 2}
