"""Serving files: statuses, headers, html mode, fallback, directories, errors, install()."""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path

import anyio
import anyio.lowlevel
import pytest
from static_helpers import DATA, FakeApp, call, client, write

from boca.static import IMMUTABLE, StaticFiles, __version__

pytestmark = pytest.mark.anyio


def test_version() -> None:
    # The installed distribution's version: the one pyproject.toml gave the wheel.
    assert __version__ == importlib.metadata.version("boca-static")


async def test_get_text_file(site: Path) -> None:
    async with client(StaticFiles(site)) as c:
        r = await c.get("/hello.txt")
    assert r.status_code == 200
    assert r.content == b"Hello, world!\n"
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.headers["content-length"] == "14"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["accept-ranges"] == "bytes"
    assert r.headers["cache-control"] == "public, max-age=3600"
    assert r.headers["etag"].startswith('"')
    assert r.headers["etag"].endswith('"')
    assert not r.headers["etag"].startswith("W/")
    st = os.stat(site / "hello.txt")
    from email.utils import formatdate

    assert r.headers["last-modified"] == formatdate(st.st_mtime, usegmt=True)
    assert "vary" not in r.headers
    assert "content-encoding" not in r.headers


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("style.css", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("nested/deep/file.json", "application/json"),
        ("docs/index.html", "text/html; charset=utf-8"),
        ("data.bin", "application/octet-stream"),
        ("image.PNG", "image/png"),
        ("unknown.zzz9", "application/octet-stream"),
        ("archive.tar.gz", "application/gzip"),
    ],
)
async def test_content_types(site: Path, name: str, expected: str) -> None:
    r = await call(StaticFiles(site), "/" + name)
    assert r.status == 200
    assert r.headers["content-type"] == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # Python 3.13's mimetypes says text/rtf, 3.12 and older application/rtf (the IANA name).
        ("a.rtf", "application/rtf"),
        # Python 3.10 and 3.11 say application/javascript; RFC 9239 says text/javascript.
        ("a.js", "text/javascript; charset=utf-8"),
        ("a.mjs", "text/javascript; charset=utf-8"),
        # Unknown to 3.10; image/x-ms-bmp there.
        ("a.webp", "image/webp"),
        ("a.avif", "image/avif"),
        ("a.bmp", "image/bmp"),
        # Unknown before 3.13.
        ("a.md", "text/markdown; charset=utf-8"),
        ("a.vtt", "text/vtt; charset=utf-8"),
        ("a.ico", "image/vnd.microsoft.icon"),
        ("a.wav", "audio/wav"),
        ("a.woff2", "font/woff2"),
        ("a.svg", "image/svg+xml; charset=utf-8"),
        ("a.webmanifest", "application/manifest+json"),
        ("a.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("a.YAML", "application/yaml"),
        ("c.txt.br", "application/x-brotli"),
        ("c.css.gz", "application/gzip"),
    ],
)
async def test_media_types_are_the_same_on_every_python(
    tmp_path: Path, name: str, expected: str
) -> None:
    write(tmp_path, {name: "x"})
    r = await call(StaticFiles(tmp_path, precompressed=False), "/" + name)
    assert (r.status, r.headers["content-type"]) == (200, expected)


async def test_types_outside_the_table_come_from_pythons_own_table(tmp_path: Path) -> None:
    from boca.static._media import TYPES

    assert ".ps" not in TYPES
    write(tmp_path, {"a.ps": "x", "b.tar.xz": "x"})
    app = StaticFiles(tmp_path, precompressed=False)
    assert (await call(app, "/a.ps")).headers["content-type"] == "application/postscript"
    # A file named by an encoding Python knows but Boca does not serve precompressed.
    assert (await call(app, "/b.tar.xz")).headers["content-type"] == "application/octet-stream"


async def test_head_has_headers_without_body(site: Path) -> None:
    r = await call(StaticFiles(site), "/hello.txt", method="HEAD")
    assert r.status == 200
    assert r.body == b""
    assert r.headers["content-length"] == "14"


async def test_empty_file(site: Path) -> None:
    r = await call(StaticFiles(site), "/empty.txt")
    assert (r.status, r.body, r.headers["content-length"]) == (200, b"", "0")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "get"])
