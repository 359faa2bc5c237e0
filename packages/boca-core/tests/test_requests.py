from __future__ import annotations

import json
from typing import Any

import pytest

from boca.core import App, UploadFile
from boca.core.testing import TestClient


def make_app() -> App:
    app = App(max_body_size=1000)

    @app.route("/info/{name}")
    async def info(req, res, name: str):
        res.json = {
            "method": req.method,
            "url": str(req.url),
            "base_url": str(req.base_url),
            "header": req.headers.get("x-thing"),
            "query": req.query_params.getlist("q"),
            "path_params": req.path_params,
            "cookies": req.cookies,
            "client": list(req.client) if req.client else None,
            "route": req.route.pattern,
        }

    @app.route("/body", methods=["POST"])
    async def body(req, res):
        res.content = await req.body()

    @app.route("/stream", methods=["POST"])
    async def stream(req, res):
        sizes = [len(chunk) async for chunk in req]
        res.json = {"total": sum(sizes)}

    @app.route("/json", methods=["POST"])
    async def json_(req, res):
        res.json = {"got": await req.json(), "again": await req.json()}

    @app.route("/form", methods=["POST"])
    async def form(req, res):
        form = await req.form()
        out = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                out[key] = {"filename": value.filename, "size": len(await value.read())}
            else:
                out[key] = value
        res.json = out

    @app.route("/big", methods=["POST"], max_body_size=5000)
    async def big(req, res):
        res.json = {"size": len(await req.body())}

    @app.route("/unlimited", methods=["POST"])
    async def unlimited(req, res):
        req.max_body_size = None
        res.json = {"size": len(await req.body())}

    return app


client = TestClient(make_app())


def test_request_attributes() -> None:
    client.cookies.set("session", "abc")
    try:
        response = client.get("/info/bob?q=1&q=2", headers={"X-Thing": "yes"})
    finally:
        client.cookies.clear()
    assert response.json() == {
        "method": "GET",
        "url": "http://testserver/info/bob?q=1&q=2",
        "base_url": "http://testserver/",
        "header": "yes",
        "query": ["1", "2"],
        "path_params": {"name": "bob"},
        "cookies": {"session": "abc"},
        "client": ["testclient", 50000],
        "route": "/info/{name}",
    }


def test_body_and_stream() -> None:
    assert client.post("/body", content=b"hello").content == b"hello"
    assert client.post("/stream", content=b"x" * 900).json() == {"total": 900}


def test_json_body() -> None:
    response = client.post("/json", json={"a": [1, 2]})
    assert response.json() == {"got": {"a": [1, 2]}, "again": {"a": [1, 2]}}


@pytest.mark.parametrize("body", [b'{"a": }', b"\xff\xfe", b"[1, 2", b"NaN", b'{"a": 1} trailing'])
def test_malformed_json_is_400(body: bytes) -> None:
    response = client.post("/json", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Malformed JSON: ")


def test_body_limit_app_wide_with_content_length() -> None:
    response = client.post("/body", content=b"x" * 1001)
    assert response.status_code == 413
    assert response.json() == {
        "error": "413 Content Too Large",
        "status": 413,
        "detail": "request body is larger than 1000 bytes",
    }


def test_body_limit_chunked() -> None:
    def chunks():  # no Content-Length: Transfer-Encoding chunked
        for _ in range(20):
            yield b"x" * 100

    response = client.post("/stream", content=chunks())
    assert response.status_code == 413


def test_body_limit_per_route() -> None:
    assert client.post("/big", content=b"x" * 4000).json() == {"size": 4000}
    assert client.post("/big", content=b"x" * 5001).status_code == 413
    assert client.post("/unlimited", content=b"x" * 3000).json() == {"size": 3000}


@pytest.mark.parametrize("length", ["abc", "-1", "1" * 25, "\u00b2"])
async def test_invalid_content_length_is_400(length: str) -> None:
    app = make_app()
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/body",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-length", length.encode("latin-1"))],
        "scheme": "http",
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 1234),
        "http_version": "1.1",
    }
    await app(scope, receive, send)
    assert sent[0]["status"] == 400
    assert json.loads(sent[1]["body"])["detail"] == "invalid Content-Length header"  # type: ignore[arg-type]


def test_form_urlencoded() -> None:
    response = client.post("/form", data={"a": "1", "b": ["x", "y"]})
    assert response.json() == {"a": "1", "b": "y"}


