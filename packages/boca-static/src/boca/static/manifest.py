"""Fingerprinting: hashed copies, precompressed siblings and the manifest that maps them.

`build()` (and `python -m boca.static build DIR`) writes, next to every file, a copy whose name
carries a hash of its content (`css/app.css` -> `css/app.3f2a9c1e.css`), `.gz` and `.br`
siblings for compressible files, and a JSON manifest from original to hashed names.
`StaticFiles` reads the manifest to build URLs and serves hashed names as immutable.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from boca.static._media import COMPRESSIBLE, media_type

MANIFEST_NAME = "boca-manifest.json"
"""The manifest's default file name, at the top of the static directory."""

HASH_LENGTH = 8
_COMPRESSED_SUFFIXES = (".gz", ".br")


class BrotliUnavailable(RuntimeError):
    """Brotli output was asked for but the `brotli` module is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "Brotli compression needs the brotli package: "
            "install it with `pip install 'boca-static[brotli]'`, or build without --brotli."
        )


class BrotliMissingWarning(UserWarning):
    """`build()` wrote no `.br` files because the `brotli` module is not installed."""


_warned_brotli = False


def _warn_no_brotli() -> None:
    """Say once per process that `.br` siblings were skipped (the docs promise them)."""
    global _warned_brotli
    if _warned_brotli:
        return
    _warned_brotli = True
    warnings.warn(
        "boca.static build: no .br files written, the brotli package is not installed: "
        "pip install 'boca-static[brotli]' to write them, or pass brotli=False (--no-brotli) "
        "to build without them quietly.",
        BrotliMissingWarning,
        stacklevel=3,
    )


def _brotli() -> ModuleType | None:
    try:
        import brotli  # type: ignore[import-untyped]
    except ImportError:
        return None
    return brotli  # type: ignore[no-any-return]


@dataclass
class BuildResult:
    """What `build()` wrote."""

    manifest: dict[str, str]
    manifest_path: Path
    hashed: int = 0
    gzipped: int = 0
    brotlied: int = 0


def hashed_name(rel: str, data: bytes) -> str:
    """The fingerprinted name of a file: the content hash goes before the last extension."""
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    head, _, name = rel.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    new = f"{stem}.{digest}.{ext}" if dot and stem else f"{name}.{digest}"
    return f"{head}/{new}" if head else new


def load_manifest(path: Path) -> dict[str, str]:
    """Read a manifest, failing with a message that names the file when it is not valid."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(
            f"Static manifest {str(path)!r} cannot be read ({exc}); "
            "rebuild it with `python -m boca.static build DIR` or pass manifest=None."
        ) from exc
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ValueError(
            f"Static manifest {str(path)!r} must be a JSON object of strings; "
            "rebuild it with `python -m boca.static build DIR`."
        )
    return data


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _write_if_changed(path: Path, data: bytes) -> None:
    try:
        if path.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    _write_atomic(path, data)


_HASHED = re.compile(rf"\.([0-9a-f]{{{HASH_LENGTH}}})(\.[^.]+)?$")


def _is_fingerprinted(path: Path) -> bool:
    """Whether a file is a hashed copy: its name carries the hash of its own content."""
    match = _HASHED.search(path.name)
    if match is None:
        return False
    return hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH] == match.group(1)


def _sources(root: Path, manifest_name: str) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        for name in sorted(filenames):
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if (
                name.startswith(".")
                or name.endswith(_COMPRESSED_SUFFIXES)
                or rel == manifest_name
                or _is_fingerprinted(Path(dirpath, name))
            ):
                continue
            found.append(rel)
    return found


def build(
    directory: str | os.PathLike[str],
    *,
    gzip_level: int | None = 9,
    brotli: bool | None = None,
    min_size: int = 256,
    manifest_name: str = MANIFEST_NAME,
) -> BuildResult:
    """Fingerprint and precompress every file under `directory` and write the manifest.

    Args:
        directory: The static directory, processed in place.
        gzip_level: gzip level for `.gz` siblings, or None to write none.
        brotli: True to require `.br` siblings, False for none, None (default) to write them
            when the `brotli` module is installed.
        min_size: Files smaller than this many bytes are not compressed.
        manifest_name: The manifest's file name inside `directory`.

    Running it again is safe: a file whose name carries the hash of its own content is a hashed
    copy and is left alone, and earlier hashed copies stay so that pages still cached by
    browsers keep working.
    """
    root = Path(directory)
    if not root.is_dir():
        raise ValueError(f"Static directory {str(root)!r} does not exist or is not a directory.")
    br = _brotli() if brotli is not False else None
    if brotli and br is None:
        raise BrotliUnavailable()
    if brotli is None and br is None:
        _warn_no_brotli()
    manifest_path = root / manifest_name
    result = BuildResult(manifest={}, manifest_path=manifest_path)
    for rel in _sources(root, manifest_name):
        data = (root / rel).read_bytes()
        new = hashed_name(rel, data)
        _write_if_changed(root / new, data)
        result.manifest[rel] = new
        result.hashed += 1
        if len(data) < min_size or not _compressible(rel):
            continue
        for target in (rel, new):
            if gzip_level is not None:
                packed = gzip.compress(data, compresslevel=gzip_level, mtime=0)
                if len(packed) < len(data):
                    _write_if_changed(root / f"{target}.gz", packed)
                    result.gzipped += 1
            if br is not None:
                packed = br.compress(data)
                if len(packed) < len(data):
                    _write_if_changed(root / f"{target}.br", packed)
                    result.brotlied += 1
    payload = json.dumps(result.manifest, indent=2, sort_keys=True) + "\n"
    _write_atomic(manifest_path, payload.encode())
    return result


def _compressible(rel: str) -> bool:
    kind = media_type(rel)
    return kind.startswith("text/") or kind in COMPRESSIBLE
