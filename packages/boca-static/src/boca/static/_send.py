"""Sending file bytes: from memory, streamed in chunks, as multipart/byteranges, or by pathsend."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
BinaryFile = anyio.AsyncFile[bytes]

CHUNK_SIZE = 64 * 1024


class FileChanged(Exception):
    """The file shrank while it was being sent; the response cannot be completed."""


class ClientGone(Exception):
    """The client disconnected while a body was being sent."""


async def _send_chunk(send: Send, chunk: bytes, more: bool) -> None:
    try:
        await send({"type": "http.response.body", "body": chunk, "more_body": more})
    except OSError as exc:  # ASGI 2.4 servers raise OSError once the client has gone
        raise ClientGone from exc


async def stream_range(
    send: Send, file: BinaryFile, start: int, end: int, *, last: bool, chunk_size: int = CHUNK_SIZE
) -> None:
    """Send bytes `start:end` of an open file in chunks; at most one chunk is held in memory."""
    await file.seek(start)
    remaining = end - start
    more = True
    while more:
        want = min(chunk_size, remaining)
        chunk = await file.read(want) if want else b""
        if len(chunk) < want:
            raise FileChanged(f"{file.wrapped.name!r} shrank while it was being sent")
        remaining -= want
        more = remaining > 0
        await _send_chunk(send, chunk, more or not last)


def boundary() -> str:
    return secrets.token_hex(12)


def multipart_parts(
    ranges: list[tuple[int, int]], size: int, media: str, mark: str
) -> tuple[list[bytes], bytes, int]:
    """The part headers of a multipart/byteranges body, its closing line, and its length."""
    heads = [
        (
            f"--{mark}\r\nContent-Type: {media}\r\nContent-Range: bytes {start}-{end - 1}/{size}"
            "\r\n\r\n"
        ).encode("latin-1")
        for start, end in ranges
    ]
    closing = f"--{mark}--\r\n".encode("latin-1")
    length = sum(len(h) + (end - start) + 2 for h, (start, end) in zip(heads, ranges, strict=True))
    return heads, closing, length + len(closing)


async def stream_multipart(
    send: Send,
    file: BinaryFile | None,
    body: bytes | None,
    ranges: list[tuple[int, int]],
    heads: list[bytes],
    closing: bytes,
) -> None:
    """Send each range with its part header, from memory when the body is cached."""
    for head, (start, end) in zip(heads, ranges, strict=True):
        if body is not None:
            await _send_chunk(send, head + body[start:end] + b"\r\n", True)
            continue
        assert file is not None
        await _send_chunk(send, head, True)
        await stream_range(send, file, start, end, last=False)
        await _send_chunk(send, b"\r\n", True)
    await _send_chunk(send, closing, False)


async def until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def watch_disconnect(receive: Receive, body: Awaitable[None]) -> None:
    """Run `body`, cancelling it if the client disconnects first.

    Servers older than ASGI 2.4 drop writes silently once the client has gone, so a long
    stream would otherwise read the whole file for nobody.
    """
    error: Exception | None = None
    async with anyio.create_task_group() as group:

        async def watch() -> None:
            await until_disconnect(receive)
            group.cancel_scope.cancel()

        group.start_soon(watch)
        try:
            await body
        except Exception as exc:
            # Raised after the group: trio would wrap it in an exception group otherwise.
            error = exc
        group.cancel_scope.cancel()
    if error is not None:
        raise error
