"""HTTP dispatch: from the path to the view, and the answer sent.

`handle_http` is the whole way of an HTTP request inside the app, in order; app-wide
middleware and the error boundary are around it (`App.__call__`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote_from_bytes

from ._error_answers import answer_error
from ._route_middleware import through_route_middleware
from .background import run_background
from .errors import HTTPError, Redirect, same_origin_path
from .requests import Request
from .responses import Response
from .types import Receive, Scope, Send
from .views import apply_result

if TYPE_CHECKING:
    from .app import App
    from .routing import Route

__all__ = ["handle_http", "route_path", "run_route"]

# Printable ASCII stays as sent in a redirected query string; anything else is percent-encoded.
_QUERY_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))


async def handle_http(app: App, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer one HTTP request: route lookup, router middleware, then the route itself."""
    root = scope.get("root_path", "")
    path = route_path(scope)[0] if root else scope["path"]
    try:
        found = app.router.match(path)
    except Exception as exc:  # a user converter that raised something else than ValueError
        await answer_error(app, exc, scope, receive, send)
        return
    if found is None:  # a mount, a trailing-slash redirect, or a 404
        await _no_route(app, path, root, scope, receive, send)
        return
    route, scope["path_params"] = found
    if route.middleware:
        await through_route_middleware(app, route, run_route, scope, receive, send)
        return
    await run_route(app, route, scope, receive, send)


async def run_route(app: App, route: Route, scope: Scope, receive: Receive, send: Send) -> None:
    """Run the matched route: the request's one `Request` and `Response` are made here.

    The endpoint (views.py) runs the before hooks, providers, parameters, the view and the
    after hooks; what the view returned, or wrote to `res`, is sent; then background tasks.
    Uploaded files the request parsed are closed last (their temporary files removed), not
    left to the garbage collector.
    """
    limit = route.max_body_size if route.max_body_size is not None else app.max_body_size
    request = Request(
        scope,
        receive,
        send,
        route=route,
        max_body_size=limit,
        body_timeout=app.body_timeout,
        body_deadline=app.body_deadline,
    )
    response = Response(request)
    try:
        endpoint = route.endpoints.get(scope["method"])
        if endpoint is None:
            await _no_method(route, scope, send)
            return
        result = await endpoint(request, response)
        if result is None:
            await response(scope, receive, send)
        else:
            await _send_result(app, result, response, scope, receive, send)
    except Exception as exc:
        if response.started:
            # Too late for an error page: the server logs it and cuts the connection, so
            # the client sees a truncated response rather than a complete-looking one.
            raise
        await answer_error(app, exc, scope, receive, send, request)
    finally:
        if request._form is not None:
            await request.close()


async def _no_method(route: Route, scope: Scope, send: Send) -> None:
    """OPTIONS lists the route's methods; any other method it does not answer is a 405."""
    if scope["method"] != "OPTIONS":
        raise HTTPError(405, headers={"Allow": route.allow})
    headers = [(b"allow", route.allow.encode())]
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


async def _send_result(
    app: App, result: Any, response: Response, scope: Scope, receive: Receive, send: Send
) -> None:
    asgi = apply_result(response, result)
    if asgi is not None:
        await asgi(scope, receive, response.track(send))
        if response._tasks:
            await run_background(response._tasks, app.providers)
        return
    await response(scope, receive, send)


async def _no_route(
    app: App, path: str, root: str, scope: Scope, receive: Receive, send: Send
) -> None:
    mount = app.router.match_mount(path)
    if mount is not None:
        child = dict(scope)
        child["root_path"] = root + mount.prefix
        await mount.app(child, receive, send)
        return
    if app.redirect_trailing_slash and path != "/":
        other = path[:-1] if path.endswith("/") else path + "/"
        if app.router.match(other) is not None:
            location = same_origin_path(root + other)
            if scope.get("query_string"):
                location += "?" + quote_from_bytes(scope["query_string"], safe=_QUERY_SAFE)
            await answer_error(app, Redirect(location, status_code=307), scope, receive, send)
            return
    await answer_error(app, HTTPError(404), scope, receive, send)


def route_path(scope: Scope) -> tuple[str, str]:
    """The path to route (the scope's path without its `root_path`) and the root path."""
    path = scope["path"]
    root = scope.get("root_path", "")
    if root and path.startswith(root):
        if len(path) == len(root):
            path = "/"
        elif path[len(root)] == "/":
            path = path[len(root) :]
    return path, root
