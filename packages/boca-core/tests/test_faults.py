"""The fault rows (F) of reliability-cases.md about streaming, background tasks, middleware and
shutdown, one `test_hostile_F<n>` each, against a real Uvicorn where the wire matters."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from boca.core import (
    App,
    ClientDisconnect,
    HTTPError,
    Middleware,
    Request,
    Response,
    ResponseStart,
)
from boca.core.testing import LiveServer, TestClient
from boca.core.types import ASGIApp, Message, Receive, Scope, Send

from ._support import wait_for


@contextlib.contextmanager
def capture(*names: str) -> Iterator[list[logging.LogRecord]]:
    """Records of the named loggers at every level, even those that do not propagate."""
    records: list[logging.LogRecord] = []

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Handler(logging.DEBUG)
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


def errors(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    return [r for r in records if r.levelno >= logging.ERROR]


class Flags:
    def __init__(self) -> None:
        self.go = threading.Event()
        self.release = threading.Event()
        self.closed = threading.Event()
        self.done = threading.Event()
        self.got: list[BaseException] = []
        self.produced = 0
        self.log: list[str] = []


def make_app(flags: Flags) -> App:
    app = App()

    @app.route("/ok")
    async def ok(req, res):
        res.text = "ok"

    @app.route("/upload", methods=["POST"])
    async def upload(req, res):
        try:
            await req.body()
        except ClientDisconnect as exc:
            flags.got.append(exc)
            flags.closed.set()
            raise
        res.text = "complete"  # pragma: no cover - the client never sends it all

    @app.route("/endless")
    async def endless(req, res):
        @res.stream
        async def body() -> AsyncIterator[str]:
            try:
                yield "first\n"
                await asyncio.sleep(3600)
                yield "never"  # pragma: no cover
            finally:
                flags.closed.set()

        res.background(flags.log.append, "task after disconnect")

    @app.route("/told")
    async def told(req, res):
        @res.stream(throw_disconnect=True)
        async def body() -> AsyncIterator[str]:
            try:
                while True:
                    yield "tick\n"
                    await asyncio.sleep(0.02)
            except ClientDisconnect as exc:
                flags.got.append(exc)
                raise
            finally:
                flags.closed.set()

    @app.route("/mid-stream-error")
    async def mid_stream_error(req, res):
        @res.stream
        async def body() -> AsyncIterator[str]:
            yield "partial\n"
            raise RuntimeError("mid-stream failure")

    @app.route("/tasks")
    async def tasks(req, res):
        def fails() -> None:
            raise RuntimeError("task failure")

        async def runs() -> None:
            flags.log.append("second task ran")
            flags.done.set()

        res.background(fails)
        res.background(runs)
        res.json = {"delivered": True}

    @app.route("/after-response")
    async def after_response(req, res):
        @res.background
        async def slow() -> None:
            await wait_for(flags.release)
            flags.log.append("finished after the client left")
            flags.done.set()

        res.text = "bye"

    @app.route("/big")
    async def big(req, res):
        chunk = b"x" * (1024 * 1024)

        @res.stream
        async def body() -> AsyncIterator[bytes]:
            try:
                for _ in range(256):
                    flags.produced += 1
                    yield chunk
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


# -- F1: the client leaves while sending the body ---------------------------------------------


def test_hostile_F1(live: LiveServer, flags: Flags) -> None:
    with capture("boca.core", "uvicorn.error") as records:
        with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
            sock.sendall(
                b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + b"y" * 10
            )
            time.sleep(0.1)  # the view is now waiting for the rest of the body
        assert flags.closed.wait(2)
        deadline = time.monotonic() + 2
        while not any(r.name == "boca.core" for r in records) and time.monotonic() < deadline:
            time.sleep(0.01)
    assert isinstance(flags.got[0], ClientDisconnect)
    debug = [r for r in records if r.name == "boca.core"]
    assert [(r.levelno, r.getMessage()) for r in debug] == [
        (logging.DEBUG, "client disconnected: POST '/upload'")
    ]
    assert errors(records) == []
    assert httpx.get(live.url + "/ok").text == "ok"


async def test_hostile_F1_no_response_is_attempted(flags: Flags) -> None:
    messages: list[Message] = [
        {"type": "http.request", "body": b"part", "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/upload",
        "headers": [(b"host", b"x")],
        "query_string": b"",
    }
    await make_app(flags)(scope, receive, send)
    assert isinstance(flags.got[0], ClientDisconnect)
    assert sent == []


# -- F2: the client leaves during a streamed response -----------------------------------------


def test_hostile_F2(live: LiveServer, flags: Flags) -> None:
    with capture("boca.core", "uvicorn.error") as records:
        with (
            httpx.Client(base_url=live.url, timeout=10) as client,
            client.stream("GET", "/endless") as response,
        ):
            assert next(response.iter_raw()) == b"first\n"
            left = time.monotonic()
        # The generator was waiting (asyncio.sleep(3600)): it is closed at once.
        assert flags.closed.wait(2)
        assert time.monotonic() - left < 1.0
        # The response's background tasks still run.
        deadline = time.monotonic() + 2
        while not flags.log and time.monotonic() < deadline:
            time.sleep(0.01)
        assert flags.log == ["task after disconnect"]
    assert errors(records) == []


def test_hostile_F2_throw_disconnect(live: LiveServer, flags: Flags) -> None:
    with capture("boca.core", "uvicorn.error") as records:
        with (
            httpx.Client(base_url=live.url, timeout=10) as client,
            client.stream("GET", "/told") as response,
        ):
            chunks = response.iter_raw()
            assert next(chunks).startswith(b"tick\n")
        assert flags.closed.wait(2)
    assert len(flags.got) == 1
    assert isinstance(flags.got[0], ClientDisconnect)
    assert errors(records) == []


# -- F4: an exception once the response has started -------------------------------------------


def test_hostile_F4(live: LiveServer) -> None:
    with capture("boca.core", "uvicorn.error") as records:
        with (
            httpx.Client(base_url=live.url, timeout=10) as client,
            client.stream("GET", "/mid-stream-error") as response,
        ):
            assert response.status_code == 200
            chunks = response.iter_raw()
            assert next(chunks) == b"partial\n"
            with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"):
                next(chunks)
        assert httpx.get(live.url + "/ok").text == "ok"  # the server keeps serving
    logged = errors(records)
    assert len(logged) == 1  # once, by the server
    assert logged[0].name == "uvicorn.error"
    assert str(logged[0].exc_info[1]) == "mid-stream failure"  # type: ignore[index]


# -- F5, F6: background tasks that fail, or outlive their client -----------------------------


def test_hostile_F5(live: LiveServer, flags: Flags) -> None:
    with capture("boca.core", "uvicorn.error") as records:
        response = httpx.get(live.url + "/tasks")
        assert response.status_code == 200
        assert response.json() == {"delivered": True}
        assert flags.done.wait(2)
        assert httpx.get(live.url + "/ok").text == "ok"
    assert flags.log == ["second task ran"]
    logged = errors(records)
    assert len(logged) == 1
    assert logged[0].name == "boca.core"
    assert logged[0].getMessage() == (
        "background task make_app.<locals>.tasks.<locals>.fails failed"
    )
    assert logged[0].exc_text is not None or logged[0].exc_info is not None
    assert str(logged[0].exc_info[1]) == "task failure"  # type: ignore[index]


def test_hostile_F6(live: LiveServer, flags: Flags) -> None:
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        sock.sendall(b"GET /after-response HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        while not received.endswith(b"bye"):
            received += sock.recv(4096)
    # The client is gone; only now may the task go on.
    assert received.startswith(b"HTTP/1.1 200 OK\r\n")
    assert not flags.done.is_set()
    flags.release.set()
    assert flags.done.wait(2)
    assert flags.log == ["finished after the client left"]


# -- F7: exceptions in middleware -------------------------------------------------------------


class Forbidden(Exception):
    pass


class Failing(Middleware):
    async def before_dispatch(self, req: Request, res: Response) -> Any:
        where = req.headers.get("x-fail")
        if where == "before":
            raise RuntimeError("before failure")
        if where == "handled":
            raise Forbidden("not you")
        if where == "http":
            raise HTTPError(429, detail="slow down")
        return None

    async def after_dispatch(self, req: Request, res: ResponseStart) -> None:
        if req.headers.get("x-fail") == "after":
            raise RuntimeError("after failure")


class FailsAfterStart:
    """A plain ASGI middleware that raises once the response start went out."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def wrapped(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and scope["path"] == "/endless":
                raise RuntimeError("failure after start")

        await self.app(scope, receive, wrapped)


