"""One subscriber's bounded buffer of messages, and what happens when it falls behind."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

import anyio

from .errors import SubscriberTooSlow
from .messages import Message, parse_id

if TYPE_CHECKING:
    from types import TracebackType

    from .channels import Channels

__all__ = ["Overflow", "Subscription"]

#: What happens when a subscriber is `max_pending` messages behind and another arrives.
Overflow = Literal["close", "drop_oldest"]


class Subscription:
    """The messages of one channel from the moment of subscribing, in order.

    Use it as `async with channels.subscribe("items") as sub:` and then `async for message in
    sub:` or `await sub.receive()`. It holds at most `max_pending` undelivered messages:

    - `on_overflow="close"` (the default): the subscription is closed and its buffer freed at
      once; the next `receive()` raises `SubscriberTooSlow`.
    - `on_overflow="drop_oldest"`: the oldest pending message is dropped and counted in
      `dropped`; the subscriber goes on with the newest ones.

    Iteration ends when the channels close (at shutdown).
    """

    def __init__(
        self,
        channels: Channels,
        channel: str,
        *,
        history: int,
        last_id: str | None,
        max_pending: int,
        on_overflow: Overflow,
    ) -> None:
        self.channels = channels
        self.channel = channel
        self.history = history
        self.last_id = last_id
        self.max_pending = max_pending
        self.on_overflow = on_overflow
        #: How many messages `drop_oldest` dropped.
        self.dropped = 0
        self._buffer: deque[Message] = deque()
        self._wakeup: anyio.Event | None = None
        self._done: BaseException | None = None
        # While a replay is fetched, live messages up to the newest replayed one are repeats.
        self._skip_until: tuple[int, int] | None = None

    @property
    def pending(self) -> int:
        """How many messages are waiting to be received."""
        return len(self._buffer)

    @property
    def closed(self) -> bool:
        return self._done is not None

    # -- receiving ----------------------------------------------------------------------------

    async def receive(self) -> Message:
        """The next message, waiting for one.

        Raises `SubscriberTooSlow` after an overflow with `on_overflow="close"`, and
        `anyio.EndOfStream` once the channels have closed (which ends `async for`).
        """
        while not self._buffer:
            if self._done is not None:
                raise self._done
            self._wakeup = anyio.Event()
            await self._wakeup.wait()
        return self._buffer.popleft()

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Message:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    # -- fed by Channels ----------------------------------------------------------------------

    def _put(self, message: Message) -> None:
        if self._done is not None:
            return
        if self._skip_until is not None:
            if parse_id(message.id) <= self._skip_until:
                return
            self._skip_until = None
        if len(self._buffer) >= self.max_pending:
            if self.on_overflow == "drop_oldest":
                self._buffer.popleft()
                self.dropped += 1
            else:
                self._buffer.clear()
                self._finish(
                    SubscriberTooSlow(
                        f"the subscriber of channel {self.channel!r} fell {self.max_pending} "
                        "messages behind (max_pending) and was closed"
                    )
                )
                self.channels._forget(self)
                return
        self._buffer.append(message)
        self._wake()

    def _replay(self, messages: Iterable[Message], newest: str | None) -> None:
        """Put the replayed `messages` first; live ones up to `newest` were in the replay."""
        if newest is None:
            return
        threshold = parse_id(newest)
        live = [m for m in self._buffer if parse_id(m.id) > threshold]
        self._buffer.clear()
        for message in [*messages, *live]:
            self._put(message)
        self._skip_until = threshold

    def _finish(self, reason: BaseException) -> None:
        if self._done is None:
            self._done = reason
        self._wake()

    def _wake(self) -> None:
        if self._wakeup is not None:
            self._wakeup.set()
            self._wakeup = None

    # -- context manager ----------------------------------------------------------------------

    async def __aenter__(self) -> Subscription:
        await self.channels._attach(self)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._finish(anyio.EndOfStream())
        self._buffer.clear()
        with anyio.CancelScope(shield=True):
            await self.channels._detach(self)

    def __repr__(self) -> str:
        return f"<Subscription {self.channel!r} pending={self.pending} dropped={self.dropped}>"
