"""Turning a request path into a file inside a root, or refusing to.

Validation is pure string work on the decoded request path, so a hostile path (traversal, NUL,
backslash, drive letter, UNC share, empty segment) is refused before any filesystem call. Only
then is the candidate resolved on disk and checked for containment by path components.
"""

from __future__ import annotations

import os
import re
from collections.abc import MutableMapping
from typing import Any

# NUL and other control characters, backslashes (Windows separators, UNC prefixes), colons
# (drive letters, NTFS alternate data streams) and lone surrogates (not encodable as a file
# name) never appear in a servable name.
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\\:\ud800-\udfff]")


def route_path(scope: MutableMapping[str, Any]) -> str:
    """Return the part of the request path below the mount point.

    Starlette-style mounts keep the full path in `path` and the mount prefix in `root_path`;
    other servers strip the prefix already. Both are handled.
    """
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        if len(path) == len(root):
            return ""
        if path[len(root)] == "/":
            return path[len(root) :]
    return path


def split_route(route: str, *, allow_dotfiles: bool) -> tuple[tuple[str, ...], bool] | None:
    """Split a route path into safe segments, or return None when it must be refused.

    Returns the segments and whether the path ended with a slash.
    """
    if not route:
        return (), False
    if route == "/":
        return (), True
    if route[0] != "/" or _FORBIDDEN.search(route):
        return None
    rel = route[1:]
    trailing = rel.endswith("/")
    if trailing:
        rel = rel[:-1]
    parts = tuple(rel.split("/"))
    for part in parts:
        # Empty segments ("//etc/passwd"), "." and ".." (and "...", ". ." which some
        # filesystems fold into them) are refused outright.
        if not part.strip(". "):
            return None
        if part[0] == "." and not allow_dotfiles:
            return None
    return parts, trailing


def contained(root: str, path: str) -> bool:
    """Whether `path` (already resolved) is `root` or inside it, compared by components."""
    return path == root or os.path.commonpath((root, path)) == root


def has_hidden_part(root: str, path: str) -> bool:
    """Whether a resolved path inside `root` passes through a dotfile or dot-directory."""
    rel = os.path.relpath(path, root)
    return any(part.startswith(".") for part in rel.split(os.sep) if part != ".")
