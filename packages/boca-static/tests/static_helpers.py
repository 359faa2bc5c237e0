"""Test helpers for boca.static: a static site on disk and a raw ASGI driver (paths as-is)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

DATA = bytes(range(256)) * 4  # 1024 bytes, every byte value at a known offset


@dataclass
class Result:
    status: int
    headers: dict[str, str]
    body: bytes
    raw_headers: list[tuple[bytes, bytes]]
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def chunks(self) -> list[bytes]:
        return [m["body"] for m in self.messages if m["type"] == "http.response.body"]


async def call(
    app: Any,
    path: str,
    *,
    method: str = "GET",
    headers: Iterable[tuple[str, str]] = (),
    root_path: str = "",
    spec_version: str = "2.3",
    extensions: dict[str, Any] | None = None,
    send_error: type[BaseException] | None = None,
) -> Result:
    """Drive an ASGI app with a hand-made scope: the path reaches it exactly as written."""
    full = root_path + path
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": spec_version},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": full,
        "raw_path": full.encode("utf-8", "surrogatepass"),
        "root_path": root_path,
        "query_string": b"",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 12345),
    }
    if extensions is not None:
        scope["extensions"] = extensions
    messages: list[dict[str, Any]] = []
    done = anyio.Event()
    asked = False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if send_error is not None and message["type"] == "http.response.body":
            raise send_error("client went away")
        messages.append(message)
        if message["type"] == "http.response.pathsend" or (
            message["type"] == "http.response.body" and not message.get("more_body", False)
        ):
            done.set()

    await app(scope, receive, send)
    start = next(m for m in messages if m["type"] == "http.response.start")
    raw = list(start["headers"])
    names = [k for k, _ in raw]
    assert len(names) == len(set(names)), f"duplicate headers: {names}"
    assert all(k == k.lower() for k in names)
    hdrs: dict[str, str] = {}
    for k, v in raw:
        hdrs[k.decode("latin-1")] = v.decode("latin-1")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return Result(start["status"], hdrs, body, raw, messages)


def hand_anyio_tests_to_anyio(items: list[pytest.Item]) -> None:
    """Run tests marked `anyio` by anyio's plugin on their `anyio_backend`.

    pytest-asyncio's auto mode (the repository's setting) claims every coroutine test and
    would run the trio variant on asyncio; marked tests go back to plain pytest items, which
    anyio's plugin runs on the loop the test is parametrised with.
    """
    for item in items:
        if (
            isinstance(item, pytest.Function)
            and type(item) is not pytest.Function
            and item.get_closest_marker("anyio") is not None
        ):
            item.__class__ = pytest.Function
            item.own_markers = [m for m in item.own_markers if m.name != "asyncio"]


def write(root: Path, files: dict[str, bytes | str]) -> None:
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode()
        target.write_bytes(content)


def make_site(tmp_path: Path) -> Path:
    """A static directory next to a private sibling that shares its name as a prefix."""
    root = tmp_path / "static"
    write(
        root,
        {
            "hello.txt": "Hello, world!\n",
            "style.css": "body { color: red; }\n",
            "app.js": "console.log('hi');\n",
            "data.bin": DATA,
            "empty.txt": b"",
            "docs/index.html": "<h1>Docs</h1>\n",
            "docs/page.html": "<p>Page</p>\n",
            "nested/deep/file.json": '{"ok": true}\n',
            "noindex/readme.txt": "no index here\n",
            ".env": "SECRET=1\n",
            ".hidden/x.txt": "hidden\n",
            "image.PNG": b"\x89PNG fake",
            "unknown.zzz9": b"?",
            "archive.tar.gz": b"\x1f\x8b fake",
        },
    )
    write(tmp_path, {"static_private/index.html": "PRIVATE", "static1.txt": "PRIVATE1"})
    write(tmp_path, {"secret.txt": "TOP SECRET"})
    return root


def client(app: Any, root_path: str = "") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, root_path=root_path), base_url="http://testserver"
    )


class FakeApp:
    """The boca-core App surface that install() may use."""

    def __init__(self, debug: bool = False) -> None:
        self.debug = debug
        self.extensions: dict[str, Any] = {}
        self.mounts: list[tuple[str, Any, str | None]] = []

    def mount(self, path: str, app: Any, name: str | None = None) -> None:
        self.mounts.append((path, app, name))


def ranges_of(body: bytes, boundary: str) -> Sequence[tuple[str, bytes]]:
    """Split a multipart/byteranges body into (Content-Range, payload) pairs."""
    parts = body.split(b"--" + boundary.encode())
    assert parts[0] == b""
    assert parts[-1] == b"--\r\n"
    out = []
    for part in parts[1:-1]:
        head, _, payload = part.partition(b"\r\n\r\n")
        assert payload.endswith(b"\r\n")
        lines = dict(
            line.split(": ", 1) for line in head.decode().strip("\r\n").split("\r\n") if line
        )
        out.append((lines["Content-Range"], payload[:-2]))
    return out
