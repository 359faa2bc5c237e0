"""The application: an ASGI 3 callable that routes requests to views and answers errors."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Literal, TypeVar, cast, overload
from urllib.parse import quote_from_bytes

from starlette.datastructures import State
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from . import _json
from .background import run_background
from .debug import debug_html, debug_json
from .errors import HTTPError, Redirect, same_origin_path
from .plugins import Plugin
from .providers import ProviderRegistry
from .requests import DEFAULT_MAX_BODY_SIZE, Request
from .responses import Response
from .routing import Route, Router
from .settings import Settings
from .types import ASGIApp, Message, Receive, Scope, Send
from .views import apply_result
from .websockets import WebSocket, WebSocketDisconnect, _origins, origin_allowed

__all__ = ["App"]

logger = logging.getLogger("boca.core")
V = TypeVar("V")
F = TypeVar("F", bound=Callable[..., Any])
H = TypeVar("H", bound=Callable[[], Awaitable[Any]])
E = TypeVar("E", bound=BaseException)
ErrorHandler = Callable[[Request, Response, Any], Awaitable[None]]
Lifespan = Callable[["App"], contextlib.AbstractAsyncContextManager[Any]]
_JSON_CT = (b"content-type", b"application/json")
#: Settings that switch on boca-middleware batteries (Bocadillo's names).
MIDDLEWARE_SETTINGS = ("ALLOWED_HOSTS", "HSTS", "CORS", "SESSIONS", "GZIP")
# Printable ASCII stays as sent in a redirected query string; anything else is percent-encoded.
_QUERY_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))


class App:
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
        settings: a `Settings` object or a mapping, kept as `app.settings`. The settings
            `ALLOWED_HOSTS`, `HSTS`, `CORS`, `SESSIONS` and `GZIP` switch on the matching
            middleware of boca-middleware (which must then be installed), as in Bocadillo.
            `DEBUG` is never read from settings: debug mode is only switched on in code.
        body_timeout: seconds a view waits for the next piece of a request body before
            answering `408 Request Timeout` and closing the connection (slow uploads hold a
            worker otherwise); `None` waits forever.
        websocket_origins: the `Origin`s allowed to open websockets (`["*"]`: any); a
            handshake from another origin is refused with 403. `None` (default) checks
            nothing; a websocket route's own `allowed_origins` wins.
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
    ) -> None:
        self.debug = debug
        self.redirect_trailing_slash = redirect_trailing_slash
        self.max_body_size = max_body_size
        self.body_timeout = body_timeout
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
        if settings is not None:
            self._apply_settings(settings)

    def _apply_settings(self, settings: Settings | Mapping[str, Any]) -> None:
        values = settings.as_dict() if isinstance(settings, Settings) else dict(settings)
        self.settings = values
        wanted = [name for name in MIDDLEWARE_SETTINGS if values.get(name)]
        if not wanted:
            return
        try:
            # Imported by name: boca-core never depends on a battery.
            battery = importlib.import_module("boca.middleware")
        except ImportError:
            raise RuntimeError(
                f"the setting(s) {', '.join(wanted)} need the boca-middleware package: "
                "pip install boca-middleware"
            ) from None
        # `from_settings` lists them outermost first; the last middleware added is outermost.
        for plugin in reversed(battery.from_settings(values)):
            self.use(plugin)

    # -- declaration --------------------------------------------------------------------------

    def route(
        self,
        pattern: str,
        *,
        methods: list[str] | None = None,
        name: str | None = None,
        max_body_size: int | None = None,
    ) -> Callable[[V], V]:
        """Decorator: answer `pattern` with a function view or a class-based view."""
        return self.router.route(pattern, methods=methods, name=name, max_body_size=max_body_size)

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
    ) -> Callable[[V], V]:
        """Decorator: answer websocket connections to `pattern`.

        `value_type` ("text", "bytes" or "json") is what `ws.receive()`/`ws.send()` carry;
        a message larger than `max_message_size` closes the connection with 1009;
        `normal_close_codes` (default 1000 and 1001) end the view without a log line.
        """
        return self.router.websocket_route(
            pattern,
            name=name,
            value_type=value_type,
            auto_accept=auto_accept,
            max_message_size=max_message_size,
            allowed_origins=allowed_origins,
            normal_close_codes=normal_close_codes,
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
                f"{name} is an ASGI 2 middleware (`__init__(self, scope)` and "
                "`__call__(self, receive, send)`): Boca takes ASGI 3. Upgrade it to "
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
            await self._http(scope, receive, send)
            return
        await self._stack(scope, receive, send)

    def _build_stack(self) -> ASGIApp:
        app: ASGIApp = self._dispatch
        self._direct = not self._middleware
        if self._direct:
            return app
        for cls, options in self._middleware:
            app = cls(app, **options)
        inner = app

        async def boundary(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await inner(scope, receive, send)
                return
            await self._guarded(inner, scope, receive, send)

        return boundary

    async def _guarded(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        """Run `app`; an exception raised before the response started gets the app's answer
        (error handlers, then the generic 500). After that it is too late: it goes to the
        server, which cuts the connection."""
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            await self._answer_error(exc, Request(scope, receive, send), scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan_loop(receive, send)
        elif kind == "websocket":
            await self._websocket(scope, receive, send)

    def _route_path(self, scope: Scope) -> tuple[str, str]:
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            if len(path) == len(root):
                path = "/"
            elif path[len(root)] == "/":
                path = path[len(root) :]
        return path, root

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, root = self._route_path(scope)
        found = self.router.match_websocket(path)
        if found is None:
            mount = self.router.match_mount(path)
            if mount is not None:
                await mount.app({**scope, "root_path": root + mount.prefix}, receive, send)
                return
            # Closing before accepting: the server answers the handshake with 403.
            await send({"type": "websocket.close", "code": 1008, "reason": ""})
            return
        route, params = found
        scope["path_params"] = params
        if route.middleware:
            await self._through_route_middleware(route, scope, receive, send)
            return
        await self._run_websocket(route, scope, receive, send)

    async def _run_websocket(
        self, route: Route, scope: Scope, receive: Receive, send: Send
    ) -> None:
        options = route.options
        ws = WebSocket(
            scope,
            receive,
            send,
            value_type=options["value_type"],
            max_message_size=options["max_message_size"],
            normal_close_codes=options["normal_close_codes"],
        )
        origins = options["allowed_origins"]
        if not origin_allowed(ws, self.websocket_origins if origins is None else origins):
            logger.info("websocket %r refused: origin %r", scope["path"], ws.headers.get("origin"))
            await ws.reject(1008)
            return
        try:
            await route.endpoints["WEBSOCKET"](ws, None)  # type: ignore[arg-type]
        except HTTPError as exc:  # a path or query parameter that does not convert
            logger.info("websocket %r refused: %s", scope["path"], exc)
            await ws.close(1008)
        except WebSocketDisconnect as exc:
            if exc.code not in ws.normal_close_codes:
                logger.info("websocket %r closed with code %s", scope["path"], exc.code)
        except Exception:
            logger.exception("Unhandled exception in websocket %r", scope["path"])
            await ws.close(1011)
        else:
            await ws.close(1000)

    async def _through_route_middleware(
        self, route: Route, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Run a route that came from a router with middleware, inside that middleware.

        The routes of one included router share one instance of each of its middleware.
        """
        if route.stack is None:
            key = [(cls, id(options)) for cls, options in route.middleware]
            for other in (*self.router.routes, *self.router.websocket_routes):
                if other.stack is not None and [(c, id(o)) for c, o in other.middleware] == key:
                    route.stack = other.stack
                    break
            else:
                inner: ASGIApp = self._run_routed
                for cls, options in route.middleware:
                    inner = cls(inner, **options)
                route.stack = inner
        scope["boca.route"] = route
        if scope["type"] == "websocket":
            try:
                await route.stack(scope, receive, send)
            except Exception:
                logger.exception("Unhandled exception in websocket %r", scope["path"])
                with contextlib.suppress(OSError, RuntimeError):  # already closed: that's fine
                    await send({"type": "websocket.close", "code": 1011, "reason": ""})
            return
        await self._guarded(route.stack, scope, receive, send)

    async def _run_routed(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = scope["boca.route"]
        if scope["type"] == "websocket":
            await self._run_websocket(route, scope, receive, send)
        else:
            await self._run_route(route, scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        root = scope.get("root_path", "")
        path = self._route_path(scope)[0] if root else scope["path"]
        try:
            found = self.router.match(path)
        except Exception as exc:  # a user converter that raised something else than ValueError
            await self._answer_error(exc, Request(scope, receive, send), scope, receive, send)
            return
        if found is None:
            await self._no_route(path, root, scope, receive, send)
            return
        route, params = found
        scope["path_params"] = params
        if route.middleware:
            await self._through_route_middleware(route, scope, receive, send)
            return
        await self._run_route(route, scope, receive, send)

    async def _run_route(self, route: Route, scope: Scope, receive: Receive, send: Send) -> None:
        limit = route.max_body_size if route.max_body_size is not None else self.max_body_size
        request = Request(
            scope, receive, send, route=route, max_body_size=limit, body_timeout=self.body_timeout
        )
        endpoint = route.endpoints.get(scope["method"])
        response = Response(request)
        try:
            if endpoint is None:
                if scope["method"] == "OPTIONS":
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 204,
                            "headers": [(b"allow", route.allow.encode())],
                        }
                    )
                    await send({"type": "http.response.body", "body": b""})
                    return
                raise HTTPError(405, headers={"Allow": route.allow})
            result = await endpoint(request, response)
            if result is None:
                await response(scope, receive, send)
            else:
                await self._send_result(result, response, scope, receive, send)
        except Exception as exc:
            if response.started:
                # Too late for an error page: the server logs it and cuts the connection, so
                # the client sees a truncated response rather than a complete-looking one.
                raise
            await self._answer_error(exc, request, scope, receive, send)

    async def _send_result(
        self, result: Any, response: Response, scope: Scope, receive: Receive, send: Send
    ) -> None:
        asgi = apply_result(response, result)
        if asgi is not None:
            await asgi(scope, receive, response.track(send))
            if response._tasks:
                await run_background(response._tasks, self.providers)
            return
        await response(scope, receive, send)

    async def _no_route(
        self, path: str, root: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        mount = self.router.match_mount(path)
        if mount is not None:
            child = dict(scope)
            child["root_path"] = root + mount.prefix
            await mount.app(child, receive, send)
            return
        request = Request(scope, receive, send)
        if self.redirect_trailing_slash and path != "/":
            other = path[:-1] if path.endswith("/") else path + "/"
            if self.router.match(other) is not None:
                location = same_origin_path(root + other)
                if scope.get("query_string"):
                    location += "?" + quote_from_bytes(scope["query_string"], safe=_QUERY_SAFE)
                await self._answer_error(
                    Redirect(location, status_code=307), request, scope, receive, send
                )
                return
        await self._answer_error(HTTPError(404), request, scope, receive, send)

    # -- errors -------------------------------------------------------------------------------

    def _handler_for(self, exc: BaseException) -> ErrorHandler | None:
        handlers = self._error_handlers
        if not handlers:
            return None
        for cls in type(exc).__mro__:
            handler = handlers.get(cls)
            if handler is not None:
                return handler
        return None

    async def _answer_error(
        self, exc: Exception, request: Request, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Answer `exc`: its error handler, else the default for HTTPError/Redirect, else a 500."""
        if isinstance(exc, ClientDisconnect):
            logger.debug("client disconnected: %s %r", scope.get("method"), scope.get("path"))
            return
        if isinstance(exc, StarletteHTTPException):
            try:
                exc = HTTPError(exc.status_code, detail=exc.detail, headers=exc.headers)
            except (ValueError, TypeError) as invalid:  # a 3xx, or headers that would split
                exc = invalid
        handler = self._handler_for(exc)
        if handler is not None:
            response = Response(request)
            try:
                await handler(request, response, exc)
                await response(scope, receive, send)
                return
            except Exception as raised:
                if response.started:
                    raise
                if raised is not exc:
                    exc = raised
                    if (
                        isinstance(raised, (HTTPError, Redirect))
                        and self._handler_for(raised) is None
                    ):
                        await self._default_answer(raised, request, scope, receive, send)
                        return
        await self._default_answer(exc, request, scope, receive, send)

    async def _default_answer(
        self, exc: Exception, request: Request, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if isinstance(exc, HTTPError):
            headers = [_JSON_CT, *exc.raw_headers]
            await _send(send, scope, exc.status_code, headers, _json.dumps(exc.as_json()))
            return
        if isinstance(exc, Redirect):
            await _send(
                send, scope, exc.status_code, [(b"location", exc.url.encode("latin-1"))], b""
            )
            return
        request_id = str(scope.get("request_id") or uuid.uuid4().hex)
        logger.error(
            "Unhandled exception in %s %r (request id %s)",
            scope.get("method"),
            scope.get("path"),
            request_id,
            exc_info=exc,
        )
        if self.debug:
            if "text/html" in request.headers.get("accept", ""):
                page = debug_html(exc, scope.get("method", ""), scope.get("path", ""), request_id)
                headers = [(b"content-type", b"text/html; charset=utf-8")]
                await _send(send, scope, 500, headers, page.encode())
            else:
                await _send(send, scope, 500, [_JSON_CT], _json.dumps(debug_json(exc, request_id)))
            return
        body = {"error": "500 Internal Server Error", "status": 500, "request_id": request_id}
        await _send(send, scope, 500, [_JSON_CT], _json.dumps(body))

    # -- lifespan -----------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _run_lifespan(self) -> AsyncIterator[None]:
        if self.debug:
            logger.warning(
                "debug mode is on: tracebacks are shown to clients. Never use it in production."
            )
        async with contextlib.AsyncExitStack() as stack:
            if self._lifespan is not None:
                state = await stack.enter_async_context(self._lifespan(self))
                self.lifespan_state = state
                if isinstance(state, Mapping):
                    for key, value in state.items():
                        setattr(self.state, key, value)
            await self.providers.startup()
            stack.push_async_callback(self.providers.shutdown)
            for handler in self._startup:
                await handler()
            try:
                yield
            finally:
                for handler in self._shutdown:
                    try:
                        await handler()
                    except Exception:
                        logger.exception("shutdown handler %r failed", handler)

    async def _lifespan_loop(self, receive: Receive, send: Send) -> None:
        message = await receive()
        assert message["type"] == "lifespan.startup"
        context = self._run_lifespan()
        try:
            await context.__aenter__()
        except Exception as exc:
            logger.exception("application startup failed")
            await send(
                {"type": "lifespan.startup.failed", "message": f"{type(exc).__name__}: {exc}"}
            )
            # Re-raised like Starlette does: servers and test clients then stop waiting for us.
            raise
        await send({"type": "lifespan.startup.complete"})
        message = await receive()
        try:
            await context.__aexit__(None, None, None)
        except Exception as exc:
            logger.exception("application shutdown failed")
            await send(
                {"type": "lifespan.shutdown.failed", "message": f"{type(exc).__name__}: {exc}"}
            )
            return
        await send({"type": "lifespan.shutdown.complete"})


def _is_asgi2(middleware_class: Any) -> bool:
    """An ASGI 2 class is made from a scope, and its instances are called with (receive, send)."""
    if not inspect.isclass(middleware_class):
        return False
    try:
        params = inspect.signature(middleware_class.__call__).parameters.values()
    except (TypeError, ValueError):  # pragma: no cover - a builtin without a signature
        return False
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return names[1:] == ["receive", "send"]


async def _send(
    send: Send, scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    headers = [(b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send(
        {"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body}
    )
