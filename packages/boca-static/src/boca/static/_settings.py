"""Bocadillo's static-file settings, read by `boca.core.App(settings=...)` (by name: boca-core
never imports this package)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from boca.static._directories import StaticDirectoryError
from boca.static.files import StaticFiles

__all__ = ["from_settings"]


def from_settings(settings: Mapping[str, Any]) -> list[StaticFiles]:
    """The `StaticFiles` battery that `STATIC_DIR`, `STATIC_ROOT` and `STATIC_CONFIG` ask for.

    - `STATIC_DIR`: the directory (or list of directories) to serve; missing or `None`: none.
    - `STATIC_ROOT`: the URL prefix, `"static"` (Bocadillo's default) or `"/assets"`.
    - `STATIC_CONFIG`: more `StaticFiles` options, such as `{"max_age": 60}`.
    """
    directory = settings.get("STATIC_DIR")
    if directory is None:
        return []
    root = settings.get("STATIC_ROOT", "static")
    if not isinstance(root, str) or not root.strip("/") or "{" in root:
        raise ValueError(
            f"The STATIC_ROOT setting is the URL prefix of static files, like 'static' or "
            f"'/assets', not {root!r}."
        )
    config = settings.get("STATIC_CONFIG") or {}
    if not isinstance(config, Mapping):
        raise TypeError(
            f"The STATIC_CONFIG setting must be a dict of StaticFiles options, not {config!r}."
        )
    if "path" in config or "directory" in config:
        raise TypeError(
            "STATIC_CONFIG cannot hold 'path' or 'directory': set STATIC_ROOT and STATIC_DIR."
        )
    try:
        return [StaticFiles(directory, path="/" + root.strip("/"), **config)]
    except StaticDirectoryError as exc:
        raise StaticDirectoryError(f"The STATIC_DIR setting: {exc}") from None
