"""WebSockets: a connection object with typed messages, and how views are run over it."""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any, Literal
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection
from starlette.websockets import WebSocketDisconnect

from . import _json
from ._websocket_messages import MessageMethods, close_codes
from .errors import RouteDeclarationError
from .providers import ProviderRegistry
from .types import Message, Receive, Scope, Send
from .views import Endpoint, _make_endpoint

__all__ = ["WebSocket", "WebSocketDisconnect"]

logger = logging.getLogger("boca.core")
ValueType = Literal["text", "bytes", "json", "event"]
VALUE_TYPES = ("text", "bytes", "json", "event")
#: Close codes that end a websocket view quietly: the client said goodbye normally.
NORMAL_CLOSE_CODES = frozenset({1000, 1001})


class WebSocket(MessageMethods, HTTPConnection):
    """A websocket connection, as a websocket view receives it.

    `await ws.receive()` and `await ws.send(value)` carry text, bytes or JSON (the route's
    `value_type`, or per call); `async for message in ws` reads until the client closes.
    Everything `HTTPConnection` has is here too: `url`, `headers`, `query_params`,
    `path_params`, `cookies`, `client`, `state`.
    """

    def __init__(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: ValueType = "text",
        max_message_size: int | None = None,
        normal_close_codes: Iterable[int] = NORMAL_CLOSE_CODES,
        receive_type: ValueType | None = None,
        send_type: ValueType | None = None,
    ) -> None:
        super().__init__(scope, receive)
        self._receive = receive
        self._send = send
        self.value_type: ValueType = value_type
        #: What `receive()` and `send()` carry (each defaults to `value_type`).
        self.receive_type: ValueType = receive_type or value_type
        self.send_type: ValueType = send_type or value_type
        self.max_message_size = max_message_size
        self.normal_close_codes = close_codes(normal_close_codes, NORMAL_CLOSE_CODES)
        self.accepted = False
        self.closed = False
        self.close_code: int | None = None

    # -- handshake ----------------------------------------------------------------------------

    async def accept(
        self, subprotocol: str | None = None, headers: Iterable[tuple[bytes, bytes]] = ()
    ) -> None:
        """Accept the connection (done for you unless the route says `auto_accept=False`)."""
        if self.accepted:
            return
        message = await self._receive()
        if message["type"] == "websocket.disconnect":
            self.closed = True
            raise WebSocketDisconnect(message.get("code", 1006))
        await self._send(
            {"type": "websocket.accept", "subprotocol": subprotocol, "headers": list(headers)}
        )
        self.accepted = True

    async def reject(self, code: int = 1008, reason: str = "") -> None:
        """Refuse the connection before accepting it: the client gets an HTTP 403."""
        if self.accepted:
            raise RuntimeError("reject() is for before accept(); use close() afterwards")
        await self.close(code, reason)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection with `code` (no-op when already closed)."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        try:
            await self._send({"type": "websocket.close", "code": code, "reason": reason})
        except (OSError, RuntimeError):  # the peer is gone, or the server closed it already
            pass

    # -- messages -----------------------------------------------------------------------------

    async def receive(self, value_type: ValueType | None = None) -> Any:
        """The next message, as text, bytes or parsed JSON.

        Raises `WebSocketDisconnect` when the client closes.
        """
        kind = _kind(value_type) if value_type is not None else self.receive_type
        if kind == "event":
            return await self.receive_event()
        if self.closed:
            raise WebSocketDisconnect(self.close_code or 1006)
        if not self.accepted:
            raise RuntimeError("accept() the websocket before receiving messages")
        message = await self._receive()
        if message["type"] == "websocket.disconnect":
            self.closed = True
            self.close_code = message.get("code", 1005)
            raise WebSocketDisconnect(self.close_code, message.get("reason"))
        text, data = message.get("text"), message.get("bytes")
        limit = self.max_message_size
        if limit is not None and _size(text, data) > limit:
            await self.close(1009, "message too big")
            raise WebSocketDisconnect(1009, "message too big")
        if kind == "text":
            if text is None:
                await self.close(1003, "expected a text message")
                raise WebSocketDisconnect(1003, "expected a text message")
            return text
        if kind == "bytes":
            return data if data is not None else text.encode() if text is not None else b""
        raw = text if text is not None else data
        try:
            return _json.loads(raw or b"")
        except ValueError:
            await self.close(1007, "malformed JSON")
            raise WebSocketDisconnect(1007, "malformed JSON") from None

    async def send(self, value: Any, value_type: ValueType | None = None) -> None:
        """Send a message: text, bytes, or any value as JSON.

        Raises `WebSocketDisconnect` when the client is gone.
        """
        kind = _kind(value_type) if value_type is not None else self.send_type
        if kind == "event":
            await self.send_event(value)
            return
        message = _message(value, kind)
        if self.closed:
            raise WebSocketDisconnect(self.close_code or 1006)
        if not self.accepted:
            raise RuntimeError("accept() the websocket before sending messages")
        try:
            await self._send(message)
        except (OSError, RuntimeError):
            # OSError: the peer is gone; RuntimeError: the server already closed the
            # connection itself (message too big, ping timeout, shutting down).
            self.closed = True
            self.close_code = 1006
            raise WebSocketDisconnect(1006) from None

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        try:
            while True:
                yield await self.receive()
        except WebSocketDisconnect as exc:
            if exc.code not in self.normal_close_codes:
                raise


def _kind(value_type: str) -> ValueType:
    if value_type not in VALUE_TYPES:
        raise ValueError(f"value type must be one of {', '.join(VALUE_TYPES)}, not {value_type!r}")
    return value_type  # type: ignore[return-value]


