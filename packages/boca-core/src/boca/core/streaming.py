"""Streaming responses and server-sent events.

A stream runs the view's async generator while watching for the client to leave: when it
does, the generator is closed (its `finally` runs) at once, so database cursors and files are
released and nothing keeps producing for nobody.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from . import _json
from .requests import ClientDisconnect
from .types import Message, Receive, Send

__all__ = ["ServerEvent", "server_event", "stream_response"]

Chunks = AsyncIterator[Any]
#: How long a generator may take to reach its next `yield` before it is cancelled, when it
#: asked to be told of the disconnect with `ClientDisconnect`.
DISCONNECT_GRACE = 0.5


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

    `data` is text (multi-line text becomes several `data:` lines); `json` is serialised as JSON
    instead. `event` names the event type, `id` sets the client's last event id, `retry` the
    reconnection delay in milliseconds, and `comment` adds a comment line (ignored by clients).
    """
    if data is not None and json is not None:
        raise ValueError("give server_event either data= or json=, not both")
    out: list[str] = []
    if comment is not None:
        out.extend(f": {line}\n" for line in str(comment).splitlines() or [""])
    if event is not None:
        out.append(_field("event", event))
    if id is not None:
        text = str(id)
        if "\x00" in text:
            raise ValueError("a server event id must not contain NUL")
        out.append(_field("id", text))
    if retry is not None:
        out.append(f"retry: {int(retry)}\n")
    if json is not None:
        data = _json.dumps(json).decode()
    if data is not None:
        lines = str(data).replace("\r\n", "\n").replace("\r", "\n").split("\n")
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
        if isinstance(chunk, bytes):
            chunk = chunk.decode()
        return server_event(data=chunk).encoded
    if isinstance(chunk, str):
        return chunk.encode()
    if isinstance(chunk, (bytes, bytearray, memoryview)):
        return bytes(chunk)
    raise TypeError(f"a stream yields str or bytes, not {type(chunk).__name__}")


async def stream_response(
    make_chunks: Callable[[], Chunks],
    start: Message,
    receive: Receive,
    send: Send,
    *,
    events: bool = False,
    heartbeat: float | None = None,
    throw_disconnect: bool = False,
    head: bool = False,
) -> None:
    """Send `start`, then each chunk of the generator, until it ends or the client leaves."""
    await send(start)
    if head:
        await send({"type": "http.response.body", "body": b""})
        return
    chunks = make_chunks()
    watcher = asyncio.ensure_future(_wait_disconnect(receive))
    pending: asyncio.Future[Any] | None = None
    try:
        while True:
            pending = asyncio.ensure_future(chunks.__anext__())
            while True:
                done, _ = await asyncio.wait(
                    {pending, watcher}, timeout=heartbeat, return_when=asyncio.FIRST_COMPLETED
                )
                if watcher in done:
                    await _close(chunks, pending, throw_disconnect)
                    return
                if pending in done:
                    break
                if not await _send_body(send, b": heartbeat\n\n"):
                    await _close(chunks, pending, throw_disconnect)
                    return
            try:
                chunk = pending.result()
            except StopAsyncIteration:
                pending = None
                break
            if not await _send_body(send, _encode(chunk, events)):
                await _close(chunks, pending, throw_disconnect)
                return
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        watcher.cancel()
        if pending is not None and not pending.done():
            pending.cancel()
        with contextlib.suppress(BaseException):
            await watcher


async def _wait_disconnect(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


async def _send_body(send: Send, body: bytes) -> bool:
    """Send one chunk; False when the client is gone (ASGI 2.4 servers raise OSError)."""
    try:
        await send({"type": "http.response.body", "body": body, "more_body": True})
    except OSError:
        return False
    return True


async def _close(chunks: Chunks, pending: asyncio.Future[Any] | None, throw: bool) -> None:
    """Close the generator after a disconnect, so its `finally` runs now."""
    if pending is not None and not pending.done():
        if throw:
            await asyncio.wait({pending}, timeout=DISCONNECT_GRACE)
        if not pending.done():
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
            return
    # The generator now rests at a `yield` (or has ended): tell it, then close it.
    if throw:
        athrow = getattr(chunks, "athrow", None)
        if athrow is not None:
            with contextlib.suppress(ClientDisconnect, StopAsyncIteration, RuntimeError):
                await athrow(ClientDisconnect())
    aclose = getattr(chunks, "aclose", None)
    if aclose is not None:
        with contextlib.suppress(Exception):
            await aclose()
