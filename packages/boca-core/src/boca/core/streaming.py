"""Streaming responses and server-sent events.

A stream runs the view's async generator in a task of its own while watching for the client to
leave: when it does, the generator is closed (its `finally` runs) at once, so database cursors and
files are released and nothing keeps producing for nobody. The generator is paced by the client:
it waits while the server's write buffer is full, so a slow reader never makes the server buffer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import _json
from .requests import ClientDisconnect
from .server import SHUTDOWN_EXTENSION
from .types import Message, Receive, Scope, Send

if TYPE_CHECKING:
    from .responses import Response

__all__ = ["ServerEvent", "Stream", "send_stream", "server_event", "stream_response"]

logger = logging.getLogger("boca.core")

Chunks = AsyncIterator[Any]
#: How long a generator may take to reach its next `yield` before it is cancelled, when it
#: asked to be told of the disconnect with `ClientDisconnect`.
DISCONNECT_GRACE = 0.5
_timeout = getattr(asyncio, "timeout", None)
#: How long a stream's write waits for a client that reads nothing, by default (seconds).
WRITE_TIMEOUT = 30.0


def check_seconds(name: str, value: float | None) -> None:
    """Refuse a stream option in seconds that is not positive (None: no limit)."""
    if value is not None and (isinstance(value, bool) or not value > 0):
        raise ValueError(f"{name} must be a positive number of seconds, or None")


class ServerEvent:
    """One server-sent event; build it with `server_event(...)`."""

    __slots__ = ("encoded",)

    def __init__(self, encoded: bytes) -> None:
        self.encoded = encoded

    def __bytes__(self) -> bytes:
        return self.encoded

    def __repr__(self) -> str:
        return f"ServerEvent({self.encoded!r})"


def _field(name: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError(f"server event {name!r} must not contain line breaks: {value!r}")
    return f"{name}: {value}\n"


def _text(item: Any) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, (bytes, bytearray, memoryview)):
        return bytes(item).decode()
    if isinstance(item, (int, float)) and not isinstance(item, bool):
        return str(item)
    raise TypeError(
        f"server_event data must be text, bytes, a number, a list of those or a dict, not "
        f"{type(item).__name__}: use json= to send it as JSON"
    )


def server_event(
    data: Any = None,
    *,
    json: Any = None,
    event: str | None = None,
    id: str | int | None = None,
    retry: int | None = None,
    comment: str | None = None,
) -> ServerEvent:
    """Encode one event of the `text/event-stream` format.

    `data` is text (multi-line text becomes several `data:` lines), a list of texts (one
    `data:` line each, as Bocadillo wrote them) or a dict (sent as JSON); `json` is serialised
    as JSON whatever its type. `event` names the event type, `id` sets the client's last event
    id, `retry` the reconnection delay in milliseconds, and `comment` adds a comment line
    (ignored by clients).
    """
    if data is not None and json is not None:
        raise ValueError("give server_event either data= or json=, not both")
    out: list[str] = []
    if comment is not None:
        out.extend(f": {line}\n" for line in str(comment).splitlines() or [""])
    if event is not None:
        if not event:
            raise ValueError(
                "a server event type must not be empty (leave event=None for 'message')"
            )
        out.append(_field("event", event))
    if id is not None:
        text = str(id)
        if "\x00" in text:
            raise ValueError("a server event id must not contain NUL")
        out.append(_field("id", text))
    if retry is not None:
        if int(retry) < 0:
            raise ValueError(f"server event retry is a delay in milliseconds, not {retry!r}")
        out.append(f"retry: {int(retry)}\n")
    if json is not None or isinstance(data, dict):
        data = _json.dumps(data if json is None else json).decode()
    if data is not None:
        items = data if isinstance(data, (list, tuple)) else (data,)
        for item in items:
            lines = _text(item).replace("\r\n", "\n").replace("\r", "\n").split("\n")
            out.extend(f"data: {line}\n" for line in lines)
    if not out:
        raise ValueError("an empty server event: give data, json, event, id, retry or comment")
    return ServerEvent(("".join(out) + "\n").encode())


def _encode(chunk: Any, events: bool) -> bytes:
    if isinstance(chunk, ServerEvent):
        return chunk.encoded
    if events:
        if isinstance(chunk, (dict, list)):
            return server_event(json=chunk).encoded
        return server_event(data=chunk).encoded
    if isinstance(chunk, str):
        return chunk.encode()
    if isinstance(chunk, (bytes, bytearray, memoryview)):
        return bytes(chunk)
    raise TypeError(f"a stream yields str or bytes, not {type(chunk).__name__}")


@dataclass(frozen=True)
class Stream:
    """What `res.stream()` or `res.event_stream()` was given: the generator and its options."""

    make: Callable[[], AsyncIterator[Any]]
    events: bool
    heartbeat: float | None
    throw: bool
    #: Seconds one write may wait for a client that reads nothing, before the stream ends.
    write_timeout: float | None = None


async def send_stream(
    response: Response, stream: Stream, scope: Scope, receive: Receive, send: Send
) -> None:
    """Send `stream` as the body of `response` (a `res.stream` or `res.event_stream`)."""
    headers = response.headers
    if stream.events:
        headers.setdefault("content-type", "text/event-stream; charset=utf-8")
        headers.setdefault("cache-control", "no-cache")
        headers.setdefault("x-accel-buffering", "no")
    elif response.media_type is not None:
        headers.setdefault("content-type", response.media_type)
    else:
        headers.setdefault("content-type", "text/plain; charset=utf-8")
    raw = [kv for kv in headers.raw if kv[0] != b"content-length"]
    start = {"type": "http.response.start", "status": response.status_code, "headers": raw}
    head = scope["method"] == "HEAD"
    chunks = None if head else stream.make()
    if chunks is not None and not hasattr(chunks, "__anext__"):
        raise TypeError(f"a stream is an async generator function, not one returning {chunks!r}")
    response.started = True
    await stream_response(
        chunks,
        start,
        receive,
        send,
        events=stream.events,
        heartbeat=stream.heartbeat,
        throw_disconnect=stream.throw,
        write_timeout=stream.write_timeout,
        head=head,
        # Event streams never end on their own (clients reconnect): end them when the
        # server stops. Other streams are finite and finish within the graceful timeout.
        shutdown=(
            scope.get("extensions", {}).get(SHUTDOWN_EXTENSION, {}).get("event")
            if stream.events
            else None
        ),
    )


class _Channel:
    """The response body on its way out: one `send` at a time, and when the last one went."""

    __slots__ = ("gone", "last", "lock", "send", "stalled", "write_timeout")

    def __init__(self, send: Send, write_timeout: float | None = None) -> None:
        self.send = send
        self.write_timeout = write_timeout
        self.lock = asyncio.Lock()
        self.gone = asyncio.Event()
        #: Set when a write waited `write_timeout` for a client that read nothing.
        self.stalled = False
        self.last = asyncio.get_running_loop().time()

    async def emit(self, body: bytes) -> None:
        async with self.lock:
            message = {"type": "http.response.body", "body": body, "more_body": True}
            try:
                if self.write_timeout is None:
                    await self.send(message)
                elif _timeout is not None:  # the server's `send` waits while its buffer is full
                    async with _timeout(self.write_timeout):
                        await self.send(message)
                else:  # pragma: no cover - Python 3.10
                    await asyncio.wait_for(self.send(message), self.write_timeout)
            except asyncio.TimeoutError:  # before OSError: TimeoutError is one
                self.stalled = True
                self.gone.set()
            except OSError:  # ASGI 2.4 servers raise it once the client is gone
                self.gone.set()
            self.last = asyncio.get_running_loop().time()


async def stream_response(
    chunks: Chunks | None,
    start: Message,
    receive: Receive,
    send: Send,
    *,
    events: bool = False,
    heartbeat: float | None = None,
    throw_disconnect: bool = False,
    head: bool = False,
    shutdown: asyncio.Event | None = None,
    write_timeout: float | None = None,
) -> None:
    """Send `start`, then each chunk of `chunks`, until it ends or the client leaves.

    A client that reads nothing for `write_timeout` seconds, while a write waits, is treated as
    gone: the generator is closed and the response left unfinished, so the server closes the
    connection.

    When `shutdown` is set (the server is stopping: see `boca.core.server`), the generator is
    closed and the response ended cleanly, so that a graceful shutdown does not wait for
    streams that never end.

    The generator runs from start to end in one task of its own (so timeouts, cancel scopes and
    context managers held across a `yield` work), paced by the client: it is paused while the
    server's write buffer is full. This task watches for the client leaving and sends the
    heartbeats.
    """
    if head or chunks is None:
        await send(start)
        await send({"type": "http.response.body", "body": b""})
        return
    await send(start)
    channel = _Channel(send, write_timeout)
    loop = asyncio.get_running_loop()
    pump = asyncio.ensure_future(_pump(chunks, channel, events, throw_disconnect))
    watcher = asyncio.ensure_future(_wait_disconnect(receive))
    stopper = asyncio.ensure_future(shutdown.wait()) if shutdown is not None else None
    waiting = {pump, watcher} if stopper is None else {pump, watcher, stopper}
    try:
        while True:
            timeout = (
                None if heartbeat is None else max(0.0, channel.last + heartbeat - loop.time())
            )
            done, _ = await asyncio.wait(
                waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if pump in done:
                if not channel.gone.is_set():
                    pump.result()  # the generator's own exception goes to the server (F4)
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                break
            if watcher in done:
                channel.gone.set()
                if throw_disconnect:  # let it reach its next `yield`, where it is told
                    await asyncio.wait({pump}, timeout=DISCONNECT_GRACE)
                return
            if stopper is not None and stopper in done:
                # The server is stopping: close the generator and end the response properly.
                pump.cancel()
                await asyncio.wait({pump})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            if heartbeat is not None and loop.time() - channel.last >= heartbeat:
                await channel.emit(b": heartbeat\n\n")
                if channel.stalled:
                    break
        if channel.stalled:
            # Left unfinished: the server closes the connection; the generator is closed below.
            logger.info("stream closed: its client read nothing for %g s", write_timeout)
    finally:
        watcher.cancel()
        if stopper is not None:
            stopper.cancel()
        pump.cancel()  # when still waiting: its `finally` runs now
        await asyncio.wait({pump, watcher})
        if not watcher.cancelled():
            watcher.exception()  # a server whose receive() failed: the client is gone
        if not pump.cancelled() and pump.exception() is not None and channel.gone.is_set():
            # Raised while being closed after the client left: nobody to tell but the log.
            logger.debug("stream closed after disconnect", exc_info=pump.exception())


async def _pump(chunks: Chunks, channel: _Channel, events: bool, throw: bool) -> None:
    """Send each chunk until the generator ends or the client goes away."""
    try:
        while not channel.gone.is_set():
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            if channel.gone.is_set():
                break
            await channel.emit(_encode(chunk, events))
            # Let the disconnect watcher run: once the client is gone, servers return from
            # `send` at once, and a generator that never awaits would otherwise run to its end.
            await asyncio.sleep(0)
        # The client left; the generator rests at a `yield`.
        if throw:
            athrow = getattr(chunks, "athrow", None)
            if athrow is not None:
                with contextlib.suppress(ClientDisconnect, StopAsyncIteration):
                    await athrow(ClientDisconnect())
    finally:
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()


async def _wait_disconnect(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
