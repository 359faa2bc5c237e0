"""Key-value stores for state that outlives a request: sessions and rate limits.

`MemoryStore` is exact within one process and needs nothing; `RedisStore` shares the
state between every worker and host that points at the same Redis (or Valkey).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

import anyio
import sniffio

from ._gcra import SCRIPT, Decision, decide, from_script

T = TypeVar("T")


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

    async def hit(self, keys: Sequence[str], limits: Sequence[tuple[int, float]]) -> Decision:
        """Count one request against each `(limit, period)` window at the matching key."""
        ...


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
        now = self.clock()
        tats = [self._get(key, now) for key in keys]
        decision, stored = decide(tats, limits, round(now * 1_000_000))
        if decision.allowed:
            for key, tat in zip(keys, stored, strict=True):
                self._put(key, tat, tat / 1_000_000)
        return decision

    async def aclose(self) -> None:
        """Forget everything."""
        self._data.clear()

    def __repr__(self) -> str:
        return f"MemoryStore(max_entries={self.max_entries})"


class _Check:
    """One rate-limit check waiting for its batch."""

    __slots__ = ("args", "done", "error", "lead", "result")

    def __init__(self, args: list[Any]) -> None:
        self.args = args
        self.done = anyio.Event()
        self.result: Any = None
        self.error: StoreError | None = None
        self.lead = False


def _redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.rpartition("@")[2]
        user = f"{parts.username}:***@" if parts.username else ":***@"
        return urlunsplit(parts._replace(netloc=user + netloc))
    except ValueError:
        return "<unparsable URL>"


class RedisStore:
    """A store in Redis or Valkey, shared by every process that uses the same URL.

    Uses redis-py's asyncio client (`pip install "boca-middleware[redis]"`), so it runs
    on asyncio. Every call is bounded by `timeout`; a Redis that is down or too slow
    raises `StoreError` naming the URL, which the middleware turns into a 503.

    Args:
        url: `redis://[:password@]host:port/db`, `rediss://...` (TLS) or `unix://path`.
        prefix: Put in front of every key, so that apps can share one database.
        timeout: Seconds a call may wait to connect, and then for the answer.
        **options: More keyword arguments for `redis.asyncio.Redis.from_url`.
    """

    def __init__(
        self,
        url: str = "redis://localhost:6379/0",
        *,
        prefix: str = "boca:",
        timeout: float = 2.0,
        **options: Any,
    ) -> None:
        try:
            import redis.asyncio as aioredis
            from redis.backoff import NoBackoff
            from redis.exceptions import ConnectionError as RedisConnectionError
            from redis.exceptions import NoScriptError, RedisError
            from redis.retry import Retry
        except ImportError as exc:
            raise ImportError(
                'RedisStore needs redis-py: pip install "boca-middleware[redis]"'
            ) from exc
        self.url = _redacted(url)
        self.prefix = prefix
        self.timeout = timeout
        self._errors: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)
        # The socket timeouts bound every call (a timer of our own per call would cost as
        # much CPU as the call); one immediate retry, on a lost connection only, covers a
        # pooled connection that Redis closed (a restart) without waiting longer on a hang.
        options.setdefault("socket_timeout", timeout)
        options.setdefault("socket_connect_timeout", timeout)
        options.setdefault("retry", Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)))
        try:
            self.client = aioredis.Redis.from_url(url, **options)
        except ValueError as exc:
            raise ValueError(
                f"RedisStore({self.url!r}): not a Redis URL ({exc}). Use "
                "redis://host:6379/0, rediss://host:6380/0 or unix:///path/to/redis.sock."
            ) from None
        self._script = self.client.register_script(SCRIPT)
        self._on_asyncio = False
        self._no_script = NoScriptError
        self._queue: list[_Check] = []
        self._sending = False

    async def _call(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        if not self._on_asyncio:
            library = sniffio.current_async_library()
            if library != "asyncio":
                raise StoreError(
                    f"RedisStore({self.url!r}) runs on asyncio (redis-py's client), not on "
                    f"{library}: use MemoryStore there, or serve the app on asyncio."
                )
            self._on_asyncio = True
        try:
            return await call()
        except self._errors as exc:
            reason = str(exc).rstrip(".") or f"no answer within {self.timeout} s"
            raise StoreError(f"Redis at {self.url}: {what} failed: {reason}") from exc

    async def startup(self) -> None:
        """Check that Redis answers; raises `StoreError` naming the URL when it does not."""
        try:
            await self._call("PING", self.client.ping)
        except StoreError as exc:
            if exc.__cause__ is None:
                raise
            raise StoreError(
                f"{exc}. Start Redis there, or fix the URL given to RedisStore()."
            ) from exc.__cause__

    async def aclose(self) -> None:
        """Close the connections (they reopen if the store is used again)."""
        await self.client.aclose()

    async def get(self, key: str) -> bytes | None:
        value: Any = await self._call("GET", lambda: self.client.get(self.prefix + key))
        return None if value is None else bytes(value)

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        px = None if ttl is None else max(1, round(ttl * 1000))
        await self._call("SET", lambda: self.client.set(self.prefix + key, value, px=px))

    async def delete(self, key: str) -> None:
        await self._call("DEL", lambda: self.client.delete(self.prefix + key))

    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        full = self.prefix + key
        if ttl is None:
            return int(await self._call("INCRBY", lambda: self.client.incrby(full, amount)))
        px = max(1, round(ttl * 1000))

        async def incr_with_expiry() -> Any:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.incrby(full, amount)
                pipe.pexpire(full, px, nx=True)
                return (await pipe.execute())[0]

        return int(await self._call("INCRBY", incr_with_expiry))

    async def hit(self, keys: Sequence[str], limits: Sequence[tuple[int, float]]) -> Decision:
        """One script call per check; the checks of concurrent requests share one pipeline.

        A redis-py call costs more CPU than a small request: checks that arrive while a
        batch is on its way wait for the next one, sent by the first of them (one round
        trip for the batch, still one script call, atomic, per check).
        """
        args: list[Any] = [len(keys), *(self.prefix + key for key in keys)]
        for limit, period in limits:
            args += [limit, round(period * 1e6)]
        check = _Check(args)
        self._queue.append(check)
        if self._sending:
            try:
                await check.done.wait()
            except BaseException:
                # Leaving (cancelled): never strand the checks behind this one.
                if check in self._queue:
                    self._queue.remove(check)
                if check.lead:
                    self._promote()
                raise
        else:
            self._sending = True
            check.lead = True
        if check.lead and check.result is None and check.error is None:
            await self._send_batch()
        if check.error is not None:
            raise check.error
        return from_script(check.result)

    async def _send_batch(self) -> None:
        batch, self._queue = self._queue, []
        try:
            results = await self._call("rate limit script", lambda: self._pipeline(batch))
            for check, result in zip(batch, results, strict=True):
                check.result = result
        except StoreError as exc:
            for check in batch:
                check.error = exc
        finally:
            for check in batch:
                if check.result is None and check.error is None:  # cancelled on the way
                    check.error = StoreError(f"Redis at {self.url}: the batch was cancelled")
                check.done.set()
            self._promote()

    def _promote(self) -> None:
        """Let the first waiting check send the next batch, or note that none is on its way."""
        if self._queue:
            head = self._queue[0]
            head.lead = True
            head.done.set()
        else:
            self._sending = False

    async def _pipeline(self, batch: list[_Check]) -> list[Any]:
        async def run() -> list[Any]:
            async with self.client.pipeline(transaction=False) as pipe:
                for check in batch:
                    pipe.evalsha(self._script.sha, *check.args)
                results: list[Any] = await pipe.execute()
                return results

        try:
            return await run()
        except self._no_script:
            await self.client.script_load(SCRIPT)  # a Redis that restarted empty
            return await run()

    def __repr__(self) -> str:
        return f"RedisStore({self.url!r}, prefix={self.prefix!r})"
