"""Fingerprinting: `build()`, `python -m boca.static build`, the manifest, url() and immutable."""

from __future__ import annotations

import gzip
import hashlib
import json
import runpy
import sys
import zlib
from pathlib import Path

import pytest
from static_helpers import call, write

from boca.static import IMMUTABLE, MANIFEST_NAME, BrotliUnavailable, StaticFiles, build, hashed_name
from boca.static.__main__ import main

pytestmark = pytest.mark.anyio

CSS = b"body { color: red; }\n" * 40
PNG = b"\x89PNG" + b"\x00" * 600


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:8]


class FakeBrotli:
    """Stands in for the optional `brotli` module, so these tests need only the wheel."""

    __name__ = "brotli"

    @staticmethod
    def compress(data: bytes) -> bytes:
        return b"BR" + zlib.compress(data, 9)

    @staticmethod
    def decompress(data: bytes) -> bytes:
        assert data.startswith(b"BR")
        return zlib.decompress(data[2:])


@pytest.fixture(autouse=True)
def fake_brotli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "brotli", FakeBrotli)


@pytest.fixture
def assets(tmp_path: Path) -> Path:
    root = tmp_path / "assets"
    write(
        root,
        {
            "css/app.css": CSS,
            "js/app.min.js": "x" * 600,
            "img/logo.png": PNG,
            "LICENSE": "MIT " * 100,
            "tiny.txt": "small",
            ".secret": "hidden",
            ".git/config": "x",
            "old.css.gz": b"precompressed by someone else",
        },
    )
    return root


def test_hashed_name() -> None:
    h = _hash(b"x")
    assert hashed_name("css/app.css", b"x") == f"css/app.{h}.css"
    assert hashed_name("app.min.js", b"x") == f"app.min.{h}.js"
    assert hashed_name("LICENSE", b"x") == f"LICENSE.{h}"
    assert hashed_name(".profile", b"x") == f".profile.{h}"


def test_build_writes_copies_siblings_and_manifest(assets: Path) -> None:
    result = build(assets, brotli=True)
    h = _hash(CSS)
    expected = {
        "LICENSE": f"LICENSE.{_hash(b'MIT ' * 100)}",
        "css/app.css": f"css/app.{h}.css",
        "img/logo.png": f"img/logo.{_hash(PNG)}.png",
        "js/app.min.js": f"js/app.min.{_hash(b'x' * 600)}.js",
        "tiny.txt": f"tiny.{_hash(b'small')}.txt",
    }
    assert result.manifest == expected
    assert json.loads((assets / MANIFEST_NAME).read_text()) == expected
    assert result.manifest_path == assets / MANIFEST_NAME
    assert (assets / f"css/app.{h}.css").read_bytes() == CSS
    for name in ("css/app.css", f"css/app.{h}.css"):
        assert gzip.decompress((assets / f"{name}.gz").read_bytes()) == CSS
        assert FakeBrotli.decompress((assets / f"{name}.br").read_bytes()) == CSS
    # Already-compressed types and tiny files get no siblings; dotfiles are left alone.
    assert not list(assets.glob("img/*.gz"))
    assert not (assets / "tiny.txt.gz").exists()
    assert sorted(p.name for p in assets.glob(".secret*")) == [".secret"]
    assert sorted(p.name for p in assets.glob("old*")) == ["old.css.gz"]
    assert not (assets / "LICENSE.gz").exists()  # no known text type
    assert (result.hashed, result.gzipped, result.brotlied) == (5, 4, 4)


def test_build_is_idempotent(assets: Path) -> None:
    first = build(assets, brotli=False)
    files = sorted(p.relative_to(assets) for p in assets.rglob("*"))
    second = build(assets, brotli=False)
    assert second.manifest == first.manifest
    assert sorted(p.relative_to(assets) for p in assets.rglob("*")) == files
    # A changed file gets a new hashed copy; the old one stays for cached pages.
    (assets / "css/app.css").write_bytes(b"new " * 100)
    third = build(assets, brotli=False)
    assert third.manifest["css/app.css"] == f"css/app.{_hash(b'new ' * 100)}.css"
    assert gzip.decompress((assets / "css/app.css.gz").read_bytes()) == b"new " * 100
    assert (assets / first.manifest["css/app.css"]).exists()
    assert len(third.manifest) == 5


