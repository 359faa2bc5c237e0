"""Websocket dispatch: from the path to the websocket view, with origin checks and close codes."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ._dispatch import route_path
from ._route_middleware import through_route_middleware
from .errors import HTTPError
from .types import Receive, Scope, Send
from .websockets import WebSocket, WebSocketDisconnect, origin_allowed

if TYPE_CHECKING:
    from .app import App
    from .routing import Route

__all__ = ["handle_websocket", "run_websocket"]

logger = logging.getLogger("boca.core")


async def handle_websocket(app: App, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer one websocket connection: route lookup, router middleware, then the view."""
    path, root = route_path(scope)
    found = app.router.match_websocket(path)
    if found is None:
        mount = app.router.match_mount(path)
        if mount is not None:
            await mount.app({**scope, "root_path": root + mount.prefix}, receive, send)
            return
        # Closing before accepting: the server answers the handshake with 403.
        await send({"type": "websocket.close", "code": 1008, "reason": ""})
        return
    route, scope["path_params"] = found
    if route.middleware:
        await through_route_middleware(app, route, run_websocket, scope, receive, send)
        return
    await run_websocket(app, route, scope, receive, send)


async def run_websocket(app: App, route: Route, scope: Scope, receive: Receive, send: Send) -> None:
    """Check the origin, run the view, and close with the code that says how it ended."""
    options = route.options
    ws = WebSocket(
        scope,
        receive,
        send,
        value_type=options["value_type"],
        max_message_size=options["max_message_size"],
        normal_close_codes=options["normal_close_codes"],
        receive_type=options["receive_type"],
        send_type=options["send_type"],
    )
    origins = options["allowed_origins"]
    if not origin_allowed(ws, app.websocket_origins if origins is None else origins):
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
