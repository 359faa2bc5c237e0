"""The Redis (or Valkey) backend: pub/sub carries messages live, a stream per channel keeps history.

Every publish is one round trip: a Lua script appends to the channel's stream (`XADD` with
`MAXLEN ~`, so the history stays bounded) and publishes the entry's id with the message. Each
process holds one pub/sub connection for all its channels; subscribers are fanned out in memory.
After Redis restarts, the listener reconnects with backoff, subscribes again, and reads what
it missed from the streams before it goes on.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import anyio
import sniffio

from .backend import Deliver
from .errors import ChannelsError, ChannelsUnavailable
from .messages import Message, decode, parse_id

if TYPE_CHECKING:
    from anyio.abc import TaskGroup

__all__ = ["RedisBackend"]

logger = logging.getLogger("boca.channels")

_SCHEMES = ("redis", "rediss", "unix", "valkey", "valkeys")

# KEYS[1] the stream; ARGV: MAXLEN, TTL in ms (0: none), the pub/sub channel, the JSON text.
_PUBLISH = """
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'd', ARGV[4])
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
redis.call('PUBLISH', ARGV[3], id .. ' ' .. ARGV[4])
return id
"""


def _redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class RedisBackend:
    """Channels shared by every process that uses the same Redis (or Valkey) server.

    Args:
        url: `redis://[[user]:password@]host[:port][/db]`, `rediss://` for TLS, or
            `unix:///path/to/redis.sock`. `valkey://` and `valkeys://` are the same.
        prefix: Put before every key and pub/sub channel name, so apps can share a server.
        timeout: Seconds any one Redis operation may take (connect included) before it fails
            with `ChannelsUnavailable`: nothing waits longer for a Redis that is down.
        reconnect_delay: The first wait before reconnecting after the connection is lost; it
            doubles on each failure, up to `max_reconnect_delay`, with jitter.
        client: A `redis.asyncio.Redis` client to use instead of one made from `url`: for
            Sentinel, `Sentinel([...]).master_for("mymaster")`. `url` then only names it in
            messages. It is closed at shutdown.
        **options: Passed to `redis.asyncio.Redis.from_url` (`ssl_ca_certs=...`, ...).

    Needs redis-py (`pip install "boca-channels[redis]"`) and runs on asyncio (redis-py's
    client is asyncio only; on trio use `MemoryBackend`).
    """

    def __init__(
        self,
        url: str = "redis://localhost:6379/0",
        *,
        prefix: str = "boca:channels:",
        timeout: float = 2.0,
        reconnect_delay: float = 0.1,
        max_reconnect_delay: float = 5.0,
        client: Any = None,
        **options: Any,
    ) -> None:
        try:
            import redis.asyncio
        except ImportError:  # pragma: no cover - tested in a subprocess
            raise ImportError(
                "RedisBackend needs redis-py: pip install 'boca-channels[redis]'"
            ) from None
        scheme = urlsplit(url).scheme.lower() if isinstance(url, str) else ""
        if client is None and scheme not in _SCHEMES:
            raise ValueError(
                f"RedisBackend({url!r}): not a Redis URL. Write it as "
                "'redis://host:6379/0' (or rediss://, unix:///path/redis.sock)"
            )
        if timeout <= 0:
            raise ValueError(f"RedisBackend(timeout={timeout!r}): a timeout is seconds, > 0")
        self.url = url
        self.prefix = prefix
        self.timeout = timeout
        self.reconnect_delay = reconnect_delay
        self.max_reconnect_delay = max_reconnect_delay
        self._redis = redis
        self._options = {
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            "health_check_interval": 15,
            # One immediate retry, for a pooled connection that died with a Redis restart;
            # otherwise a command fails fast (the listener has its own backoff).
            "retry": redis.asyncio.retry.Retry(redis.backoff.NoBackoff(), 1),
            **options,
        }
        if scheme.startswith("valkey"):
            url = "redis" + url[len("valkey") :]
        self._connect_url = url
        self._given = client
        self._client: Any = None
        self._pubsub: Any = None
        self._script: Any = None
        self._deliver: Deliver | None = None
        self._max_history = 0
        self._ttl_ms = 0
        self._control = f"{prefix}\x00listener"
        #: channel -> set once Redis confirmed the subscription
        self._listening: dict[str, anyio.Event] = {}
        #: channel -> the newest id delivered (to read what was missed after a reconnect)
        self._last: dict[str, str] = {}
        self._counter = 0
        self._down_since: float | None = None

    # -- life ---------------------------------------------------------------------------------

    async def connect(
        self,
        deliver: Deliver,
        *,
        max_history: int,
        history_ttl: float,
        tasks: TaskGroup,
    ) -> None:
        if sniffio.current_async_library() != "asyncio":
            raise ChannelsError(
                "RedisBackend runs on asyncio (redis-py's client is asyncio only); on trio use "
                "MemoryBackend"
            )
        client = self._given or self._redis.asyncio.Redis.from_url(
            self._connect_url, **self._options
        )
        try:
            with anyio.fail_after(self.timeout):
                await client.ping()
        except (self._redis.RedisError, OSError, TimeoutError) as exc:
            await client.aclose()
            raise ChannelsUnavailable(
                f"boca-channels cannot connect to Redis at {_redacted(self.url)} "
                f"({_reason(exc)}): start Redis there, or fix the URL given to RedisBackend()"
            ) from None
        self._client = client
        self._script = client.register_script(_PUBLISH)
        self._deliver = deliver
        self._max_history = max_history
        self._ttl_ms = int(history_ttl * 1000)
        await tasks.start(self._listen_forever)

    async def close(self) -> None:
        client, self._client, self._deliver = self._client, None, None
        self._listening.clear()
        self._last.clear()
        self._down_since = None
        if self._pubsub is not None:
            await _quietly(self._pubsub.aclose)
            self._pubsub = None
        if client is not None:
            await _quietly(client.aclose)

    # -- commands -----------------------------------------------------------------------------

    def _key(self, channel: str) -> str:
        return f"{self.prefix}stream:{channel}"

    def _unavailable(self, doing: str, exc: BaseException) -> ChannelsUnavailable:
        return ChannelsUnavailable(
            f"cannot {doing}: Redis at {_redacted(self.url)} is unavailable ({_reason(exc)})"
        )

    async def _run(self, doing: str, command: Callable[[], Any]) -> Any:
        if self._client is None:
            raise ChannelsUnavailable(f"cannot {doing}: the Redis backend is not connected")
        try:
            with anyio.fail_after(self.timeout):
                return await command()
        except (self._redis.ConnectionError, self._redis.TimeoutError, OSError, TimeoutError) as e:
            raise self._unavailable(doing, e) from None

    async def publish(self, channel: str, raw: str) -> str:
        doing = f"publish on channel {channel!r}"
        if self._max_history:
            args = [self._max_history, self._ttl_ms, self.prefix + channel, raw]
            script = self._script
            result = await self._run(doing, lambda: script(keys=[self._key(channel)], args=args))
            return result.decode() if isinstance(result, bytes) else str(result)
        self._counter += 1
        message_id = f"{time.time_ns() // 1_000_000}-{self._counter}"
        payload = f"{message_id} {raw}"
        client = self._client
        await self._run(doing, lambda: client.publish(self.prefix + channel, payload))
        return message_id

    async def listen(self, channel: str) -> None:
        confirmed = self._listening.get(channel)
        if confirmed is None:
            confirmed = self._listening[channel] = anyio.Event()
            pubsub = self._pubsub
            if pubsub is not None:
                try:
                    await self._run(
                        f"subscribe to channel {channel!r}",
                        lambda: pubsub.subscribe(self.prefix + channel),
                    )
                except ChannelsUnavailable:
                    del self._listening[channel]
                    raise
        if self._pubsub is None:
            del self._listening[channel]
            raise ChannelsUnavailable(
                f"cannot subscribe to channel {channel!r}: Redis at {_redacted(self.url)} is "
                "unavailable (reconnecting)"
            )
        try:
            with anyio.fail_after(self.timeout):
                await confirmed.wait()
        except TimeoutError:
            raise ChannelsUnavailable(
                f"cannot subscribe to channel {channel!r}: Redis at {_redacted(self.url)} did "
                f"not confirm within {self.timeout} s"
            ) from None
        if self._pubsub is None:
            raise ChannelsUnavailable(
                f"cannot subscribe to channel {channel!r}: lost the connection to Redis at "
                f"{_redacted(self.url)}"
            )
        if self._max_history and channel not in self._last:
            # Where to read from if the connection is lost before the first message.
            client = self._client
            newest = await self._run(
                f"subscribe to channel {channel!r}",
                lambda: client.xrevrange(self._key(channel), count=1),
            )
            self._last.setdefault(channel, newest[0][0].decode() if newest else "0-0")

    async def unlisten(self, channel: str) -> None:
        self._listening.pop(channel, None)
        self._last.pop(channel, None)
        pubsub = self._pubsub
        if pubsub is not None:
            try:
                with anyio.fail_after(self.timeout):
                    await pubsub.unsubscribe(self.prefix + channel)
            except (self._redis.RedisError, OSError, TimeoutError):
                pass  # gone with the connection; not subscribed again after a reconnect

    async def history(self, channel: str, count: int) -> list[Message]:
        client = self._client
        entries = await self._run(
            f"read the history of channel {channel!r}",
            lambda: client.xrevrange(self._key(channel), count=count),
        )
        return self._entries(channel, reversed(entries))

    def _entries(self, channel: str, entries: Any) -> list[Message]:
        """The stream entries as messages; entries that are not ours are left out."""
        messages = []
        for entry_id, fields in entries:
            try:
                messages.append(decode(entry_id.decode(), channel, fields[b"d"].decode()))
            except (KeyError, ValueError):
                logger.warning(
                    "boca-channels: skipped a stream entry of %r that is not ours", channel
                )
        return messages

    # -- the listener -------------------------------------------------------------------------

    async def _listen_forever(self, *, task_status: Any = anyio.TASK_STATUS_IGNORED) -> None:
        delay = self.reconnect_delay
        started = False
        while True:
            pubsub = self._client.pubsub()
            try:
                with anyio.fail_after(self.timeout):
                    await pubsub.subscribe(
                        self._control, *(self.prefix + c for c in self._listening)
                    )
                    if self._down_since is not None:
                        await self._catch_up()
                self._pubsub = pubsub
                if not started:
                    started = True
                    task_status.started()
                if self._down_since is not None:
                    logger.warning(
                        "boca-channels: reconnected to Redis at %s after %.1f s",
                        _redacted(self.url),
                        time.monotonic() - self._down_since,
                    )
                    self._down_since = None
                    delay = self.reconnect_delay
                while True:
                    message = await pubsub.get_message(timeout=5.0)
                    if message is not None:
                        self._handle(message)
            except Exception as exc:  # whatever broke the listener, it starts again
                self._pubsub = None
                if self._down_since is None:
                    self._down_since = time.monotonic()
                    expected = (self._redis.RedisError, OSError, TimeoutError)
                    logger.warning(
                        "boca-channels: lost the connection to Redis at %s (%s); reconnecting",
                        _redacted(self.url),
                        _reason(exc),
                        exc_info=not isinstance(exc, expected),
                    )
                    for confirmed in self._listening.values():
                        confirmed.set()  # waiters stop waiting; they see the outage
                if not started:
                    started = True
                    task_status.started()
                await _quietly(pubsub.aclose)
                await anyio.sleep(delay * random.uniform(0.5, 1.0))
                delay = min(delay * 2, self.max_reconnect_delay)

    async def _catch_up(self) -> None:
        """Deliver what each channel got while we were away, from its stream."""
        if not self._max_history:
            return
        for channel, last in list(self._last.items()):
            entries = await self._client.xrange(self._key(channel), min=f"({last}")
            for message in self._entries(channel, entries):
                self._deliver_once(message)

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind not in ("subscribe", "message"):
            return  # the answers to health-check PINGs, unsubscribe confirmations
        name = message["channel"].decode()
        channel = name[len(self.prefix) :]
        if kind == "subscribe":
            confirmed = self._listening.get(channel)
            if confirmed is not None:
                confirmed.set()
        elif kind == "message" and name != self._control and channel in self._listening:
            try:
                message_id, _, raw = message["data"].decode().partition(" ")
                parse_id(message_id)
                decoded = decode(message_id, channel, raw)
            except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
                # Not one of ours: something else published on our prefix. Dropped, not fatal.
                logger.warning(
                    "boca-channels: dropped a message on %r that is not `<id> <JSON>`: %r",
                    channel,
                    message["data"][:80],
                )
                return
            self._deliver_once(decoded)

    def _deliver_once(self, message: Message) -> None:
        if self._max_history:
            last = self._last.get(message.channel)
            if last is not None and parse_id(message.id) <= parse_id(last):
                return
            self._last[message.channel] = message.id
        if self._deliver is not None:
            self._deliver(message)

    def __repr__(self) -> str:
        return f"RedisBackend({_redacted(self.url)!r})"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def _quietly(close: Callable[[], Any]) -> None:
    with anyio.CancelScope(shield=True):
        try:
            with anyio.fail_after(1):
                await close()
        except Exception:
            logger.debug("boca-channels: closing a Redis connection failed", exc_info=True)
