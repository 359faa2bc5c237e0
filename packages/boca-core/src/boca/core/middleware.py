"""`Middleware`: the easy way to write HTTP middleware, still plain ASGI underneath.

Subclass it and override `before_dispatch` and/or `after_dispatch`. Unlike Starlette's
`BaseHTTPMiddleware`, nothing runs in another task and no body is buffered: the response is
passed through as it is sent, so streaming, server-sent events, background tasks and context
variables behave exactly as without the middleware.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator
from typing import Any

from ._headers import ResponseHeaders
from .requests import Request
from .responses import Response
from .types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Middleware", "ResponseStart"]


class ResponseStart:
    """The status and headers of the response on its way out (what `after_dispatch` sees).

    The body is already on its way and cannot change; status and headers can.
    """

    __slots__ = ("headers", "request", "status_code")

    def __init__(self, request: Request, status: int, raw: list[tuple[bytes, bytes]]) -> None:
        self.request = request
        #: The status the client will get.
        self.status_code = status
        #: The response headers: case-insensitive, multi-value, refusing CR, LF and NUL.
        self.headers = ResponseHeaders(raw=raw)

    def set_cookie(self, key: str, value: str = "", **options: Any) -> None:
        """Add a `Set-Cookie` header, with the options of `Response.set_cookie`."""
        response = Response(self.request)
        response.set_cookie(key, value, **options)
        for raw in response.headers.raw:
            self.headers.raw.append(raw)


class _Request(Request):
    """A request whose body, once read by the middleware, is kept for the app to read again."""

    async def stream(self) -> AsyncGenerator[bytes, None]:
        if not hasattr(self, "_body"):
            self._body = b"".join([chunk async for chunk in super().stream()])
        yield self._body
        yield b""


class Middleware:
    """Base class for HTTP middleware with `before_dispatch` and `after_dispatch` hooks.

    ```python
    class Timing(Middleware):
        async def before_dispatch(self, req, res):
            req.state.started = time.perf_counter()

        async def after_dispatch(self, req, res):
            elapsed = time.perf_counter() - req.state.started
            res.headers["Server-Timing"] = f"app;dur={elapsed * 1000:.1f}"

    app.add_middleware(Timing)
    ```

    `req.state` is the request's scope state, shared with the app's own request. Websocket and
    lifespan scopes pass through untouched.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # A plain `def` hook would be called and its result awaited on every request: refuse
        # it when the class is written, naming it, rather than answering every request 500.
        super().__init_subclass__(**kwargs)
        for name in ("before_dispatch", "after_dispatch"):
            hook = cls.__dict__.get(name)
            if hook is not None and not inspect.iscoroutinefunction(hook):
                raise TypeError(
                    f"{cls.__qualname__}.{name} must be an async function: write "
                    f"`async def {name}(self, req, res)`"
                )

    def __init__(self, app: ASGIApp, **options: Any) -> None:
        self.app = app
        #: The keyword options given to `app.add_middleware(cls, **options)`.
        self.options = options
        cls = type(self)
        self._before = cls.before_dispatch is not Middleware.before_dispatch
        self._after = cls.after_dispatch is not Middleware.after_dispatch

    async def before_dispatch(self, req: Request, res: Response) -> Any:
        """Runs before the app. Return a response (`res` itself, or any ASGI response) to
        answer without calling the app; return None to go on.

        A body read here (`await req.body()`, `req.json()`, `req.form()`) is kept and given to
        the app again.
        """
        return None

    async def after_dispatch(self, req: Request, res: ResponseStart) -> None:
        """Runs when the app starts its response: change the status or headers here."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (self._before or self._after):
            await self.app(scope, receive, send)
            return
        request = _Request(scope, receive, send, max_body_size=None)
        try:
            await self._run_hooks(request, scope, receive, send)
        finally:
            if request._form is not None:  # files a hook parsed: closed with the request
                await request.close()

    async def _run_hooks(
        self, request: Request, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if self._before:
            early = await self.before_dispatch(request, Response(request))
            if early is not None:
                if not callable(early):
                    raise TypeError(
                        f"{type(self).__name__}.before_dispatch returned {early!r}: return None "
                        "to go on, or `res` or another ASGI response to answer"
                    )
                await early(scope, receive, send)
                return
            if hasattr(request, "_body"):
                receive = _replay(request._body, receive)
        if not self._after:
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                start = ResponseStart(request, message["status"], list(message.get("headers", ())))
                await self.after_dispatch(request, start)
                message["status"] = start.status_code
                message["headers"] = start.headers.raw
            await send(message)

        await self.app(scope, receive, send_wrapper)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the app the body the middleware already read."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
