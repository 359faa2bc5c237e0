"""A channel pushed to websocket clients: as a plain ASGI app, or relayed from a websocket view."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qs

import anyio

from ._asgi import Receive, Scope, Send, send_error
from .errors import ChannelsUnavailable, SubscriberTooSlow
from .messages import Message

if TYPE_CHECKING:
    from .channels import Channels
    from .subscription import Subscription

__all__ = ["WebSocketStream", "relay"]

#: Close codes: the server is going away (shutdown), and "try again later" (backend down, or a
#: client too slow to keep up).
GOING_AWAY, TRY_AGAIN_LATER = 1001, 1013


def as_json(message: Message) -> str:
    """`{"id": ..., "channel": ..., "data": ...}`, reusing the message's JSON text."""
    return f'{{"id":"{message.id}","channel":{json.dumps(message.channel)},"data":{message.raw}}}'


class WebSocketStream:
    """A plain ASGI app that sends one channel's messages to each websocket client.

    Each message is a text frame `{"id": ..., "channel": ..., "data": ...}`. A client that
    reconnects may pass the last id it saw as `?last_id=...` to get what it missed (up to
    `history`). What clients send is read and ignored. The connection is closed with 1013
    (try again later) when the backend is down or the client falls too far behind, and with
    1001 at shutdown.

    Args:
        channels: The connected `Channels`.
        channel: The channel name, or a function of the ASGI scope that returns it.
        history: How many missed messages a client with `?last_id=` may get (default: all
            that the channels keep).
    """

    def __init__(
        self,
        channels: Channels,
        channel: str | Callable[[Scope], str],
        *,
        history: int | None = None,
    ) -> None:
        self.channels = channels
        self.channel = channel
        self.history = (
            min(channels.max_history, channels.max_pending) if history is None else history
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            if scope["type"] == "http":
                await send_error(send, 400, "this is a websocket endpoint")
            return
        if (await receive())["type"] != "websocket.connect":
            return
        query = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"))
        last_id = query["last_id"][-1] if "last_id" in query else None
        name = self.channel(scope) if callable(self.channel) else self.channel
        await send({"type": "websocket.accept"})
        try:
            subscription = self.channels.subscribe(
                name, history=self.history if last_id else 0, last_id=last_id or None
            )
        except ValueError as exc:
            await send({"type": "websocket.close", "code": 1008, "reason": str(exc)[:120]})
            return
        code = 0  # stays 0 when the client leaves first
        try:
            async with subscription, anyio.create_task_group() as tasks:
                tasks.start_soon(_until_disconnect, receive, tasks.cancel_scope)
                code = await _pump(subscription, send)
                tasks.cancel_scope.cancel()
        except ChannelsUnavailable:
            code = TRY_AGAIN_LATER
        if code:
            try:
                await send({"type": "websocket.close", "code": code})
            except OSError:
                pass


async def _pump(subscription: Subscription, send: Send) -> int:
    """Send until something ends it; the close code to send (0: the client left)."""
    try:
        async for message in subscription:
            await send({"type": "websocket.send", "text": as_json(message)})
    except SubscriberTooSlow:
        return TRY_AGAIN_LATER
    except OSError:
        return 0
    return GOING_AWAY


async def _until_disconnect(receive: Receive, scope: anyio.CancelScope) -> None:
    while (await receive())["type"] != "websocket.disconnect":
        pass
    scope.cancel()


class _WebSocket(Protocol):
    """What `relay()` uses of a websocket (Boca's `ws` in a websocket view)."""

    def __aiter__(self) -> AsyncIterator[Any]: ...

    async def send(self, data: Any) -> None: ...

    async def close(self, code: int = 1000) -> None: ...


async def relay(
    subscription: Subscription,
    websocket: _WebSocket,
    *,
    encode: Callable[[Message], Any] = as_json,
) -> None:
    """Send a subscription's messages to `websocket` until either side ends.

    For websocket views: `async with channels.subscribe("room") as sub: await relay(sub, ws)`.
    What the client sends is read and dropped, so a client that leaves is noticed at once.
    `encode` turns a message into what `websocket.send` takes (default: JSON text). Closes
    with 1013 when the client falls too far behind, and with 1001 at shutdown.
    """

    async def drain(tasks: anyio.abc.TaskGroup) -> None:
        try:
            async for _ in websocket:
                pass
        except Exception:  # the peer vanished: stop all the same
            pass
        tasks.cancel_scope.cancel()

    code = 0
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(drain, tasks)
        try:
            async for message in subscription:
                await websocket.send(encode(message))
            code = GOING_AWAY
        except SubscriberTooSlow:
            code = TRY_AGAIN_LATER
        tasks.cancel_scope.cancel()
    if code:
        await websocket.close(code)
