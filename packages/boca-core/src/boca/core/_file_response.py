"""`res.file()` on the wire: Starlette's `FileResponse` (ranges, validators), conditional
requests answered 304/412 before the file is opened, and the view's own headers kept."""

from __future__ import annotations

import os
import stat as _stat
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

import anyio.to_thread
from starlette.responses import FileResponse

from .errors import HTTPError
from .types import Receive, Scope, Send

if TYPE_CHECKING:
    from .responses import Response

__all__ = ["send_file"]

# Headers a 304 or 412 keeps (RFC 9110 section 15.4.5).
_KEEP = {"etag", "last-modified", "cache-control", "content-location", "vary", "expires"}


async def send_file(
    response: Response,
    path: str,
    media_type: str | None,
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    """Send the file at `path` as the body of `response`."""
    try:
        info = await anyio.to_thread.run_sync(os.stat, path)
    except (FileNotFoundError, NotADirectoryError):
        raise HTTPError(404, detail="file not found") from None
    if not _stat.S_ISREG(info.st_mode):
        raise HTTPError(404, detail="file not found")
    file = FileResponse(
        path,
        status_code=response.status_code,
        media_type=response.media_type or media_type,
        stat_result=info,
    )
    if file.media_type and file.media_type.startswith("text/") and "charset" not in file.media_type:
        file.headers["content-type"] = file.media_type + "; charset=utf-8"
    own = response._headers.raw if response._headers else None
    if own:
        # The view's headers win, and keep every value (several Set-Cookie, say).
        names = {k for k, _ in own}
        file.raw_headers[:] = [kv for kv in file.raw_headers if kv[0] not in names] + own
    status = _precondition(response.request.headers, file.headers["etag"], info.st_mtime)
    if status is not None and response.status_code == 200:
        raw = [kv for kv in file.raw_headers if kv[0].decode() in _KEEP]
        if status == 412:
            raw.append((b"content-length", b"0"))
        response.started = True
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": b""})
        return
    await file(scope, receive, response.track(send))


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
