"""Router middleware: the middleware of an included router, wrapped around its routes only."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from ._error_answers import guarded
from .types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from .app import App
    from .routing import Route

__all__ = ["Runner", "through_route_middleware"]

logger = logging.getLogger("boca.core")
#: What runs a matched route once its middleware let it through: `run_route` or `run_websocket`.
Runner = Callable[["App", "Route", Scope, Receive, Send], Awaitable[None]]


async def through_route_middleware(
    app: App, route: Route, runner: Runner, scope: Scope, receive: Receive, send: Send
) -> None:
    """Run `route` with `runner`, inside the middleware of the router it came from."""
    if route.stack is None:
        route.stack = _stack_for(app, route)
    scope["boca.route"] = route
    scope["boca.runner"] = runner
    if scope["type"] == "websocket":
        try:
            await route.stack(scope, receive, send)
        except Exception:
            logger.exception("Unhandled exception in websocket %r", scope["path"])
            with contextlib.suppress(OSError, RuntimeError):  # already closed: that's fine
                await send({"type": "websocket.close", "code": 1011, "reason": ""})
        return
    await guarded(app, route.stack, scope, receive, send)


def _stack_for(app: App, route: Route) -> ASGIApp:
    """The routes of one included router share one instance of each of its middleware."""
    key = [(cls, id(options)) for cls, options in route.middleware]
    for other in (*app.router.routes, *app.router.websocket_routes):
        if other.stack is not None and [(c, id(o)) for c, o in other.middleware] == key:
            return other.stack

    async def run_routed(scope: Scope, receive: Receive, send: Send) -> None:
        await scope["boca.runner"](app, scope["boca.route"], scope, receive, send)

    inner: ASGIApp = run_routed
    for cls, options in route.middleware:
        inner = cls(inner, **options)
    return inner
