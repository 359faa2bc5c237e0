"""Connect a store when the app starts and close it when the app stops."""

from __future__ import annotations

import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Send

logger = logging.getLogger("boca.middleware")


async def run_lifespan(app: ASGIApp, store: Any, scope: Any, receive: Receive, send: Send) -> None:
    """Run the app's lifespan, checking `store` at startup and closing it at shutdown.

    A store that cannot be reached turns the app's `lifespan.startup.complete` into
    `lifespan.startup.failed` with the store's message, then raises the store's error
    (as Starlette's lifespan does), so the server refuses to start and says why, and a
    test client raises it. Stores without `startup()`/`aclose()` are left alone.
    """
    failure: Exception | None = None

    async def checked_receive() -> Message:
        nonlocal failure
        message = await receive()
        kind = message["type"]
        if kind == "lifespan.startup":
            startup = getattr(store, "startup", None)
            if startup is not None:
                try:
                    await startup()
                except Exception as exc:
                    failure = exc
                    logger.error("%s", exc)
        elif kind == "lifespan.shutdown":
            aclose = getattr(store, "aclose", None)
            if aclose is not None:
                try:
                    await aclose()
                except Exception:  # pragma: no cover - closing a dead connection
                    logger.warning("closing %r failed", store, exc_info=True)
        return message

    async def checked_send(message: Message) -> None:
        if failure is not None and message["type"] == "lifespan.startup.complete":
            await send({"type": "lifespan.startup.failed", "message": str(failure)})
            raise failure
        await send(message)

    await app(scope, checked_receive, checked_send)
