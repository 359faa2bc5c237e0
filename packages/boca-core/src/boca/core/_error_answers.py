"""Error answering: the error boundary, registered error handlers and the default answers.

Every error a request meets ends here: an `HTTPError` or `Redirect` becomes its JSON or
`Location` answer, anything else a 500 (a debug page in debug mode) with a request id in the
log. A handler registered with `app.error_handler` answers first.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from . import _json
from .debug import debug_html, debug_json
from .errors import HTTPError, Redirect
from .requests import Request
from .responses import Response
from .types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from .app import App

__all__ = ["ErrorHandler", "answer_error", "guarded"]

logger = logging.getLogger("boca.core")
ErrorHandler = Callable[[Request, Response, Any], Awaitable[None]]
_JSON_CT = (b"content-type", b"application/json")


async def guarded(app: App, inner: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run `inner`; an exception raised before the response started gets the app's answer
    (error handlers, then the generic 500). After that it is too late: it goes to the
    server, which cuts the connection. Other scopes go to `inner` as they are.

    The app-wide middleware's one boundary, called as `partial(guarded, app, inner)`: one
    frame per request on top of the middleware's own."""
    if scope["type"] != "http":
        await inner(scope, receive, send)
        return
    started = False

    # A plain function handing back `send`'s awaitable: no coroutine of its own per message.
    def tracking_send(message: Message) -> Awaitable[None]:
        nonlocal started
        if message["type"] == "http.response.start":
            started = True
        return send(message)

    try:
        await inner(scope, receive, tracking_send)
    except Exception as exc:
        if started:
            raise
        await answer_error(app, exc, scope, receive, send)


def _handler_for(app: App, exc: BaseException) -> ErrorHandler | None:
    handlers = app._error_handlers
    if not handlers:
        return None
    for cls in type(exc).__mro__:
        handler = handlers.get(cls)
        if handler is not None:
            return handler
    return None


async def answer_error(
    app: App,
    exc: Exception,
    scope: Scope,
    receive: Receive,
    send: Send,
    request: Request | None = None,
) -> None:
    """Answer `exc`: its error handler, else the default for HTTPError/Redirect, else a 500.

    `request` is the request's one `Request` when the view stage made it; an error met before
    that stage gets one made here, only when a handler is there to receive it.
    """
    if isinstance(exc, ClientDisconnect):
        logger.debug("client disconnected: %s %r", scope.get("method"), scope.get("path"))
        return
    if isinstance(exc, StarletteHTTPException):
        try:
            exc = HTTPError(exc.status_code, detail=exc.detail, headers=exc.headers)
        except (ValueError, TypeError) as invalid:  # a 3xx, or headers that would split
            exc = invalid
    handler = _handler_for(app, exc)
    if handler is not None:
        if request is None:
            request = Request(scope, receive, send)
        # A new answer: what the view had written to its own `res` is not sent.
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
                if isinstance(raised, (HTTPError, Redirect)) and _handler_for(app, raised) is None:
                    await _default_answer(app, raised, scope, send)
                    return
    await _default_answer(app, exc, scope, send)


async def _default_answer(app: App, exc: Exception, scope: Scope, send: Send) -> None:
    if isinstance(exc, HTTPError):
        if exc.status_code in (204, 304):  # statuses that never carry a body
            await send_bytes(send, scope, exc.status_code, exc.raw_headers, b"", length=False)
            return
        headers = [_JSON_CT, *exc.raw_headers]
        await send_bytes(send, scope, exc.status_code, headers, _json.dumps(exc.as_json()))
        return
    if isinstance(exc, Redirect):
        location = [(b"location", exc.url.encode("latin-1"))]
        await send_bytes(send, scope, exc.status_code, location, b"")
        return
    request_id = str(scope.get("request_id") or uuid.uuid4().hex)
    logger.error(
        "Unhandled exception in %s %r (request id %s)",
        scope.get("method"),
        scope.get("path"),
        request_id,
        exc_info=exc,
    )
    if app.debug:
        accept = next((v for k, v in scope.get("headers", ()) if k == b"accept"), b"")
        if b"text/html" in accept:
            page = debug_html(exc, scope.get("method", ""), scope.get("path", ""), request_id)
            headers = [(b"content-type", b"text/html; charset=utf-8")]
            await send_bytes(send, scope, 500, headers, page.encode())
        else:
            body = _json.dumps(debug_json(exc, request_id))
            await send_bytes(send, scope, 500, [_JSON_CT], body)
        return
    body = _json.dumps(
        {"error": "500 Internal Server Error", "status": 500, "request_id": request_id}
    )
    await send_bytes(send, scope, 500, [_JSON_CT], body)


async def send_bytes(
    send: Send,
    scope: Scope,
    status: int,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    *,
    length: bool = True,
) -> None:
    """Send a complete response (no body for HEAD; no Content-Length when not `length`)."""
    if length:
        headers = [(b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send(
        {"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body}
    )
