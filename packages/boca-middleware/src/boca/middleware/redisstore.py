"""`RedisStore`: the stores' state in Redis or Valkey, shared by every worker and host."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import sniffio

from ._gcra import SCRIPT, Decision, from_script
from .stores import Limits, StoreError, _paired

T = TypeVar("T")

#: The most checks one script call carries: Redis runs nothing else while a script runs,
#: and a batch of this size takes it well under a millisecond.
MAX_BATCH = 256

#: How many packed keys `RedisStore` keeps for reuse before it starts again, and the
#: longest key kept: longer ones are packed each time, so the cache stays a few MB.
MAX_PACKED = 10_000
MAX_PACKED_LENGTH = 512

#: A check waiting for its batch: its keys, its limits, and where its answer goes.
_Check = tuple[Sequence[str], Limits, "asyncio.Future[Decision]"]


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
            import hiredis
            import redis.asyncio as aioredis
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff
            from redis.exceptions import ConnectionError as RedisConnectionError
            from redis.exceptions import NoScriptError, RedisError, ResponseError
        except ImportError as exc:
            raise ImportError(
                'RedisStore needs redis-py: pip install "boca-middleware[redis]"'
            ) from exc
        self.url = _redacted(url)
        self.prefix = prefix
        self.timeout = timeout
        self._errors: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)
        # The socket timeouts bound every redis-py call (a timer of our own per call would
        # cost as much CPU as the call; the rate limit's batches, read apart, have one timer
        # per batch: see `_script`); one immediate retry, on a lost connection only, covers
        # a pooled connection that Redis closed (a restart) without waiting longer on a hang.
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
        self._load = b"*3\r\n" + _bulk(b"SCRIPT") + _bulk(b"LOAD") + _bulk(SCRIPT.encode())
        self._on_asyncio = False
        self._no_script = NoScriptError
        self._response_error = ResponseError
        self._reader_class = hiredis.Reader
        self._reply_error = hiredis.ReplyError
        self._replies: Any = None
        #: The connection the batches go on (see `_script`), and the loop it belongs to.
        self._link: Any = None
        self._link_loop: asyncio.AbstractEventLoop | None = None
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
        link, self._link = self._link, None
        if link is not None:
            await link.disconnect()
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

    def hit(
        self, keys: Sequence[str], limits: Sequence[tuple[int, float]]
    ) -> asyncio.Future[Decision]:
        """One script call, one round trip, for the checks of every concurrent request.

        A call to Redis costs more CPU than a small request, so checks wait for the next
        batch while one is on its way; the script runs each check of a batch atomically,
        one after the other, so the answers are those of one call per check. Returns the
        check's future, which the request awaits (no coroutine of its own in between); a
        request cancelled while it waits cancels it, and its batch leaves it out.
        """
        if not self._on_asyncio:
            self._check_library()
        limits = _paired(keys, limits)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Decision] = loop.create_future()
        self._queue.append((keys, limits, future))
        if self._sender is None or self._sender_loop is not loop:
            # Started on the next turn of the loop: the checks of this turn go together.
            self._sender = loop.create_task(self._send())
            self._sender_loop = loop
        return future

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
                            future.set_result(from_script(result))
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
        rules: dict[Limits, bytes] = {}
        spec: list[bytes] = []
        keys: list[bytes] = []
        picks: list[bytes] = []
        packed = self._packed
        if len(packed) > MAX_PACKED:
            packed.clear()
        for check_keys, limits, _ in batch:
            number = rules.get(limits)
            if number is None:
                number = rules[limits] = _bulk(b"%d" % (len(rules) + 1))
                spec.append(_bulk(b"%d" % len(limits)))
                for limit, period in limits:
                    spec += (_bulk(b"%d" % limit), _bulk(b"%d" % round(period * 1_000_000)))
            picks.append(number)
            for key in check_keys:
                arg = packed.get(key)
                if arg is None:
                    arg = _bulk((self.prefix + key).encode())
                    if len(key) <= MAX_PACKED_LENGTH:
                        packed[key] = arg
                keys.append(arg)
        rest = [_bulk(b"%d" % len(keys)), *keys, _bulk(b"%d" % len(rules)), *spec, *picks]
        # The array's length: EVALSHA and the script's digest, then the rest.
        command = b"".join([b"*%d\r\n" % (2 + len(rest)), self._evalsha, *rest])
        try:
            answers: list[Any] = await self._script(command)
        except self._no_script:
            await self._script(self._load)  # a Redis that restarted empty
            answers = await self._script(command)
        return answers

    async def _script(self, command: bytes) -> Any:
        """Send one packed command on the store's own connection and read its answer.

        The batches go one at a time, so one connection, kept apart from the pool, carries
        them all. redis-py opens it (address, TLS, password, database); the command is
        packed above and written as it is, and the answer read with hiredis: redis-py's
        call path (pool checks, instrumentation, a timer per read) costs about twice the
        CPU of the round trip itself. A connection that Redis closed (a restart) is opened
        again before the next batch; after a timeout, an error or a cancellation an answer
        may still be on its way, so that connection is closed rather than reused.
        """
        loop = asyncio.get_running_loop()
        link = self._link
        if link is None or self._link_loop is not loop:
            link = self._link = self.client.connection_pool.make_connection()  # type: ignore[no-untyped-call]
            self._link_loop = loop
        reader: asyncio.StreamReader | None = link._reader
        if reader is None or reader.at_eof() or link._writer is None:
            await link.disconnect()
            await link.connect()
            reader = link._reader
            self._replies = self._reader_class()
        replies = self._replies
        expired = False

        def expire() -> None:
            nonlocal expired
            expired = True
            link._writer.transport.abort()

        timer = loop.call_later(self.timeout, expire)
        try:
            link._writer.write(command)
            answer: Any = False
            while answer is False:
                data = await reader.read(65536)
                if not data:
                    raise (
                        TimeoutError()
                        if expired
                        else ConnectionError("Redis closed the connection")
                    )
                replies.feed(data)
                answer = replies.gets()
        except BaseException as exc:
            await link.disconnect()
            if expired and isinstance(exc, OSError):
                raise TimeoutError() from None  # the abort's own error says less
            raise
        finally:
            timer.cancel()
        if isinstance(answer, self._reply_error):
            message = str(answer)
            raise (self._no_script if message.startswith("NOSCRIPT") else self._response_error)(
                message
            )
        return answer

    def __repr__(self) -> str:
        return f"RedisStore({self.url!r}, prefix={self.prefix!r})"
