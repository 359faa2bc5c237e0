"""Saving uploaded files to disk safely: a sanitised name, inside the target directory."""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import uuid

import anyio.to_thread

from .requests import UploadFile

__all__ = ["safe_filename", "save_upload"]

_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")
_MAX_NAME_BYTES = 255
# Names Windows reserves whatever the extension: `CON.txt` opens the console.
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)


def safe_filename(filename: str | None) -> str:
    """A file name that stays in its directory: no directories, control characters or `..`.

    The client's name keeps its last path component (after `/` or `\\`), without NUL and control
    characters, cut to 255 bytes keeping the extension. Empty, `.`, `..` and reserved device
    names become a generated name.
    """
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("", name).strip().strip(".").strip()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if not name or (stem or name).split(".")[0].lower() in _WINDOWS_RESERVED:
        return uuid.uuid4().hex + (f".{_clip(ext, 32)}" if ext else "")
    if len(name.encode()) <= _MAX_NAME_BYTES:
        return name
    ext = _clip(ext, 32) if dot else ""
    suffix = f".{ext}" if ext else ""
    return _clip(stem, _MAX_NAME_BYTES - len(suffix.encode())) + suffix


def _clip(text: str, max_bytes: int) -> str:
    """`text` cut to at most `max_bytes` of UTF-8, never in the middle of a character."""
    return text.encode()[:max_bytes].decode(errors="ignore")


async def save_upload(
    upload: UploadFile, directory: str | os.PathLike[str], filename: str | None = None
) -> pathlib.Path:
    """Write an uploaded file into `directory` and return its path.

    The name is `filename` or the name the client sent, made safe by `safe_filename()`: the
    file always lands inside `directory`, whatever the client claims. The copy runs in a worker
    thread, so a large upload does not block the event loop. An existing file is replaced.
    """
    target_dir = pathlib.Path(directory).resolve()
    name = safe_filename(filename if filename is not None else upload.filename)
    target = target_dir / name
    if target.parent != target_dir:  # pragma: no cover - safe_filename() keeps one component
        raise ValueError(f"refusing to write {name!r} outside {target_dir}")
    await upload.seek(0)

    def copy() -> None:
        # O_NOFOLLOW: a symlink planted in the directory cannot redirect the write elsewhere.
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        with open(os.open(target, flags, 0o644), "wb") as out:
            shutil.copyfileobj(upload.file, out, 1024 * 1024)

    await anyio.to_thread.run_sync(copy)
    return target