async def test_other_methods_are_405(site: Path, method: str) -> None:
    r = await call(StaticFiles(site), "/hello.txt", method=method)
    assert r.status == 405
    assert r.headers["allow"] == "GET, HEAD"
    assert r.headers["content-type"] == "application/json"
    assert r.body == (
        b'{"error":"405 Method Not Allowed","status":405,'
        b'"detail":"Static files answer GET and HEAD only."}'
    )


async def test_missing_file_is_small_404(site: Path) -> None:
    r = await call(StaticFiles(site), "/nope.txt")
    assert r.status == 404
    assert r.body == b'{"error":"404 Not Found","status":404,"detail":"No file at this path."}'
    assert r.headers["content-length"] == str(len(r.body))
    assert r.headers["x-content-type-options"] == "nosniff"
    head = await call(StaticFiles(site), "/nope.txt", method="HEAD")
    assert (head.status, head.body) == (404, b"")


async def test_no_directory_listing(site: Path) -> None:
    app = StaticFiles(site)
    for path in ("/", "", "/docs", "/docs/", "/nested/"):
        r = await call(app, path)
        assert r.status == 404, path
    html = StaticFiles(site, html=True)
    assert (await call(html, "/noindex/")).status == 404
    assert (await call(html, "/noindex")).status == 404


async def test_file_with_trailing_slash_is_404(site: Path) -> None:
    assert (await call(StaticFiles(site), "/hello.txt/")).status == 404


async def test_html_mode_serves_index_and_redirects(site: Path) -> None:
    app = StaticFiles(site, html=True)
    r = await call(app, "/docs/")
    assert (r.status, r.body) == (200, b"<h1>Docs</h1>\n")
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    r = await call(app, "/docs", root_path="/static")
    assert r.status == 307
    assert r.headers["location"] == "/static/docs/"
    write(site, {"index.html": "home", "caf\u00e9 x/index.html": "cafe"})
    r = await call(app, "", root_path="/static")
    assert (r.status, r.headers["location"]) == (307, "/static/")
    assert (await call(app, "/", root_path="/static")).body == b"home"
    r = await call(app, "/caf\u00e9 x")
    assert r.headers["location"] == "/caf%C3%A9%20x/"
    r = await call(app, "/docs/page.html")
    assert r.body == b"<p>Page</p>\n"


async def test_html_mode_custom_404_page(site: Path) -> None:
    app = StaticFiles(site, html=True)
    r = await call(app, "/missing")
    assert r.status == 404
    assert r.headers["content-type"] == "application/json"
    write(site, {"404.html": "<h1>Lost</h1>"})
    app = StaticFiles(site, html=True)
    for path in ("/missing", "/../secret.txt", "/docs/missing.html"):
        r = await call(app, path)
        assert (r.status, r.body) == (404, b"<h1>Lost</h1>"), path
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert "etag" not in r.headers
        assert "accept-ranges" not in r.headers
    # Conditional and range headers do not turn an error page into 304 or 206.
    r = await call(app, "/missing", headers=[("range", "bytes=0-1"), ("if-none-match", "*")])
    assert (r.status, r.body) == (404, b"<h1>Lost</h1>")
    head = await call(app, "/missing", method="HEAD")
    assert (head.status, head.body, head.headers["content-length"]) == (404, b"", "13")


async def test_large_404_page_is_streamed(site: Path) -> None:
    write(site, {"404.html": "x" * 5000})
    app = StaticFiles(site, html=True, cache_max_file_size=100)
    r = await call(app, "/missing")
    assert (r.status, r.body) == (404, b"x" * 5000)


async def test_fallback_serves_spa_index(site: Path) -> None:
    write(site, {"index.html": "<div id=app></div>"})
    app = StaticFiles(site, fallback="index.html")
    r = await call(app, "/users/42/edit")
    assert (r.status, r.body) == (200, b"<div id=app></div>")
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert (await call(app, "/hello.txt")).body == b"Hello, world!\n"
    # Hostile paths are still refused, never answered with the fallback.
    assert (await call(app, "/../secret.txt")).status == 404
    os.remove(site / "index.html")
    app.check_interval = 0
    assert (await call(app, "/other")).status == 404


