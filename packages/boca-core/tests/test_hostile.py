"""The hostile cases of reliability-cases.md for boca-core HTTP, one test per row.

Rows that involve the wire run against a real Uvicorn (`LiveServer`), with raw sockets where
httpx will not send the malformed bytes.
"""

from __future__ import annotations

import logging
import os
import pathlib
import re
import select
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest

from boca.core import (
    App,
    Converter,
    HTTPError,
    Redirect,
    Response,
    UploadFile,
    register_converter,
    safe_redirect_target,
    save_upload,
)
from boca.core.testing import LiveServer, TestClient


class MaybeEmpty(Converter[str]):
    """A converter that also matches an empty segment (`//`), as some apps register."""

    regex = "[^/]*"

    def convert(self, value: str) -> str:
        return value


register_converter("maybe_empty", MaybeEmpty())


def make_app() -> App:
    app = App()

    @app.route("/copy/{p:path}")
    async def copy(req, res, p: str):
        res.headers["x-path"] = req.scope["path"]
        res.text = "copied"

    @app.route("/copy-url/{p:path}")
    async def copy_url(req, res, p: str):
        res.headers["x-path"] = req.url.path  # urlsplit() already drops CR and LF
        res.text = "copied"

    @app.route("/copy-error/{p:path}")
    async def copy_error(req, res, p: str):
        raise HTTPError(400, headers={"x-path": p})

    @app.route("/copy-redirect/{p:path}")
    async def copy_redirect(req, res, p: str):
        raise Redirect("/" + p)

    @app.route("/copy-attachment/{p:path}")
    async def copy_attachment(req, res, p: str):
        res.attachment = p
        res.text = "file"

    @app.route("/boom/{p:path}")
    async def boom(req, res, p: str):
        raise RuntimeError("db password=hunter2")

    @app.route("/where/{p:path}", name="where")
    async def where(req, res, p: str):
        res.json = {
            "url": str(req.url),
            "path": req.url.path,
            "host": req.url.hostname,
            "base": str(req.base_url),
            "self": req.app.url_for("where", p=p),
            "absolute": str(req.url_for("where", p=p)),
            "admin": req.url.path.startswith("/where/admin"),
        }

    @app.route("/{a:maybe_empty}/{b}/")
    async def slash(req, res, a: str, b: str):
        res.text = "slash"

    @app.route("/{name}/")
    async def one_slash(req, res, name: str):
        res.text = "slash"

    @app.route("/echo", methods=["POST"])
    async def echo(req, res):
        res.json = {"size": len(await req.body())}

    @app.route("/stream", methods=["POST"])
    async def stream(req, res):
        total = 0
        async for chunk in req:
            total += len(chunk)
        res.json = {"size": total}

    @app.route("/ping")
    async def ping(req, res):
        res.text = "pong"

    @app.route("/upload", methods=["POST"], max_body_size=64 * 1024 * 1024)
    async def upload(req, res):
        form = await req.form()
        file = form["file"]
        assert isinstance(file, UploadFile)
        saved = await save_upload(file, req.app.state.upload_dir)
        res.json = {"name": saved.name, "size": saved.stat().st_size}

    return app


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    app = make_app()
    app.state.upload_dir = tmp_path_factory.mktemp("uploads")
    with LiveServer(app) as server:
        yield server


POST = b"POST /echo HTTP/1.1\r\nHost: x\r\n"


