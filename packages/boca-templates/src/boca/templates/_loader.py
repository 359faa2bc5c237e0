"""A file-system loader that refuses any name that could leave its directories."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence

import jinja2

from .errors import TemplateDirectoryNotFound, TemplateNotFound

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_reason(name: str) -> str | None:
    """Why `name` is not a safe relative template path, or None when it is.

    Template names may come from user input, so anything that could reach outside the
    template directories on any OS is refused before the file system is touched.
    """
    if not isinstance(name, str) or not name:
        return "template names must be non-empty strings"
    if "\\" in name:
        return "backslashes are not allowed, use '/' as the separator"
    if name.startswith("/"):
        return "absolute paths are not allowed"
    if _CONTROL.search(name):
        return "control characters are not allowed"
    for segment in name.split("/"):
        # Windows drops trailing dots and spaces, so "... " or ".. " can act as "..".
        if segment not in ("", ".") and not segment.strip(". "):
            return "'..' segments are not allowed"
        if _DRIVE.match(segment):
            return "drive letters are not allowed"
    return None


def check_name(name: str, searched: Sequence[str] = ()) -> None:
    """Raise `TemplateNotFound` unless `name` is a safe relative template path."""
    reason = unsafe_reason(name)
    if reason is not None:
        raise TemplateNotFound(str(name), searched, f"invalid template name: {reason}")


def resolve_directories(
    directory: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
) -> list[str]:
    """Absolute paths of the template directories; each one must exist."""
    items = [directory] if isinstance(directory, (str, os.PathLike)) else list(directory)
    if not items:
        raise ValueError("Templates(directory=...) needs at least one directory")
    paths = []
    for item in items:
        path = os.path.abspath(os.fspath(item))
        if not os.path.isdir(path):
            raise TemplateDirectoryNotFound(path)
        paths.append(path)
    return paths


class SafeFileSystemLoader(jinja2.FileSystemLoader):
    """`jinja2.FileSystemLoader` with strict names and errors that list every directory."""

    searchpath: list[str]

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        check_name(template, self.searchpath)
        try:
            return super().get_source(environment, template)
        except jinja2.TemplateNotFound:
            raise TemplateNotFound(template, self.searchpath) from None
