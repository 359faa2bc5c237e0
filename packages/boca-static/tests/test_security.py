"""Hostile paths (reliability rows S1-S6 and their families): every one is a plain 404."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from static_helpers import call, write

from boca.static import StaticFiles
from boca.static._paths import contained, split_route

pytestmark = pytest.mark.anyio

NOT_FOUND = b'{"error":"404 Not Found","status":404,"detail":"No file at this path."}'


async def _refused(app: StaticFiles, path: str, **kwargs: Any) -> None:
    r = await call(app, path, **kwargs)
    assert r.status == 404, path
    assert r.body == NOT_FOUND, path
    assert b"SECRET" not in r.body
    assert b"PRIVATE" not in r.body


@pytest.mark.parametrize(
    "path", ["/../secret.txt", "/docs/../../secret.txt", "/..", "/../", "/./../secret.txt"]
)
async def test_hostile_S1(site: Path, path: str) -> None:
    """`GET /static/../secret.txt` sent as-is: 404, no content."""
    await _refused(StaticFiles(site), path, root_path="/static")
    await _refused(StaticFiles(site, html=True, follow_symlinks=True), path)


@pytest.mark.parametrize(
    "path",
    [
        "/../../etc/passwd",  # ..%2f..%2fetc/passwd once the server decoded it
        "/..%2f..%2fetc/passwd",  # a server that passes %2f through undecoded
        "/..%252f..%252fetc/passwd",  # double encoding, decoded once
        "/%2e%2e/secret.txt",
        "/..\\..\\secret.txt",
        "/docs\\..\\..\\secret.txt",
        "/..\\secret.txt",
        "/.../secret.txt",
        "/. ./secret.txt",
        "/docs/./index.html",
        "/docs//index.html",
    ],
)
async def test_hostile_S2(site: Path, path: str) -> None:
    """Encoded, double-encoded and backslash traversal: 404."""
    await _refused(StaticFiles(site), path)
    await _refused(StaticFiles(site, allow_dotfiles=True, follow_symlinks=True), path)


async def test_hostile_S3(site: Path) -> None:
    """Sibling-prefix escape: containment compares path components, not string prefixes."""
    app = StaticFiles(site)
    await _refused(app, "/../static_private/index.html", root_path="/static")
    await _refused(app, "/../static1.txt", root_path="/static")
    # A link inside the root to the sibling: its real path starts with the root's string.
    os.symlink(site.parent / "static_private", site / "sibling")
    os.symlink(site.parent / "static1.txt", site / "one.txt")
    assert str(site.parent / "static_private").startswith(str(site))
    await _refused(app, "/sibling/index.html")
    await _refused(app, "/one.txt")
    assert not contained(str(site), str(site.parent / "static_private" / "index.html"))
    assert not contained(str(site), str(site.parent / "static1.txt"))
    assert contained(str(site), str(site / "docs" / "index.html"))
    assert contained(str(site), str(site))


@pytest.mark.parametrize(
    "path",
    [
        "/example%00.txt",
        "/example\x00.txt",
        "/example.txt\x00.png",
        "/\x00",
        "/a\x01b",
        "/a\x7fb",
        "/" + chr(0xD800) + ".txt",  # lone surrogates cannot be encoded as a file name
        "/" + chr(0xDC80) + ".txt",
    ],
)
async def test_hostile_S4(site: Path, path: str) -> None:
    """NUL (decoded or not) and control characters: 404, never 500."""
    write(site, {"example.txt": "SECRET example"})
    await _refused(StaticFiles(site), path)


@pytest.mark.parametrize(
    "path",
    [
        "//etc/passwd",
        "///etc/passwd",
        "/\\\\attacker\\share\\x",
        "\\\\attacker\\share\\x",
        "//attacker/share/x",
        "/C:\\Windows\\win.ini",
        "/C:/Windows/win.ini",
        "C:\\Windows\\win.ini",
        "/c:",
        "/file.txt::$DATA",
        "etc/passwd",
    ],
)
async def test_hostile_S5(site: Path, path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Absolute, UNC and drive paths are refused before any filesystem call."""
    plain = StaticFiles(site, allow_dotfiles=True, follow_symlinks=True)
    write(site, {"404.html": "lost"})
    html = StaticFiles(site, html=True, allow_dotfiles=True, follow_symlinks=True)
    touched: list[tuple[str, tuple[object, ...]]] = []

    def spy(name: str, real: Any) -> Any:
        def record(*args: object, **kwargs: object) -> Any:
            touched.append((name, args))
            return real(*args, **kwargs)

        return record

    for module, name in [
        (os, "stat"),
        (os, "lstat"),
        (os, "open"),
        (os, "scandir"),
        (os, "listdir"),
        (os.path, "realpath"),
        (os.path, "exists"),
        (os.path, "isdir"),
    ]:
        monkeypatch.setattr(module, name, spy(name, getattr(module, name)))
    r = await call(plain, path)
    assert r.status == 404
    assert touched == []
    # In html mode the 404 page is looked up, but never the hostile path.
    touched.clear()
    r = await call(html, path)
    monkeypatch.undo()
    assert (r.status, r.body) == (404, b"lost")
    assert touched
    assert {str(args[0]) for _, args in touched} == {str(site / "404.html")}


