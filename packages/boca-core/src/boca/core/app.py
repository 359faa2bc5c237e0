"""The application: its declaration API (routes, providers, handlers, middleware, batteries)
and the ASGI entry point.

A request's stages live in their own modules, in the order they run: the error boundary and
error answers (`_error_answers`), HTTP dispatch to the view (`_dispatch`, with router
middleware in `_route_middleware`), websockets (`_websocket_dispatch`) and the lifespan
(`_lifespan`).
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any, Literal, TypeVar, cast, overload

from starlette.datastructures import State

from ._configuration import BATTERY_SETTINGS, apply_settings
from ._dispatch import handle_http
from ._error_answers import ErrorHandler, guarded
from ._lifespan import lifespan_loop
from ._route_options import Methods, MethodShortcuts, RouteKeywords, Unpack
from ._websocket_dispatch import handle_websocket
from .introspection import RouteInfo
from .plugins import Plugin
from .providers import ProviderRegistry
from .requests import DEFAULT_MAX_BODY_SIZE, check_base_url, check_server_name
from .routing import Router
from .settings import Settings
from .types import ASGIApp, Receive, Scope, Send
from .websockets import _origins

__all__ = ["App"]

V = TypeVar("V")
F = TypeVar("F", bound=Callable[..., Any])
H = TypeVar("H", bound=Callable[[], Awaitable[Any]])
E = TypeVar("E", bound=BaseException)
Lifespan = Callable[["App"], contextlib.AbstractAsyncContextManager[Any]]
#: Settings that switch on boca-middleware batteries (Bocadillo's names).
MIDDLEWARE_SETTINGS = BATTERY_SETTINGS[0][2]


class App(MethodShortcuts):
    """A Boca application, served by any ASGI server: `uvicorn module:app`.

    Args:
        debug: show tracebacks to clients (escaped HTML for browsers, JSON for API clients).
            Only ever for local development.
        redirect_trailing_slash: redirect `/items/` to `/items` (or the other way round) when
            only the other one exists.
        max_body_size: the largest request body a view may read, in bytes (413 above it);
            `None` for no limit. Routes can override it.
        lifespan: an async context manager factory `lifespan(app)`; what it yields is in
            `app.state` (a mapping's items become attributes) and `app.lifespan_state`.
        settings: a `Settings` object or a mapping, kept as `app.settings`. Bocadillo's names
            work: `ALLOWED_HOSTS`, `HSTS`, `CORS`, `SESSIONS`, `GZIP` (and `GZIP_MIN_SIZE`)
            switch on boca-middleware, `STATIC_DIR`/`STATIC_ROOT`/`STATIC_CONFIG` boca-static
            (each must then be installed); `PROVIDER_MODULES`, `PLUGINS`,
            `REDIRECT_TRAILING_SLASH` and `HANDLE_TYPESYSTEM_VALIDATION_ERRORS` too (see the
            migration guide). `DEBUG` is never read from settings: debug mode is only
            switched on in code.
        body_timeout: seconds a view waits for the next piece of a request body before
            answering `408 Request Timeout` and closing the connection (slow uploads hold a
            worker otherwise); `None` waits forever.
        body_deadline: seconds the whole request body may take from the view's first read,
            else `408 Request Timeout` and a closed connection (a client trickling one byte
            a second never trips `body_timeout`). `"auto"` (default): `max_body_size` at
            64 KiB/s, at least 60 s (none when `max_body_size` is `None`); `None`: no deadline.
        websocket_origins: the `Origin`s allowed to open websockets; a handshake from
            another origin is refused with 403. `None` (default): the same site only (the
            `Origin`'s host is the `Host`'s; no `Origin`, no browser: allowed). `["*"]`: any
            origin. A websocket route's own `allowed_origins` wins.
        base_url: the app's public address, such as `"https://example.com"`, from which
            `req.url_for()` builds absolute URLs (also the `BASE_URL` setting, or
            `SERVER_NAME` for the host alone). Without it only a `Host` that
            `TrustedHostMiddleware` validated is used; see `Request.url_for`.
    """

    def __init__(
        self,
        *,
        debug: bool = False,
        redirect_trailing_slash: bool = True,
        max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
        lifespan: Lifespan | None = None,
        settings: Settings | Mapping[str, Any] | None = None,
        websocket_origins: list[str] | None = None,
        body_timeout: float | None = 30.0,
        base_url: str | None = None,
        body_deadline: float | Literal["auto"] | None = "auto",
    ) -> None:
        self.debug = debug
        self.redirect_trailing_slash = redirect_trailing_slash
        self.max_body_size = max_body_size
        self.body_timeout = body_timeout
        if body_deadline is not None and body_deadline != "auto":
            if isinstance(body_deadline, bool) or not isinstance(body_deadline, (int, float)):
                raise TypeError(
                    f"body_deadline must be seconds, 'auto' or None, not {body_deadline!r}"
                )
            if body_deadline <= 0:
                raise ValueError(f"body_deadline must be > 0 seconds, not {body_deadline!r}")
        self.body_deadline = body_deadline
        #: The app's providers (dependency injection by parameter name).
        self.providers = ProviderRegistry()
        self.router = Router(providers=self.providers)
        self.websocket_origins = _origins(websocket_origins)
        self.state = State()
        self.lifespan_state: Any = None
        #: Slots for batteries: each keeps what it must find again under its own name.
        self.extensions: dict[str, Any] = {}
        self._lifespan = lifespan
        self._startup: list[Callable[[], Awaitable[Any]]] = []
        self._shutdown: list[Callable[[], Awaitable[Any]]] = []
        self._error_handlers: dict[type[BaseException], ErrorHandler] = {}
        self._middleware: list[tuple[type[Any], dict[str, Any]]] = []
        self._stack: ASGIApp | None = None
        self._direct = False  # no middleware: HTTP goes straight to the router
        self._installed: list[Any] = []
        self.settings: dict[str, Any] = {}
        #: Where absolute URLs point (`req.url_for`): `base_url`, or `SERVER_NAME`'s host.
        self.base_url = None if base_url is None else check_base_url(base_url)
        self.server_name: str | None = None
        # Settings or none, the same defaults (HANDLE_TYPESYSTEM_VALIDATION_ERRORS...) apply.
        self._apply_settings(settings if settings is not None else {})

    def _apply_settings(self, settings: Settings | Mapping[str, Any]) -> None:
        values = settings.as_dict() if isinstance(settings, Settings) else dict(settings)
        self.settings = values
        if self.base_url is None and values.get("BASE_URL"):
            self.base_url = check_base_url(values["BASE_URL"], "the BASE_URL setting")
        if values.get("SERVER_NAME"):
            self.server_name = check_server_name(values["SERVER_NAME"])
        apply_settings(self, values)

    # -- declaration --------------------------------------------------------------------------

    def route(
        self, pattern: str, *, methods: Methods = None, **options: Unpack[RouteKeywords]
    ) -> Callable[[V], V]:
        """Decorator: answer `pattern` with a function view or a class-based view (options:
        `name`, `max_body_size`, `status_code` and the documentation keywords of `RouteDocs`)."""
        return self.router.route(pattern, methods=methods, **options)

    def describe_routes(self) -> list[RouteInfo]:
        """What each route takes and answers, from its declaration (see `RouteInfo`)."""
        return self.router.describe_routes()

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
        """Decorator: answer websocket connections to `pattern`.

        `value_type` ("text", "bytes", "json" or "event", raw ASGI messages) is what
        `ws.receive()`/`ws.send()` carry, `receive_type`/`send_type` set each direction apart;
        a message larger than `max_message_size` closes the connection with 1009;
        `normal_close_codes` (default 1000 and 1001; Bocadillo's name `caught_close_codes`
        also works, and the builtin `all` catches every code) end the view without a log line.
        """
        return self.router.websocket_route(
            pattern,
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

    @overload
    def provider(self, fn: F, /) -> F: ...

    @overload
    def provider(
        self,
        fn: None = None,
        /,
        *,
        scope: Literal["request", "app"] = "request",
        name: str | None = None,
    ) -> Callable[[F], F]: ...

    def provider(
        self,
        fn: F | None = None,
        /,
        *,
        scope: Literal["request", "app"] = "request",
        name: str | None = None,
    ) -> F | Callable[[F], F]:
        """Decorator: register a provider, injected by name into views that ask for it.

        An async function, or an async generator whose code after `yield` (in a `finally`,
        to run even when the view raised) is the tear-down.
        Declare providers before the routes that use them.
        """

        def register(provider: F) -> F:
            return self.providers.register(provider, scope=scope, name=name)

        return register if fn is None else register(fn)

    def mount(self, prefix: str, app: ASGIApp, name: str | None = None) -> None:
        """Serve everything under `prefix` with another ASGI app (Starlette, FastAPI, static...)."""
        self.router.mount(prefix, app, name)

    def include(self, router: Router, prefix: str = "") -> None:
        """Add the routes of a `Router`, under `prefix`."""
        self.router.include(router, prefix)

    def url_for(self, name: str, /, *, query: Any = None, **path_params: Any) -> str:
        """The path of the route called `name`: `app.url_for("user", user_id=3)` -> `/users/3`."""
        return self.router.url_path_for(name, path_params, query)

    @overload
    def on(self, event: str, handler: H, /) -> H: ...

    @overload
    def on(self, event: str, handler: None = None, /) -> Callable[[H], H]: ...

    def on(self, event: str, handler: H | None = None, /) -> H | Callable[[H], H]:
        """Run an async function at `"startup"` or `"shutdown"` (decorator or call form)."""
        if event not in ("startup", "shutdown"):
            raise ValueError(f"unknown event {event!r}: use 'startup' or 'shutdown'")

        def register(fn: H) -> H:
            if not inspect.iscoroutinefunction(cast(Any, fn)):
                raise TypeError(f"{event} handler {fn!r} must be an async function")
            (self._startup if event == "startup" else self._shutdown).append(fn)
            return fn

        return register if handler is None else register(handler)

    def error_handler(self, exc_class: type[E]) -> Callable[[V], V]:
        """Decorator: answer exceptions of `exc_class` with `async def handler(req, res, exc)`."""

        def register(handler: V) -> V:
            self.add_error_handler(exc_class, handler)  # type: ignore[arg-type]
            return handler

        return register

    def add_error_handler(self, exc_class: type[BaseException], handler: ErrorHandler) -> None:
        if not (isinstance(exc_class, type) and issubclass(exc_class, Exception)):
            raise TypeError(f"error handlers are for Exception subclasses, not {exc_class!r}")
        if not inspect.iscoroutinefunction(handler):
            raise TypeError(
                f"error handler {handler!r} for {exc_class.__name__} must be an async function "
                "`async def handler(req, res, exc)`"
            )
        self._error_handlers[exc_class] = handler

    def add_middleware(self, middleware_class: type[Any], **options: Any) -> None:
        """Wrap the app in an ASGI 3 middleware `middleware_class(app, **options)`.

        The last middleware added is the outermost: it sees the request first.
        """
        if self._stack is not None:
            raise RuntimeError("middleware must be added before the app handles its first request")
        if not callable(middleware_class):
            raise TypeError(f"{middleware_class!r} is not an ASGI middleware class")
        if _is_asgi2(middleware_class):
            name = getattr(middleware_class, "__qualname__", repr(middleware_class))
            raise TypeError(
                f"{name} is an ASGI 2 middleware (`__call__(self, receive, send)` or "
                "`__call__(self, scope)` returning the callable that takes them): Boca takes "
                "ASGI 3. Upgrade it to "
                "`__init__(self, app, **options)` and `async __call__(self, scope, receive, "
                "send)`, or wrap the ASGI 2 app it builds with "
                "`asgiref.compatibility.guarantee_single_callable`."
            )
        self._middleware.append((middleware_class, options))

    def use(self, plugin: Plugin) -> None:
        """Install a battery: calls `plugin.install(self)` once."""
        if not isinstance(plugin, Plugin):
            raise TypeError(f"{plugin!r} is not a Boca plugin: it has no install(app) method")
        if any(p is plugin for p in self._installed):
            return
        plugin.install(self)
        self._installed.append(plugin)

    # -- ASGI ---------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        if self._stack is None:
            self._stack = self._build_stack()
        # `self._dispatch` is a new bound method on each access: compare the flag, not `is`.
        if self._direct and scope["type"] == "http":
            await handle_http(self, scope, receive, send)
            return
        await self._stack(scope, receive, send)

    def _build_stack(self) -> ASGIApp:
        """The app-wide middleware around the dispatch, inside one error boundary."""
        app: ASGIApp = self._dispatch
        self._direct = not self._middleware
        if self._direct:
            return app
        for cls, options in self._middleware:
            app = cls(app, **options)
        return partial(guarded, self, app)

    def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        """The innermost app under the middleware: hands back the handler's own awaitable,
        so a request through middleware pays no coroutine of its own here."""
        kind = scope["type"]
        if kind == "http":
            return handle_http(self, scope, receive, send)
        if kind == "lifespan":
            return lifespan_loop(self, receive, send)
        if kind == "websocket":
            return handle_websocket(self, scope, receive, send)
        return _ignored()


async def _ignored() -> None:
    """What the app does with a scope type it does not know: nothing (as the ASGI spec asks)."""


def _is_asgi2(middleware_class: Any) -> bool:
    """An ASGI 2 class: its instances are called with `(receive, send)` (the class was made
    from the scope), or with the scope alone, returning the callable that takes
    `(receive, send)`. ASGI 3 instances take `(scope, receive, send)`."""
    if not inspect.isclass(middleware_class):
        return False
    try:
        params = inspect.signature(middleware_class.__call__).parameters.values()
    except (TypeError, ValueError):  # pragma: no cover - a builtin without a signature
        return False
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return names[1:] == ["receive", "send"] or len(names) == 2
