"""A request id for every request: reused from the client when valid, made up otherwise."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._asgi import with_headers

#: The current request's id while it is being handled, for logs and outgoing calls.
request_id_var: ContextVar[str | None] = ContextVar("boca_request_id", default=None)

_SAFE = re.compile(rb"[A-Za-z0-9._~:+/=@-]+")


def get_request_id() -> str | None:
    """The id of the request being handled, or None outside a request."""
    return request_id_var.get()


def _uuid4_hex() -> str:
    return uuid.uuid4().hex


class RequestIDMiddleware:
    """Gives every HTTP request an id and echoes it in the response.

    A valid incoming header (at most `max_length` characters of letters, digits and
    `._~:+/=@-`) is reused, so ids from a proxy or a calling service carry through;
    anything else is replaced by a fresh `uuid4().hex`. The id is stored in
    `scope["state"]["request_id"]` (Starlette's and Boca's `request.state.request_id`)
    and in the `request_id_var` context variable (`get_request_id()`).

    Args:
        app: The ASGI app to wrap.
        header_name: The request and response header carrying the id.
        trust_incoming: Reuse a valid incoming id; `False` always makes a new one.
        max_length: The longest incoming id reused.
        generator: Makes new ids (default: `uuid4().hex`).
    """

    def __init__(
        self,
        app: ASGIApp,
        header_name: str = "X-Request-ID",
        trust_incoming: bool = True,
        max_length: int = 128,
        generator: Callable[[], str] = _uuid4_hex,
    ) -> None:
        self.app = app
        self.header = header_name.lower().encode("latin-1")
        self.trust_incoming = trust_incoming
        self.max_length = max_length
        self.generator = generator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id: str | None = None
        if self.trust_incoming:
            for key, value in scope["headers"]:
                if key == self.header:
                    if len(value) <= self.max_length and _SAFE.fullmatch(value):
                        request_id = value.decode("ascii")
                    break
        if request_id is None:
            request_id = self.generator()
        # A fresh dict: the state given to one request must not collect another's id.
        scope["state"] = {**scope.get("state", {}), "request_id": request_id}
        extra = [(self.header, request_id.encode("latin-1"))]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = with_headers(message, extra)
            await send(message)

        token = request_id_var.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)