def test_bad_configuration_is_reported(site: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        StaticFiles(tmp_path / "nope")
    with pytest.raises(ValueError, match="is not a directory"):
        StaticFiles(site / "hello.txt")
    with pytest.raises(ValueError, match="at least one directory"):
        StaticFiles([])
    with pytest.raises(ValueError, match=r"fallback 'nope\.html'"):
        StaticFiles(site, fallback="nope.html")
    with pytest.raises(ValueError, match="fallback"):
        StaticFiles(site, fallback="../secret.txt")
    with pytest.raises(ValueError, match="index"):
        StaticFiles(site, index="a/b.html")
    with pytest.raises(ValueError, match="must start with '/'"):
        StaticFiles(site, path="static")
    with pytest.raises(ValueError, match="max_ranges"):
        StaticFiles(site, max_ranges=0)


async def test_several_directories_first_wins(site: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    write(other, {"hello.txt": "other hello", "only.txt": "only here"})
    app = StaticFiles([other, str(site)])
    assert (await call(app, "/hello.txt")).body == b"other hello"
    assert (await call(app, "/only.txt")).body == b"only here"
    assert (await call(app, "/style.css")).status == 200
    assert app.directories == [other, site]


async def test_root_path_prefix_is_stripped(site: Path) -> None:
    app = StaticFiles(site)
    # Starlette-style mount: the full path with the prefix in root_path.
    assert (await call(app, "/hello.txt", root_path="/assets")).status == 200
    # A server that strips the prefix itself.
    r = await call(app, "/hello.txt", root_path="")
    assert r.status == 200
    async with client(app, root_path="/pre") as c:
        assert (await c.get("/pre/hello.txt")).content == b"Hello, world!\n"
        # "/prefix..." does not start with the "/pre/" segment: the path is used as it is.
        assert (await c.get("/prehello.txt")).status_code == 404


async def test_max_age_none_and_zero(site: Path) -> None:
    r = await call(StaticFiles(site, max_age=None), "/hello.txt")
    assert "cache-control" not in r.headers
    r = await call(StaticFiles(site, max_age=0), "/hello.txt")
    assert r.headers["cache-control"] == "public, max-age=0"


async def test_lifespan_and_websocket_scopes() -> None:
    app = StaticFiles(Path(__file__).parent)
    inbox = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return inbox.pop(0)

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    await app({"type": "lifespan"}, receive, send)
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]
    sent.clear()
    await app({"type": "websocket", "path": "/x"}, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1000}]
    sent.clear()
    await app({"type": "other"}, receive, send)
    assert sent == []


def test_install_mounts_and_registers(site: Path) -> None:
    app = FakeApp()
    static = StaticFiles(site, path="/assets/")
    static.install(app)
    assert app.mounts == [("/assets", static, "static")]
    assert app.extensions == {"static": static}
    assert static.check_interval == 1.0
    debug = FakeApp(debug=True)
    dev = StaticFiles(site)
    dev.install(debug)
    assert dev.check_interval == 0.0
    assert debug.mounts == [("/static", dev, "static")]
    explicit = StaticFiles(site, check_interval=5)
    explicit.install(FakeApp(debug=True))
    assert explicit.check_interval == 5.0


def test_url_without_manifest(site: Path) -> None:
    static = StaticFiles(site)
    assert static.url("css/app.css") == "/static/css/app.css"
    assert static.url("/hello.txt") == "/static/hello.txt"
    assert static.url("a b.txt", root_path="/api/") == "/api/static/a%20b.txt"
    assert static.static_url("x.js") == "/static/x.js"
    assert IMMUTABLE == b"public, max-age=31536000, immutable"


async def test_cache_revalidates_on_change(site: Path) -> None:
    app = StaticFiles(site, check_interval=0)
    assert (await call(app, "/hello.txt")).body == b"Hello, world!\n"
    (site / "hello.txt").write_text("changed and longer")
    r = await call(app, "/hello.txt")
    assert (r.status, r.body, r.headers["content-length"]) == (200, b"changed and longer", "18")
    os.remove(site / "hello.txt")
    assert (await call(app, "/hello.txt")).status == 404


async def test_cache_check_is_throttled(site: Path) -> None:
    app = StaticFiles(site, check_interval=3600)
    first = await call(app, "/hello.txt")
    (site / "hello.txt").write_text("changed and longer")
    # Within the interval the cached bytes and their matching headers are served.
    again = await call(app, "/hello.txt")
    assert (again.body, again.headers["etag"]) == (first.body, first.headers["etag"])
    app.clear_cache()
    assert (await call(app, "/hello.txt")).body == b"changed and longer"


