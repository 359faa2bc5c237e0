"""Key-value stores for state that outlives a request: sessions and rate limits.

`MemoryStore` is exact within one process and needs nothing; `RedisStore` shares the
state between every worker and host that points at the same Redis (or Valkey).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, Protocol, TypeVar, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

import sniffio

from ._gcra import SCRIPT, Decision, decide, from_script, steps

T = TypeVar("T")
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

    async def hit(self, keys: Sequence[str], limits: Sequence[tuple[int, float]]) -> Decision:
        """Count one request against each `(limit, period)` window at the matching key."""
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
        # `_get` and `_put` inlined: this runs on every limited request.
        windows = steps(_paired(keys, limits))
        now = self.clock()
        data = self._data
        tats = []
        for key in keys:
            entry = data.get(key)
            if entry is not None:
                deadline = entry[1]
                if deadline is None or deadline > now:
                    data.move_to_end(key)
                    tats.append(entry[0])
                    continue
                del data[key]
            tats.append(None)
        decision, stored = decide(tats, windows, round(now * 1e6))
        if decision.allowed:
            # Each key is last already, or new (so put last): the LRU order needs no move.
            for key, tat in zip(keys, stored, strict=True):
                data[key] = (tat, tat / 1e6)
            while len(data) > self.max_entries:
                data.popitem(last=False)
        return decision

    async def aclose(self) -> None:
        """Forget everything."""
        self._data.clear()

    def __repr__(self) -> str:
        return f"MemoryStore(max_entries={self.max_entries})"


#: The most checks one script call carries: Redis runs nothing else while a script runs,
#: and a batch of this size takes it well under a millisecond.
MAX_BATCH = 256

#: How many packed keys `RedisStore` keeps for reuse before it starts again (a few MB).
MAX_PACKED = 10_000

#: A check waiting for its batch: its keys, its limits, and where its answer goes.
_Check = tuple[Sequence[str], Limits, "asyncio.Future[Any]"]


def _bulk(value: bytes) -> bytes:
    """One argument of a Redis command in RESP: its length, then itself."""
    return b"$%d\r\n%b\r\n" % (len(value), value)


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
            from redis.exceptions import NoScriptError, RedisError, ResponseError
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
        self._sha = hashlib.sha1(SCRIPT.encode()).hexdigest()
        self._evalsha = _bulk(b"EVALSHA") + _bulk(self._sha.encode())
        self._on_asyncio = False
        self._no_script = NoScriptError
        self._answered: tuple[type[BaseException], ...] = (ResponseError,)
        self._queue: list[_Check] = []
        self._sender: asyncio.Task[None] | None = None
        self._sender_loop: asyncio.AbstractEventLoop | None = None
        #: Each key as the script's argument, prefixed and packed: a client's checks reuse it.
        self._packed: dict[str, bytes] = {}

    def _check_library(self) -> None:
        library = sniffio.current_async_library()
        if library != "asyncio":
            raise StoreError(
                f"RedisStore({self.url!r}) runs on asyncio (redis-py's client), not on "
                f"{library}: use MemoryStore there, or serve the app on asyncio."
            )
        self._on_asyncio = True

    async def _call(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        if not self._on_asyncio:
            self._check_library()
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
        """One script call, one round trip, for the checks of every concurrent request.

        A redis-py call costs more CPU than a small request, so checks wait for the next
        batch while one is on its way; the script runs each check of a batch atomically,
        one after the other, so the answers are those of one call per check.
        """
        if not self._on_asyncio:
            self._check_library()
        limits = _paired(keys, limits)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._queue.append((keys, limits, future))
        if self._sender is None or self._sender_loop is not loop:
            # Started on the next turn of the loop: the checks of this turn go together.
            self._sender = loop.create_task(self._send())
            self._sender_loop = loop
        return from_script(await future)  # cancelled: its batch leaves it out

    async def _send(self) -> None:
        """Send the waiting checks, a batch at a time, until none is left."""
        batch: list[_Check] = []
        try:
            while self._queue:
                waiting = [check for check in self._queue[:MAX_BATCH] if not check[2].done()]
                batch, self._queue = waiting, self._queue[MAX_BATCH:]
                if not batch:
                    continue
                try:
                    results = await self._call("rate limit script", partial(self._run, batch))
                except StoreError as exc:
                    for _, _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                else:
                    for (_, _, future), result in zip(batch, results, strict=True):
                        if not future.done():
                            future.set_result(result)
                batch = []
        finally:
            # Cancelled (the loop is closing) or broken: no check waits for ever.
            self._sender = None
            stranded, self._queue = [*batch, *self._queue], []
            for _, _, future in stranded:
                if not future.done():
                    future.set_exception(StoreError(f"Redis at {self.url}: the check was cut off"))

    async def _run(self, batch: list[_Check]) -> list[Any]:
        """One EVALSHA for the batch: each distinct set of limits once, then each check's."""
        # A middleware passes the same tuple of limits on every check: known by identity
        # first (every tuple of the batch is alive, so no identity is reused), then by value.
        by_id: dict[int, bytes] = {}
        rules: dict[Limits, bytes] = {}
        spec: list[bytes] = []
        keys: list[bytes] = []
        picks: list[bytes] = []
        packed = self._packed
        if len(packed) > MAX_PACKED:
            packed.clear()
        for check_keys, limits, _ in batch:
            number = by_id.get(id(limits))
            if number is None:
                number = rules.get(limits)
                if number is None:
                    number = rules[limits] = _bulk(b"%d" % (len(rules) + 1))
                    spec.append(_bulk(b"%d" % len(limits)))
                    for limit, period in limits:
                        spec += (_bulk(b"%d" % limit), _bulk(b"%d" % round(period * 1_000_000)))
                by_id[id(limits)] = number
            picks.append(number)
            for key in check_keys:
                arg = packed.get(key)
                if arg is None:
                    arg = packed[key] = _bulk((self.prefix + key).encode())
                keys.append(arg)
        rest = [_bulk(b"%d" % len(keys)), *keys, _bulk(b"%d" % len(rules)), *spec, *picks]
        # The array's length: EVALSHA and the script's digest, then the rest.
        command = b"".join([b"*%d\r\n" % (2 + len(rest)), self._evalsha, *rest])
        try:
            return await self._script(command)
        except self._no_script:
            await self.client.script_load(SCRIPT)  # a Redis that restarted empty
            return await self._script(command)

    async def _script(self, command: bytes) -> list[Any]:
        """Send one packed command on a pooled connection and read its answer.

        The command is packed above and sent as it is: redis-py's generic call path
        (argument packing, instrumentation) costs several times the CPU of the checks it
        would carry. The pool hands out connections it checked (one that Redis closed, as
        in a restart, is opened again); after a timeout or a cancellation an answer may
        still be on its way, so that connection is closed rather than reused.
        """
        pool = self.client.connection_pool
        connection = await pool.get_connection()  # type: ignore[no-untyped-call]
        try:
            await connection.send_packed_command(command, check_health=False)
            answer: list[Any] = await connection.read_response()
            return answer
        except self._answered:
            raise  # an error reply (NOSCRIPT): the connection is fine
        except BaseException:
            await connection.disconnect()
            raise
        finally:
            await pool.release(connection)

    def __repr__(self) -> str:
        return f"RedisStore({self.url!r}, prefix={self.prefix!r})"
