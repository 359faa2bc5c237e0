"""`res.chunked`, `res.headers.pop()` and a `res.status_code` of the wrong type."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from boca.core import App, Request, Response
from boca.core.testing import LiveServer, TestClient


def chunked_app() -> App:
    app = App()

    @app.route("/chunked")
    async def chunked(req: Request, res: Response) -> None:
        res.chunked = True
        res.text = "hello, " * 3

    @app.route("/empty")
    async def empty(req: Request, res: Response) -> None:
        res.chunked = True

    @app.route("/sized")
    async def sized(req: Request, res: Response) -> None:
        res.text = "sized"

    return app


def _raw_get(port: int, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


@pytest.mark.parametrize("http", ["h11", "httptools", None])
def test_chunked_over_uvicorn(http: str | None) -> None:
    config: dict[str, Any] = {"http": http} if http else {}
    with LiveServer(chunked_app(), **config) as server:
        response = httpx.get(server.url + "/chunked")
        assert response.status_code == 200
        assert response.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in response.headers
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert response.text == "hello, hello, hello, "
        head, _, body = _raw_get(server.port, "/chunked").partition(b"\r\n\r\n")
        assert b"\r\ntransfer-encoding: chunked" in head.lower()
        assert body == b"15\r\nhello, hello, hello, \r\n0\r\n\r\n"
        empty = httpx.get(server.url + "/empty")
        assert (empty.status_code, empty.content) == (200, b"")
        assert empty.headers["transfer-encoding"] == "chunked"
        sized = httpx.get(server.url + "/sized")
        assert sized.headers["content-length"] == "5"
        assert "transfer-encoding" not in sized.headers


def test_headers_pop() -> None:
    app = App()
    popped: list[object] = []

    @app.route("/")
    async def index(req: Request, res: Response) -> None:
        res.headers["X-One"] = "1"
        res.headers.append("Set-Cookie", "a=1")
        res.headers.append("Set-Cookie", "b=2")
        res.headers["X-Kept"] = "yes"
        popped.append(res.headers.pop("x-one"))
        popped.append(res.headers.pop("Set-Cookie"))
        popped.append(res.headers.pop("X-Missing", None))
        try:
            res.headers.pop("X-Missing")
        except KeyError as exc:
            popped.append(exc.args[0])
        res.text = "ok"

    response = TestClient(app).get("/")
    assert response.status_code == 200
    assert popped == ["1", "a=1", None, "X-Missing"]
    assert "x-one" not in response.headers
    assert "set-cookie" not in response.headers
    assert response.headers["x-kept"] == "yes"


def test_status_code_of_the_wrong_type_names_the_view(caplog: pytest.LogCaptureFixture) -> None:
    app = App()

    @app.route("/create")
    async def create(req: Request, res: Response) -> None:
        res.status_code = "201"  # type: ignore[assignment]

    with caplog.at_level(logging.ERROR, "boca.core"):
        response = TestClient(app).get("/create")
    assert response.status_code == 500
    assert response.json()["error"] == "500 Internal Server Error"
    line = create.__code__.co_firstlineno
    message = caplog.records[-1].exc_info[1]  # type: ignore[index]
    assert isinstance(message, TypeError)
    assert str(message) == (
        f"view 'test_status_code_of_the_wrong_type_names_the_view.<locals>.create' "
        f"({__file__}:{line}) of route '/create' set res.status_code to '201' (str): a status "
        "code is an int from 100 to 599, like res.status_code = 201 (or HTTPStatus.CREATED)"
    )
    assert "not supported between" not in caplog.text


@pytest.mark.parametrize("body", ["stream", "file"])
def test_status_code_of_the_wrong_type_with_streams_and_files(
    body: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = App()

    @app.route("/")
    async def view(req: Request, res: Response) -> None:
        res.status_code = "200"  # type: ignore[assignment]
        if body == "file":
            res.file(__file__)
        else:

            @res.stream
            async def chunks() -> AsyncIterator[str]:
                yield "x"

    with caplog.at_level(logging.ERROR, "boca.core"):
        response = TestClient(app).get("/")
    assert response.status_code == 500
    assert "set res.status_code to '200' (str)" in caplog.text