async def test_hostile_S6(site: Path) -> None:
    """A symlink inside the root that leads outside it: 404 unless follow_symlinks=True."""
    os.symlink(site.parent / "secret.txt", site / "link.txt")
    os.symlink(site.parent / "static_private", site / "linkdir")
    os.symlink(site / "hello.txt", site / "inside.txt")
    app = StaticFiles(site)
    await _refused(app, "/link.txt")
    await _refused(app, "/linkdir/index.html")
    # Links that stay inside the root are fine.
    assert (await call(app, "/inside.txt")).body == b"Hello, world!\n"
    follow = StaticFiles(site, follow_symlinks=True)
    assert (await call(follow, "/link.txt")).body == b"TOP SECRET"
    assert (await call(follow, "/linkdir/index.html")).body == b"PRIVATE"


async def test_symlinked_sibling_outside_is_not_served(site: Path) -> None:
    write(site.parent, {"outside.css.gz": "SECRET gz"})
    os.symlink(site.parent / "outside.css.gz", site / "style.css.gz")
    os.utime(site / "style.css", (1, 1))
    r = await call(StaticFiles(site), "/style.css", headers=[("accept-encoding", "gzip")])
    assert r.status == 200
    assert "content-encoding" not in r.headers
    assert b"SECRET" not in r.body


@pytest.mark.parametrize("path", ["/.env", "/.hidden/x.txt", "/docs/.hidden", "/.%2e/x"])
async def test_dotfiles_hidden_unless_allowed(site: Path, path: str) -> None:
    await _refused(StaticFiles(site), path)


async def test_dotfiles_served_when_allowed(site: Path) -> None:
    app = StaticFiles(site, allow_dotfiles=True)
    assert (await call(app, "/.env")).body == b"SECRET=1\n"
    assert (await call(app, "/.hidden/x.txt")).body == b"hidden\n"


async def test_link_to_dotfile_is_hidden(site: Path) -> None:
    os.symlink(site / ".env", site / "env.txt")
    await _refused(StaticFiles(site), "/env.txt")
    assert (await call(StaticFiles(site, allow_dotfiles=True), "/env.txt")).status == 200


def test_split_route() -> None:
    assert split_route("", allow_dotfiles=False) == ((), False)
    assert split_route("/", allow_dotfiles=False) == ((), True)
    assert split_route("/a/b.txt", allow_dotfiles=False) == (("a", "b.txt"), False)
    assert split_route("/a/", allow_dotfiles=False) == (("a",), True)
    assert split_route("/.a", allow_dotfiles=True) == ((".a",), False)
    for bad in ("/..", "/a/../b", "//a", "/a//b", "a", "/a\\b", "/a:b", "/a\x00", "/ . "):
        assert split_route(bad, allow_dotfiles=True) is None, bad


async def test_overlong_names_and_symlink_loops_are_404(site: Path) -> None:
    os.symlink(site / "loop", site / "loop")
    app = StaticFiles(site)
    await _refused(app, "/" + "a" * 5000)
    await _refused(app, "/" + "/".join(["d"] * 3000))
    await _refused(app, "/loop")
    await _refused(app, "/hello.txt/x")
    await _refused(StaticFiles(site, follow_symlinks=True), "/loop")
