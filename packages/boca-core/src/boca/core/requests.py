"""The request: Starlette's, with body limits, clear 400s for bad bodies, and safe URLs."""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from starlette import requests as _starlette
from starlette.datastructures import URL, FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect

from . import _json
from .errors import HTTPError, URLBuildError
from .types import Message, Receive, Scope, Send

if TYPE_CHECKING:
    from .app import App
    from .routing import Route

__all__ = ["ClientDisconnect", "FormData", "Request", "UploadFile"]

# A Host header is a host name, an IPv4 address or a bracketed IPv6 address, then maybe a port.
_VALID_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?",
    re.ASCII,
)
DEFAULT_MAX_BODY_SIZE = 10 * 1024 * 1024
#: The scope key where `TrustedHostMiddleware` (boca-middleware) puts the host it validated.
VALIDATED_HOST_KEY = "boca.validated_host"
logger = logging.getLogger("boca.core")
_timeout = getattr(asyncio, "timeout", None)


def check_base_url(value: str, what: str = "base_url") -> str:
    """`value` as a base URL (`https://example.com`, maybe with a path prefix), no end slash."""
    parts = urlsplit(value) if isinstance(value, str) else None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.query
        or parts.fragment
        or _VALID_HOST.fullmatch(parts.netloc) is None
    ):
        raise ValueError(
            f"{what} {value!r} is not a base URL: write it as 'https://example.com' "
            "(a path prefix is allowed, no query or fragment)"
        )
    return value.rstrip("/")


def check_server_name(value: str) -> str:
    """`value` as a host name with an optional port, as a `Host` header has it."""
    if not isinstance(value, str) or _VALID_HOST.fullmatch(value) is None:
        raise ValueError(
            f"SERVER_NAME {value!r} is not a host name: write it as 'example.com' or "
            "'example.com:8443' (or use BASE_URL='https://example.com')"
        )
    return value


async def _no_receive() -> Any:  # pragma: no cover - only for requests built without a body
    raise RuntimeError("this request has no body to receive")


async def _no_send(message: Any) -> None:  # pragma: no cover
    raise RuntimeError("this request cannot send")


#: The slowest upload rate the default `body_deadline` lets through for a full body, in bytes
#: per second, and the shortest deadline it gives (`default_body_deadline`).
BODY_MIN_RATE = 64 * 1024
BODY_MIN_DEADLINE = 60.0


def default_body_deadline(max_body_size: int | None) -> float | None:
    """The total time a body of at most `max_body_size` bytes may take by default: at least
    `BODY_MIN_DEADLINE` seconds, more for large limits (`BODY_MIN_RATE`); no limit, none."""
    if max_body_size is None:
        return None
    return max(BODY_MIN_DEADLINE, max_body_size / BODY_MIN_RATE)


def _within(receive: Receive, idle: float | None, total: float | None) -> Receive:
    """`receive`, but a body that stalls for `idle` seconds, or is not complete `total` seconds
    after the first read, is answered 408 (F9 and issue 14 #6: slow uploads)."""
    loop = asyncio.get_running_loop()
    end = None if total is None else loop.time() + total

    async def timed() -> Message:
        wait, overall = idle, False
        if end is not None:
            left = end - loop.time()
            if wait is None or left <= wait:
                wait, overall = max(left, 0.0), True
        assert wait is not None
        try:
            if wait <= 0:
                raise asyncio.TimeoutError
            if _timeout is not None:  # Python 3.11+: a timer, no extra task
                async with _timeout(wait):
                    return await receive()
            return await asyncio.wait_for(receive(), wait)  # pragma: no cover - Python 3.10
        except asyncio.TimeoutError:
            detail = (
                f"request body not complete within {total:g} s"
                if overall
                else f"no request body received for {idle:g} s"
            )
            raise HTTPError(408, detail=detail, headers={"Connection": "close"}) from None

    return timed