def failing_app(flags: Flags) -> App:
    app = make_app(flags)

    @app.error_handler(Forbidden)
    async def forbidden(req: Request, res: Response, exc: Forbidden) -> None:
        res.status_code = 403
        res.json = {"forbidden": str(exc)}

    app.add_middleware(FailsAfterStart)
    app.add_middleware(Failing)
    return app


@pytest.mark.parametrize("where", ["before", "after"])
def test_hostile_F7(flags: Flags, where: str) -> None:
    with capture("boca.core", "uvicorn.error") as records:
        # Would raise here if the exception reached the server too (re-raised twice).
        client = TestClient(failing_app(flags), raise_server_exceptions=True)
        response = client.get("/ok", headers={"x-fail": where})
    assert response.status_code == 500
    assert set(response.json()) == {"error", "status", "request_id"}
    assert f"{where} failure" not in response.text
    logged = errors(records)
    assert len(logged) == 1
    assert type(logged[0].exc_info[1]) is RuntimeError  # type: ignore[index]  # no ExceptionGroup
    assert str(logged[0].exc_info[1]) == f"{where} failure"  # type: ignore[index]


def test_hostile_F7_error_handlers_answer_middleware_exceptions(flags: Flags) -> None:
    client = TestClient(failing_app(flags), raise_server_exceptions=True)
    handled = client.get("/ok", headers={"x-fail": "handled"})
    assert handled.status_code == 403
    assert handled.json() == {"forbidden": "not you"}
    limited = client.get("/ok", headers={"x-fail": "http"})
    assert limited.status_code == 429
    assert limited.json() == {
        "error": "429 Too Many Requests",
        "status": 429,
        "detail": "slow down",
    }


