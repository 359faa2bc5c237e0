"""Lifespan: the app's `lifespan` context, providers' app scope and startup/shutdown handlers,
run over the ASGI lifespan protocol."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING

from .types import Receive, Send

if TYPE_CHECKING:
    from .app import App

__all__ = ["lifespan_loop", "run_lifespan"]

logger = logging.getLogger("boca.core")


@contextlib.asynccontextmanager
async def run_lifespan(app: App) -> AsyncIterator[None]:
    """Start the app (lifespan context, providers, startup handlers); stop it on exit."""
    if app.debug:
        logger.warning(
            "debug mode is on: tracebacks are shown to clients. Never use it in production."
        )
    async with contextlib.AsyncExitStack() as stack:
        if app._lifespan is not None:
            state = await stack.enter_async_context(app._lifespan(app))
            app.lifespan_state = state
            if isinstance(state, Mapping):
                for key, value in state.items():
                    setattr(app.state, key, value)
        await app.providers.startup()
        stack.push_async_callback(app.providers.shutdown)
        for handler in app._startup:
            await handler()
        try:
            yield
        finally:
            for handler in app._shutdown:
                try:
                    await handler()
                except Exception:
                    logger.exception("shutdown handler %r failed", handler)


async def lifespan_loop(app: App, receive: Receive, send: Send) -> None:
    """Answer the server's `lifespan.startup` and `lifespan.shutdown` messages."""
    message = await receive()
    assert message["type"] == "lifespan.startup"
    context = run_lifespan(app)
    try:
        await context.__aenter__()
    except Exception as exc:
        logger.exception("application startup failed")
        await send({"type": "lifespan.startup.failed", "message": f"{type(exc).__name__}: {exc}"})
        # Re-raised like Starlette does: servers and test clients then stop waiting for us.
        raise
    await send({"type": "lifespan.startup.complete"})
    message = await receive()
    try:
        await context.__aexit__(None, None, None)
    except Exception as exc:
        logger.exception("application shutdown failed")
        await send({"type": "lifespan.shutdown.failed", "message": f"{type(exc).__name__}: {exc}"})
        return
    await send({"type": "lifespan.shutdown.complete"})