class Request(_starlette.Request):
    """An HTTP request: Starlette's `Request`, plus what Boca adds.

    - `await req.body()` / `req.stream()` stop at `max_body_size` with a 413, before reading when
      `Content-Length` already says too much;
    - `await req.json()` and `await req.form()` answer malformed input with a 400 that says why;
    - `req.url` never trusts a malformed `Host` header;
    - `req.url_for(name, **params)` builds URLs to named routes, absolute from a trusted address.
    """

    _timed = False  # whether `receive` is wrapped in the body timeouts yet

    def __init__(
        self,
        scope: Scope,
        receive: Receive = _no_receive,
        send: Send = _no_send,
        *,
        route: Route | None = None,
        max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
        body_timeout: float | None = None,
        body_deadline: float | Literal["auto"] | None = None,
    ) -> None:
        super().__init__(scope, receive, send)
        self.route = route
        self.max_body_size = max_body_size
        self.body_timeout = body_timeout
        #: Seconds the whole body may take from the first read; `"auto"`: from the size limit.
        self.body_deadline = body_deadline

    @property
    def app(self) -> App:
        return self.scope["app"]  # type: ignore[no-any-return]

    def _url_scope(self) -> Scope:
        """The scope to build URLs from: without the Host header when it is malformed."""
        host = self.headers.get("host")
        if host is not None and _VALID_HOST.fullmatch(host) is None:
            # Never build URLs from a malformed Host: use the address the server listens on.
            scope = dict(self.scope)
            scope["headers"] = [(k, v) for k, v in self.scope["headers"] if k != b"host"]
            return scope
        return self.scope

    @property
    def url(self) -> URL:
        if not hasattr(self, "_url"):
            self._url = URL(scope=self._url_scope())
        return self._url

    @property
    def base_url(self) -> URL:
        if not hasattr(self, "_base_url"):
            scope = dict(self._url_scope())
            root = scope.get("app_root_path", scope.get("root_path", ""))
            scope["path"] = root if root.endswith("/") else root + "/"
            scope["query_string"] = b""
            scope["root_path"] = root
            self._base_url = URL(scope=scope)
        return self._base_url

    async def stream(self) -> AsyncGenerator[bytes, None]:
        if self._timed is False and not hasattr(self, "_body"):
            self._timed = True  # wrapped once
            deadline = self.body_deadline
            if deadline == "auto":
                deadline = default_body_deadline(self.max_body_size)
            if self.body_timeout is not None or deadline is not None:
                self._receive = _within(self._receive, self.body_timeout, deadline)
        limit = self.max_body_size
        if limit is None or hasattr(self, "_body"):
            async for chunk in super().stream():
                yield chunk
            return
        length = self.headers.get("content-length")
        if length is not None:
            if not (length.isascii() and length.isdigit()) or len(length) > 20:
                raise HTTPError(400, detail="invalid Content-Length header")
            if int(length) > limit:
                raise HTTPError(413, detail=f"request body is larger than {limit} bytes")
        received = 0
        async for chunk in super().stream():
            received += len(chunk)
            if received > limit:
                raise HTTPError(413, detail=f"request body is larger than {limit} bytes")
            yield chunk

    @property
    def last_event_id(self) -> str | None:
        """The `Last-Event-ID` header an EventSource sends when it reconnects, if any."""
        return self.headers.get("last-event-id")

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self.stream()

    async def json(self) -> Any:
        """The body parsed as JSON; a 400 with a clear detail when it is empty or malformed."""
        if not hasattr(self, "_json"):
            body = await self.body()
            if not body.strip():
                raise HTTPError(400, detail="Malformed JSON: empty body")
            try:
                self._json = _json.loads(body)
            except (ValueError, RecursionError) as exc:
                raise HTTPError(400, detail=f"Malformed JSON: {exc}") from None
        return self._json

    async def close(self) -> None:
        """Close the uploads the request parsed, each even if closing another raised
        `OSError` (a full or failing disk): logged, and the rest still closed."""
        if self._form is None:
            return
        for _, value in self._form.multi_items():
            if isinstance(value, UploadFile):
                try:
                    await value.close()
                except OSError:
                    logger.warning("closing the upload %r failed", value.filename, exc_info=True)

    async def _get_form(
        self,
        *,
        max_files: int | float = 1000,
        max_fields: int | float = 1000,
        max_part_size: int = 1024 * 1024,
    ) -> FormData:
        try:
            return await super()._get_form(
                max_files=max_files, max_fields=max_fields, max_part_size=max_part_size
            )
        except MultiPartException as exc:
            raise HTTPError(400, detail=exc.message) from None
        except StarletteHTTPException as exc:
            raise HTTPError(exc.status_code, detail=exc.detail) from None

    def url_for(self, name: str, /, *, query: Any = None, **path_params: Any) -> URL:
        """The URL of the route `name`: absolute when the app knows its own address.

        The address is `App(base_url=...)` (or the `BASE_URL`/`SERVER_NAME` setting), else
        the `Host` header once `TrustedHostMiddleware` (`ALLOWED_HOSTS`) validated it. A
        `Host` nobody validated is the client's word, so it is never used: the URL is then
        relative (`/users/1`), and in debug mode a `URLBuildError` says what to configure.
        """
        path = self.scope.get("root_path", "") + self.app.url_for(name, query=query, **path_params)
        base = self.app.base_url
        if base is None and self.app.server_name is not None:
            base = f"{self.url.scheme}://{self.app.server_name}"
        if base is not None:
            return URL(base + path)
        if self.scope.get(VALIDATED_HOST_KEY):
            origin = self.url.replace(path="", query="", fragment="")
            return URL(str(origin).rstrip("/") + path)
        if self.app.debug:
            raise URLBuildError(
                f"req.url_for({name!r}) cannot build an absolute URL: this app does not know "
                "its own address, and the Host header is the client's word. Pass "
                "App(base_url='https://example.com') (or the BASE_URL setting), or validate "
                "Host with ALLOWED_HOSTS (TrustedHostMiddleware); app.url_for() gives the path. "
                "Outside debug mode this URL is relative."
            )
        _warn_relative()
        return URL(path)


@functools.cache
def _warn_relative() -> None:
    """Said once per process: a relative URL where an absolute one was asked for."""
    logger.warning(
        "req.url_for() gives relative URLs: set App(base_url=...) or ALLOWED_HOSTS for "
        "absolute ones (see the security page of the docs)"
    )
