"""The directories `StaticFiles` serves: checked once at construction, found in packages."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path


class StaticDirectoryError(ValueError, RuntimeError):
    """A directory to serve is missing, not a directory, unreadable, or not in its package.

    A `ValueError` (bad configuration) and a `RuntimeError`, what Starlette's `StaticFiles`
    raises for a missing directory, so code written for either catches it.
    """


def package_directory(package: str | tuple[str, str]) -> str:
    """The static directory of an importable package: `statics`, or the one named."""
    name, folder = (package, "statics") if isinstance(package, str) else package
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or spec.origin is None:
        raise StaticDirectoryError(
            f"StaticFiles package {name!r} cannot be imported: install it, or fix its name."
        )
    path = os.path.normpath(os.path.join(os.path.dirname(spec.origin), folder))
    if not os.path.isdir(path):
        raise StaticDirectoryError(
            f"StaticFiles package {name!r} has no {folder!r} directory (looked for {path!r})."
        )
    return path


def check_directories(directories: Sequence[Path], manifest: str | None) -> None:
    """Fail now, naming the directory, rather than answer 404 for every file later."""
    for d in directories:
        if not d.exists():
            raise StaticDirectoryError(
                f"StaticFiles directory {str(d)!r} does not exist: create it, or fix the path "
                f"(relative paths start from the current directory, {os.getcwd()!r}); "
                "check_dir=False defers the check."
            )
        if not d.is_dir():
            raise StaticDirectoryError(f"StaticFiles directory {str(d)!r} is not a directory.")
        try:
            with os.scandir(d) as entries:
                next(entries, None)
            if manifest is not None:
                (d / manifest).is_file()
        except OSError as exc:
            raise StaticDirectoryError(
                f"StaticFiles directory {str(d)!r} cannot be read ({exc.strerror}): give the "
                "server's user read and search permission on it (chmod a+rx), or pass "
                "check_dir=False to answer 404 under it instead."
            ) from exc