def _size(text: str | None, data: bytes | None) -> int:
    """A message's size in bytes (text is encoded only when it is not ASCII)."""
    if text is None:
        return len(data or b"")
    return len(text) if text.isascii() else len(text.encode())


def _message(value: Any, kind: str) -> Message:
    """The ASGI message that sends `value` as `kind`."""
    if kind == "json":
        return {"type": "websocket.send", "text": _json.dumps(value).decode()}
    if kind == "bytes":
        if isinstance(value, str):
            return {"type": "websocket.send", "bytes": value.encode()}
        if isinstance(value, (bytes, bytearray, memoryview)):
            return {"type": "websocket.send", "bytes": bytes(value)}
        raise TypeError(f"cannot send {type(value).__name__} as bytes: send bytes or str")
    if isinstance(value, str):
        return {"type": "websocket.send", "text": value}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"type": "websocket.send", "bytes": bytes(value)}
    # Anything else on a text route (a dict, a list...) goes as JSON text.
    return {"type": "websocket.send", "text": _json.dumps(value).decode()}


def compile_websocket_view(
    view: Any,
    route: str,
    path_params: dict[str, str],
    *,
    providers: ProviderRegistry | None = None,
    value_type: str = "text",
    auto_accept: bool = True,
    max_message_size: int | None = None,
    allowed_origins: Iterable[str] | None = None,
    normal_close_codes: Iterable[int] | None = None,
    receive_type: str | None = None,
    send_type: str | None = None,
    caught_close_codes: Any = None,
) -> tuple[Endpoint, dict[str, Any]]:
    """The endpoint `endpoint(ws, None)` of a websocket view, and the route's settings."""
    for option, kind in (("value", value_type), ("receive", receive_type), ("send", send_type)):
        if kind is not None and kind not in VALUE_TYPES:
            raise RouteDeclarationError(
                f"websocket route {route!r}: {option}_type must be one of "
                f"{', '.join(VALUE_TYPES)}, not {kind!r}"
            )
    if caught_close_codes is not None and normal_close_codes is not None:
        raise RouteDeclarationError(
            f"websocket route {route!r}: caught_close_codes and normal_close_codes are one "
            "option under two names: give one"
        )
    try:
        codes = close_codes(
            caught_close_codes if caught_close_codes is not None else normal_close_codes,
            NORMAL_CLOSE_CODES,
        )
    except TypeError as exc:
        raise RouteDeclarationError(f"websocket route {route!r}: {exc}") from None
    if max_message_size is not None and max_message_size <= 0:
        raise RouteDeclarationError(f"websocket route {route!r}: max_message_size must be > 0")
    settings: dict[str, Any] = {
        "value_type": value_type,
        "receive_type": receive_type or value_type,
        "send_type": send_type or value_type,
        "auto_accept": auto_accept,
        "max_message_size": max_message_size,
        "allowed_origins": _origins(allowed_origins),
        "normal_close_codes": codes,
    }
    if inspect.isclass(view):
        return _class_endpoint(view, route, auto_accept), settings

    async def call(ws: WebSocket, _res: Any, **kwargs: Any) -> None:
        if auto_accept:
            await ws.accept()
        await view(ws, **kwargs)

    endpoint = _make_endpoint(view, route, path_params, 1, providers=providers, call=call)
    return endpoint, settings


def _origins(origins: Iterable[str] | None) -> frozenset[str] | None:
    if origins is None:
        return None
    if isinstance(origins, str):
        raise RouteDeclarationError("allowed_origins takes a list, like ['https://example.com']")
    return frozenset(o.lower().rstrip("/") for o in origins)


def origin_allowed(ws: HTTPConnection, origins: frozenset[str] | None) -> bool:
    """Whether the handshake's `Origin` may open the websocket.

    With no list, only the same site may (cross-site websocket hijacking): the `Origin`'s host
    must be the `Host`'s, ports aside; a handshake without `Origin` comes from no browser and
    is let in. `["*"]` lets every origin in; a list, only those origins.
    """
    origin = ws.headers.get("origin")
    if origins is None:
        return origin is None or _same_host(origin, ws.headers.get("host"))
    if "*" in origins:
        return True
    return origin is not None and origin.lower().rstrip("/") in origins


def _same_host(origin: str, host: str | None) -> bool:
    try:
        theirs = urlsplit(origin).hostname
        ours = urlsplit("//" + host).hostname if host else None
    except ValueError:  # a malformed IPv6 literal
        return False
    return theirs is not None and ours is not None and theirs.rstrip(".") == ours.rstrip(".")


_CLASS_HOOKS = ("on_connect", "on_receive", "on_disconnect")


def _class_endpoint(cls: type[Any], route: str, auto_accept: bool) -> Endpoint:
    defined = [name for name in _CLASS_HOOKS if getattr(cls, name, None) is not None]
    if not defined:
        raise RouteDeclarationError(
            f"websocket route {route!r}: class {cls.__qualname__} defines none of "
            f"{', '.join(_CLASS_HOOKS)}"
        )
    for name in defined:
        if not inspect.iscoroutinefunction(getattr(cls, name)):
            raise RouteDeclarationError(
                f"websocket route {route!r}: {cls.__qualname__}.{name} must be an async method"
            )

    async def endpoint(ws: Any, _res: Any) -> None:
        instance = cls()
        code = 1000
        if auto_accept:
            await ws.accept()
        try:
            if "on_connect" in defined:
                await instance.on_connect(ws)
            while True:
                data = await ws.receive()
                if "on_receive" in defined:
                    await instance.on_receive(ws, data)
        except WebSocketDisconnect as exc:
            code = exc.code
        except Exception:
            code = 1011  # the app closes the connection with 1011 and logs the error
            raise
        finally:
            if "on_disconnect" in defined:
                await instance.on_disconnect(ws, code)

    return endpoint
