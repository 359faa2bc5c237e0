"""Boca's HTTP protocol on the wire: fixed reason phrases, and errors that wait their turn.

Through a real Uvicorn with Boca's `HttpToolsProtocol`, with raw sockets: the status line is the
bytes under test, and pipelining needs several requests in one packet.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import anyio
import pytest

from boca.core import App, HTTPError
from boca.core.server import HttpToolsProtocol
from boca.core.testing import LiveServer, TestClient

#: The codes whose phrase `http.HTTPStatus` words differently before Python 3.13, and some
#: that never changed.
RFC_9110_LINES = {
    200: b"HTTP/1.1 200 OK",
    404: b"HTTP/1.1 404 Not Found",
    413: b"HTTP/1.1 413 Content Too Large",
    414: b"HTTP/1.1 414 URI Too Long",
    416: b"HTTP/1.1 416 Range Not Satisfiable",
    422: b"HTTP/1.1 422 Unprocessable Content",
    431: b"HTTP/1.1 431 Request Header Fields Too Large",
    499: b"HTTP/1.1 499 ",  # no registered phrase: the space stays, as RFC 9112 requires
}


class QuickHeads(HttpToolsProtocol):
    head_timeout = 0.3


def make_app() -> App:
    app = App()

    @app.route("/status/{code:int}")
    async def status(req, res, code: int):
        res.status_code = code
        res.text = "set"

    @app.route("/error/{code:int}")
    async def error(req, res, code: int):
        raise HTTPError(code)

    @app.route("/slow")
    async def slow(req, res):
        await anyio.sleep(0.5)  # still being answered when the next request is refused
        res.text = "slow done"

    @app.route("/fast")
    async def fast(req, res):
        res.text = "fast done"

    return app


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    with LiveServer(make_app()) as server:
        yield server


def exchange(port: int, data: bytes) -> bytes:
    """Send `data` in one write and read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    return out


def responses(data: bytes) -> list[tuple[bytes, dict[bytes, bytes], bytes]]:
    """Split the bytes of consecutive responses (each with Content-Length) into their parts."""
    found = []
    while data:
        head, _, data = data.partition(b"\r\n\r\n")
        status, *lines = head.split(b"\r\n")
        headers = dict(line.lower().split(b": ", 1) for line in lines)
        length = int(headers[b"content-length"])
        found.append((status, headers, data[:length]))
        data = data[length:]
    return found


def get(path: str, *extra: bytes, close: bool = False) -> bytes:
    lines = [b"GET " + path.encode() + b" HTTP/1.1", b"Host: x", *extra]
    if close:
        lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n"


@pytest.mark.parametrize("code", sorted(RFC_9110_LINES))
def test_the_status_line_has_rfc_9110_phrases_on_every_python(live: LiveServer, code: int) -> None:
    [(status, _, body)] = responses(exchange(live.port, get(f"/status/{code}", close=True)))
    assert status == RFC_9110_LINES[code]
    assert body == b"set"


@pytest.mark.parametrize(
    ("code", "title"),
    [
        (413, "413 Content Too Large"),
        (414, "414 URI Too Long"),
        (416, "416 Range Not Satisfiable"),
        (422, "422 Unprocessable Content"),
        (418, "418 I'm a Teapot"),
        (499, "499"),
    ],
)
def test_error_titles_use_the_same_phrases(live: LiveServer, code: int, title: str) -> None:
    assert HTTPError(code).title == title
    [(status, _, body)] = responses(exchange(live.port, get(f"/error/{code}", close=True)))
    assert status == RFC_9110_LINES.get(code, b"HTTP/1.1 418 I'm a Teapot")
    assert body == b'{"error":"%s","status":%d}' % (title.encode(), code)
    with TestClient(make_app()) as client:
        assert client.get(f"/error/{code}").json() == {"error": title, "status": code}


def test_a_431_for_a_pipelined_request_waits_for_the_answer_before_it(live: LiveServer) -> None:
    too_many = [b"X-H%d: v" % i for i in range(150)]
    answer = exchange(live.port, get("/slow") + get("/fast", *too_many))
    [first, refused] = responses(answer)
    assert first[0] == b"HTTP/1.1 200 OK"
    assert first[2] == b"slow done"
    assert b"connection" not in first[1]  # the first answer is an ordinary keep-alive one
    assert refused[0] == b"HTTP/1.1 431 Request Header Fields Too Large"
    assert refused[1][b"connection"] == b"close"
    assert refused[2] == b"Request header fields too large."


def test_every_pipelined_answer_before_an_error_is_written_in_order(live: LiveServer) -> None:
    answer = exchange(live.port, get("/slow") + get("/fast") + b"G(T / HTTP/1.1\r\n\r\n")
    assert [(status, body) for status, _, body in responses(answer)] == [
        (b"HTTP/1.1 200 OK", b"slow done"),
        (b"HTTP/1.1 200 OK", b"fast done"),
        (b"HTTP/1.1 400 Bad Request", b"Invalid HTTP request received."),
    ]


def test_a_408_for_a_pipelined_head_waits_for_the_answer_before_it() -> None:
    with LiveServer(make_app(), http=QuickHeads) as server:
        # The second head never ends: its 0.3 s deadline passes while /slow is answered.
        answer = exchange(server.port, get("/slow") + b"GET /fast HTTP/1.1\r\nHost: x\r\n")
    [first, refused] = responses(answer)
    assert (first[0], first[2]) == (b"HTTP/1.1 200 OK", b"slow done")
    assert refused[0] == b"HTTP/1.1 408 Request Timeout"
    assert refused[1][b"connection"] == b"close"
    assert refused[2] == b"Request head not received in time."


def test_an_error_with_nothing_in_flight_is_written_at_once(live: LiveServer) -> None:
    too_many = [b"X-H%d: v" % i for i in range(150)]
    [(status, headers, _)] = responses(exchange(live.port, get("/fast", *too_many)))
    assert status == b"HTTP/1.1 431 Request Header Fields Too Large"
    assert headers[b"connection"] == b"close"
