"""The Starlette (and Bocadillo) spellings of a websocket's messages, and `async with ws:`.

`receive_text()`, `send_json(...)` and friends are what users of Starlette, FastAPI and
Bocadillo already write; they are the typed `receive(value_type)` / `send(value, value_type)`
under another name, so that there is one way messages are checked (sizes, JSON, close codes).
`receive_event()` / `send_event()` carry raw ASGI messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocketDisconnect

from .types import Message

if TYPE_CHECKING:
    from .websockets import ValueType

__all__ = ["EVERY_CLOSE_CODE", "MessageMethods", "close_codes"]


class _EveryCode(frozenset[int]):
    """Holds every close code: `caught_close_codes=all`."""

    def __contains__(self, code: object) -> bool:
        return isinstance(code, int)

    def __repr__(self) -> str:
        return "all"


#: `caught_close_codes=all`: no close code ends a view with a log line.
EVERY_CLOSE_CODE: frozenset[int] = _EveryCode()


def close_codes(codes: Any, default: frozenset[int]) -> frozenset[int]:
    """Normalise `caught_close_codes` / `normal_close_codes`: `None`, `all` or integers."""
    if codes is None:
        return default
    if codes is all or isinstance(codes, _EveryCode):
        return EVERY_CLOSE_CODE
    if isinstance(codes, (str, bytes)) or not isinstance(codes, Iterable):
        raise TypeError(f"close codes are integers (or the builtin `all`), not {codes!r}")
    found = frozenset(codes)
    if not all(isinstance(code, int) and not isinstance(code, bool) for code in found):
        raise TypeError(f"close codes are integers (or the builtin `all`), not {codes!r}")
    return found


class MessageMethods:
    """Mixed into `WebSocket`: Starlette's method names, raw events and `async with ws:`."""

    if TYPE_CHECKING:
        accepted: bool
        closed: bool
        close_code: int | None
        normal_close_codes: frozenset[int]
        _receive: Any
        _send: Any

        async def accept(self, subprotocol: str | None = None) -> None: ...
        async def close(self, code: int = 1000, reason: str = "") -> None: ...
        async def receive(self, value_type: ValueType | None = None) -> Any: ...
        async def send(self, value: Any, value_type: ValueType | None = None) -> None: ...

    async def receive_text(self) -> str:
        """The next message as text (a binary message closes the connection with 1003)."""
        text: str = await self.receive("text")
        return text

    async def receive_bytes(self) -> bytes:
        """The next message as bytes (text is UTF-8 encoded)."""
        data: bytes = await self.receive("bytes")
        return data

    async def receive_json(self) -> Any:
        """The next message parsed as JSON (malformed JSON closes the connection with 1007)."""
        return await self.receive("json")

    async def send_text(self, data: str) -> None:
        """Send a text message."""
        if not isinstance(data, str):
            raise TypeError(f"send_text() takes a str, not {type(data).__name__}")
        await self.send(data, "text")

    async def send_bytes(self, data: bytes) -> None:
        """Send a binary message."""
        await self.send(data, "bytes")

    async def send_json(self, data: Any) -> None:
        """Send any value as a JSON text message."""
        await self.send(data, "json")

    async def receive_event(self) -> Message:
        """The next raw ASGI message, `websocket.disconnect` included (nothing is checked)."""
        if self.closed:
            raise WebSocketDisconnect(self.close_code or 1006)
        if not self.accepted:
            raise RuntimeError("accept() the websocket before receiving messages")
        message: Message = await self._receive()
        if message["type"] == "websocket.disconnect":
            self.closed = True
            self.close_code = message.get("code", 1005)
        return message

    async def send_event(self, event: Message) -> None:
        """Send a raw ASGI message (`{"type": "websocket.send", "text": ...}`)."""
        if not isinstance(event, dict) or not str(event.get("type", "")).startswith("websocket."):
            raise TypeError(f"send_event() takes an ASGI websocket message, not {event!r}")
        if event["type"] == "websocket.close":
            await self.close(event.get("code", 1000), event.get("reason") or "")
            return
        await self._send(event)

    async def __aenter__(self) -> Any:
        """`async with ws:` accepts the connection (when not accepted already)."""
        await self.accept()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        """Close with 1000, or 1011 on an error; a disconnect with a caught code is swallowed."""
        if isinstance(exc, WebSocketDisconnect):
            return exc.code in self.normal_close_codes
        await self.close(1000 if exc is None else 1011)
        return False
