"""Answering a request for a known file: negotiation, preconditions, ranges and sending."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio

from boca.static._cache import Entry, Headers, Representation
from boca.static._http import choose_encoding, error_body, etag_matches, parse_http_date
from boca.static._ranges import parse_range
from boca.static._send import (
    BinaryFile,
    ClientGone,
    boundary,
    multipart_parts,
    stream_multipart,
    stream_range,
    watch_disconnect,
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_PHRASES = {
    404: ("Not Found", "No file at this path."),
    405: ("Method Not Allowed", "Static files answer GET and HEAD only."),
    412: ("Precondition Failed", "The file does not match the request's preconditions."),
    416: ("Range Not Satisfiable", "No requested range overlaps the file."),
}
_ERROR_BODIES = {status: error_body(status, *texts) for status, texts in _PHRASES.items()}
_NOSNIFF = (b"x-content-type-options", b"nosniff")


def _needs_watch(scope: Scope) -> bool:
    """Servers before ASGI 2.4 do not raise on send once the client is gone."""
    spec = str(scope.get("asgi", {}).get("spec_version", "2.0"))
    try:
        return tuple(int(x) for x in spec.split(".")) < (2, 4)
    except ValueError:
        return True


def _preconditions(rep: Representation, wanted: dict[bytes, bytes]) -> int:
    """Evaluate conditional headers in RFC 9110 order (section 13.2.2): 200, 304 or 412."""
    opaque = rep.etag[1:-1].decode("latin-1")
    if_match = wanted.get(b"if-match")
    if if_match is not None:
        if not etag_matches(if_match.decode("latin-1"), opaque, weak=False):
            return 412
    else:
        since = wanted.get(b"if-unmodified-since")
        if since is not None:
            when = parse_http_date(since.decode("latin-1"))
            if when is not None and rep.mtime > when:
                return 412
    if_none = wanted.get(b"if-none-match")
    if if_none is not None:
        if etag_matches(if_none.decode("latin-1"), opaque, weak=True):
            return 304
    else:
        since = wanted.get(b"if-modified-since")
        if since is not None:
            when = parse_http_date(since.decode("latin-1"))
            if when is not None and rep.mtime <= when:
                return 304
    return 200


def _if_range_holds(rep: Representation, value: bytes | None) -> bool:
    """`If-Range` needs an exact strong ETag or the exact Last-Modified date."""
    if value is None:
        return True
    text = value.decode("latin-1").strip(" \t")
    if text.startswith('"'):
        return text.encode("latin-1") == rep.etag
    if text.startswith("W/"):
        return False
    when = parse_http_date(text)
    return when is not None and when == rep.mtime


class Responder:
    """The answering half of `StaticFiles`."""

    max_ranges: int

    async def _respond(
        self,
        entry: Entry,
        method: str,
        wanted: dict[bytes, bytes],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> bool:
        """Answer from a cache entry. False when the file changed under it (nothing was sent)."""
        rep = entry.identity
        accept = wanted.get(b"accept-encoding")
        if entry.codings and accept is not None:
            coding = choose_encoding(accept.decode("latin-1"), entry.codings)
            if coding != "identity":
                rep = entry.variants[entry.codings.index(coding)]
        status = _preconditions(rep, wanted)
        if status == 412:
            await self._error(send, 412, method)
            return True
        if status == 304:
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": rep.not_modified_headers[:],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return True
        header = wanted.get(b"range")
        if method != "GET" or header is None or not _if_range_holds(rep, wanted.get(b"if-range")):
            return await self._send_full(rep, 200, method, scope, receive, send)
        ranges = parse_range(header.decode("latin-1"), rep.size, self.max_ranges)
        if ranges is None:
            return await self._send_full(rep, 200, method, scope, receive, send)
        if not ranges:
            # The error body is JSON, not the encoded file: no Content-Encoding here.
            extra = [(b"content-range", f"bytes */{rep.size}".encode())]
            if entry.codings:
                extra.append((b"vary", b"Accept-Encoding"))
            await self._error(send, 416, method, extra)
            return True
        return await self._send_ranges(rep, ranges, scope, receive, send)

    async def _open(self, rep: Representation) -> BinaryFile | None:
        """Open a file that is not cached, checking it is still the one the headers describe."""
        try:
            file = await anyio.open_file(rep.path, "rb")
        except OSError:
            return None
        if not rep.same_file(os.fstat(file.wrapped.fileno())):
            await file.aclose()
            return None
        return file

    async def _send_full(
        self,
        rep: Representation,
        status: int,
        method: str,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> bool:
        start = {"type": "http.response.start", "status": status, "headers": rep.headers[:]}
        if rep.body is not None or method == "HEAD":
            await send(start)
            body = rep.body if rep.body is not None and method == "GET" else b""
            await send({"type": "http.response.body", "body": body})
            return True
        file = await self._open(rep)
        if file is None:
            return False
        try:
            if "http.response.pathsend" in (scope.get("extensions") or {}):
                await send(start)
                await send({"type": "http.response.pathsend", "path": rep.path})
                return True
            await send(start)
            await self._stream(scope, receive, stream_range(send, file, 0, rep.size, last=True))
        finally:
            await file.aclose()
        return True

    async def _send_ranges(
        self,
        rep: Representation,
        ranges: list[tuple[int, int]],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> bool:
        file = None
        if rep.body is None:
            file = await self._open(rep)
            if file is None:
                return False
        try:
            if len(ranges) == 1:
                start, end = ranges[0]
                headers: Headers = [
                    (b"content-length", str(end - start).encode()),
                    (b"content-type", rep.media.encode("latin-1")),
                    (b"content-range", f"bytes {start}-{end - 1}/{rep.size}".encode()),
                    *rep.partial_headers,
                ]
                await send({"type": "http.response.start", "status": 206, "headers": headers})
                if file is None:
                    assert rep.body is not None
                    await send({"type": "http.response.body", "body": rep.body[start:end]})
                else:
                    await self._stream(
                        scope, receive, stream_range(send, file, start, end, last=True)
                    )
                return True
            mark = boundary()
            heads, closing, length = multipart_parts(ranges, rep.size, rep.media, mark)
            headers = [
                (b"content-length", str(length).encode()),
                (b"content-type", f"multipart/byteranges; boundary={mark}".encode()),
                *rep.partial_headers,
            ]
            await send({"type": "http.response.start", "status": 206, "headers": headers})
            body = stream_multipart(send, file, rep.body, ranges, heads, closing)
            await self._stream(scope, receive, body)
            return True
        finally:
            if file is not None:
                await file.aclose()

    async def _stream(self, scope: Scope, receive: Receive, body: Awaitable[None]) -> None:
        try:
            if _needs_watch(scope):
                await watch_disconnect(receive, body)
            else:
                await body
        except ClientGone:
            pass

    async def _error(
        self, send: Send, status: int, method: str, extra: Headers | None = None
    ) -> None:
        body = _ERROR_BODIES[status]
        headers: Headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            _NOSNIFF,
        ]
        if extra:
            headers.extend(extra)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body if method != "HEAD" else b""})

    async def _redirect(self, send: Send, location: str, method: str) -> None:
        headers: Headers = [
            (b"location", location.encode("latin-1")),
            (b"content-length", b"0"),
            _NOSNIFF,
        ]
        await send({"type": "http.response.start", "status": 307, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
