"""Helpers shared by the tests that run a real server."""

from __future__ import annotations

import asyncio
import threading
import time


async def wait_for(event: threading.Event, timeout: float = 5.0) -> None:
    """Wait, without blocking the event loop, for a `threading.Event` set by the test."""
    deadline = time.monotonic() + timeout
    while not event.is_set():
        if time.monotonic() > deadline:
            raise TimeoutError("the test never set the event")
        await asyncio.sleep(0.005)
