"""Key-value stores for state that outlives a request: sessions and rate limits.

`MemoryStore` is exact within one process and needs nothing; `RedisStore` (in
`redisstore`) shares the state between every worker and host that points at the same
Redis (or Valkey).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from ._gcra import Decision, decide, steps

Limits = tuple[tuple[int, float], ...]


class StoreError(RuntimeError):
    """The store could not be reached or did not answer in time."""


@runtime_checkable
class Store(Protocol):
    """What the middleware needs of a store. Keys are strings, values bytes.

    A TTL is in seconds; `None` keeps the key until it is deleted.
    """

    async def get(self, key: str) -> bytes | None:
        """The value at `key`, or `None` when it is missing or expired."""
        ...

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        """Store `value` at `key`, replacing any value and TTL it had."""
        ...

    async def delete(self, key: str) -> None:
        """Remove `key` (nothing happens when it is missing)."""
        ...

    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        """Add `amount` to the integer at `key` (0 when missing), atomically.

        `ttl` is set when the key has none (so it counts from the first increment).
        """
        ...


@runtime_checkable
class RateLimitStore(Store, Protocol):
    """A store that runs the rate limiter's check atomically, in one call."""

    def hit(self, keys: Sequence[str], limits: Sequence[tuple[int, float]]) -> Awaitable[Decision]:
        """Count one request against each `(limit, period)` window at the matching key.

        An `async def` method does; so does a plain one that returns a future.
        """
        ...


def _paired(keys: Sequence[str], limits: Sequence[tuple[int, float]]) -> Limits:
    """`limits` as a tuple (a cache key), after checking that each has its key."""
    if len(keys) != len(limits):
        raise ValueError(f"hit(): {len(keys)} keys for {len(limits)} limits; give one each.")
    return tuple(limits)


class MemoryStore:
    """A store in this process's memory: exact, and gone when the process ends.

    Expired keys are dropped when met; beyond `max_entries` keys the least recently
    used go first, so memory stays bounded whatever clients send.

    Args:
        max_entries: How many keys to keep at most.
        clock: Seconds from any fixed point, for TTLs and rate limits (tests can pass
            their own).
    """

    def __init__(
        self, max_entries: int = 100_000, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_entries < 1:
            raise ValueError(f"MemoryStore(max_entries={max_entries!r}) must be at least 1.")
        self.max_entries = max_entries
        self.clock = clock
        self._data: OrderedDict[str, tuple[Any, float | None]] = OrderedDict()
        self._limits: object = None
        self._steps: tuple[tuple[int, int], ...] = ()

    def __len__(self) -> int:
        return len(self._data)

    def _get(self, key: str, now: float) -> Any:
        entry = self._data.get(key)
        if entry is None:
            return None
        value, deadline = entry
        if deadline is not None and deadline <= now:
            del self._data[key]
            return None
        self._data.move_to_end(key)
        return value

    def _put(self, key: str, value: Any, deadline: float | None) -> None:
        data = self._data
        data[key] = (value, deadline)
        data.move_to_end(key)
        while len(data) > self.max_entries:
            data.popitem(last=False)

    async def get(self, key: str) -> bytes | None:
        value = self._get(key, self.clock())
        return None if value is None else bytes(value)

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        self._put(key, bytes(value), None if ttl is None else self.clock() + ttl)

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        now = self.clock()
        value = self._get(key, now)
        deadline = self._data[key][1] if value is not None else None
        if deadline is None and ttl is not None:
            deadline = now + ttl
        number = int(value or 0) + amount
        self._put(key, str(number).encode(), deadline)
        return number

    async def hit(self, keys: Sequence[str], limits: Sequence[tuple[int, float]]) -> Decision:
        # A middleware passes the same tuple of limits on every request: its steps are
        # remembered by identity (no hashing of nested tuples per check).
        if limits is self._limits and len(keys) == len(self._steps):
            windows = self._steps
        else:
            windows = steps(_paired(keys, limits))
            self._limits, self._steps = limits, windows
        now = self.clock()
        get = self._get
        tats = []
        for key in keys:
            tats.append(get(key, now))
        decision, stored = decide(tats, windows, round(now * 1e6))
        if decision.allowed:
            put = self._put
            for key, tat in zip(keys, stored, strict=True):
                put(key, tat, tat / 1e6)
        return decision

    async def aclose(self) -> None:
        """Forget everything."""
        self._data.clear()

    def __repr__(self) -> str:
        return f"MemoryStore(max_entries={self.max_entries})"


def __getattr__(name: str) -> Any:
    """`stores.RedisStore` as before it moved to `redisstore` (imported on first use)."""
    if name in ("RedisStore", "MAX_BATCH"):
        from . import redisstore

        return getattr(redisstore, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
