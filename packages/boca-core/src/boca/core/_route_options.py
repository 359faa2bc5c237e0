"""What a route declares beyond its view (success status, documentation), and the method
shortcuts `get`/`post`/`put`/`patch`/`delete` shared by `App` and `Router`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict, TypeVar

if sys.version_info >= (3, 11):
    from typing import Unpack
else:  # pragma: no cover - Python 3.10
    from typing_extensions import Unpack

__all__ = ["MethodShortcuts", "Methods", "RouteDocs", "RouteKeywords", "RouteOptions", "Unpack"]

V = TypeVar("V")
#: `methods=`: a list such as `["GET", "POST"]`, or the builtin `all` (every method).
Methods = list[str] | Callable[[Iterable[object]], bool] | None


@dataclass(frozen=True)
class RouteOptions:
    """The success status and the documentation of one route declaration."""

    status_code: int | None = None
    tags: Sequence[str] | None = None
    summary: str | None = None
    description: str | None = None
    responses: Mapping[int, Any] | None = None
    deprecated: bool = False
    include_in_schema: bool = True


class RouteDocs(TypedDict, total=False):
    """The keyword arguments of `RouteOptions`."""

    #: The status of a successful answer (`201` for a creation); the view may still set another.
    status_code: int | None
    #: Groups the route in the OpenAPI document.
    tags: Sequence[str] | None
    #: Overrides the docstring's first line.
    summary: str | None
    #: Overrides the rest of the docstring.
    description: str | None
    #: Extra documented answers: `{404: ErrorModel}` or `{404: (ErrorModel, "no such note")}`.
    responses: Mapping[int, Any] | None
    deprecated: bool
    #: `False` leaves the route out of the OpenAPI document.
    include_in_schema: bool


class RouteKeywords(RouteDocs, total=False):
    """Every keyword argument of `route()` and the method shortcuts but `methods`."""

    name: str | None
    max_body_size: int | None


class MethodShortcuts:
    """`get`, `post`, `put`, `patch` and `delete`: `route(pattern, methods=[...])` in short."""

    def route(
        self, pattern: str, *, methods: Methods = None, **options: Unpack[RouteKeywords]
    ) -> Callable[[V], V]:  # pragma: no cover - defined by App and Router
        raise NotImplementedError

    def get(self, pattern: str, **options: Unpack[RouteKeywords]) -> Callable[[V], V]:
        """Decorator: answer GET (and HEAD) requests to `pattern`."""
        return self.route(pattern, methods=["GET"], **options)

    def post(self, pattern: str, **options: Unpack[RouteKeywords]) -> Callable[[V], V]:
        """Decorator: answer POST requests to `pattern`."""
        return self.route(pattern, methods=["POST"], **options)

    def put(self, pattern: str, **options: Unpack[RouteKeywords]) -> Callable[[V], V]:
        """Decorator: answer PUT requests to `pattern`."""
        return self.route(pattern, methods=["PUT"], **options)

    def patch(self, pattern: str, **options: Unpack[RouteKeywords]) -> Callable[[V], V]:
        """Decorator: answer PATCH requests to `pattern`."""
        return self.route(pattern, methods=["PATCH"], **options)

    def delete(self, pattern: str, **options: Unpack[RouteKeywords]) -> Callable[[V], V]:
        """Decorator: answer DELETE requests to `pattern`."""
        return self.route(pattern, methods=["DELETE"], **options)
