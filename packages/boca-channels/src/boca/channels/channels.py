"""`Channels`: publish to a channel, subscribe to it, in one process or across many."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any, Protocol, get_args

import anyio

from .backend import Backend
from .errors import ChannelsError, ChannelsUnavailable, InvalidMessageId
from .memory import MemoryBackend
from .messages import Message, encode, parse_id
from .subscription import Overflow, Subscription

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["Channels"]

_NAME = re.compile(r"[^\x00-\x20\x7f]{1,200}")
#: What a `Retry-After` tells a client when the backend is down, in seconds.
RETRY_AFTER = 1


class _App(Protocol):
    """What `install()` uses of a Boca app (its public surface only)."""

    @property
    def extensions(self) -> MutableMapping[str, Any]: ...

    def on(self, event: str, handler: Callable[[], Awaitable[None]], /) -> Any: ...

    def add_error_handler(self, exc_class: type[BaseException], handler: Any) -> None: ...


class Channels:
    """Named channels of JSON messages, fanned out to every subscriber.

    Args:
        backend: Where messages go between processes: `RedisBackend(url)`, or the default
            `MemoryBackend()` (this process only, no set-up).
        max_history: How many recent messages each channel keeps for replay
            (`subscribe(..., history=N)`, an event stream's `Last-Event-ID`). `0` keeps none:
            plain fire-and-forget pub/sub.
        history_ttl: Seconds a channel's history is kept after its last message.
        max_pending: The default bound of each subscriber's buffer (see `Subscription`).
        on_overflow: The default policy for a subscriber that falls `max_pending` behind:
            `"close"` it, or `"drop_oldest"` message.

    It connects at startup and closes at shutdown: `app.use(channels)` in Boca,
    `Starlette(lifespan=channels.lifespan)`, or `async with channels:` anywhere.
    """

    def __init__(
        self,
        backend: Backend | None = None,
        *,
        max_history: int = 100,
        history_ttl: float = 24 * 3600,
        max_pending: int = 256,
        on_overflow: Overflow = "close",
    ) -> None:
        if max_history < 0:
            raise ValueError(f"Channels(max_history={max_history!r}) must be 0 or more")
        if history_ttl <= 0:
            raise ValueError(f"Channels(history_ttl={history_ttl!r}) is seconds, more than 0")
        _check_bound(max_pending, on_overflow, "Channels")
        self.backend: Backend = MemoryBackend() if backend is None else backend
        self.max_history = max_history
        self.history_ttl = history_ttl
        self.max_pending = max_pending
        self.on_overflow: Overflow = on_overflow
        self._subscribers: dict[str, set[Subscription]] = {}
        #: The subscriptions whose channel the backend confirmed it listens to.
        self._attached: set[Subscription] = set()
        self._listened: set[str] = set()
        self._lock: anyio.Lock | None = None
        self._stack: contextlib.AsyncExitStack | None = None

    @property
    def connected(self) -> bool:
        return self._stack is not None

    # -- life ---------------------------------------------------------------------------------

    async def connect(self) -> None:
        """Connect the backend; a Redis that cannot be reached raises `ChannelsUnavailable`."""
        if self._stack is not None:
            return
        stack = contextlib.AsyncExitStack()
        tasks = await stack.enter_async_context(anyio.create_task_group())
        stack.callback(tasks.cancel_scope.cancel)  # runs first: the backend's tasks stop
        try:
            await self.backend.connect(
                self._deliver,
                max_history=self.max_history,
                history_ttl=self.history_ttl,
                tasks=tasks,
            )
        except BaseException:
            tasks.cancel_scope.cancel()
            await stack.aclose()
            raise
        self._lock = anyio.Lock()
        self._stack = stack

    async def close(self) -> None:
        """End every subscription (their loops stop) and disconnect the backend."""
        stack, self._stack = self._stack, None
        if stack is None:
            return
        for subscribers in self._subscribers.values():
            for subscription in subscribers:
                subscription._finish(anyio.EndOfStream())
        self._subscribers.clear()
        self._attached.clear()
        self._listened.clear()
        try:
            await stack.aclose()  # the backend's tasks are cancelled, then awaited
        finally:
            with anyio.CancelScope(shield=True):
                await self.backend.close()

    async def __aenter__(self) -> Channels:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Any = None) -> AsyncIterator[None]:
        """A lifespan for Starlette and FastAPI: `Starlette(lifespan=channels.lifespan)`."""
        async with self:
            yield

    def install(self, app: _App) -> None:
        """Boca's plugin protocol: connect at startup, close at shutdown, 503 when down.

        The channels are in `app.extensions["channels"]`. A `ChannelsUnavailable` that a view
        lets through answers `503 Service Unavailable` with `Retry-After: 1`, and an
        `InvalidMessageId` (a malformed `Last-Event-ID` given to `subscribe`) `400 Bad Request`.
        """
        app.extensions["channels"] = self
        app.on("startup", self.connect)
        app.on("shutdown", self.close)
        app.add_error_handler(ChannelsUnavailable, _unavailable)
        app.add_error_handler(InvalidMessageId, _invalid_id)

    # -- publishing and subscribing -----------------------------------------------------------

    async def publish(self, channel: str, data: Any) -> str:
        """Send `data` (anything JSON can encode) to every subscriber of `channel`; its id.

        Raises `ChannelsUnavailable` at once when the backend cannot be reached.
        """
        self._check(channel)
        return await self.backend.publish(channel, encode(channel, data))

    def subscribe(
        self,
        channel: str,
        *,
        history: int = 0,
        last_id: str | None = None,
        max_pending: int | None = None,
        on_overflow: Overflow | None = None,
    ) -> Subscription:
        """The messages of `channel` from now on: `async with channels.subscribe(...) as sub`.

        Args:
            history: Replay up to this many recent messages first (at most `max_history`).
            last_id: With `history`, replay only the messages after this id: what a client
                that saw `last_id` missed (an event stream's `Last-Event-ID`).
            max_pending: This subscriber's buffer bound (default: the channels').
            on_overflow: This subscriber's overflow policy (default: the channels').
        """
        self._check(channel)
        max_pending = self.max_pending if max_pending is None else max_pending
        on_overflow = self.on_overflow if on_overflow is None else on_overflow
        _check_bound(max_pending, on_overflow, "subscribe")
        if history < 0:
            raise ValueError(f"subscribe(history={history!r}) must be 0 or more")
        if history and not self.max_history:
            raise ValueError(
                f"subscribe({channel!r}, history={history}): these channels keep no history "
                "(Channels(max_history=0)); give Channels a max_history to replay"
            )
        if history > max_pending:
            raise ValueError(
                f"subscribe({channel!r}, history={history}): a replay must fit in the buffer "
                f"(max_pending={max_pending})"
            )
        if last_id is not None:
            parse_id(last_id)
        return Subscription(
            self,
            channel,
            history=min(history, self.max_history),
            last_id=last_id,
            max_pending=max_pending,
            on_overflow=on_overflow,
        )

    def subscribers(self, channel: str) -> int:
        """How many subscriptions of `channel` this process has now that are listening: a
        message published after this counts them reaches each of them."""
        return sum(1 for s in self._subscribers.get(channel, ()) if s in self._attached)

    # -- for Subscription and the backends ----------------------------------------------------

    def _check(self, channel: str) -> None:
        if not isinstance(channel, str) or _NAME.fullmatch(channel) is None:
            raise ValueError(
                f"{channel!r} is not a channel name: 1 to 200 characters, no spaces or "
                "control characters"
            )
        if self._stack is None:
            raise ChannelsError(
                "the channels are not connected: app.use(channels) in Boca, "
                "Starlette(lifespan=channels.lifespan), or `async with channels:`"
            )

    def _deliver(self, message: Message) -> None:
        subscribers = self._subscribers.get(message.channel)
        if subscribers:
            for subscription in list(subscribers):
                subscription._put(message)

    async def _attach(self, subscription: Subscription) -> None:
        channel = subscription.channel
        self._check(channel)
        assert self._lock is not None
        self._subscribers.setdefault(channel, set()).add(subscription)
        try:
            async with self._lock:
                if channel not in self._listened:
                    await self.backend.listen(channel)
                    self._listened.add(channel)
            if subscription.history:
                kept = await self.backend.history(channel, subscription.history)
                after = None if subscription.last_id is None else parse_id(subscription.last_id)
                replay = [m for m in kept if after is None or parse_id(m.id) > after]
                subscription._replay(replay, kept[-1].id if kept else None)
            self._attached.add(subscription)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await self._detach(subscription)
            raise

    def _forget(self, subscription: Subscription) -> None:
        self._attached.discard(subscription)
        subscribers = self._subscribers.get(subscription.channel)
        if subscribers is not None:
            subscribers.discard(subscription)

    async def _detach(self, subscription: Subscription) -> None:
        channel = subscription.channel
        self._forget(subscription)
        if self._subscribers.get(channel) or self._lock is None:
            return
        self._subscribers.pop(channel, None)
        async with self._lock:
            if channel in self._listened and not self._subscribers.get(channel):
                self._listened.discard(channel)
                if self._stack is not None:
                    await self.backend.unlisten(channel)

    def __repr__(self) -> str:
        return f"Channels({self.backend!r})"


def _check_bound(max_pending: int, on_overflow: str, where: str) -> None:
    if max_pending < 1:
        raise ValueError(f"{where}(max_pending={max_pending!r}) must be 1 or more")
    if on_overflow not in get_args(Overflow):
        raise ValueError(f"{where}(on_overflow={on_overflow!r}) must be 'close' or 'drop_oldest'")


async def _unavailable(req: Any, res: Any, exc: ChannelsUnavailable) -> None:
    """Boca's error handler: a backend outage is a 503 the client may retry, not a 500."""
    res.status_code = 503
    res.headers["Retry-After"] = str(RETRY_AFTER)
    res.json = {
        "error": "503 Service Unavailable",
        "status": 503,
        "detail": "the channels backend is unavailable; try again shortly",
    }


async def _invalid_id(req: Any, res: Any, exc: InvalidMessageId) -> None:
    """Boca's error handler: a malformed `Last-Event-ID` is the client's fault."""
    res.status_code = 400
    res.json = {"error": "400 Bad Request", "status": 400, "detail": str(exc)}
