"""Small ASGI helpers shared by the middleware: tiny responses and header copies."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import Message, Scope, Send

RawHeaders = list[tuple[bytes, bytes]]

_TEXT_PLAIN = (b"content-type", b"text/plain; charset=utf-8")


async def send_text(
    send: Send,
    status: int,
    body: bytes,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """Send a complete `text/plain` HTTP response (fresh message dicts every time)."""
    raw: RawHeaders = [_TEXT_PLAIN, (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def send_redirect(scope: Scope, send: Send, location: bytes, status: int = 308) -> None:
    """Redirect an HTTP request, or a WebSocket handshake when the server allows it.

    Without the `websocket.http.response` extension a WebSocket can only be refused,
    so the handshake is closed with code 1008 (policy violation).
    """
    if scope["type"] == "http":
        await send_text(send, status, b"", [(b"location", location)])
    else:
        await refuse_websocket(scope, send, status, b"", [(b"location", location)])


async def refuse_websocket(
    scope: Scope,
    send: Send,
    status: int,
    body: bytes,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """Refuse a WebSocket handshake with an HTTP response when possible, else close 1008."""
    if "websocket.http.response" in (scope.get("extensions") or {}):
        raw: RawHeaders = [_TEXT_PLAIN, (b"content-length", str(len(body)).encode()), *headers]
        await send({"type": "websocket.http.response.start", "status": status, "headers": raw})
        await send({"type": "websocket.http.response.body", "body": body})
    else:
        await send({"type": "websocket.close", "code": 1008})


def with_headers(message: Message, extra: Iterable[tuple[bytes, bytes]]) -> Message:
    """A copy of a start message with `extra` headers appended.

    The app's own message and header list are never mutated: an app may reuse them
    across requests, and one response's headers must not leak into the next.
    """
    new = dict(message)
    new["headers"] = [*message.get("headers", ()), *extra]
    return new
