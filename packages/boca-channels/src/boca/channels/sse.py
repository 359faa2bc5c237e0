"""A channel as server-sent events: ids from the channel, heartbeats, and replay on reconnect."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import anyio

from ._asgi import Receive, Scope, Send, header, send_error
from .errors import ChannelsUnavailable, SubscriberTooSlow
from .messages import Message, parse_id
from .subscription import Subscription

if TYPE_CHECKING:
    from .channels import Channels

__all__ = ["EventStream"]

_HEADERS = [
    (b"content-type", b"text/event-stream"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),  # nginx: do not buffer the stream
]
_HEARTBEAT = b": ping\n\n"


class EventStream:
    """A plain ASGI app streaming one channel as `text/event-stream`.

    Each message goes out as `id: <message id>`, an optional `event:` line, and `data: <JSON>`.
    A browser's `EventSource` reconnects by itself and sends `Last-Event-ID`: the stream then
    starts with what it missed from the channel's history (at most `history` messages).

    Args:
        channels: The connected `Channels`.
        channel: The channel name, or a function of the ASGI scope that returns it (for a
            channel per path or user).
        history: How many missed messages a reconnecting client may get (default: all that
            the channels keep, `max_history`). A new client gets none.
        heartbeat: Seconds of silence after which a comment line is sent, so proxies keep
            the connection open; `None` for none.
        retry: The reconnection delay the client is told, in milliseconds; `None` for the
            browser's default.
        event: The event type: a fixed name, a function of the `Message` (`None` from it
            means the default `message`), or `None`.

    Answers `503` (with `Retry-After`) when the backend is down, `400` for a malformed
    `Last-Event-ID`, and `405` for methods other than GET and HEAD. The response ends when the
    subscriber falls too far behind (the client reconnects and catches up) and at shutdown.
    """

    def __init__(
        self,
        channels: Channels,
        channel: str | Callable[[Scope], str],
        *,
        history: int | None = None,
        heartbeat: float | None = 15.0,
        retry: int | None = 1000,
        event: str | Callable[[Message], str | None] | None = None,
    ) -> None:
        if heartbeat is not None and heartbeat <= 0:
            raise ValueError(f"EventStream(heartbeat={heartbeat!r}): seconds > 0, or None")
        if retry is not None and retry < 0:
            raise ValueError(f"EventStream(retry={retry!r}): milliseconds, 0 or more")
        if isinstance(event, str) and (not event or "\n" in event or "\r" in event):
            raise ValueError(f"EventStream(event={event!r}): one line of text")
        if history is None:
            history = min(channels.max_history, channels.max_pending)
        elif history > channels.max_pending:
            raise ValueError(
                f"EventStream(history={history}): a replay must fit in the channels' "
                f"max_pending ({channels.max_pending})"
            )
        self.channels = channels
        self.channel = channel
        self.history = history
        self.heartbeat = heartbeat
        self.event = event
        self._start = b"" if retry is None else b"retry: %d\n\n" % retry

    def encode(self, message: Message) -> bytes:
        """One message in the `text/event-stream` format."""
        event = self.event(message) if callable(self.event) else self.event
        lines = f"id: {message.id}\n"
        if event:
            lines += "event: " + event.replace("\r", " ").replace("\n", " ") + "\n"
        return (lines + f"data: {message.raw}\n\n").encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                await receive()
                await send({"type": "websocket.close", "code": 1008})
            return
        if scope["method"] not in ("GET", "HEAD"):
            await send_error(send, 405, "an event stream is read with GET", ((b"allow", b"GET"),))
            return
        last_id = header(scope, b"last-event-id")
        if last_id is not None and last_id.strip() == "":
            last_id = None
        if last_id is not None:
            try:
                parse_id(last_id)
            except ValueError as exc:
                await send_error(send, 400, f"Last-Event-ID: {exc}")
                return
        name = self.channel(scope) if callable(self.channel) else self.channel
        history = self.history if last_id is not None else 0
        try:
            subscription = self.channels.subscribe(name, history=history, last_id=last_id)
        except ValueError as exc:  # a channel named after the path, say, that is not a name
            await send_error(send, 400, str(exc))
            return
        try:
            await subscription.__aenter__()
        except ChannelsUnavailable:
            await send_error(
                send, 503, "the channels backend is unavailable; try again shortly",
                ((b"retry-after", b"1"),),
            )  # fmt: skip
            return
        try:
            await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
            if scope["method"] == "HEAD":
                await send({"type": "http.response.body", "body": b""})
                return
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(_until_disconnect, receive, tasks.cancel_scope)
                await self._pump(subscription, send)
                tasks.cancel_scope.cancel()
        finally:
            await subscription.__aexit__(None, None, None)

    async def _pump(self, subscription: Subscription, send: Send) -> None:
        try:
            if self._start:
                await _body(send, self._start)
            while True:
                with anyio.move_on_after(self.heartbeat) as waited:
                    message = await subscription.receive()
                if waited.cancelled_caught:
                    await _body(send, _HEARTBEAT)
                    continue
                await _body(send, self.encode(message))
        except (SubscriberTooSlow, anyio.EndOfStream):
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            return  # the client is gone (ASGI 2.4 servers raise it from send)


async def _body(send: Send, data: bytes) -> None:
    await send({"type": "http.response.body", "body": data, "more_body": True})


async def _until_disconnect(receive: Receive, scope: anyio.CancelScope) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    scope.cancel()
