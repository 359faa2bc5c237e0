"""Change notifications through boca-channels: every change goes out on one channel.

In one process the channels are in memory. With `SHOWCASE_REDIS_URL` set they go through
Redis, so every `boca run` process that shares the database also shares the changes: a page
sees what any process changed.
"""

from __future__ import annotations

from typing import Any

from boca.channels import Channels, MemoryBackend, RedisBackend, Subscription

#: The channel every change is published on.
CHANNEL = "items"


def make_channels(redis_url: str = "") -> Channels:
    """In memory without a URL; through the Redis at `redis_url` with one."""
    backend = RedisBackend(redis_url) if redis_url else MemoryBackend()
    # No history: each event stream starts with a snapshot instead. A page that falls 256
    # changes behind is let go: its stream ends, and the browser reconnects and starts again
    # from a fresh snapshot, instead of the server queueing changes for it without end.
    return Channels(backend, max_history=0, max_pending=256)


class Changes:
    """What the item store publishes on, and what the event streams subscribe to."""

    def __init__(self, channels: Channels) -> None:
        self.channels = channels

    async def publish(self, kind: str, data: Any) -> None:
        """Tell every page, in every process: `kind` is "created", "updated" or "deleted"."""
        await self.channels.publish(CHANNEL, {"kind": kind, "data": data})

    def subscribe(self) -> Subscription:
        """The changes from now on: `async with changes.subscribe() as sub:`."""
        return self.channels.subscribe(CHANNEL)