def test_form_multipart_with_upload() -> None:
    response = client.post(
        "/form",
        data={"field": "value"},
        files={"upload": ("../../etc/passwd", b"data", "text/plain")},
    )
    assert response.json() == {
        "field": "value",
        "upload": {"filename": "../../etc/passwd", "size": 4},
    }


def test_form_multipart_without_boundary_is_400() -> None:
    response = client.post("/form", content=b"x", headers={"content-type": "multipart/form-data"})
    assert response.status_code == 400
    assert response.json()["detail"] == "Missing boundary in multipart."


def test_form_other_content_type_is_empty() -> None:
    assert client.post("/form", content=b"x", headers={"content-type": "text/plain"}).json() == {}


async def test_async_client_and_disconnect() -> None:
    app = make_app()
    async with TestClient(app) as c:
        response = await c.post("/body", content=b"async")
        assert response.content == b"async"
    disconnected = await _drive_disconnect(app)
    assert disconnected == []


async def _drive_disconnect(app: App) -> list[dict[str, object]]:
    """A client that goes away mid-body: no response is attempted."""
    sent: list[dict[str, object]] = []
    messages = [
        {"type": "http.request", "body": b"ab", "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, object]:
        return messages.pop(0)

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/body",
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "scheme": "http",
        "server": ("127.0.0.1", 80),
        "client": None,
        "http_version": "1.1",
    }
    await app(scope, receive, send)
    return sent


async def test_form_errors_without_app_in_scope() -> None:
    """A Request built by hand (no app in the scope) still turns bad forms into HTTPError."""
    from boca.core import HTTPError, Request

    body = b"--x\r\nContent-Disposition: form-data\r\n\r\nv\r\n--x--\r\n"
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, object]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "query_string": b"",
        "headers": [(b"content-type", b"multipart/form-data; boundary=x")],
    }
    request = Request(scope, receive)
    with pytest.raises(HTTPError) as info:
        await request.form()
    assert info.value.status_code == 400
    assert "name" in str(info.value.detail)
    assert str(request.base_url) == "/"
    assert request.base_url is request.base_url


def test_uploaded_files_are_closed_after_the_response_and_its_background_tasks() -> None:
    """A 2 MB upload is spooled to a temporary file: closed (and so removed) once the
    request is over, after the background task that still reads it, not left to the GC."""
    app = App()
    kept: list[UploadFile] = []
    read_later: list[int] = []

    @app.route("/upload", methods=["POST"])
    async def upload(req, res):
        form = await req.form()
        file = form["file"]
        kept.append(file)

        async def count() -> None:
            await file.seek(0)
            read_later.append(len(await file.read()))

        res.background(count)
        res.text = "ok"

    @app.route("/error", methods=["POST"])
    async def error(req, res):
        kept.append((await req.form())["file"])
        raise ValueError("boom")

    data = b"x" * (2 * 1024 * 1024)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/upload", files={"file": ("big.bin", data)})
        assert response.status_code == 200
        assert response.text == "ok"
        assert client.post("/error", files={"file": ("a.txt", b"a")}).status_code == 500
    assert read_later == [len(data)]
    assert [f.file.closed for f in kept] == [True, True]


def test_hostile_F1_an_upload_that_fails_to_close_does_not_keep_the_others_open(caplog) -> None:
    """Closing one upload raises OSError (a failing disk): the response stands, the other
    upload is still closed, and the failure is a warning, not an error."""
    import logging

    app = App()
    kept: list[UploadFile] = []
    originals: list[Any] = []

    @app.route("/upload", methods=["POST"])
    async def upload(req, res):
        form = await req.form()
        first, second = form.getlist("file")
        kept.extend([first, second])

        def broken() -> None:
            raise OSError(5, "Input/output error")

        originals.append(first.file.close)
        first.file.close = broken  # type: ignore[method-assign]
        res.text = "ok"

    with caplog.at_level(logging.DEBUG, logger="boca.core"), TestClient(app) as client:
        response = client.post(
            "/upload", files=[("file", ("a.txt", b"a")), ("file", ("b.txt", b"b"))]
        )
    assert response.status_code == 200
    assert response.text == "ok"
    assert kept[1].file.closed
    failures = [r for r in caplog.records if r.name == "boca.core"]
    assert [(r.levelno, r.getMessage()) for r in failures] == [
        (logging.WARNING, "closing the upload 'a.txt' failed")
    ]
    assert not kept[0].file.closed
    originals[0]()  # the test's own clean-up
