"""Route patterns for per-route options, matched on the raw path before any router runs.

A pattern is a path in the syntax of Starlette's and Boca's routes, optionally after a
method: `"/health"`, `"/items/{id}"`, `"/static/{rest:path}"`, `"POST /login"`.
`{name}` matches one path segment, `{name:path}` the rest of the path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Generic, TypeVar

V = TypeVar("V")

_PARAM = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?}")
_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
# Decisions per (method, path): a site sees many paths, so the cache is emptied when full.
_CACHE_LIMIT = 2048


def _compile(path: str, pattern: str) -> re.Pattern[str] | None:
    """A regex for a path with parameters, or None for a plain path."""
    if "{" not in path:
        return None
    parts = []
    end = 0
    for match in _PARAM.finditer(path):
        parts.append(re.escape(path[end : match.start()]))
        kind = match.group(2)
        if kind not in (None, "str", "int", "float", "uuid", "path"):
            raise ValueError(f"Route pattern {pattern!r}: unknown converter {kind!r}.")
        parts.append(".*" if kind == "path" else "[^/]+")
        end = match.end()
    rest = path[end:]
    if "{" in rest or "}" in rest:
        raise ValueError(f"Route pattern {pattern!r}: a brace is not part of a {{name}}.")
    parts.append(re.escape(rest))
    return re.compile("".join(parts))


class RouteMap(Generic[V]):
    """Finds the value of the first pattern, in the order given, that matches a request."""

    def __init__(self, items: Iterable[tuple[str, V]], setting: str) -> None:
        self._rules: list[tuple[str | None, str, re.Pattern[str] | None, V]] = []
        for pattern, value in items:
            method, sep, path = pattern.strip().partition(" ")
            if not sep:
                method, path = "", method
            method = method.upper()
            path = path.strip()
            if method and method not in _METHODS:
                raise ValueError(f"{setting}: {pattern!r} starts with an unknown method.")
            if not path.startswith("/"):
                raise ValueError(
                    f"{setting}: {pattern!r} is not a route pattern; write a path such as "
                    "'/items/{id}', optionally after a method: 'POST /items'."
                )
            self._rules.append((method or None, path, _compile(path, pattern), value))
        self._cache: dict[tuple[str, str], tuple[V] | None] = {}

    def __bool__(self) -> bool:
        return bool(self._rules)

    def find(self, method: str, path: str) -> tuple[V] | None:
        """`(value,)` for the first matching pattern, or None when none matches."""
        key = (method, path)
        try:
            return self._cache[key]
        except KeyError:
            pass
        found: tuple[V] | None = None
        for rule_method, rule_path, regex, value in self._rules:
            if rule_method is not None and rule_method != method:
                continue
            matched = regex.fullmatch(path) is not None if regex is not None else rule_path == path
            if matched:
                found = (value,)
                break
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = found
        return found
