from __future__ import annotations

import io
import os
import pathlib

import pytest

from boca.core import UploadFile, safe_filename, save_upload


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\win.ini", "win.ini"),
        ("dir/sub/file.txt", "file.txt"),
        ("a\x00.png", "a.png"),
        ("a\x1b[31m.png", "a[31m.png"),
        ("  spaced.txt  ", "spaced.txt"),
        ("trailing.", "trailing"),
        (".hidden", "hidden"),
        ("archive.tar.gz", "archive.tar.gz"),
        ("名前.pdf", "名前.pdf"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


@pytest.mark.parametrize(
    "name", ["", None, ".", "..", "/", "\\", "a/..", "\x00", "CON", "nul.txt", "LPT1.log", "com9"]
)
def test_safe_filename_generated(name: str | None) -> None:
    result = safe_filename(name)
    assert len(result) >= 32
    assert "/" not in result
    assert result not in (".", "..")
    assert result.split(".")[0].lower() not in ("con", "nul", "lpt1", "com9")
    if name and "." in name and name.split(".")[-1] in ("txt", "log"):
        assert result.endswith("." + name.split(".")[-1])


def test_safe_filename_length_capped_keeping_extension() -> None:
    assert safe_filename("x" * 500 + ".png") == "x" * 251 + ".png"
    long_ext = safe_filename("a" * 300 + "." + "e" * 100)
    assert len(long_ext.encode()) <= 255
    assert long_ext.endswith("." + "e" * 32)
    no_ext = safe_filename("y" * 400)
    assert no_ext == "y" * 255
    multibyte = safe_filename("名" * 200 + ".pdf")
    assert len(multibyte.encode()) <= 255
    assert multibyte.endswith(".pdf")
    multibyte.encode().decode()  # never cut inside a character


async def test_save_upload(tmp_path: pathlib.Path) -> None:
    upload = UploadFile(io.BytesIO(b"payload"), filename="../../escape.txt")
    await upload.read(3)  # a partly read upload is saved whole
    path = await save_upload(upload, tmp_path)
    assert path == tmp_path.resolve() / "escape.txt"
    assert path.read_bytes() == b"payload"
    renamed = await save_upload(upload, str(tmp_path), filename="../other.bin")
    assert renamed == tmp_path.resolve() / "other.bin"
    assert sorted(os.listdir(tmp_path)) == ["escape.txt", "other.bin"]


async def test_save_upload_replaces_existing(tmp_path: pathlib.Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"old content that is longer")
    await save_upload(UploadFile(io.BytesIO(b"new"), filename="a.txt"), tmp_path)
    assert (tmp_path / "a.txt").read_bytes() == b"new"


async def test_save_upload_does_not_follow_symlinks(tmp_path: pathlib.Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep")
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "link.txt").symlink_to(outside)
    with pytest.raises(OSError):
        await save_upload(UploadFile(io.BytesIO(b"evil"), filename="link.txt"), uploads)
    assert outside.read_bytes() == b"keep"
