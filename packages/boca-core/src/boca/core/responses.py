"""The response builder `res` that every view receives, and how it is sent."""

from __future__ import annotations

import inspect
import os
import stat as _stat
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import anyio.to_thread
from starlette.responses import FileResponse

from . import _json
from ._headers import ResponseHeaders, check_header, content_disposition
from .background import BackgroundTask, run_background
from .errors import HTTPError
from .server import SHUTDOWN_EXTENSION
from .streaming import stream_response
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
_COOKIE_ATTR_FORBIDDEN = frozenset(";,\r\n\x00")


@dataclass(frozen=True)
class _Stream:
    make: Callable[[], AsyncIterator[Any]]
    events: bool
    heartbeat: float | None
    throw: bool


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
        self._stream: _Stream | None = None
        self._tasks: list[BackgroundTask] | None = None
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
    def stream(self, fn: None = None, /, *, throw_disconnect: bool = False) -> Callable[[G], G]: ...

    def stream(
        self, fn: G | None = None, /, *, throw_disconnect: bool = False
    ) -> G | Callable[[G], G]:
        """Decorator: send what an async generator yields (str or bytes) as it is produced.

        When the client goes away the generator is closed at once (its `finally` runs); with
        `throw_disconnect=True` it gets `ClientDisconnect` at its `yield` instead.
        """

        def register(gen: G) -> G:
            self._set_stream(_Stream(gen, False, None, throw_disconnect))
            return gen

        return register if fn is None else register(fn)

    @overload
    def event_stream(self, fn: G, /) -> G: ...

    @overload
    def event_stream(
        self, fn: None = None, /, *, heartbeat: float | None = 15.0, throw_disconnect: bool = False
    ) -> Callable[[G], G]: ...

    def event_stream(
        self,
        fn: G | None = None,
        /,
        *,
        heartbeat: float | None = 15.0,
        throw_disconnect: bool = False,
    ) -> G | Callable[[G], G]:
        """Decorator: send server-sent events (`text/event-stream`) from an async generator.

        Yield `server_event(...)`, text (sent as `data:`) or dicts and lists (sent as JSON). A
        comment line goes out every `heartbeat` seconds of silence, to keep proxies from
        closing the connection.
        """
        if heartbeat is not None and heartbeat <= 0:
            raise ValueError("heartbeat must be a positive number of seconds, or None")

        def register(gen: G) -> G:
            self._set_stream(_Stream(gen, True, heartbeat, throw_disconnect))
            return gen

        return register if fn is None else register(fn)

    def _set_stream(self, stream: _Stream) -> None:
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
        expires: str | int | None = None,
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
        cookie: SimpleCookie = SimpleCookie()
        try:
            cookie[key] = value
        except CookieError:
            raise ValueError(
                f"invalid cookie name {key!r}: use letters, digits and !#$%&'*+-.^_`|~"
            ) from None
        morsel = cookie[key]
        for attr, attr_value in (("path", path), ("domain", domain)):
            if attr_value is not None:
                if _COOKIE_ATTR_FORBIDDEN & set(attr_value):
                    raise ValueError(f"cookie {key!r}: invalid {attr} {attr_value!r}")
                morsel[attr] = attr_value
        if max_age is not None:
            morsel["max-age"] = int(max_age)
        if expires is not None:
            morsel["expires"] = expires
        if secure:
            morsel["secure"] = True
        if httponly:
            morsel["httponly"] = True
        if samesite is not None:
            if samesite.lower() not in ("lax", "strict", "none"):
                raise ValueError(f"cookie {key!r}: samesite must be 'lax', 'strict' or 'none'")
            morsel["samesite"] = samesite.capitalize()
        output = morsel.OutputString()
        if partitioned:  # CHIPS; http.cookies knows the attribute only from Python 3.14
            output += "; Partitioned"
        self.headers.append("set-cookie", output)

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
        if self._file is not None:
            await self._send_file(scope, receive, send)
        elif self._stream is not None:
            await self._send_stream(scope, receive, send)
        else:
            await self._send_body(scope, send)
        if self._tasks:
            app = self.request.scope.get("app")
            await run_background(self._tasks, getattr(app, "providers", None))

    async def _send_stream(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self._stream is not None
        stream = self._stream
        headers = self.headers
        if stream.events:
            headers.setdefault("content-type", "text/event-stream; charset=utf-8")
            headers.setdefault("cache-control", "no-cache")
            headers.setdefault("x-accel-buffering", "no")
        elif self.media_type is not None:
            headers.setdefault("content-type", self.media_type)
        else:
            headers.setdefault("content-type", "text/plain; charset=utf-8")
        raw = [kv for kv in headers.raw if kv[0] != b"content-length"]
        start = {"type": "http.response.start", "status": self.status_code, "headers": raw}
        head = scope["method"] == "HEAD"
        chunks = None if head else stream.make()
        if chunks is not None and not hasattr(chunks, "__anext__"):
            raise TypeError(
                f"a stream is an async generator function, not one returning {chunks!r}"
            )
        self.started = True
        await stream_response(
            chunks,
            start,
            receive,
            send,
            events=stream.events,
            heartbeat=stream.heartbeat,
            throw_disconnect=stream.throw,
            head=head,
            # Event streams never end on their own (clients reconnect): end them when the
            # server stops. Other streams are finite and finish within the graceful timeout.
            shutdown=(
                scope.get("extensions", {}).get(SHUTDOWN_EXTENSION, {}).get("event")
                if stream.events
                else None
            ),
        )

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
            start = [(b"content-length", str(len(body)).encode())]
            if content_type is not None:
                start.append((b"content-type", content_type))
            if raw:
                start.extend(kv for kv in raw if kv[0] != b"content-length")
        self.started = True
        await send({"type": "http.response.start", "status": status, "headers": start})
        if scope["method"] == "HEAD":
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

    async def _send_file(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self._file is not None
        path, media_type, _ = self._file
        try:
            info = await anyio.to_thread.run_sync(os.stat, path)
        except (FileNotFoundError, NotADirectoryError):
            raise HTTPError(404, detail="file not found") from None
        if not _stat.S_ISREG(info.st_mode):
            raise HTTPError(404, detail="file not found")
        response = FileResponse(
            path,
            status_code=self.status_code,
            media_type=self.media_type or media_type,
            stat_result=info,
        )
        if (
            response.media_type
            and response.media_type.startswith("text/")
            and "charset" not in response.media_type
        ):
            response.headers["content-type"] = response.media_type + "; charset=utf-8"
        if self._headers:
            # The view's headers win, and keep every value (several Set-Cookie, say).
            own = self._headers.raw
            names = {k for k, _ in own}
            response.raw_headers[:] = [
                kv for kv in response.raw_headers if kv[0] not in names
            ] + own
        status = _precondition(self.request.headers, response.headers["etag"], info.st_mtime)
        if status is not None and self.status_code == 200:
            keep = {"etag", "last-modified", "cache-control", "content-location", "vary", "expires"}
            raw = [kv for kv in response.raw_headers if kv[0].decode() in keep]
            if status == 412:
                raw.append((b"content-length", b"0"))
            self.started = True
            await send({"type": "http.response.start", "status": status, "headers": raw})
            await send({"type": "http.response.body", "body": b""})
            return
        await response(scope, receive, self.track(send))

    def track(self, send: Send) -> Send:
        """`send`, noting in `started` when the response starts (for responses sent by others)."""

        async def tracking(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.started = True
            await send(message)

        return tracking


def _etags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def _timestamp(header: str) -> float | None:
    try:
        return parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _precondition(headers: Mapping[str, str], etag: str, mtime: float) -> int | None:
    """RFC 9110 section 13.2.2: 412 when If-Match/If-Unmodified-Since fail, 304 if unmodified."""
    if_match = headers.get("if-match")
    if if_match is not None:
        tags = _etags(if_match)
        if "*" not in tags and etag not in tags:
            return 412
    else:
        since = headers.get("if-unmodified-since")
        stamp = _timestamp(since) if since else None
        if stamp is not None and int(mtime) > stamp:
            return 412
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.removeprefix("W/") for t in _etags(if_none_match)]
        return 304 if "*" in tags or etag in tags else None
    since = headers.get("if-modified-since")
    stamp = _timestamp(since) if since else None
    if stamp is not None and int(mtime) <= stamp:
        return 304
    return None
