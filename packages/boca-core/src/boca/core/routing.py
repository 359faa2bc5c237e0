"""Routing: routes, mounts and routers; a lookup whose cost follows the path (not the number
of routes, see `_route_tree`), and reverse routing."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from ._route_options import Methods, MethodShortcuts, RouteDocs, RouteKeywords, RouteOptions, Unpack
from ._route_tree import Node, compile_pattern, insert, merge_literals
from ._routes import Mount, Route
from ._user_code import declared_at
from .errors import RouteDeclarationError, URLBuildError
from .hooks import Hook, hooks_of
from .introspection import RouteInfo, describe_routes
from .providers import ProviderError, ProviderRegistry
from .types import ASGIApp
from .views import ViewDeclarationError, compile_view
from .websockets import compile_websocket_view

__all__ = ["Mount", "Route", "Router"]

V = TypeVar("V")
#: Raised at declaration; their messages end with the user's `file:line`.
DECLARATION_ERRORS = (RouteDeclarationError, ViewDeclarationError, ProviderError)


@dataclass
class _Spec:
    """How a route was declared, so that `include()` can declare it again elsewhere."""

    websocket: bool
    pattern: str
    view: Any
    name: str | None
    options: dict[str, Any]
    hooks: list[Hook]
    middleware: list[tuple[Any, dict[str, Any]]]


class Router(MethodShortcuts):
    """A set of routes, websocket routes and mounts. Apps have one; build others and
    `include()` them.

    A router may carry hooks (`before(hook)(router)`) and middleware (`router.add_middleware`)
    that apply to its routes only.
    """

    def __init__(self, *, providers: ProviderRegistry | None = None) -> None:
        self.routes: list[Route] = []
        self.websocket_routes: list[Route] = []
        self.mounts: list[Mount] = []
        self.providers = providers
        self.middleware: list[tuple[Any, dict[str, Any]]] = []
        self._static: dict[str, Route] = {}
        self._root = Node()
        self._by_shape: dict[str, Route] = {}
        self._ws_static: dict[str, Route] = {}
        self._ws_root = Node()
        self._ws_by_shape: dict[str, Route] = {}
        self._by_name: dict[str, Route | Mount] = {}
        self._specs: list[_Spec] = []

    # -- declaration -------------------------------------------------------------------------

    def route(
        self, pattern: str, *, methods: Methods = None, **options: Unpack[RouteKeywords]
    ) -> Callable[[V], V]:
        """Decorator: answer `pattern` with a function or class-based view (options: `name`,
        `max_body_size`, `status_code` and the documentation keywords of `RouteDocs`)."""

        def register(view: V) -> V:
            with declared_at(*DECLARATION_ERRORS):
                self.add_route(pattern, view, methods=methods, **options)
            return view

        return register

    def describe_routes(self) -> list[RouteInfo]:
        """What each route takes and answers, from its declaration (see `RouteInfo`)."""
        return describe_routes(self)

    def add_middleware(self, middleware_class: Any, **options: Any) -> None:
        """Wrap this router's routes (only them) in an ASGI middleware, when included."""
        if not callable(middleware_class):
            raise TypeError(f"{middleware_class!r} is not an ASGI middleware class")
        self.middleware.append((middleware_class, options))

    def add_route(
        self,
        pattern: str,
        view: Any,
        *,
        methods: Methods = None,
        name: str | None = None,
        max_body_size: int | None = None,
        hooks: list[Hook] | None = None,
        middleware: list[tuple[Any, dict[str, Any]]] | None = None,
        **docs: Unpack[RouteDocs],
    ) -> Route:
        if max_body_size is not None and max_body_size < 0:
            raise RouteDeclarationError(f"route {pattern!r}: max_body_size must be >= 0")
        compiled, parts, param_converters, conv_names, shape = compile_pattern(pattern)
        endpoints = compile_view(
            view,
            pattern,
            conv_names,
            methods,
            hooks=hooks or [],
            providers=self.providers,
            options=RouteOptions(**docs),
        )
        route = self._by_shape.get(shape)
        if route is not None:
            clash = sorted(set(route.endpoints) & set(endpoints) - route.auto)
            if clash:
                raise RouteDeclarationError(
                    f"route {pattern!r}: {', '.join(clash)} is already answered by route "
                    f"{route.pattern!r}: remove one of them, or give them different methods"
                )
            if set(route.converters) != set(param_converters):
                raise RouteDeclarationError(
                    f"route {pattern!r}: same shape as {route.pattern!r} but other parameter "
                    "names: use the same names"
                )
            route.endpoints.update(endpoints)
            route.declared.update(dict.fromkeys(endpoints, (name, view)))
            route.auto -= set(endpoints)
            _add_auto_head(route)
            route.refresh_allow()
        else:
            route = Route(pattern, name, view, dict(endpoints), param_converters, max_body_size)
            route._parts = merge_literals(parts)
            route.middleware = list(middleware or [])
            _add_auto_head(route)
            route.refresh_allow()
            insert(route, compiled, self._static, self._root)
            self._by_shape[shape] = route
            self.routes.append(route)
        if name is not None:
            self._name(name, route)
        options = {"methods": methods, "max_body_size": max_body_size, **docs}
        self._specs.append(
            _Spec(False, pattern, view, name, options, list(hooks or []), list(middleware or []))
        )
        return route

    def websocket_route(
        self,
        pattern: str,
        *,
        name: str | None = None,
        value_type: str = "text",
        auto_accept: bool = True,
        max_message_size: int | None = None,
        allowed_origins: list[str] | None = None,
        normal_close_codes: frozenset[int] | set[int] | None = None,
        receive_type: str | None = None,
        send_type: str | None = None,
        caught_close_codes: Any = None,
    ) -> Callable[[V], V]:
        """Decorator: answer websocket connections to `pattern` with `async def view(ws, ...)`
        or a class with `on_connect`, `on_receive` and `on_disconnect`."""

        def register(view: V) -> V:
            with declared_at(*DECLARATION_ERRORS):
                self.add_websocket_route(
                    pattern,
                    view,
                    name=name,
                    value_type=value_type,
                    auto_accept=auto_accept,
                    max_message_size=max_message_size,
                    allowed_origins=allowed_origins,
                    normal_close_codes=normal_close_codes,
                    receive_type=receive_type,
                    send_type=send_type,
                    caught_close_codes=caught_close_codes,
                )
            return view

        return register

    def add_websocket_route(
        self,
        pattern: str,
        view: Any,
        *,
        name: str | None = None,
        hooks: list[Hook] | None = None,
        middleware: list[tuple[Any, dict[str, Any]]] | None = None,
        **options: Any,
    ) -> Route:
        compiled, parts, param_converters, conv_names, shape = compile_pattern(pattern)
        if shape in self._ws_by_shape:
            raise RouteDeclarationError(
                f"websocket route {pattern!r} is already declared as "
                f"{self._ws_by_shape[shape].pattern!r}"
            )
        endpoint, settings = compile_websocket_view(
            view, pattern, conv_names, providers=self.providers, **options
        )
        route = Route(pattern, name, view, {"WEBSOCKET": endpoint}, param_converters)
        route.allow = ""
        route._parts = merge_literals(parts)
        route.options = settings
        route.middleware = list(middleware or [])
        insert(route, compiled, self._ws_static, self._ws_root)
        self._ws_by_shape[shape] = route
        self.websocket_routes.append(route)
        if name is not None:
            self._name(name, route)
        self._specs.append(
            _Spec(True, pattern, view, name, options, list(hooks or []), list(middleware or []))
        )
        return route

    def _name(self, name: str, target: Route | Mount) -> None:
        existing = self._by_name.get(name)
        if existing is not None and existing is not target:
            where = existing.pattern if isinstance(existing, Route) else existing.prefix
            raise RouteDeclarationError(
                f"route name {name!r} is already used by {where!r}: names must be unique"
            )
        self._by_name[name] = target

    def mount(self, prefix: str, app: ASGIApp, name: str | None = None) -> Mount:
        """Serve every path under `prefix` with another ASGI app (its `root_path` is set)."""
        with declared_at(RouteDeclarationError):
            return self._mount(prefix, app, name)

    def _mount(self, prefix: str, app: ASGIApp, name: str | None) -> Mount:
        if not prefix.startswith("/") or prefix == "/" or "{" in prefix:
            raise RouteDeclarationError(
                f"mount {prefix!r}: a mount prefix is a literal path like '/static', not '/' and "
                "without parameters"
            )
        if not callable(app):
            raise RouteDeclarationError(f"mount {prefix!r}: {app!r} is not an ASGI app")
        mount = Mount(prefix.rstrip("/"), app, name)
        if any(m.prefix == mount.prefix for m in self.mounts):
            raise RouteDeclarationError(f"mount {prefix!r}: something is already mounted there")
        self.mounts.append(mount)
        self.mounts.sort(key=lambda m: len(m.prefix), reverse=True)
        if name is not None:
            self._name(name, mount)
        return mount

    def include(self, router: Router, prefix: str = "") -> None:
        """Add every route and mount of `router`, under `prefix` (routes are copied now)."""
        with declared_at(*DECLARATION_ERRORS):
            self._include(router, prefix)

    def _include(self, router: Router, prefix: str) -> None:
        if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
            raise RouteDeclarationError(
                f"include prefix {prefix!r} must start with '/' and not end with '/', like '/shop'"
            )
        hooks = hooks_of(router)
        for spec in router._specs:
            full = prefix + spec.pattern if spec.pattern != "/" or not prefix else prefix
            # The included router's middleware wraps outside what its routes already had.
            middleware = [*spec.middleware, *router.middleware]
            if spec.websocket:
                self.add_websocket_route(
                    full,
                    spec.view,
                    name=spec.name,
                    hooks=[*hooks, *spec.hooks],
                    middleware=middleware,
                    **spec.options,
                )
            else:
                self.add_route(
                    full,
                    spec.view,
                    name=spec.name,
                    hooks=[*hooks, *spec.hooks],
                    middleware=middleware,
                    **spec.options,
                )
        for mount in router.mounts:
            self.mount(prefix + mount.prefix, mount.app, mount.name)

    # -- lookup ------------------------------------------------------------------------------

    def match(self, path: str) -> tuple[Route, dict[str, Any]] | None:
        """The route answering `path` and its converted parameters, or None."""
        route = self._static.get(path)
        if route is not None:
            return route, {}
        found = self._root.match(path[1:].split("/"), 0)
        if found is None:
            return None
        return found[0], dict(found[1])

    def match_websocket(self, path: str) -> tuple[Route, dict[str, Any]] | None:
        """The websocket route answering `path` and its converted parameters, or None."""
        route = self._ws_static.get(path)
        if route is not None:
            return route, {}
        found = self._ws_root.match(path[1:].split("/"), 0)
        if found is None:
            return None
        return found[0], dict(found[1])

    def match_mount(self, path: str) -> Mount | None:
        for mount in self.mounts:
            prefix = mount.prefix
            if path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/"):
                return mount
        return None

    def url_path_for(self, name: str, params: Mapping[str, Any], query: Any = None) -> str:
        target = self._by_name.get(name)
        if target is None:
            known = ", ".join(sorted(self._by_name)) or "none"
            raise URLBuildError(f"no route named {name!r} (known names: {known})")
        path = target.url_path(params)
        if query:
            path += "?" + urlencode(query, doseq=True)
        return path

    def __iter__(self) -> Iterator[Route]:
        return iter(self.routes)


def _add_auto_head(route: Route) -> None:
    """GET routes answer HEAD too (headers only), unless the view defines HEAD itself."""
    if "GET" in route.endpoints and ("HEAD" not in route.endpoints or "HEAD" in route.auto):
        route.endpoints["HEAD"] = route.endpoints["GET"]
        route.auto.add("HEAD")
