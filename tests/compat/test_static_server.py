"""boca.static behind a real Uvicorn server on 127.0.0.1: httpx, curl and raw sockets."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from boca.static import StaticFiles

from ._support import serve

pytestmark = pytest.mark.anyio

DATA = bytes(range(256)) * 4
BIG = 5 * 1024 * 1024 + 17
CSS = b"body { color: red; }\n" * 40
CURL = shutil.which("curl")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("site")
    root = base / "static"
    root.mkdir()
    (root / "data.bin").write_bytes(DATA)
    (root / "hello.txt").write_text("Hello, world!\n")
    (root / "app.css").write_bytes(CSS)
    import gzip

    (root / "app.css.gz").write_bytes(gzip.compress(CSS, mtime=0))
    with open(root / "big.bin", "wb") as out:
        block = os.urandom(64 * 1024)
        written = 0
        while written < BIG:
            out.write(block[: BIG - written])
            written += min(len(block), BIG - written)
    (base / "secret.txt").write_text("TOP SECRET")
    (base / "static_private").mkdir()
    (base / "static_private" / "index.html").write_text("PRIVATE")
    (root / ".env").write_text("SECRET=1")
    os.symlink(base / "secret.txt", root / "link.txt")
    return root


@pytest.fixture(scope="module")
def port(root: Path) -> Iterator[int]:
    static = StaticFiles(root, cache_max_file_size=64 * 1024)
    app = Starlette(routes=[Mount("/static", app=static, name="static")])
    with serve(app) as port:
        yield port


def _raw_get(port: int, target: bytes, headers: bytes = b"") -> tuple[int, bytes]:
    """Send a request line exactly as written (no client-side normalisation)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
        s.sendall(headers + b"\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data


async def test_full_and_conditional_with_httpx(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as c:
        r = await c.get("/static/data.bin")
        assert (r.status_code, r.content) == (200, DATA)
        assert r.headers["accept-ranges"] == "bytes"
        etag, last_modified = r.headers["etag"], r.headers["last-modified"]
        r = await c.get("/static/data.bin", headers={"if-none-match": etag})
        assert (r.status_code, r.content) == (304, b"")
        assert r.headers["etag"] == etag
        r = await c.get("/static/data.bin", headers={"if-modified-since": last_modified})
        assert r.status_code == 304
        r = await c.get("/static/data.bin", headers={"if-match": '"other"'})
        assert r.status_code == 412
        r = await c.head("/static/data.bin")
        assert (r.status_code, r.headers["content-length"], r.content) == (200, "1024", b"")
        r = await c.delete("/static/data.bin")
        assert (r.status_code, r.headers["allow"]) == (405, "GET, HEAD")


async def test_ranges_with_httpx(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as c:
        r = await c.get("/static/data.bin", headers={"range": "bytes=100-199"})
        assert (r.status_code, r.content) == (206, DATA[100:200])
        assert r.headers["content-range"] == "bytes 100-199/1024"
        r = await c.get("/static/data.bin", headers={"range": "bytes=0-1,-2"})
        assert r.status_code == 206
        boundary = r.headers["content-type"].split("boundary=")[1]
        assert r.content.count(b"--" + boundary.encode()) == 3
        assert b"Content-Range: bytes 1022-1023/1024\r\n\r\n" + DATA[-2:] in r.content
        r = await c.get("/static/data.bin", headers={"range": "bytes=5000-"})
        assert (r.status_code, r.headers["content-range"]) == (416, "bytes */1024")
        etag = (await c.get("/static/data.bin")).headers["etag"]
        r = await c.get("/static/data.bin", headers={"range": "bytes=0-0", "if-range": etag})
        assert (r.status_code, r.content) == (206, DATA[:1])
        r = await c.get("/static/data.bin", headers={"range": "bytes=0-0", "if-range": '"old"'})
        assert (r.status_code, r.content) == (200, DATA)
        # Large file: a range from the middle of a streamed file.
        r = await c.get("/static/big.bin", headers={"range": f"bytes={BIG - 70000}-"})
        assert r.status_code == 206
        assert len(r.content) == 70000


async def test_large_file_streams_with_httpx(port: int, root: Path) -> None:
    expected = (root / "big.bin").read_bytes()
    sizes = []
    async with (
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as c,
        c.stream("GET", "/static/big.bin") as r,
    ):
        assert r.status_code == 200
        assert r.headers["content-length"] == str(BIG)
        body = b""
        async for chunk in r.aiter_raw():
            sizes.append(len(chunk))
            body += chunk
    assert body == expected
    assert len(sizes) > 1


async def test_precompressed_with_httpx(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as c:
        r = await c.get("/static/app.css", headers={"accept-encoding": "gzip"})
        assert r.headers["content-encoding"] == "gzip"
        assert r.headers["vary"] == "Accept-Encoding"
        assert r.content == CSS


async def test_client_disconnect_mid_stream(port: int) -> None:
    """Closing the connection mid-download leaves the server healthy."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        assert s.recv(1024).startswith(b"HTTP/1.1 200")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as c:
        assert (await c.get("/static/hello.txt")).status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        b"/static/../secret.txt",
        b"/static/..%2fsecret.txt",
        b"/static/..%2f..%2fetc/passwd",
        b"/static/..%252f..%252fsecret.txt",
        b"/static/%2e%2e/secret.txt",
        b"/static/..\\secret.txt",
        b"/static/../static_private/index.html",
        b"/static/example%00.txt",
        b"/static//etc/passwd",
        b"/static/\\\\attacker\\share\\x",
        b"/static/C:\\Windows\\win.ini",
        b"/static/link.txt",
        b"/static/.env",
    ],
)
def test_hostile_paths_as_is(port: int, target: bytes) -> None:
    status, data = _raw_get(port, target)
    assert status == 404, data[:200]
    assert b"SECRET" not in data
    assert b"PRIVATE" not in data


CLIENTS = ["httpx", "curl"] if CURL else ["httpx"]


def _fetch(
    client: str, port: int, path: str, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    """One request through httpx or through curl (`--path-as-is`: no path normalisation)."""
    if client == "httpx":
        r = httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers)
        return r.status_code, dict(r.headers), r.content
    assert CURL is not None
    args = [arg for k, v in headers.items() for arg in ("-H", f"{k}: {v}")]
    out = subprocess.run(
        [
            CURL,
            "-s",
            "-i",
            "--path-as-is",
            "--max-time",
            "10",
            *args,
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        check=True,
        timeout=20,
    ).stdout
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parsed = {k.lower(): v for k, _, v in (line.partition(": ") for line in lines[1:])}
    return int(lines[0].split()[1]), parsed, body


@pytest.mark.parametrize("client", CLIENTS)
def test_ranges_and_conditionals_by_client(port: int, client: str) -> None:
    status, headers, body = _fetch(client, port, "/static/data.bin", {"Range": "bytes=10-19"})
    assert (status, body, headers["content-range"]) == (206, DATA[10:20], "bytes 10-19/1024")
    etag, last_modified = headers["etag"], headers["last-modified"]
    status, _, body = _fetch(client, port, "/static/data.bin", {"If-None-Match": etag})
    assert (status, body) == (304, b"")
    status, _, body = _fetch(client, port, "/static/data.bin", {"If-Modified-Since": last_modified})
    assert (status, body) == (304, b"")
    status, headers, _ = _fetch(client, port, "/static/data.bin", {"Range": "bytes=2000-"})
    assert (status, headers["content-range"]) == (416, "bytes */1024")
    status, headers, body = _fetch(client, port, "/static/data.bin", {"Range": "bytes=0-1,4-5"})
    assert status == 206
    assert headers["content-type"].startswith("multipart/byteranges; boundary=")
    assert b"Content-Range: bytes 4-5/1024\r\n\r\n" + DATA[4:6] in body
    range_if = {"Range": "bytes=0-0", "If-Range": etag}
    status, _, body = _fetch(client, port, "/static/data.bin", range_if)
    assert (status, body) == (206, DATA[:1])
    status, _, _ = _fetch(client, port, "/static/data.bin", {"If-Match": '"nope"'})
    assert status == 412
    status, headers, body = _fetch(client, port, "/static/big.bin", {"Range": "bytes=-5"})
    assert (status, len(body), headers["content-range"]) == (
        206,
        5,
        f"bytes {BIG - 5}-{BIG - 1}/{BIG}",
    )
    if client == "curl":
        status, _, body = _fetch(client, port, "/static/../secret.txt", {})
        assert status == 404
        assert b"SECRET" not in body
