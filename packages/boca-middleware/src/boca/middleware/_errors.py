"""Boca's one error format, `{"error": "429 Too Many Requests", "status": 429, "detail": ...}`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from http import HTTPStatus

from starlette.types import Scope, Send

from ._asgi import refuse_websocket

# RFC 9110's phrases, whatever the Python version (3.13 renamed these in http.HTTPStatus).
_PHRASES = {413: "Content Too Large", 422: "Unprocessable Content"}


def error_body(status: int, detail: str) -> bytes:
    """The JSON body of an error response."""
    phrase = _PHRASES.get(status) or HTTPStatus(status).phrase
    return json.dumps({"error": f"{status} {phrase}", "status": status, "detail": detail}).encode()


async def send_error(
    scope: Scope,
    send: Send,
    status: int,
    detail: str,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """Answer with an error in Boca's format; a WebSocket handshake is refused instead."""
    body = error_body(status, detail)
    if scope["type"] != "http":
        await refuse_websocket(scope, send, status, body, headers)
        return
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *headers,
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
