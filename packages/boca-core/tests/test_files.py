from __future__ import annotations

import os
import pathlib
from email.utils import formatdate

import pytest

from boca.core import App
from boca.core.testing import TestClient

CONTENT = b"0123456789" * 10


@pytest.fixture
def files(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "data.bin").write_bytes(CONTENT)
    (tmp_path / "page.txt").write_text("hello")
    (tmp_path / "style.css").write_text("b{}")
    (tmp_path / "sub").mkdir()
    os.utime(tmp_path / "data.bin", (1_700_000_000, 1_700_000_000))
    return tmp_path


@pytest.fixture
def client(files: pathlib.Path) -> TestClient:
    app = App()

    @app.route("/f/{name}")
    async def serve(req, res, name: str, attach: bool = False, status: int = 200):
        res.status_code = status
        res.set_cookie("a", "1")
        res.set_cookie("b", "2")
        res.headers["cache-control"] = "no-cache"
        res.file(files / name, attach=attach)

    @app.route("/named")
    async def named(req, res):
        res.file(
            files / "data.bin", attach=True, filename="名前.bin", media_type="application/x-thing"
        )

    @app.route("/media")
    async def media(req, res):
        res.media_type = "text/markdown"
        res.file(str(files / "page.txt"))

    return TestClient(app)


def test_file_headers(client: TestClient) -> None:
    response = client.get("/f/data.bin")
    assert response.status_code == 200
    assert response.content == CONTENT
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-length"] == "100"
    assert response.headers["last-modified"] == formatdate(1_700_000_000, usegmt=True)
    assert response.headers["etag"].startswith('"')
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers.get_list("set-cookie") == [
        "a=1; HttpOnly; Path=/; SameSite=Lax",
        "b=2; HttpOnly; Path=/; SameSite=Lax",
    ]
    assert response.headers["cache-control"] == "no-cache"


def test_file_content_type_guessed(client: TestClient) -> None:
    assert client.get("/f/page.txt").headers["content-type"] == "text/plain; charset=utf-8"
    assert client.get("/f/style.css").headers["content-type"] == "text/css; charset=utf-8"


def test_file_media_type_override(client: TestClient) -> None:
    assert client.get("/media").headers["content-type"] == "text/markdown; charset=utf-8"
    named = client.get("/named")
    assert named.headers["content-type"] == "application/x-thing"
    assert named.headers["content-disposition"] == (
        "attachment; filename=\"__.bin\"; filename*=UTF-8''%E5%90%8D%E5%89%8D.bin"
    )


def test_file_attach(client: TestClient) -> None:
    response = client.get("/f/page.txt?attach=1")
    assert response.headers["content-disposition"] == 'attachment; filename="page.txt"'


def test_missing_file_and_directory_are_404(client: TestClient) -> None:
    assert client.get("/f/nope.txt").json() == {
        "error": "404 Not Found",
        "status": 404,
        "detail": "file not found",
    }
    assert client.get("/f/sub").status_code == 404


def test_head_file(client: TestClient) -> None:
    response = client.head("/f/data.bin")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == "100"


def test_if_none_match_304(client: TestClient) -> None:
    etag = client.get("/f/data.bin").headers["etag"]
    for value in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        response = client.get("/f/data.bin", headers={"if-none-match": value})
        assert response.status_code == 304
        assert response.content == b""
        assert response.headers["etag"] == etag
        assert "content-length" not in response.headers
    assert client.get("/f/data.bin", headers={"if-none-match": '"nope"'}).status_code == 200


def test_if_modified_since_304(client: TestClient) -> None:
    later = formatdate(1_700_000_100, usegmt=True)
    earlier = formatdate(1_699_999_000, usegmt=True)
    assert client.get("/f/data.bin", headers={"if-modified-since": later}).status_code == 304
    assert client.get("/f/data.bin", headers={"if-modified-since": earlier}).status_code == 200
    assert client.get("/f/data.bin", headers={"if-modified-since": "garbage"}).status_code == 200


def test_if_match_412(client: TestClient) -> None:
    etag = client.get("/f/data.bin").headers["etag"]
    response = client.get("/f/data.bin", headers={"if-match": '"other"'})
    assert response.status_code == 412
    assert response.content == b""
    assert response.headers["content-length"] == "0"
    assert client.get("/f/data.bin", headers={"if-match": etag}).status_code == 200
    assert client.get("/f/data.bin", headers={"if-match": "*"}).status_code == 200


def test_if_unmodified_since_412(client: TestClient) -> None:
    earlier = formatdate(1_699_999_000, usegmt=True)
    later = formatdate(1_700_000_100, usegmt=True)
    assert client.get("/f/data.bin", headers={"if-unmodified-since": earlier}).status_code == 412
    assert client.get("/f/data.bin", headers={"if-unmodified-since": later}).status_code == 200


def test_conditional_only_for_200(client: TestClient) -> None:
    etag = client.get("/f/data.bin").headers["etag"]
    response = client.get("/f/data.bin?status=203", headers={"if-none-match": etag})
    assert response.status_code == 203


def test_single_range(client: TestClient) -> None:
    response = client.get("/f/data.bin", headers={"range": "bytes=10-19"})
    assert response.status_code == 206
    assert response.content == CONTENT[10:20]
    assert response.headers["content-range"] == "bytes 10-19/100"
    suffix = client.get("/f/data.bin", headers={"range": "bytes=-5"})
    assert suffix.content == CONTENT[-5:]


def test_multiple_ranges(client: TestClient) -> None:
    response = client.get("/f/data.bin", headers={"range": "bytes=0-1,50-51"})
    assert response.status_code == 206
    assert response.headers["content-type"].startswith("multipart/byteranges; boundary=")
    assert b"01" in response.content
    assert b"Content-Range: bytes 50-51/100" in response.content


def test_unsatisfiable_range_416(client: TestClient) -> None:
    response = client.get("/f/data.bin", headers={"range": "bytes=500-600"})
    assert response.status_code == 416
    assert response.headers["content-range"] == "bytes */100"


def test_malformed_range_is_ignored(client: TestClient) -> None:
    response = client.get("/f/data.bin", headers={"range": "pages=1-2"})
    assert response.status_code == 200
    assert response.content == CONTENT
