"""Routes and mounts: what answers a pattern or a prefix, and how its URL is built."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from .converters import Converter
from .errors import URLBuildError
from .types import ASGIApp
from .views import HTTP_METHODS, Endpoint

__all__ = ["Mount", "Route"]

# Path segments a browser resolves away (`/files/../x` is `/x`): never put in a built URL.
_DOT_SEGMENT = frozenset({".", ".."})


@dataclass(eq=False)
class Route:
    """One route pattern and the endpoints answering it, by HTTP method."""

    pattern: str
    name: str | None
    view: Any
    endpoints: dict[str, Endpoint]
    converters: dict[str, Converter[Any]]
    max_body_size: int | None = None
    allow: str = ""
    auto: set[str] = field(default_factory=set, repr=False)
    #: Middleware of the router the route came from, innermost first: `(class, options)`.
    middleware: list[tuple[Any, dict[str, Any]]] = field(default_factory=list, repr=False)
    #: That middleware wrapped around the route, built by the app on first use.
    stack: ASGIApp | None = field(default=None, repr=False)
    #: Websocket routes: value type, accept and size options.
    options: dict[str, Any] = field(default_factory=dict, repr=False)
    #: The name and view of each declaration merged into this route after the first (one
    #: `app.post` beside an `app.get` on the same pattern), by method: what introspection
    #: reports for those endpoints.
    declared: dict[str, tuple[str | None, Any]] = field(default_factory=dict, repr=False)
    _parts: list[str | tuple[str, Converter[Any]]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.refresh_allow()

    def refresh_allow(self) -> None:
        methods = set(self.endpoints) | {"OPTIONS"}
        self.allow = ", ".join(m.upper() for m in HTTP_METHODS if m.upper() in methods)

    def url_path(self, params: Mapping[str, Any]) -> str:
        unknown = set(params) - set(self.converters)
        if unknown:
            raise URLBuildError(
                f"route {self.name!r} ({self.pattern}) has no parameter(s) "
                f"{', '.join(sorted(unknown))}"
            )
        out = []
        for part in self._parts:
            if isinstance(part, str):
                out.append(part)
                continue
            name, converter = part
            if not name:
                raise URLBuildError(
                    f"route {self.name!r} ({self.pattern}) has an anonymous '{{}}' wildcard: "
                    "name it, like '{slug}', to build its URLs"
                )
            if name not in params:
                raise URLBuildError(
                    f"route {self.name!r} ({self.pattern}) needs the parameter {name!r}"
                )
            try:
                text = converter.to_url(params[name])
            except (ValueError, TypeError) as exc:
                raise URLBuildError(f"route {self.name!r}: parameter {name!r}: {exc}") from None
            if not converter.match(text):
                raise URLBuildError(
                    f"route {self.name!r}: parameter {name!r} = {params[name]!r} does not match "
                    f"the pattern {self.pattern}"
                )
            if _DOT_SEGMENT & set(text.split("/")):
                raise URLBuildError(
                    f"route {self.name!r}: parameter {name!r} = {params[name]!r} has a '.' or "
                    "'..' segment, which browsers resolve to another path: refused"
                )
            out.append(quote(text, safe="/" if converter.matches_slashes else ""))
        path = "".join(out)
        # A path that begins with two slashes would be read as another host (`//evil.com`).
        if path.startswith("//"):
            path = "/%2F" + path[2:]
        return path


@dataclass(eq=False)
class Mount:
    """An ASGI app answering every path under `prefix`."""

    prefix: str
    app: ASGIApp
    name: str | None = None

    def url_path(self, params: Mapping[str, Any]) -> str:
        """`prefix/<path>`: the only parameter of a mount is the `path` under it."""
        extra = dict(params)
        sub = str(extra.pop("path", ""))
        if extra:
            raise URLBuildError(f"mount {self.name!r} takes only a 'path' parameter")
        if _DOT_SEGMENT & set(sub.split("/")):
            raise URLBuildError(
                f"mount {self.name!r}: path {sub!r} has a '.' or '..' segment, which browsers "
                "resolve outside the mount: refused"
            )
        return self.prefix + "/" + quote(sub.lstrip("/"), safe="/")
