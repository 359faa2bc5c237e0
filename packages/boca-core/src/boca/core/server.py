"""Uvicorn's HTTP protocol with limits on the request head.

Uvicorn's httptools protocol keeps every header line it is sent: one header of megabytes, or
tens of thousands of headers, are all buffered and handed to the app. `HttpToolsProtocol`
answers `431 Request Header Fields Too Large` and closes the connection as soon as the request
line and headers pass `MAX_HEADER_BYTES` or `MAX_HEADERS`, so a connection holds at most about
that much. Serve with it from Python, `uvicorn.run(app, http=HttpToolsProtocol)` or
`uvicorn.Config(app, http="boca.core.server:HttpToolsProtocol")` (Uvicorn's command line only
takes its own protocol names); the test `LiveServer` uses it. Needs httptools (in
`uvicorn[standard]`).

It also writes RFC 9110's reason phrases on the status line (`413 Content Too Large`) on every
Python version, where Uvicorn takes them from `http.HTTPStatus`, which Python 3.13 renamed; and
an error it answers while a pipelined earlier request is still being answered (431, 408, 400)
waits behind that answer instead of replacing it.
"""

from __future__ import annotations

import asyncio
import types
import weakref
from typing import Any

from uvicorn.protocols.http import httptools_impl
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _UvicornHttpTools
from uvicorn.protocols.http.httptools_impl import RequestResponseCycle as _UvicornCycle
from uvicorn.server import ServerState

from ._status import STATUS_LINES

__all__ = [
    "HEAD_TIMEOUT",
    "MAX_HEADERS",
    "MAX_HEADER_BYTES",
    "SHUTDOWN_EXTENSION",
    "HttpToolsProtocol",
]

#: The scope extension through which the app learns that the server is shutting down:
#: `scope["extensions"]["boca.shutdown"]["event"]` is an `asyncio.Event`, set then. Event
#: streams (server-sent events) end themselves when it is set, so that a graceful shutdown
#: does not wait for streams that would never end; finite streams run to their end.
SHUTDOWN_EXTENSION = "boca.shutdown"

#: The most header lines a request may have (Apache's default).
MAX_HEADERS = 100
#: Seconds to receive a whole request head, from its first byte.
HEAD_TIMEOUT = 10.0
#: The most bytes the request target and headers may take together.
MAX_HEADER_BYTES = 64 * 1024


class HeadTooLarge(Exception):
    """The request line and headers went past the limits."""


def _with_status_lines(function: Any) -> Any:
    """`function` reading Boca's `STATUS_LINES` where Uvicorn's module reads its own table.

    Uvicorn builds its status lines from `http.HTTPStatus` and looks them up as a module global
    in `RequestResponseCycle.send`; the same code bound to a namespace with Boca's table writes
    the same phrases on every Python without repeating Uvicorn's code.
    """
    namespace = {**vars(httptools_impl), "STATUS_LINE": STATUS_LINES}
    rebound = types.FunctionType(
        function.__code__, namespace, function.__name__, function.__defaults__, function.__closure__
    )
    rebound.__qualname__ = function.__qualname__
    return rebound


#: One shutdown extension per server, shared by its connections: an event per connection would
#: cost each of them some 700 bytes for the same information.
_SHUTDOWN: weakref.WeakKeyDictionary[ServerState, dict[str, asyncio.Event]] = (
    weakref.WeakKeyDictionary()
)


def _shutdown_extension(state: ServerState) -> dict[str, asyncio.Event]:
    extension = _SHUTDOWN.get(state)
    if extension is None:
        extension = _SHUTDOWN[state] = {"event": asyncio.Event()}
    return extension


class _Cycle(_UvicornCycle):
    """Uvicorn's request/response cycle, writing Boca's status lines."""

    send = _with_status_lines(_UvicornCycle.send)


