"""The protocol a backend implements; `Channels` does the fan-out to local subscribers itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from .messages import Message

if TYPE_CHECKING:
    from anyio.abc import TaskGroup

__all__ = ["Backend", "Deliver"]

#: Called by a backend with each message of a channel it listens to, in order.
Deliver = Callable[[Message], None]


class Backend(Protocol):
    """Carries messages between processes (or within one) and keeps each channel's history.

    A process listens once per channel, whatever its number of local subscribers, and hands
    each message to `deliver`; `Channels` fans it out. Methods that need the backend raise
    `ChannelsUnavailable` when it cannot be reached.
    """

    async def connect(
        self, deliver: Deliver, *, max_history: int, history_ttl: float, tasks: TaskGroup
    ) -> None:
        """Start (at app startup); a backend that cannot start raises naming its address.

        Tasks it needs for as long as it is connected go in `tasks`.
        """

    async def close(self) -> None:
        """Stop listening and release connections (at shutdown)."""

    async def publish(self, channel: str, raw: str) -> str:
        """Send the JSON text `raw` on `channel` (kept in its history); the new message id."""

    async def listen(self, channel: str) -> None:
        """Start delivering `channel`'s messages (returns once they are sure to arrive)."""

    async def unlisten(self, channel: str) -> None:
        """Stop delivering `channel`'s messages."""

    async def history(self, channel: str, count: int) -> list[Message]:
        """The newest `count` messages kept for `channel`, oldest first."""
