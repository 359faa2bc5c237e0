"""The response builder `res` that every view receives, and how it is sent."""

from __future__ import annotations

import inspect
import os
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from . import _json
from ._cookies import cookie_header
from ._file_response import send_file
from ._headers import ResponseHeaders, check_header, content_disposition
from ._user_code import bad_status
from .background import BackgroundTask, run_background
from .streaming import WRITE_TIMEOUT, Stream, check_seconds, send_stream
from .types import Message, Receive, Scope, Send

if TYPE_CHECKING:
    from .requests import Request

__all__ = ["Response"]

_UNSET: Any = object()
G = TypeVar("G", bound=Callable[[], AsyncIterator[Any]])
_TEXT = b"text/plain; charset=utf-8"
_HTML = b"text/html; charset=utf-8"
_JSON = b"application/json"
_BYTES = b"application/octet-stream"
_NO_BODY = frozenset({204, 304})


class Response:
    """What a view writes its answer to: status, headers, cookies and one body.

    The last body setter wins (`res.text`, `res.html`, `res.json`, `res.content`, `res.file()`,
    `res.render()`). Nothing is encoded until the response is sent.
    """

    __slots__ = (
        "_body",
        "_content_type",
        "_file",
        "_headers",
        "_json",
        "_render",
        "_stream",
        "_tasks",
        "chunked",
        "media_type",
        "request",
        "started",
        "status_code",
    )

    def __init__(self, request: Request) -> None:
        self.request = request
        self.status_code = 200
        #: Overrides the content type chosen by the body setter.
        self.media_type: str | None = None
        self._headers: ResponseHeaders | None = None
        self._body = b""
        self._content_type: bytes | None = None
        self._json: Any = _UNSET
        self._file: tuple[str, str | None, str | None] | None = None
        self._render: tuple[str, dict[str, Any]] | None = None
        self._stream: Stream | None = None
        self._tasks: list[BackgroundTask] | None = None
        #: Send the body with chunked transfer encoding (no Content-Length), as Bocadillo's
        #: `res.chunked = True`.
        self.chunked = False
        #: True once `http.response.start` went to the server: the status can no longer change.
        self.started = False

    # -- headers ------------------------------------------------------------------------------

    @property
    def headers(self) -> ResponseHeaders:
        """Case-insensitive, multi-value headers; CR, LF and NUL are refused."""
        if self._headers is None:
            self._headers = ResponseHeaders()
        return self._headers

    @headers.setter
    def headers(self, value: Mapping[str, str]) -> None:
        headers = ResponseHeaders()
        headers.update(value)
        self._headers = headers

    # -- bodies -------------------------------------------------------------------------------

    def _reset(self) -> None:
        self._json = _UNSET
        self._file = None
        self._render = None
        self._stream = None

    @property
    def written(self) -> bool:
        """Whether a body was set (a before hook that writes one answers the request)."""
        return self._content_type is not None or self._file is not None or self._stream is not None

    # -- streams and background tasks --------------------------------------------------------

    @overload
    def stream(self, fn: G, /) -> G: ...

    @overload
    def stream(
        self,
        fn: None = None,
        /,
        *,
        throw_disconnect: bool = False,
        write_timeout: float | None = WRITE_TIMEOUT,
    ) -> Callable[[G], G]: ...

    def stream(
        self,
        fn: G | None = None,
        /,
        *,
        throw_disconnect: bool = False,
        write_timeout: float | None = WRITE_TIMEOUT,
    ) -> G | Callable[[G], G]:
        """Decorator: send what an async generator yields (str or bytes) as it is produced.

        When the client goes away the generator is closed at once (its `finally` runs); with
        `throw_disconnect=True` it gets `ClientDisconnect` at its `yield` instead. A client
        that reads nothing for `write_timeout` seconds counts as gone, and its connection is
        closed (`None`: wait forever).
        """
        check_seconds("write_timeout", write_timeout)

        def register(gen: G) -> G:
            self._set_stream(Stream(gen, False, None, throw_disconnect, write_timeout))
            return gen

        return register if fn is None else register(fn)

    @overload
    def event_stream(self, fn: G, /) -> G: ...

    @overload
    def event_stream(
        self,
        fn: None = None,
        /,
        *,
        heartbeat: float | None = 15.0,
        throw_disconnect: bool = False,
        write_timeout: float | None = WRITE_TIMEOUT,
    ) -> Callable[[G], G]: ...

    def event_stream(
        self,
        fn: G | None = None,
        /,
        *,
        heartbeat: float | None = 15.0,
        throw_disconnect: bool = False,
        write_timeout: float | None = WRITE_TIMEOUT,
    ) -> G | Callable[[G], G]:
        """Decorator: send server-sent events (`text/event-stream`) from an async generator.

        Yield `server_event(...)`, text (sent as `data:`) or dicts and lists (sent as JSON). A
        comment line goes out every `heartbeat` seconds of silence, to keep proxies from
        closing the connection. A client that reads nothing for `write_timeout` seconds (its
        connection open, its buffers full) counts as gone: the generator is closed and the
        connection too (`None`: wait forever).
        """
        check_seconds("heartbeat", heartbeat)
        check_seconds("write_timeout", write_timeout)

        def register(gen: G) -> G:
            self._set_stream(Stream(gen, True, heartbeat, throw_disconnect, write_timeout))
            return gen

        return register if fn is None else register(fn)

    def _set_stream(self, stream: Stream) -> None:
        make = stream.make
        if (
            not callable(make)
            or inspect.iscoroutinefunction(make)
            or inspect.isgeneratorfunction(make)
        ):
            raise TypeError(
                f"a stream is an async generator function (`async def` with `yield`), not {make!r}"
            )
        self._reset()
        self._content_type = None
        self._stream = stream

    def background(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """Run `fn(*args, **kwargs)` after the response has been sent (also a decorator).

        Tasks run in order; one that fails is logged and the next still runs.
        """
        if self._tasks is None:
            self._tasks = []
        self._tasks.append(BackgroundTask(fn, args, kwargs))
        return fn

    @property
    def text(self) -> str | None:
        return self._body.decode() if self._content_type == _TEXT else None

    @text.setter
    def text(self, value: str) -> None:
        self._reset()
        self._body = value.encode()
        self._content_type = _TEXT

    @property
    def html(self) -> str | None:
        return self._body.decode() if self._content_type == _HTML else None

    @html.setter
    def html(self, value: str) -> None:
        self._reset()
        self._body = value.encode()
        self._content_type = _HTML

    @property
    def json(self) -> Any:
        return None if self._json is _UNSET else self._json

    @json.setter
    def json(self, value: Any) -> None:
        self._reset()
        self._json = value
        self._content_type = _JSON

    @property
    def content(self) -> bytes:
        return self._body

    @content.setter
    def content(self, value: bytes) -> None:
        self._reset()
        self._body = bytes(value)
        self._content_type = _BYTES

    @property
    def attachment(self) -> str | None:
        """Setting a file name makes the browser download the body under that name."""
        value = self._headers.get("content-disposition") if self._headers else None
        return value

    @attachment.setter
    def attachment(self, filename: str) -> None:
        self.headers["content-disposition"] = content_disposition(filename)

    def file(
        self,
        path: str | os.PathLike[str],
        *,
        attach: bool = False,
        filename: str | None = None,
        media_type: str | None = None,
    ) -> None:
        """Send a file from disk, with ETag, Last-Modified, 304s and byte ranges.

        `attach=True` makes it a download (named `filename`, or the file's own name).
        """
        self._reset()
        self._content_type = None
        path = os.fspath(path)
        if attach:
            self.attachment = filename or os.path.basename(path)
        self._file = (path, media_type, filename)

    def render(self, template: str, /, **context: Any) -> None:
        """Render `template` with the installed template engine (boca-templates) as HTML.

        The page is rendered when the response is sent; `request` is in the context.
        """
        self._reset()
        self._render = (template, context)
        self._content_type = _HTML

    # -- cookies ------------------------------------------------------------------------------

    def set_cookie(
        self,
        key: str,
        value: str = "",
        *,
        max_age: int | None = None,
        expires: datetime | str | int | None = None,
        path: str = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = True,
        samesite: Literal["lax", "strict", "none"] | None = "lax",
        partitioned: bool = False,
    ) -> None:
        """Add a `Set-Cookie` header. HttpOnly and SameSite=Lax unless told otherwise.

        Values are quoted as needed; an invalid name or attribute raises `ValueError`.
        """
        header = cookie_header(
            key,
            value,
            max_age=max_age,
            expires=expires,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
        )
        self.headers.append("set-cookie", header)

    def delete_cookie(
        self,
        key: str,
        *,
        path: str = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = True,
        samesite: Literal["lax", "strict", "none"] | None = "lax",
    ) -> None:
        """Tell the client to forget a cookie (same path and domain as when it was set)."""
        self.set_cookie(
            key,
            "",
            max_age=0,
            expires=0,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
        )

    # -- sending ------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.status_code.__class__ is not int and not isinstance(self.status_code, int):
            raise bad_status(self.request.route, self.status_code)
        if self._file is not None:
            await send_file(self, *self._file[:2], scope, receive, send)
        elif self._stream is not None:
            await send_stream(self, self._stream, scope, receive, send)
        else:
            await self._send_body(scope, send)
        if self._tasks:
            app = self.request.scope.get("app")
            await run_background(self._tasks, getattr(app, "providers", None))

    async def _send_body(self, scope: Scope, send: Send) -> None:
        if self._render is not None:
            await self._render_template()
        body = _json.dumps(self._json) if self._json is not _UNSET else self._body
        status = self.status_code
        raw = self._headers.raw if self._headers is not None else []
        content_type = self._content_type
        if self.media_type is not None:
            content_type = check_header("content-type", self.media_type)[1]
        if raw and any(k == b"content-type" for k, _ in raw):
            content_type = None
        if status in _NO_BODY or status < 200:
            body = b""
            start = [kv for kv in raw if kv[0] != b"content-length"]
        else:
            start = [] if self.chunked else [(b"content-length", str(len(body)).encode())]
            if content_type is not None:
                start.append((b"content-type", content_type))
            if raw:
                start.extend(kv for kv in raw if kv[0] != b"content-length")
        self.started = True
        await send({"type": "http.response.start", "status": status, "headers": start})
        if scope["method"] == "HEAD":
            body = b""
        if self.chunked:
            # More body announced: the server cannot know the length, so it sends chunks.
            await send({"type": "http.response.body", "body": body, "more_body": True})
            body = b""
        await send({"type": "http.response.body", "body": body})

    async def _render_template(self) -> None:
        assert self._render is not None
        name, context = self._render
        engine = self.request.app.extensions.get("templates")
        if engine is None:
            raise RuntimeError(
                "res.render() needs a template engine: pip install boca-templates, then "
                "app.use(Templates(directory='templates'))"
            )
        html = await engine.render(name, {"request": self.request, **context})
        self._render = None
        self._body = html.encode()

    def track(self, send: Send) -> Send:
        """`send`, noting in `started` when the response starts (for responses sent by others)."""

        async def tracking(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.started = True
            await send(message)

        return tracking