async def test_cache_budget_evicts_least_recently_used(tmp_path: Path) -> None:
    write(tmp_path, {f"f{i}.bin": bytes([i]) * 1000 for i in range(5)})
    app = StaticFiles(tmp_path, cache_budget=3 * 2100, check_interval=3600)
    for i in range(5):
        assert (await call(app, f"/f{i}.bin")).body == bytes([i]) * 1000
    # Only the three most recent files fit; evicted ones are read again from disk.
    for i in range(5):
        (tmp_path / f"f{i}.bin").write_bytes(b"new")
    kept = [(await call(app, f"/f{i}.bin")).body for i in (2, 3, 4)]
    assert kept == [bytes([i]) * 1000 for i in (2, 3, 4)]
    evicted = [(await call(app, f"/f{i}.bin")).body for i in (0, 1)]
    assert evicted == [b"new", b"new"]
    assert app._cache.used <= app._cache.budget


async def test_files_over_budget_are_not_cached(site: Path) -> None:
    app = StaticFiles(site, cache_budget=10)
    assert (await call(app, "/hello.txt")).body == b"Hello, world!\n"
    assert app._cache.entries == {}


async def test_large_file_streams_in_chunks(tmp_path: Path) -> None:
    size = 64 * 1024 * 3 + 123
    payload = os.urandom(size)
    write(tmp_path, {"big.bin": payload})
    app = StaticFiles(tmp_path, cache_max_file_size=1024)
    r = await call(app, "/big.bin")
    assert r.status == 200
    assert r.headers["content-length"] == str(size)
    assert r.body == payload
    assert [len(c) for c in r.chunks] == [65536, 65536, 65536, 123]
    assert [m.get("more_body", False) for m in r.messages[1:]] == [True, True, True, False]
    head = await call(app, "/big.bin", method="HEAD")
    assert (head.body, head.headers["content-length"]) == (b"", str(size))
    # Under an ASGI 2.4 server (send raises on disconnect) no watcher task is needed.
    r = await call(app, "/big.bin", spec_version="2.4")
    assert r.body == payload
    r = await call(app, "/big.bin", spec_version="bogus")
    assert r.body == payload


async def test_large_file_changed_since_cached(tmp_path: Path) -> None:
    write(tmp_path, {"big.bin": b"a" * 5000})
    app = StaticFiles(tmp_path, cache_max_file_size=1000, check_interval=3600)
    assert (await call(app, "/big.bin")).body == b"a" * 5000
    (tmp_path / "big.bin").write_bytes(b"b" * 7000)
    r = await call(app, "/big.bin")
    assert (r.status, r.body, r.headers["content-length"]) == (200, b"b" * 7000, "7000")
    os.remove(tmp_path / "big.bin")
    assert (await call(app, "/big.bin")).status == 404


async def test_file_changing_on_every_look_answers_404(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"big.bin": b"a" * 5000})
    app = StaticFiles(tmp_path, cache_max_file_size=1000, check_interval=3600)
    from boca.static import _cache

    monkeypatch.setattr(_cache.Representation, "same_file", lambda self, st: False)
    r = await call(app, "/big.bin")
    assert r.status == 404
    r = await call(app, "/big.bin", headers=[("range", "bytes=0-1")])
    assert r.status == 404


async def test_unreadable_file_is_404(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"a.txt": "x"})
    from boca.static import _finder

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("denied")

    monkeypatch.setattr(_finder, "open", refuse, raising=False)
    assert (await call(StaticFiles(tmp_path), "/a.txt")).status == 404


async def test_file_shrinking_while_sent_aborts(tmp_path: Path) -> None:
    from boca.static._send import FileChanged

    write(tmp_path, {"big.bin": b"a" * 200_000})
    app = StaticFiles(tmp_path, cache_max_file_size=0)
    sent = 0

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "method": "GET",
        "path": "/big.bin",
        "root_path": "",
        "headers": [],
    }

    async def receive() -> dict[str, object]:
        await anyio.Event().wait()
        raise AssertionError  # pragma: no cover

    async def send(message: dict[str, object]) -> None:
        nonlocal sent
        if message["type"] == "http.response.body":
            sent += 1
            if sent == 1:
                with open(tmp_path / "big.bin", "r+b") as f:
                    f.truncate(10)

    with pytest.raises(FileChanged, match="shrank"):
        await app(scope, receive, send)
    assert sent == 1


