"""The in-memory backend: one process, zero set-up, the default."""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING

from .backend import Deliver
from .messages import Message, decode

if TYPE_CHECKING:
    from anyio.abc import TaskGroup

__all__ = ["MemoryBackend"]


class MemoryBackend:
    """Delivers messages within this process and keeps each channel's history in memory.

    Message ids have the shape of Redis stream ids, so code and clients do not tell the two
    backends apart. A channel's history is forgotten `history_ttl` seconds after its last
    message, so many short-lived channels do not add up.
    """

    def __init__(self) -> None:
        self._deliver: Deliver | None = None
        self._max_history = 0
        self._ttl = 0.0
        self._history: dict[str, deque[Message]] = {}
        self._expires: dict[str, float] = {}
        self._last = (0, -1)
        self._published = 0

    async def connect(
        self, deliver: Deliver, *, max_history: int, history_ttl: float, tasks: TaskGroup
    ) -> None:
        self._deliver = deliver
        self._max_history = max_history
        self._ttl = history_ttl

    async def close(self) -> None:
        self._deliver = None
        self._history.clear()
        self._expires.clear()

    def _next_id(self) -> str:
        ms = time.time_ns() // 1_000_000
        last_ms, seq = self._last
        self._last = (ms, 0) if ms > last_ms else (last_ms, seq + 1)
        return f"{self._last[0]}-{self._last[1]}"

    async def publish(self, channel: str, raw: str) -> str:
        message = decode(self._next_id(), channel, raw)
        if self._max_history:
            kept = self._history.get(channel)
            if kept is None:
                kept = self._history[channel] = deque(maxlen=self._max_history)
            kept.append(message)
            if self._ttl:
                now = time.monotonic()
                self._expires[channel] = now + self._ttl
                self._published += 1
                if self._published % 1024 == 0:
                    self._sweep(now)
        if self._deliver is not None:
            self._deliver(message)
        return message.id

    def _sweep(self, now: float) -> None:
        for channel, expires in list(self._expires.items()):
            if expires <= now:
                del self._expires[channel], self._history[channel]

    async def listen(self, channel: str) -> None:
        """Nothing to do: every message of this process is delivered."""

    async def unlisten(self, channel: str) -> None:
        """Nothing to do."""

    async def history(self, channel: str, count: int) -> list[Message]:
        expires = self._expires.get(channel)
        if expires is not None and expires <= time.monotonic():
            del self._expires[channel], self._history[channel]
        kept = self._history.get(channel, ())
        return list(kept)[-count:] if count else []

    def __repr__(self) -> str:
        return "MemoryBackend()"