def test_build_without_gzip_and_min_size(assets: Path) -> None:
    result = build(assets, gzip_level=None, brotli=False, min_size=10_000)
    assert (result.gzipped, result.brotlied) == (0, 0)
    assert [p.name for p in assets.rglob("*.gz")] == ["old.css.gz"]


def test_build_skips_compression_that_does_not_help(tmp_path: Path) -> None:
    import os

    write(tmp_path, {"noise.txt": os.urandom(2000)})
    result = build(tmp_path, brotli=True)
    assert (result.gzipped, result.brotlied) == (0, 0)


def test_build_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        build(tmp_path / "nope")
    monkeypatch.setitem(sys.modules, "brotli", None)
    with pytest.raises(BrotliUnavailable, match=r"pip install 'boca-static\[brotli\]'"):
        build(tmp_path, brotli=True)
    # Without an explicit request, brotli is simply skipped.
    write(tmp_path, {"a.css": CSS})
    assert build(tmp_path).brotlied == 0


def test_cli(assets: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(assets), "--no-brotli"]) == 0
    out = capsys.readouterr().out
    assert (
        out
        == f"5 files fingerprinted, 4 .gz and 0 .br written; manifest: {assets / MANIFEST_NAME}\n"
    )
    assert main(["build", str(assets), "--no-gzip", "--min-size", "1", "--manifest", "m.json"]) == 0
    assert (assets / "m.json").exists()


def test_cli_missing_brotli(
    assets: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "brotli", None)
    assert main(["build", str(assets), "--brotli"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'boca-static[brotli]'" in err
    assert main(["build", str(assets / "nope")]) == 2


def test_cli_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        main(["build", "x", "--brotli", "--no-brotli"])


def test_python_dash_m(assets: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["boca.static", "build", str(assets), "--no-brotli"])
    monkeypatch.delitem(sys.modules, "boca.static.__main__", raising=False)
    with pytest.raises(SystemExit) as exc:
        runpy.run_module("boca.static", run_name="__main__")
    assert exc.value.code == 0
    assert (assets / MANIFEST_NAME).exists()


async def test_served_with_manifest(assets: Path) -> None:
    result = build(assets, brotli=False)
    static = StaticFiles(assets)
    hashed = result.manifest["css/app.css"]
    assert static.url("css/app.css") == f"/static/{hashed}"
    assert static.url("/css/app.css", root_path="/api") == f"/api/static/{hashed}"
    assert static.url("not/listed.js") == "/static/not/listed.js"
    r = await call(static, "/" + hashed)
    assert (r.status, r.body) == (200, CSS)
    assert r.headers["cache-control"] == IMMUTABLE.decode()
    r = await call(static, "/" + hashed, headers=[("accept-encoding", "gzip")])
    assert r.headers["cache-control"] == IMMUTABLE.decode()
    assert gzip.decompress(r.body) == CSS
    r = await call(static, "/css/app.css")
    assert r.headers["cache-control"] == "public, max-age=3600"
    # The manifest itself is a file like any other; hashed names need no extra lookups.
    assert StaticFiles(assets, manifest=None).url("css/app.css") == "/static/css/app.css"


def test_manifest_in_any_directory_first_wins(tmp_path: Path) -> None:
    write(tmp_path / "a", {MANIFEST_NAME: json.dumps({"x.css": "x.1.css"})})
    write(tmp_path / "b", {MANIFEST_NAME: json.dumps({"x.css": "x.2.css", "y.js": "y.2.js"})})
    static = StaticFiles([tmp_path / "a", tmp_path / "b"], path="/assets")
    assert static.url("x.css") == "/assets/x.1.css"
    assert static.url("y.js") == "/assets/y.2.js"


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"a": 1}', b"\xff\xfe"])
def test_bad_manifest_is_a_clear_error(tmp_path: Path, content: str | bytes) -> None:
    write(tmp_path, {MANIFEST_NAME: content})
    with pytest.raises(ValueError, match=MANIFEST_NAME):
        StaticFiles(tmp_path)


def test_failed_write_leaves_no_temporary_file(
    assets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    def refuse(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        build(assets, brotli=False)
    monkeypatch.undo()
    assert not list(assets.rglob(".tmp-*"))
