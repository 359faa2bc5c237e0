"""Providers, in their own module (bocadillo: providerconf.py, with the same decorator)."""

from collections.abc import AsyncIterator

from boca.core import WebSocket, provider


@provider(scope="app")
async def notes() -> AsyncIterator[dict[int, str]]:
    store = {1: "Port the app"}
    yield store  # bocadillo: the same async generator, torn down at shutdown
    store.clear()


@provider(scope="app")
async def clients() -> set[WebSocket]:
    return set()
