"""One `Range` policy for `res.file()`, per RFC 9110 section 14.2 and as boca-static has it
(issue 14, #9): an invalid Range is ignored (200, the whole file); a valid range set that no
byte satisfies is a 416; unsatisfiable ranges of a set are left out."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator

import httpx
import pytest

from boca.core import App
from boca.core.testing import LiveServer

CONTENT = bytes(range(100))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("files")
    (folder / "data.bin").write_bytes(CONTENT)
    (folder / "empty.bin").write_bytes(b"")
    os.utime(folder / "data.bin", (1_700_000_000, 1_700_000_000))
    app = App()

    @app.route("/f/{name}", methods=["GET", "POST"])
    async def serve(req, res, name: str):
        res.file(pathlib.Path(folder) / name)

    with LiveServer(app) as server:
        yield server


def get(live: LiveServer, range_: str, name: str = "data.bin", **headers: str) -> httpx.Response:
    return httpx.get(f"{live.url}/f/{name}", headers={"range": range_, **headers})


@pytest.mark.parametrize(
    "value",
    [
        "pages=1-2",  # another unit
        "bytes",
        "bytes=",
        "bytes=,",
        "bytes=abc",
        "bytes=5-2",  # last-pos before first-pos: invalid (RFC 9110 14.1.2)
        "bytes=0-1,5-2",
        "bytes=1-2-3",
        "bytes=--5",
        "bytes=+1-2",
        "bytes=1 - 2",
        "bytes=0x10-0x20",
        "bytes=1e2-",
    ],
)
def test_range_malformed_is_ignored(live: LiveServer, value: str) -> None:
    response = get(live, value)
    assert response.status_code == 200
    assert response.content == CONTENT
    assert "content-range" not in response.headers


@pytest.mark.parametrize("value", ["bytes=100-", "bytes=500-600", "bytes=-0", "bytes=100-100,200-"])
def test_range_unsatisfiable_is_416(live: LiveServer, value: str) -> None:
    response = get(live, value)
    assert response.status_code == 416
    assert response.headers["content-range"] == "bytes */100"
    assert response.json() == {
        "error": "416 Range Not Satisfiable",
        "status": 416,
        "detail": "no requested range is within the 100 bytes of the file",
    }


def test_range_on_an_empty_file_is_416(live: LiveServer) -> None:
    response = get(live, "bytes=0-", name="empty.bin")
    assert response.status_code == 416
    assert response.headers["content-range"] == "bytes */0"


@pytest.mark.parametrize(
    ("value", "content_range", "body"),
    [
        ("bytes=10-19", "bytes 10-19/100", CONTENT[10:20]),
        ("BYTES=10-19", "bytes 10-19/100", CONTENT[10:20]),
        ("bytes=0-0", "bytes 0-0/100", CONTENT[:1]),
        ("bytes=90-", "bytes 90-99/100", CONTENT[90:]),
        ("bytes=95-1000", "bytes 95-99/100", CONTENT[95:]),
        ("bytes=-5", "bytes 95-99/100", CONTENT[95:]),
        ("bytes=-500", "bytes 0-99/100", CONTENT),
        ("bytes= 10-19", "bytes 10-19/100", CONTENT[10:20]),
        ("bytes=,10-19,", "bytes 10-19/100", CONTENT[10:20]),  # empty list elements
        ("bytes=10-19,500-600", "bytes 10-19/100", CONTENT[10:20]),  # the satisfiable one
    ],
)
def test_range_satisfiable_is_206(
    live: LiveServer, value: str, content_range: str, body: bytes
) -> None:
    response = get(live, value)
    assert response.status_code == 206
    assert response.headers["content-range"] == content_range
    assert response.content == body


def test_range_set_is_multipart(live: LiveServer) -> None:
    response = get(live, "bytes=0-1,50-51")
    assert response.status_code == 206
    assert response.headers["content-type"].startswith("multipart/byteranges; boundary=")
    assert b"Content-Range: bytes 0-1/100" in response.content
    assert b"Content-Range: bytes 50-51/100" in response.content


def test_range_with_a_stale_if_range_is_the_whole_file(live: LiveServer) -> None:
    for value in ("bytes=10-19", "bytes=500-600"):
        response = get(live, value, **{"if-range": '"stale"'})
        assert response.status_code == 200
        assert response.content == CONTENT


def test_range_with_a_current_if_range(live: LiveServer) -> None:
    etag = httpx.get(f"{live.url}/f/data.bin").headers["etag"]
    response = get(live, "bytes=10-19", **{"if-range": etag})
    assert response.status_code == 206
    assert response.content == CONTENT[10:20]
    assert get(live, "bytes=500-", **{"if-range": etag}).status_code == 416


def test_range_is_for_get_and_head_only(live: LiveServer) -> None:
    response = httpx.post(f"{live.url}/f/data.bin", headers={"range": "bytes=500-600"})
    assert response.status_code == 200
    assert response.content == CONTENT
