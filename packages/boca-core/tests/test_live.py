"""End to end through a real Uvicorn on 127.0.0.1 (`LiveServer`)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import httpx
import pytest

from boca.core import App, HTTPError, Redirect
from boca.core.server import MAX_HEADERS
from boca.core.testing import LiveServer


def make_app() -> App:
    app = App(max_body_size=4 * 1024 * 1024)

    @app.route("/")
    async def index(req, res):
        res.json = {"hello": "world"}

    @app.route("/users/{user_id:int}", methods=["GET", "DELETE"], name="user")
    async def user(req, res, user_id: int):
        if user_id == 0:
            raise HTTPError(404, detail="no such user")
        res.json = {
            "id": user_id,
            "method": req.method,
            "url": str(req.url_for("user", user_id=user_id)),
        }

    @app.route("/echo", methods=["POST"])
    async def echo(req, res):
        res.content = await req.body()

    @app.route("/form", methods=["POST"])
    async def form(req, res):
        form = await req.form()
        upload = form["file"]
        res.json = {"name": form["name"], "file": upload.filename, "size": len(await upload.read())}  # type: ignore[union-attr]

    @app.route("/old")
    async def old(req, res):
        raise Redirect("/", permanent=True)

    @app.route("/cookie")
    async def cookie(req, res):
        res.set_cookie("session", "abc")
        res.text = req.cookies.get("session", "none")

    return app


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    with LiveServer(make_app()) as server:
        yield server


def test_json_and_reverse_routing(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url) as client:
        assert client.get("/").json() == {"hello": "world"}
        response = client.delete("/users/3")
        assert response.json() == {"id": 3, "method": "DELETE", "url": "/users/3"}
        assert client.get("/users/0").json() == {
            "error": "404 Not Found",
            "status": 404,
            "detail": "no such user",
        }
        assert client.get("/users/x").status_code == 404


def test_head_options_405(live: LiveServer) -> None:
    head = httpx.head(live.url + "/users/3")
    assert head.status_code == 200
    assert head.content == b""
    assert int(head.headers["content-length"]) > 0
    options = httpx.options(live.url + "/users/3")
    assert options.status_code == 204
    assert options.headers["allow"] == "GET, HEAD, DELETE, OPTIONS"
    post = httpx.post(live.url + "/users/3")
    assert post.status_code == 405
    assert post.headers["allow"] == "GET, HEAD, DELETE, OPTIONS"


def test_bodies_and_forms(live: LiveServer) -> None:
    big = b"b" * (2 * 1024 * 1024)
    assert httpx.post(live.url + "/echo", content=big).content == big
    response = httpx.post(
        live.url + "/form", data={"name": "n"}, files={"file": ("a.txt", b"hello")}
    )
    assert response.json() == {"name": "n", "file": "a.txt", "size": 5}
    assert httpx.post(live.url + "/echo", content=b"x" * (4 * 1024 * 1024 + 1)).status_code == 413


def test_redirect_and_cookies(live: LiveServer) -> None:
    response = httpx.get(live.url + "/old")
    assert response.status_code == 301
    assert response.headers["location"] == "/"
    with httpx.Client(base_url=live.url) as client:
        first = client.get("/cookie")
        assert first.text == "none"
        assert first.headers["set-cookie"] == "session=abc; HttpOnly; Path=/; SameSite=Lax"
        assert client.get("/cookie").text == "abc"


def test_big_body_in_one_write_is_not_a_big_head(
    live: LiveServer, raw: Callable[..., bytes]
) -> None:
    body = b"x" * (1024 * 1024)
    head = (
        b"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n"
        % len(body)
    )
    response = raw(live.port, head + body)
    assert response.startswith(b"HTTP/1.1 200 OK")
    assert response.endswith(body)


def test_keep_alive_and_pipelining(live: LiveServer) -> None:
    request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall(request * 3)
        data = b""
        while data.count(b'{"hello":"world"}') < 3:
            chunk = sock.recv(65536)
            assert chunk
            data += chunk
    assert data.count(b"HTTP/1.1 200 OK") == 3


def test_many_headers_below_the_limit(live: LiveServer) -> None:
    headers = {f"x-h{i}": "v" * 100 for i in range(MAX_HEADERS - 10)}
    assert httpx.get(live.url + "/", headers=headers).status_code == 200


def test_huge_request_target_is_431(live: LiveServer, raw: Callable[..., bytes]) -> None:
    response = raw(live.port, b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert response.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert httpx.get(live.url + "/").status_code == 200


def test_live_server_stop_without_start() -> None:
    server = LiveServer(make_app())
    server.stop()


def test_live_server_with_h11() -> None:
    with LiveServer(make_app(), http="h11") as server:
        assert httpx.get(server.url + "/").json() == {"hello": "world"}