class HttpToolsProtocol(_UvicornHttpTools):
    """Uvicorn's httptools protocol, refusing oversized request heads with a 431 and slow ones
    with a 408.

    httptools gathers a header's whole value before reporting it, so the bytes received while
    the head is incomplete are counted too: a connection holds at most `MAX_HEADER_BYTES` plus
    one read of head.
    """

    #: Seconds a client has to send a whole request head once it has started (F8, slowloris:
    #: Uvicorn resets its keep-alive timer on every byte). Override in a subclass to change.
    head_timeout: float = HEAD_TIMEOUT

    # Slots, not more keys in the instance dict Uvicorn's attributes fill: seven more keys
    # would make every connection's dict grow to the next size, 1.5 KB each.
    __slots__ = (
        "_head_bytes",
        "_head_lines",
        "_head_size",
        "_head_timer",
        "_in_head",
        "_queued_error",
        "_shutdown",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = False
        self._head_bytes = 0
        self._head_size = 0
        self._head_lines = 0
        self._shutdown = _shutdown_extension(self.server_state)
        self._head_timer: asyncio.TimerHandle | None = None
        #: An error answer waiting for the pipelined responses before it (then the connection
        #: closes); the request that caused it is never read further.
        self._queued_error: bytes | None = None

    def on_message_begin(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        self._head_size = 0
        self._head_lines = 0
        super().on_message_begin()
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)
        self.scope.setdefault("extensions", {})[SHUTDOWN_EXTENSION] = self._shutdown

    def shutdown(self) -> None:
        """The server is stopping: tell the running requests, then let Uvicorn go on."""
        self._shutdown["event"].set()
        super().shutdown()

    def on_url(self, url: bytes) -> None:
        self._head_size += len(url)
        if self._head_size > MAX_HEADER_BYTES:
            raise HeadTooLarge()
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_lines += 1
        self._head_size += len(name) + len(value)
        if self._head_lines > MAX_HEADERS or self._head_size > MAX_HEADER_BYTES:
            raise HeadTooLarge()
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._cancel_head_timer()
        super().on_headers_complete()
        # The cycle is a task not yet run (or queued behind another): it writes Boca's phrases.
        if self.cycle is not None:
            self.cycle.__class__ = _Cycle

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # `self.cycle` is the newest request's: once it is answered, so are all before it.
        if self._queued_error is not None and self.cycle.response_complete:
            self._write_and_close(self._queued_error)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # A connection that never sends a request is closed after `head_timeout` too.
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        """The request head did not arrive in time (slowloris): answer 408 and close."""
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self._in_head:
            self.logger.warning("Request head not received in time: connection closed.")
            self._send_error(408, b"Request head not received in time.")
        elif self.cycle is None:  # connected, but never sent a byte
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._queued_error is not None:
            return  # the parser stopped at the error; nothing after it is a request
        # A read that starts and ends inside a request head is all head: count it. (The read
        # in which a head begins is bounded by the transport's read size.)
        counting = self._in_head
        super().data_received(data)
        if (
            counting
            and self._in_head
            and self._queued_error is None
            and not self.transport.is_closing()
        ):
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEADER_BYTES:
                self._send_431()

    def send_400_response(self, msg: str) -> None:
        if self._head_lines > MAX_HEADERS or self._head_size > MAX_HEADER_BYTES:
            self._send_431()
            return
        self._send_error(400, msg.encode("ascii"))

    def _send_431(self) -> None:
        self.logger.warning("Request header fields too large: connection closed.")
        self._send_error(431, b"Request header fields too large.")

    def _send_error(self, status: int, msg: bytes) -> None:
        if self._queued_error is not None:
            return  # one error per connection: it is the last thing written
        content = [STATUS_LINES[status]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: text/plain; charset=utf-8\r\n",
                b"content-length: " + str(len(msg)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                msg,
            ]
        )
        answer = b"".join(content)
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete and not cycle.more_body:
            # The error is a later request's (the newest cycle has its whole body), and the
            # requests before it are still being answered: their answers go first (RFC 9112
            # section 9.3.2), then this one, then the connection closes.
            self._queued_error = answer
            self._cancel_head_timer()
            self.flow.pause_reading()
            return
        self._write_and_close(answer)

    def _write_and_close(self, answer: bytes) -> None:
        if not self.transport.is_closing():  # an answer before may have closed it
            self.transport.write(answer)
            self.transport.close()
