"""`@res.stream`: chunks go out as the generator yields them, in-process and over Uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from boca.core import App, ClientDisconnect
from boca.core.testing import LiveServer, TestClient

from ._support import wait_for


@contextlib.contextmanager
def capture(logger_name: str) -> Iterator[list[logging.LogRecord]]:
    """Records of one logger, even one that does not propagate (Uvicorn's)."""
    records: list[logging.LogRecord] = []

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Handler(logging.DEBUG)
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


class Flags:
    def __init__(self) -> None:
        self.go = threading.Event()
        self.ended = threading.Event()
        self.closed = threading.Event()
        self.started = threading.Event()


def make_app(flags: Flags) -> App:
    app = App()

    @app.route("/live")
    async def live(req, res):
        @res.stream
        async def body() -> AsyncIterator[str]:
            yield "first\n"
            await wait_for(flags.go)
            yield "second\n"
            flags.ended.set()

    @app.route("/mixed")
    async def mixed(req, res):
        @res.stream
        async def body() -> AsyncIterator[str | bytes]:
            yield "text "
            yield b"bytes "
            yield bytearray(b"array ")
            yield memoryview(b"view ")
            yield "\u00e9t\u00e9"

    @app.route("/typed")
    async def typed(req, res):
        res.status_code = 201
        res.headers["content-type"] = "application/x-ndjson"
        res.headers["content-length"] = "999"  # meaningless for a stream: dropped
        res.headers["x-kind"] = "lines"
        res.set_cookie("seen", "1")

        @res.stream
        async def body() -> AsyncIterator[str]:
            yield '{"n": 1}\n'

    @app.route("/media")
    async def media(req, res):
        res.media_type = "text/csv"

        @res.stream
        async def body() -> AsyncIterator[str]:
            yield "a,b\n"

    @app.route("/head")
    async def head(req, res):
        @res.stream
        async def body() -> AsyncIterator[str]:
            flags.started.set()
            yield "never for HEAD"

    @app.route("/wrong")
    async def wrong(req, res):
        @res.stream
        async def body() -> AsyncIterator[object]:
            try:
                yield "ok\n"
                yield 42
            finally:
                flags.closed.set()

    @app.route("/overridden")
    async def overridden(req, res):
        @res.stream
        async def body() -> AsyncIterator[str]:
            yield "streamed"

        res.text = "the last body set wins"

    @app.route("/not-a-generator")
    async def not_a_generator(req, res):
        res.stream(lambda: ["a", "b"])

    @app.route("/throwing")
    async def throwing(req, res):
        @res.stream(throw_disconnect=True)
        async def body() -> AsyncIterator[str]:
            yield "options are accepted in the decorator's call form"

    return app


@pytest.fixture
def flags() -> Flags:
    return Flags()


@pytest.fixture
def live(flags: Flags) -> Iterator[LiveServer]:
    with LiveServer(make_app(flags)) as server:
        yield server


def test_chunks_arrive_before_the_generator_ends(live: LiveServer, flags: Flags) -> None:
    with (
        httpx.Client(base_url=live.url, timeout=10) as client,
        client.stream("GET", "/live") as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert response.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in response.headers
        chunks = response.iter_raw()
        assert next(chunks) == b"first\n"
        # The generator is still waiting for us: the first chunk was not buffered.
        assert not flags.ended.is_set()
        flags.go.set()
        assert b"".join(chunks) == b"second\n"
    assert flags.ended.is_set()


def test_str_and_bytes_chunks(flags: Flags) -> None:
    response = TestClient(make_app(flags)).get("/mixed")
    assert response.status_code == 200
    assert response.content == "text bytes array view \u00e9t\u00e9".encode()
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


def test_status_headers_and_cookies_of_a_stream(flags: Flags) -> None:
    response = TestClient(make_app(flags)).get("/typed")
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.headers["x-kind"] == "lines"
    assert response.headers["set-cookie"] == "seen=1; HttpOnly; Path=/; SameSite=Lax"
    assert "content-length" not in response.headers
    assert response.text == '{"n": 1}\n'


def test_media_type_of_a_stream(flags: Flags) -> None:
    response = TestClient(make_app(flags)).get("/media")
    assert response.headers["content-type"] == "text/csv"
    assert response.text == "a,b\n"


def test_head_sends_headers_only(live: LiveServer, flags: Flags) -> None:
    response = httpx.head(live.url + "/head")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.content == b""
    assert not flags.started.is_set()  # the generator never ran
    assert httpx.get(live.url + "/head").text == "never for HEAD"


def test_wrong_chunk_type_cuts_the_connection(live: LiveServer, flags: Flags) -> None:
    with capture("uvicorn.error") as records:
        with (
            httpx.Client(base_url=live.url, timeout=10) as client,
            client.stream("GET", "/wrong") as response,
        ):
            assert response.status_code == 200  # already sent when the bad chunk came
            with pytest.raises(httpx.RemoteProtocolError):
                response.read()
        assert flags.closed.wait(2)  # the generator was closed
        errors = [r for r in records if r.levelno >= logging.ERROR]
        assert len(errors) == 1
        assert errors[0].exc_info is not None
        assert str(errors[0].exc_info[1]) == "a stream yields str or bytes, not int"
    assert httpx.get(live.url + "/mixed").status_code == 200  # the server keeps serving


def test_last_body_set_wins(flags: Flags) -> None:
    response = TestClient(make_app(flags)).get("/overridden")
    assert response.text == "the last body set wins"
    assert response.headers["content-length"] == "22"


def test_stream_options_in_call_form(flags: Flags) -> None:
    assert TestClient(make_app(flags)).get("/throwing").text == (
        "options are accepted in the decorator's call form"
    )


def test_a_callable_that_is_not_a_generator_is_a_500_before_start(
    flags: Flags, caplog: pytest.LogCaptureFixture
) -> None:
    response = TestClient(make_app(flags)).get("/not-a-generator")
    assert response.status_code == 500
    assert response.json()["error"] == "500 Internal Server Error"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "a stream is an async generator function, not one returning" in str(
        errors[0].exc_info[1]  # type: ignore[index]
    )


def test_stream_declaration_errors() -> None:
    app = App()
    problems: list[str] = []

    @app.route("/")
    async def view(req, res):
        async def coroutine() -> str:
            return "no yield"

        def sync_generator() -> Iterator[str]:
            yield "not async"

        for wrong in (coroutine, sync_generator, "text"):
            try:
                res.stream(wrong)
            except TypeError as exc:
                problems.append(str(exc))
        try:
            res.event_stream(heartbeat=0)
        except ValueError as exc:
            problems.append(str(exc))
        res.text = "checked"

    assert TestClient(app).get("/").text == "checked"
    assert len(problems) == 4
    for problem in problems[:3]:
        assert problem.startswith(
            "a stream is an async generator function (`async def` with `yield`), not "
        )
    assert problems[3] == "heartbeat must be a positive number of seconds, or None"


def test_written_is_true_for_a_stream() -> None:
    app = App()
    seen: list[bool] = []

    @app.route("/")
    async def view(req, res):
        seen.append(res.written)

        @res.stream
        async def body() -> AsyncIterator[str]:
            yield "x"

        seen.append(res.written)

    assert TestClient(app).get("/").text == "x"
    assert seen == [False, True]


def test_stream_in_process_with_httpx_asgi_transport(flags: Flags) -> None:
    async def run() -> bytes:
        transport = httpx.ASGITransport(app=make_app(flags))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return (await client.get("/mixed")).content

    assert asyncio.run(run()) == "text bytes array view \u00e9t\u00e9".encode()


class Countdown:
    """An async iterator that is not a generator: no `athrow`, no `aclose`."""

    def __init__(self) -> None:
        self.n = 3

    def __aiter__(self) -> Countdown:
        return self

    async def __anext__(self) -> str:
        self.n -= 1
        if self.n < 0:
            raise StopAsyncIteration
        return f"{self.n}\n"


async def call(app: App, path: str, fail_at: int) -> list[bytes]:
    """Call the app as an ASGI 2.4 server would: `send` raises OSError once the client left."""
    bodies: list[bytes] = []

    async def receive() -> Any:
        await asyncio.Event().wait()  # the client never says anything

    async def send(message: Any) -> None:
        if message["type"] == "http.response.body":
            if len(bodies) == fail_at:
                raise OSError("connection lost")
            bodies.append(message["body"])

    scope = {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""}
    await app(scope, receive, send)
    return bodies


async def test_send_failing_with_oserror_ends_the_stream(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="boca.core")
    app = App()
    closed: list[str] = []

    @app.route("/gen")
    async def gen(req, res):
        @res.stream
        async def body() -> AsyncIterator[str]:
            try:
                for n in range(100):
                    yield f"{n}\n"
            finally:
                closed.append("gen")

    @app.route("/told")
    async def told(req, res):
        @res.stream(throw_disconnect=True)
        async def body() -> AsyncIterator[str]:
            try:
                yield "a\n"
                yield "b\n"
            except ClientDisconnect:
                raise ValueError("cleanup failed") from None

    @app.route("/iterator")
    async def iterator(req, res):
        res.stream(Countdown, throw_disconnect=True)

    assert await call(app, "/gen", 2) == [b"0\n", b"1\n"]
    assert closed == ["gen"]
    assert await call(app, "/told", 1) == [b"a\n"]
    debug = [r for r in caplog.records if r.getMessage() == "stream closed after disconnect"]
    assert len(debug) == 1
    assert str(debug[0].exc_info[1]) == "cleanup failed"  # type: ignore[index]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert await call(app, "/iterator", 1) == [b"2\n"]
    assert await call(app, "/iterator", 9) == [b"2\n", b"1\n", b"0\n", b""]