async def test_client_disconnect_stops_stream(tmp_path: Path) -> None:
    write(tmp_path, {"big.bin": b"a" * 300_000})
    app = StaticFiles(tmp_path, cache_max_file_size=0)
    # ASGI 2.4: send raises OSError once the client is gone; the app returns quietly.
    r = await call(app, "/big.bin", spec_version="2.4", send_error=OSError)
    assert r.status == 200
    assert r.chunks == []
    r = await call(app, "/big.bin", headers=[("range", "bytes=0-1,5-6")], send_error=OSError)
    assert r.status == 206
    assert r.chunks == []


async def test_disconnect_before_asgi_2_4_cancels_stream(tmp_path: Path) -> None:
    write(tmp_path, {"big.bin": b"a" * 1_000_000})
    app = StaticFiles(tmp_path, cache_max_file_size=0)
    chunks = 0
    gone = anyio.Event()

    async def receive() -> dict[str, object]:
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        nonlocal chunks
        if message["type"] == "http.response.body":
            chunks += 1
            if chunks == 2:
                gone.set()
            await anyio.lowlevel.checkpoint()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "method": "GET",
        "path": "/big.bin",
        "root_path": "",
        "headers": [],
    }
    await app(scope, receive, send)
    assert 2 <= chunks < 16  # stopped long before the 16 chunks of the whole file


async def test_pathsend_when_server_supports_it(tmp_path: Path) -> None:
    write(tmp_path, {"big.bin": DATA * 10, "small.txt": "hi"})
    app = StaticFiles(tmp_path, cache_max_file_size=100)
    r = await call(app, "/big.bin", extensions={"http.response.pathsend": {}})
    assert r.status == 200
    assert r.headers["content-length"] == "10240"
    assert r.messages[-1] == {
        "type": "http.response.pathsend",
        "path": os.path.realpath(tmp_path / "big.bin"),
    }
    # Cached files are sent from memory; ranges are sent by the app itself.
    r = await call(app, "/small.txt", extensions={"http.response.pathsend": {}})
    assert r.messages[-1]["type"] == "http.response.body"
    r = await call(
        app, "/big.bin", headers=[("range", "bytes=0-9")], extensions={"http.response.pathsend": {}}
    )
    assert (r.status, r.body) == (206, (DATA * 10)[:10])


async def test_special_files_are_not_served(site: Path) -> None:
    os.mkfifo(site / "pipe.txt")
    os.mkdir(site / "dirindex")
    os.mkdir(site / "dirindex" / "index.html")
    os.mkdir(site / "outindex")
    os.symlink(site.parent / "static_private" / "index.html", site / "outindex" / "index.html")
    app = StaticFiles(site, html=True)
    assert (await call(app, "/pipe.txt")).status == 404
    assert (await call(app, "/dirindex/")).status == 404
    assert (await call(app, "/outindex/")).status == 404
    assert (await call(app, "/outindex")).status == 404


async def test_empty_file_streamed(tmp_path: Path) -> None:
    write(tmp_path, {"empty.bin": b""})
    app = StaticFiles(tmp_path, cache_max_file_size=0)
    r = await call(app, "/empty.bin", headers=[("if-none-match", '"x"')])
    assert (r.status, r.body, r.headers["content-length"]) == (200, b"", "0")


async def test_large_file_changed_before_range_request(tmp_path: Path) -> None:
    write(tmp_path, {"big.bin": b"a" * 5000})
    app = StaticFiles(tmp_path, cache_max_file_size=1000, check_interval=3600)
    assert (await call(app, "/big.bin")).status == 200
    (tmp_path / "big.bin").write_bytes(b"b" * 7000)
    r = await call(app, "/big.bin", headers=[("range", "bytes=6990-")])
    assert (r.status, r.body, r.headers["content-range"]) == (
        206,
        b"b" * 10,
        "bytes 6990-6999/7000",
    )


async def test_large_file_unreadable_after_caching(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import anyio

    write(tmp_path, {"big.bin": b"a" * 5000})
    app = StaticFiles(tmp_path, cache_max_file_size=1000)
    assert (await call(app, "/big.bin")).status == 200

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("denied")

    monkeypatch.setattr(anyio, "open_file", refuse)
    r = await call(app, "/big.bin")
    assert (r.status, r.headers["content-type"]) == (404, "application/json")


async def test_runs_on_the_parametrised_loop(anyio_backend: str, site: Path) -> None:
    import sniffio

    assert sniffio.current_async_library() == anyio_backend
    r = await call(StaticFiles(site, cache_max_file_size=0), "/data.bin")
    assert (r.status, r.body) == (200, DATA)
