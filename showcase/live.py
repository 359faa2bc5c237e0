"""Change notifications: every open event stream gets its own queue of what changed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any, NamedTuple


class Change(NamedTuple):
    kind: str  # "created", "updated" or "deleted"
    data: Any


class Hub:
    """Fans each change out to every subscriber, in this process.

    A subscriber that falls `max_pending` changes behind is dropped (it gets `None`): its
    stream ends, and the browser reconnects and starts again from a fresh snapshot, instead of
    this process queueing changes for it without end.
    """

    def __init__(self, max_pending: int = 256) -> None:
        self.max_pending = max_pending
        self._queues: set[asyncio.Queue[Change | None]] = set()

    def __len__(self) -> int:
        """How many subscribers there are now."""
        return len(self._queues)

    def publish(self, kind: str, data: Any) -> None:
        for queue in list(self._queues):
            if queue.qsize() >= self.max_pending:
                self._drop(queue)
            else:
                queue.put_nowait(Change(kind, data))

    @contextlib.contextmanager
    def subscribe(self) -> Iterator[asyncio.Queue[Change | None]]:
        """A queue of the changes from now on, until the block ends; `None` means "stop"."""
        queue: asyncio.Queue[Change | None] = asyncio.Queue()
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    def close(self) -> None:
        """End every subscription (at shutdown)."""
        for queue in list(self._queues):
            self._drop(queue)

    def _drop(self, queue: asyncio.Queue[Change | None]) -> None:
        self._queues.discard(queue)
        queue.put_nowait(None)