def test_hostile_F7_after_start_cuts_the_connection(flags: Flags) -> None:
    with LiveServer(failing_app(flags)) as server, capture("boca.core", "uvicorn.error") as records:
        with (
            httpx.Client(base_url=server.url, timeout=10) as client,
            client.stream("GET", "/endless") as response,
        ):
            assert response.status_code == 200
            with pytest.raises(httpx.RemoteProtocolError):
                response.read()
        assert flags.closed.wait(2)
        assert httpx.get(server.url + "/ok").text == "ok"
    logged = errors(records)
    assert len(logged) == 1
    assert logged[0].name == "uvicorn.error"
    assert str(logged[0].exc_info[1]) == "failure after start"  # type: ignore[index]


# -- F10: a slow reader pauses the generator ---------------------------------------------------


def test_hostile_F10(live: LiveServer, flags: Flags) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        sock.settimeout(10)
        sock.connect(("127.0.0.1", live.port))
        sock.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        received = 0
        while received < 3 * 1024 * 1024:  # read three chunks' worth, slowly
            received += len(sock.recv(64 * 1024))
            time.sleep(0.001)
        time.sleep(0.5)  # time enough for an unpaced generator to run far ahead
        produced = flags.produced
        assert produced < 64  # of 256: paused by the server's write flow control
    assert flags.closed.wait(2)  # and closed when the client left
    assert flags.produced < 64


# -- F15: graceful shutdown --------------------------------------------------------------------


def test_hostile_F15(flags: Flags) -> None:
    app = App()
    started = threading.Event()
    cancelled = threading.Event()
    first_chunk = threading.Event()
    server = LiveServer(app, timeout_graceful_shutdown=1)

    @app.route("/task")
    async def task(req, res):
        @res.background
        async def sleeper() -> None:
            started.set()
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                cancelled.set()
                raise

        res.background(flags.log.append, "never runs")
        res.text = "queued"

    @app.route("/stream")
    async def stream(req, res):
        @res.stream
        async def body() -> AsyncIterator[str]:
            yield "start\n"
            while not server.server.should_exit:  # finish once the shutdown has begun
                await asyncio.sleep(0.01)
            for n in range(3):
                yield f"after shutdown {n}\n"

    result: dict[str, Any] = {}

    def read_stream() -> None:
        try:
            with (
                httpx.Client(base_url=server.url, timeout=10) as client,
                client.stream("GET", "/stream") as response,
            ):
                body = b""
                for chunk in response.iter_raw():
                    body += chunk
                    first_chunk.set()
                result["body"] = body
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            result["error"] = exc

    with capture("boca.core", "uvicorn.error") as records:
        server.start()
        assert httpx.get(server.url + "/task").text == "queued"
        assert started.wait(2)
        reader = threading.Thread(target=read_stream)
        reader.start()
        assert first_chunk.wait(5)
        server.stop()
        reader.join(5)
    assert result == {"body": b"start\nafter shutdown 0\nafter shutdown 1\nafter shutdown 2\n"}
    assert cancelled.is_set()
    assert flags.log == []
    messages = [r.getMessage() for r in records]
    assert "Cancel 1 running task(s), timeout graceful shutdown exceeded" in messages
    assert (
        "background task test_hostile_F15.<locals>.task.<locals>.sleeper cancelled; "
        "not run: list.append" in messages
    )