def _small_buffer_connection(port: int) -> socket.socket:
    """A client socket with a small send buffer, so "sent" stays close to "read by the server"."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
    sock.settimeout(30)
    sock.connect(("127.0.0.1", port))
    return sock


def status_line(response: bytes) -> bytes:
    return response.split(b"\r\n", 1)[0]


def still_serving(live: LiveServer) -> None:
    assert httpx.get(live.url + "/ping").text == "pong"


# -- request line, headers, URL reconstruction ----------------------------------------------


def test_hostile_C1(live: LiveServer, raw: Callable[..., bytes]) -> None:
    for prefix in ("copy", "copy-url", "copy-error", "copy-redirect", "copy-attachment"):
        response = httpx.get(
            f"{live.url}/{prefix}/foo%0d%0aSet-Cookie:%20x=1", follow_redirects=False
        )
        assert "set-cookie" not in response.headers
        if prefix == "copy-attachment":  # CR/LF dropped from the file name, header intact
            assert response.status_code == 200
            assert (
                response.headers["content-disposition"]
                == 'attachment; filename="fooSet-Cookie: x=1"'
            )
        elif prefix == "copy-url":
            assert response.status_code == 200
            assert response.headers["x-path"] == "/copy-url/fooSet-Cookie: x=1"
        else:
            assert response.status_code == 500
            assert set(response.json()) == {"error", "status", "request_id"}
    for encoded in ("%0a", "%0d", "%00"):
        response = raw(
            live.port,
            f"GET /copy/a{encoded}b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode(),
        )
        assert status_line(response) == b"HTTP/1.1 500 Internal Server Error"
        head = response.split(b"\r\n\r\n", 1)[0]
        assert b"x-path" not in head.lower()
    still_serving(live)


def test_hostile_C2(live: LiveServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    access = logging.getLogger("uvicorn.access")
    old_level, old_propagate = access.level, access.propagate
    access.setLevel(logging.INFO)
    access.propagate = True
    try:
        httpx.get(live.url + "/boom/%1b[2J%1b[31mpwned")
        httpx.get(live.url + "/copy/%1b[31mred")
    finally:
        access.setLevel(old_level)
        access.propagate = old_propagate
    ours = [r.getMessage() for r in caplog.records if r.name == "boca.core"]
    assert len(ours) == 2  # the failing view, and the header refused for its ESC byte
    assert "'/boom/\\x1b[2J\\x1b[31mpwned'" in ours[0]
    assert "'/copy/\\x1b[31mred'" in ours[1]
    accessed = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    # Uvicorn percent-encodes ESC; whether it encodes "[" too, and in which case, varies.
    escaped = re.compile(r"/boom/%1b(?:\[|%5b)2j%1b(?:\[|%5b)31mpwned", re.IGNORECASE)
    assert any(escaped.search(line) for line in accessed), accessed
    for record in caplog.records:
        assert "\x1b" not in record.getMessage()


@pytest.mark.parametrize(
    "request_line",
    [
        b"GET / HTTP/1.1 junk",
        b"G(T / HTTP/1.1",
        b"GET / HTTP/9.x",
        b"GET /\x00 HTTP/1.1",
        b"GET  HTTP/1.1",
    ],
)
def test_hostile_C3(live: LiveServer, raw: Callable[..., bytes], request_line: bytes) -> None:
    response = raw(live.port, request_line + b"\r\nHost: x\r\n\r\n")
    assert status_line(response) == b"HTTP/1.1 400 Bad Request"
    assert response.endswith(b"Invalid HTTP request received.")
    assert b"connection: close" in response.lower()
    still_serving(live)


@pytest.mark.parametrize(
    "data",
    [
        POST + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        POST + b"Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",  # bare LF
        POST + b"Transfer-Encoding: chunked\r\n\r\n5;a\nb\r\nhello\r\n0\r\n\r\n",  # LF in ext
        POST + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    ],
)
def test_hostile_C4(live: LiveServer, raw: Callable[..., bytes], data: bytes) -> None:
    response = raw(live.port, data)
    assert status_line(response) == b"HTTP/1.1 400 Bad Request"
    assert response.count(b"HTTP/1.1") == 1  # one answer: the stream was never read twice
    still_serving(live)


@pytest.mark.parametrize(
    "headers",
    [
        b"X-Big: " + b"a" * 100_000 + b"\r\n",
        b"".join(b"X-%d: a\r\n" % i for i in range(10_000)),
    ],
)
def test_hostile_C6(live: LiveServer, raw: Callable[..., bytes], headers: bytes) -> None:
    response = raw(live.port, b"GET /ping HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert status_line(response) == b"HTTP/1.1 431 Request Header Fields Too Large"
    assert b"connection: close" in response.lower()
    still_serving(live)


def test_hostile_C6_trickled_header_is_bounded(live: LiveServer) -> None:
    """A header sent in pieces is refused once the head passes the limit, not at its end."""
    with _small_buffer_connection(live.port) as sock:
        sock.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: ")
        sent = 0
        answer = b""
        while sent < 64 * 1024 * 1024:
            try:
                sock.sendall(b"a" * 8192)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += 8192
            if select.select([sock], [], [], 0)[0]:
                answer = sock.recv(4096)
                break
        if not answer:
            answer = sock.recv(4096)
    assert status_line(answer) == b"HTTP/1.1 431 Request Header Fields Too Large"
    # Answered long before the 64 MiB header ends (what the kernel buffers is all in flight).
    assert sent < 4 * 1024 * 1024
    still_serving(live)


@pytest.mark.parametrize(
    "host", [b"foo/?x=", b"foo/#", b"user@foo", b"foo\\bar", b"foo bar", b"evil.com/where/admin?"]
)
def test_hostile_C7(live: LiveServer, raw: Callable[..., bytes], host: bytes) -> None:
    response = raw(
        live.port, b"GET /where/public HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n"
    )
    assert status_line(response) == b"HTTP/1.1 200 OK"
    body = httpx.Response(200, content=response.split(b"\r\n\r\n", 1)[1]).json()
    origin = f"http://127.0.0.1:{live.port}"
    assert body["url"] == origin + "/where/public"
    assert body["path"] == "/where/public"
    assert body["host"] == "127.0.0.1"
    assert body["base"] == origin + "/"
    assert body["absolute"] == "/where/public"  # no trusted address: relative (issue 14, #4)
    assert body["admin"] is False
    still_serving(live)


@pytest.mark.parametrize(
    ("target", "p"),
    [
        (b"//evil.com/x", None),
        (b"/where//evil.com/x", "/evil.com/x"),
        (b"/where/@evil.com", "@evil.com"),
        (b"/where/user:pass@evil.com", "user:pass@evil.com"),
        (b"/where/http://evil.com/x", "http://evil.com/x"),
        (b"http://evil.com/where/x", "x"),
    ],
)
def test_hostile_C8(
    live: LiveServer, raw: Callable[..., bytes], target: bytes, p: str | None
) -> None:
    host = f"127.0.0.1:{live.port}".encode()
    response = raw(
        live.port,
        b"GET " + target + b" HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n",
    )
    if p is None:  # `//evil.com/x` is no route here
        assert status_line(response) == b"HTTP/1.1 404 Not Found"
        return
    assert status_line(response) == b"HTTP/1.1 200 OK"
    body = httpx.Response(200, content=response.split(b"\r\n\r\n", 1)[1]).json()
    assert body["host"] == "127.0.0.1"
    assert httpx.URL(body["url"]).host == "127.0.0.1"
    assert body["absolute"] == body["self"]  # no trusted address: relative (issue 14, #4)
    assert body["self"].startswith("/where/")
    assert not body["self"].startswith("//")
    assert httpx.get(live.url + body["self"]).json()["path"] == "/where/" + p
    still_serving(live)


def test_hostile_C8_url_for_and_redirects_never_emit_authority() -> None:
    app = App()

    @app.route("/{p:path}", name="any")
    async def anything(req, res, p: str):
        res.text = p

    for value in ("/evil.com", "//evil.com", "\\evil.com", "/\\evil.com"):
        url = app.url_for("any", p=value)
        assert not url.startswith("//")
        assert not url.startswith("/\\")
        assert TestClient(app).get(url).text == value


def test_hostile_C9() -> None:
    app = App()

    @app.route("/things")
    class Things:
        async def get(self, req, res):
            res.text = "get"

        async def delete(self, req, res):
            res.text = "deleted"

        async def _do_delete(self, req, res):
            raise AssertionError("never dispatched")

        async def dispatch(self, req, res):
            raise AssertionError("never dispatched")

        def __init__(self) -> None:
            self.ready = True

    client = TestClient(app)
    for method in ("_DO_DELETE", "__INIT__", "DISPATCH", "__CLASS__", "HANDLE", "CONNECT", "TRACE"):
        response = client.request(method, "/things")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, HEAD, DELETE, OPTIONS"
    assert client.delete("/things").text == "deleted"


# -- routing and converters -------------------------------------------------------------------


def _int_app() -> App:
    app = App()

    @app.route("/users/{user_id:int}")
    async def user(req, res, user_id: int):
        res.json = {"id": user_id}

    @app.route("/annotated/{user_id}")
    async def annotated(req, res, user_id: int):
        res.json = {"id": user_id}

    @app.route("/floats/{x:float}")
    async def floats(req, res, x: float):
        res.json = {"x": x}

    return app


def test_hostile_C14() -> None:
    client = TestClient(_int_app())
    for path in (
        "/users/abc",
        "/users/1a",
        "/users/-3",
        "/users/%EF%BC%91",
        "/users/ 1",
        "/users/",
    ):
        assert client.get(path).status_code == 404
    assert client.get("/users/12").json() == {"id": 12}


def test_hostile_C15(live: LiveServer) -> None:
    client = TestClient(_int_app())
    digits = "9" * 5000
    assert client.get("/users/" + digits).status_code == 404
    assert client.get("/floats/" + digits).status_code == 404
    annotated = client.get("/annotated/" + digits)
    assert annotated.status_code == 400
    assert annotated.json()["detail"] == [
        {"loc": ["path", "user_id"], "msg": "expected an integer", "type": "type"}
    ]
    # On the wire too: a 4xx, and the server keeps serving.
    assert httpx.get(live.url + "/where/" + digits).status_code == 200
    with LiveServer(_int_app()) as server:
        assert httpx.get(server.url + "/users/" + digits).status_code == 404
        assert httpx.get(server.url + "/users/7").json() == {"id": 7}


def test_hostile_C18(live: LiveServer, raw: Callable[..., bytes]) -> None:
    response = raw(live.port, b"GET //evil.com HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status_line(response) == b"HTTP/1.1 307 Temporary Redirect"
    assert b"\r\nlocation: /evil.com/\r\n" in response
    with_query = raw(
        live.port, b"GET //evil.com?next=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert b"\r\nlocation: /evil.com/?next=1\r\n" in with_query
    client = TestClient(make_app(), follow_redirects=False)
    for path in ("/\\evil.com", "/%5Cevil.com", "/%5C%5Cevil.com"):
        response = client.get(path)
        assert response.status_code == 307
        assert response.headers["location"] == "/evil.com/"
    response = raw(live.port, b"GET /%5C/evil.com HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert b"\r\nlocation: /evil.com/\r\n" in response
    still_serving(live)


# -- bodies -----------------------------------------------------------------------------------


def _json_app() -> App:
    app = App()

    @app.route("/json", methods=["POST"])
    async def json_(req, res):
        res.json = {"got": await req.json()}

    return app


def test_hostile_C20() -> None:
    client = TestClient(_json_app())
    response = client.post(
        "/json", content=b'{"a": }', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Malformed JSON: ")
    assert response.json()["error"] == "400 Bad Request"


def test_hostile_C21() -> None:
    client = TestClient(_json_app())
    for body in (b"", b"   \n"):
        response = client.post("/json", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 400
        assert response.json()["detail"] == "Malformed JSON: empty body"


def test_hostile_C23() -> None:
    client = TestClient(_json_app())
    body = b"[" * 100_000 + b"]" * 100_000
    response = client.post("/json", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Malformed JSON: ")
    deep_ok = b"[" * 100 + b"]" * 100
    assert client.post("/json", content=deep_ok).status_code == 200


def _form_app(**route_options: object) -> App:
    app = App(max_body_size=None)

    @app.route("/form", methods=["POST"], **route_options)  # type: ignore[arg-type]
    async def form(req, res):
        form = await req.form()
        res.json = {"fields": len(form)}

    return app


def _multipart(parts: list[tuple[str, str | None, bytes]], boundary: str = "B0UNDARY") -> bytes:
    out = []
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out.append(
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
        )
    return b"".join(out) + f"--{boundary}--\r\n".encode()


MULTIPART = {"content-type": "multipart/form-data; boundary=B0UNDARY"}


def test_hostile_C25() -> None:
    client = TestClient(_form_app())
    for count in (1_000, 100_000):
        content_type = 'multipart/form-data; boundary="' + "\\" * count + "a"
        started = time.perf_counter()
        response = client.post(
            "/form", content=b"--a\r\n\r\n", headers={"content-type": content_type}
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 400
        assert response.json()["detail"] == "Invalid multipart data."
        assert elapsed < 1.0  # linear: the row asks < 100 ms; generous for a shared machine


def test_hostile_C26() -> None:
    client = TestClient(_form_app())
    fields = [(f"f{i}", None, b"x") for i in range(1001)]
    response = client.post("/form", content=_multipart(fields), headers=MULTIPART)
    assert response.status_code == 400
    assert response.json()["detail"] == "Too many fields. Maximum number of fields is 1000."
    files = [(f"f{i}", f"{i}.txt", b"x") for i in range(1001)]
    response = client.post("/form", content=_multipart(files), headers=MULTIPART)
    assert response.status_code == 400
    assert response.json()["detail"] == "Too many files. Maximum number of files is 1000."
    ok = client.post("/form", content=_multipart(fields[:1000]), headers=MULTIPART)
    assert ok.json() == {"fields": 1000}


async def test_hostile_C27() -> None:
    consumed = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal consumed
        yield b'--B0UNDARY\r\nContent-Disposition: form-data; name="text"\r\n\r\n'
        for _ in range(50):  # 50 MB, never all in memory: the app stops reading at the limit
            consumed += 1
            yield b"a" * (1024 * 1024)
        yield b"\r\n--B0UNDARY--\r\n"

    async with TestClient(_form_app()) as client:
        response = await client.post("/form", content=body(), headers=MULTIPART)
    assert response.status_code == 400
    assert response.json()["detail"] == "Part exceeded maximum size of 1024KB."
    assert consumed < 5


def test_hostile_C28() -> None:
    client = TestClient(_form_app())
    form = {"content-type": "application/x-www-form-urlencoded"}
    many = "&".join(f"f{i}=x" for i in range(10_000)).encode()
    response = client.post("/form", content=many, headers=form)
    assert response.status_code == 400
    assert response.json()["detail"] == "Too many fields. Maximum number of fields is 1000."
    big = b"field=" + b"a" * (5 * 1024 * 1024)
    response = client.post("/form", content=big, headers=form)
    assert response.status_code == 400
    assert response.json()["detail"] == "Field exceeded maximum size of 1024KB."
    big_name = b"a" * (5 * 1024 * 1024) + b"=1"
    assert client.post("/form", content=big_name, headers=form).status_code == 400


def test_hostile_C29(live: LiveServer) -> None:
    """While a file twice the spool size is being parsed, other requests are answered."""
    halfway = threading.Event()
    pinged = threading.Event()
    chunk = b"z" * (256 * 1024)
    results: dict[str, object] = {}

    def body() -> Iterator[bytes]:
        yield b"--B0UNDARY\r\nContent-Disposition: form-data; "
        yield b'name="file"; filename="big.bin"\r\n\r\n'
        for _ in range(6):  # 1.5 MiB: past the 1 MiB spool, so it has rolled over to disk
            yield chunk
        halfway.set()
        assert pinged.wait(30)
        for _ in range(2):
            yield chunk
        yield b"\r\n--B0UNDARY--\r\n"

    def upload() -> None:
        results["upload"] = httpx.post(
            live.url + "/upload", content=body(), headers=MULTIPART, timeout=60
        )

    thread = threading.Thread(target=upload)
    thread.start()
    try:
        assert halfway.wait(30)
        ping = httpx.get(live.url + "/ping", timeout=30)  # answered mid-upload
        results["ping"] = ping.text
    finally:
        pinged.set()
        thread.join(60)
    assert results["ping"] == "pong"
    response = results["upload"]
    assert isinstance(response, httpx.Response)
    assert response.status_code == 200, response.text
    assert response.json() == {"name": "big.bin", "size": 8 * 256 * 1024}


@pytest.mark.parametrize(
    ("sent", "saved"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\win.ini", "win.ini"),
        ("a\x00.png", "a.png"),
        ("/etc/shadow", "shadow"),
        ("C:\\Windows\\win.ini", "win.ini"),  # python-multipart reports it as "win.ini"
        ("..", None),
        ("", None),
        ("CON.txt", None),
        ("x" * 500 + ".png", "x" * 251 + ".png"),
        ("名" * 200 + ".pdf", "名" * 83 + ".pdf"),
    ],
)
async def test_hostile_C33(tmp_path: pathlib.Path, sent: str, saved: str | None) -> None:
    app = App()
    seen: dict[str, object] = {}

    @app.route("/up", methods=["POST"])
    async def up(req, res):
        form = await req.form()
        file = form["file"]
        assert isinstance(file, UploadFile)
        seen["filename"] = file.filename
        seen["path"] = await save_upload(file, tmp_path)

    escaped = sent.replace("\\", "\\\\").replace('"', '\\"')
    body = (
        b'--B0UNDARY\r\nContent-Disposition: form-data; name="file"; filename="'
        + escaped.encode()
        + b'"\r\n\r\ncontent\r\n--B0UNDARY--\r\n'
    )
    async with TestClient(app) as client:
        assert (await client.post("/up", content=body, headers=MULTIPART)).status_code == 200
    if not sent.startswith("C:"):
        assert seen["filename"] == sent  # reported as sent
    path = seen["path"]
    assert isinstance(path, pathlib.Path)
    assert path.parent == tmp_path.resolve()
    assert path.read_bytes() == b"content"
    assert len(path.name.encode()) <= 255
    assert os.listdir(tmp_path) == [path.name]
    if saved is not None:
        assert path.name == saved
    else:
        assert path.name not in ("", ".", "..")
        assert not path.name.lower().startswith("con")


def test_hostile_C34(live: LiveServer, raw: Callable[..., bytes]) -> None:
    head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n"
    response = raw(live.port, head + b"Expect: 100-continue\r\n\r\n")
    assert status_line(response) == b"HTTP/1.1 413 Content Too Large"
    assert b"100 Continue" not in response
    assert b'"detail":"request body is larger than 10485760 bytes"' in response
    response = raw(live.port, head + b"\r\n" + b"x" * 1000)  # refused before reading the rest
    assert status_line(response) == b"HTTP/1.1 413 Content Too Large"
    still_serving(live)


def test_hostile_C35(live: LiveServer) -> None:
    with _small_buffer_connection(live.port) as sock:
        sock.sendall(b"POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        piece = b"%x\r\n%s\r\n" % (64 * 1024, b"y" * 64 * 1024)
        sent = 0
        answer = b""
        while sent < 100 * 1024 * 1024:
            if select.select([sock], [], [], 0)[0]:
                answer = sock.recv(65536)
                break
            try:
                sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += 64 * 1024
        while not answer.endswith(b"}"):
            more = sock.recv(65536)
            if not more:
                break
            answer += more
    assert status_line(answer) == b"HTTP/1.1 413 Content Too Large"
    assert sent < 20 * 1024 * 1024  # aborted near the 10 MiB threshold, not at the 100 MiB end
    still_serving(live)


# -- responses, redirects, cookies, downloads ---------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "/\\evil.com",
        "http:\\\\evil.com",
        "https://evil.com",
        "javascript:alert(1)",
        "\t//evil.com",
        "/\t/evil.com",
        "\\/evil.com",
        "https:evil.com",
        "//evil.com/%2F..",
        "java\nscript:alert(1)",
        "\x00//evil.com",
        " https://evil.com",
    ],
)
def test_hostile_C38(target: str) -> None:
    app = App()

    @app.route("/login")
    async def login(req, res, next: str = "/"):
        raise Redirect.safe(next, fallback="/home")

    client = TestClient(app, follow_redirects=False)
    response = client.get("/login", params={"next": target})
    assert response.status_code == 302
    assert response.headers["location"] == "/home"
    assert safe_redirect_target(target) == "/"
    assert safe_redirect_target("/dashboard?tab=1") == "/dashboard?tab=1"
    assert (
        safe_redirect_target("https://ok.example/x", allowed_hosts=["ok.example"])
        == "https://ok.example/x"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            'a";\\" dummy".txt',
            'attachment; filename="a_;__ dummy_.txt"; '
            "filename*=UTF-8''a%22%3B%5C%22%20dummy%22.txt",
        ),
        ("名前.pdf", "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E5%90%8D%E5%89%8D.pdf"),
        ("a\r\nSet-Cookie: x=1.txt", 'attachment; filename="aSet-Cookie: x=1.txt"'),
        (
            "tab\there\x01.txt",
            "attachment; filename=\"tab here_.txt\"; filename*=UTF-8''tab%20here%01.txt",
        ),
    ],
)
def test_hostile_C39(name: str, expected: str) -> None:
    app = App()

    @app.route("/download")
    async def download(req, res, name: str = ""):
        res.attachment = name
        res.content = b"data"

    response = TestClient(app).get("/download", params={"name": name})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == expected
    assert "set-cookie" not in response.headers


def test_hostile_C40(tmp_path: pathlib.Path) -> None:
    (tmp_path / "f.bin").write_bytes(b"0123456789" * 2000)
    app = App()

    @app.route("/f")
    async def f(req, res):
        res.file(tmp_path / "f.bin")

    client = TestClient(app)
    ranges = "bytes=" + ",".join(f"{i}-{i}" for i in range(0, 20_000, 2))
    started = time.perf_counter()
    response = client.get("/f", headers={"range": ranges})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200  # too many ranges: the whole file, once
    assert len(response.content) == 20_000
    assert elapsed < 2.0
    few = client.get("/f", headers={"range": "bytes=0-0,2-2,4-4"})
    assert few.status_code == 206


def test_hostile_C42() -> None:
    res = Response(None)  # type: ignore[arg-type]
    res.set_cookie("data", 'a;b,c "d"\r\nSet-Cookie: evil=1')
    (header,) = res.headers.getlist("set-cookie")
    assert "\r" not in header
    assert "\n" not in header
    assert header.startswith('data="a\\073b\\054c \\"d\\"\\015\\012Set-Cookie: evil=1"')
    for name in ("a;b", "a b", "a=b", "a\r\nb", "", "a,b", "expires", "ä"):
        with pytest.raises(ValueError):
            res.set_cookie(name, "v")
    app = App()

    @app.route("/c")
    async def c(req, res, v: str = ""):
        res.set_cookie("v", v)

    response = TestClient(app).get("/c", params={"v": "x;y\r\nSet-Cookie: z=1"})
    assert response.headers.get_list("set-cookie") == [
        'v="x\\073y\\015\\012Set-Cookie: z=1"; HttpOnly; Path=/; SameSite=Lax'
    ]


# -- errors and debug output ---------------------------------------------------------------------


def test_hostile_C46(live: LiveServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    response = httpx.get(live.url + "/boom/x")
    assert response.status_code == 500
    body = response.json()
    assert set(body) == {"error", "status", "request_id"}
    assert body["error"] == "500 Internal Server Error"
    for secret in ("hunter2", "RuntimeError", "Traceback", "password"):
        assert secret not in response.text
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1  # logged once: by boca.core, not again by the server
    assert errors[0].name == "boca.core"
    assert body["request_id"] in errors[0].getMessage()
    assert "hunter2" in caplog.text
    assert "Traceback (most recent call last)" in caplog.text


def test_hostile_C47() -> None:
    app = App(debug=True)

    @app.route("/xss/{p:path}")
    async def xss(req, res, p: str):
        raise ValueError("<script>alert(1)</script>")

    client = TestClient(app)
    response = client.get("/xss/<script>alert(2)</script>", headers={"accept": "text/html"})
    assert response.status_code == 500
    assert "<script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "/xss/&lt;script&gt;alert(2)&lt;/script&gt;" in response.text


def test_hostile_C48(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    for var in ("BOCA_DEBUG", "DEBUG", "PYTHONDEVMODE"):
        monkeypatch.setenv(var, "1")
    app = App()
    assert app.debug is False

    @app.route("/boom")
    async def boom(req, res):
        raise RuntimeError("secret")

    page = TestClient(app).get("/boom", headers={"accept": "text/html"})
    assert page.status_code == 500
    assert "secret" not in page.text
    assert "Traceback" not in page.text
    debug_app = App(debug=True)
    debug_app.route("/boom")(boom)
    with TestClient(debug_app, client=("203.0.113.9", 4000)) as client:
        shown = client.get("/boom", headers={"accept": "text/html"})
    assert "debug mode is on" in caplog.text
    assert "secret" in shown.text
    lowered = shown.text.lower()
    for console in ("<form", "<script", "<input", "eval(", "console"):
        assert console not in lowered


# -- faults ------------------------------------------------------------------------------------


def test_hostile_F3(caplog: pytest.LogCaptureFixture) -> None:
    app = App()

    @app.route("/fail")
    async def fail(req, res):
        res.text = "partial, never sent"
        raise KeyError("internal detail")

    response = TestClient(app).get("/fail", headers={"accept": "text/html"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "status", "request_id"}
    assert "internal detail" not in response.text
    assert "partial" not in response.text
    records = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(records) == 1
    assert body["request_id"] in records[0].getMessage()
    assert records[0].exc_info is not None
    assert records[0].exc_info[0] is KeyError


def test_hostile_F12(live: LiveServer) -> None:
    assert httpx.post(live.url + "/echo", content=b"x" * (10 * 1024 * 1024 + 1)).status_code == 413
    client = TestClient(_form_app(max_body_size=1000))
    assert client.post("/form", content=b"x" * 1001, headers=MULTIPART).status_code == 413
    fields = [(f"f{i}", None, b"x") for i in range(1001)]
    assert (
        TestClient(_form_app())
        .post("/form", content=_multipart(fields), headers=MULTIPART)
        .status_code
        == 400
    )
    assert httpx.post(live.url + "/echo", content=b"x" * 100).json() == {"size": 100}
