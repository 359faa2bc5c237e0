"""Precompressed `.br` / `.gz` siblings: negotiation, headers, validators and ranges."""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any

import pytest
from static_helpers import call, write

from boca.static import StaticFiles
from boca.static._http import choose_encoding

pytestmark = pytest.mark.anyio

TEXT = b"body { color: red; }\n" * 50
GZ = gzip.compress(TEXT, mtime=0)
BR = b"fake brotli bytes"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write(tmp_path, {"app.css": TEXT, "app.css.gz": GZ, "app.css.br": BR, "plain.txt": "plain"})
    write(tmp_path, {"only-gz.js": "x" * 300, "only-gz.js.gz": gzip.compress(b"x" * 300)})
    return tmp_path


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip, deflate, br", "br"),
        ("br;q=0.5, gzip", "gzip"),
        ("gzip;q=0.8, br;q=0.9", "br"),
        ("gzip", "gzip"),
        ("x-gzip", "gzip"),
        ("deflate", None),
        ("identity", None),
        ("br;q=0, gzip;q=0", None),
        ("*", "br"),
        ("*;q=0.5, gzip", "gzip"),
        ("*;q=0", None),
        ("gzip;q=0.5, identity", None),
        ("gzip;q=abc", None),
        ("gzip;q=2", None),
        ("GZIP ; Q=0.9 ; foo=bar", "gzip"),
        (" , ,gzip", "gzip"),
        ("", None),
    ],
)
async def test_negotiation(root: Path, accept: str, coding: str | None) -> None:
    r = await call(StaticFiles(root), "/app.css", headers=[("accept-encoding", accept)])
    assert r.status == 200
    assert r.headers["vary"] == "Accept-Encoding"
    assert r.headers["content-type"] == "text/css; charset=utf-8"
    assert r.headers.get("content-encoding") == coding
    expected = {"br": BR, "gzip": GZ, None: TEXT}[coding]
    assert r.body == expected
    assert r.headers["content-length"] == str(len(expected))


async def test_no_accept_encoding_gets_identity_with_vary(root: Path) -> None:
    r = await call(StaticFiles(root), "/app.css")
    assert (r.body, r.headers["vary"]) == (TEXT, "Accept-Encoding")
    assert "content-encoding" not in r.headers


async def test_file_without_siblings_has_no_vary(root: Path) -> None:
    r = await call(StaticFiles(root), "/plain.txt", headers=[("accept-encoding", "gzip, br")])
    assert "vary" not in r.headers
    assert "content-encoding" not in r.headers


async def test_only_available_sibling_is_used(root: Path) -> None:
    r = await call(StaticFiles(root), "/only-gz.js", headers=[("accept-encoding", "br, gzip")])
    assert r.headers["content-encoding"] == "gzip"
    assert gzip.decompress(r.body) == b"x" * 300


async def test_each_representation_has_its_own_etag(root: Path) -> None:
    app = StaticFiles(root)
    tags = set()
    for accept in ("br", "gzip", "identity"):
        tags.add(
            (await call(app, "/app.css", headers=[("accept-encoding", accept)])).headers["etag"]
        )
    assert len(tags) == 3
    br_tag = (await call(app, "/app.css", headers=[("accept-encoding", "br")])).headers["etag"]
    r = await call(app, "/app.css", headers=[("accept-encoding", "br"), ("if-none-match", br_tag)])
    assert r.status == 304
    assert r.headers["vary"] == "Accept-Encoding"
    r = await call(
        app, "/app.css", headers=[("accept-encoding", "gzip"), ("if-none-match", br_tag)]
    )
    assert (r.status, r.body) == (200, GZ)


@pytest.mark.parametrize("cached", [True, False])
async def test_ranges_apply_to_the_encoded_bytes(root: Path, cached: bool) -> None:
    app = StaticFiles(root, cache_max_file_size=100_000 if cached else 5)
    h = [("accept-encoding", "gzip"), ("range", "bytes=0-9")]
    r = await call(app, "/app.css", headers=h)
    assert r.status == 206
    assert r.body == GZ[:10]
    assert r.headers["content-range"] == f"bytes 0-9/{len(GZ)}"
    assert r.headers["content-encoding"] == "gzip"
    assert r.headers["content-type"] == "text/css; charset=utf-8"
    etag = r.headers["etag"]
    h2 = [("accept-encoding", "gzip"), ("range", f"bytes={len(GZ)}-"), ("if-range", etag)]
    r = await call(app, "/app.css", headers=h2)
    assert (r.status, r.headers["content-range"]) == (416, f"bytes */{len(GZ)}")
    assert r.headers["content-type"] == "application/json"
    assert r.headers["vary"] == "Accept-Encoding"
    assert "content-encoding" not in r.headers
    # A validator of the identity representation does not match the encoded one.
    plain_etag = (await call(app, "/app.css")).headers["etag"]
    h3 = [("accept-encoding", "gzip"), ("range", "bytes=0-9"), ("if-range", plain_etag)]
    r = await call(app, "/app.css", headers=h3)
    assert (r.status, r.body) == (200, GZ)


async def test_stale_sibling_is_not_served(root: Path) -> None:
    os.utime(root / "app.css.gz", (1_000_000_000, 1_000_000_000))
    r = await call(StaticFiles(root), "/app.css", headers=[("accept-encoding", "gzip")])
    assert "content-encoding" not in r.headers
    assert r.body == TEXT


async def test_precompressed_off(root: Path) -> None:
    r = await call(
        StaticFiles(root, precompressed=False), "/app.css", headers=[("accept-encoding", "br")]
    )
    assert r.body == TEXT
    assert "vary" not in r.headers


async def test_sibling_appearing_later_is_picked_up(tmp_path: Path) -> None:
    write(tmp_path, {"a.js": "y" * 400})
    app = StaticFiles(tmp_path, check_interval=0)
    r = await call(app, "/a.js", headers=[("accept-encoding", "gzip")])
    assert "content-encoding" not in r.headers
    (tmp_path / "a.js.gz").write_bytes(gzip.compress(b"y" * 400))
    r = await call(app, "/a.js", headers=[("accept-encoding", "gzip")])
    assert r.headers["content-encoding"] == "gzip"
    os.remove(tmp_path / "a.js.gz")
    r = await call(app, "/a.js", headers=[("accept-encoding", "gzip")])
    assert (r.body, r.headers.get("content-encoding")) == (b"y" * 400, None)


async def test_sibling_that_cannot_be_read_is_skipped(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from boca.static import _finder

    def open_but_not_br(path: str, *args: Any, **kwargs: Any) -> Any:
        if str(path).endswith(".br"):
            raise PermissionError(path)
        return open(path, *args, **kwargs)

    monkeypatch.setattr(_finder, "open", open_but_not_br, raising=False)
    r = await call(StaticFiles(root), "/app.css", headers=[("accept-encoding", "br, gzip")])
    assert r.headers["content-encoding"] == "gzip"


def test_choose_encoding_prefers_brotli_on_ties() -> None:
    assert choose_encoding("gzip, br", ("br", "gzip")) == "br"
    assert choose_encoding("gzip, br", ("gzip",)) == "gzip"
    assert choose_encoding("br;q=0.1", ("gzip",)) == "identity"


def test_accept_encoding_memo_is_bounded() -> None:
    from boca.static import _http

    for i in range(300):
        _http.parse_accept_encoding(f"gzip;q=0.{i % 10}, x{i}")
    assert len(_http._ACCEPT_CACHE) <= 256
