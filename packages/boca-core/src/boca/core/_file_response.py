"""`res.file()` on the wire: Starlette's `FileResponse` (ranges, validators), conditional
requests answered 304/412 before the file is opened, and the view's own headers kept.

`Range` follows RFC 9110 section 14.2, as boca-static does: a header that is not a valid
`bytes` range set (a typo, another unit, `bytes=5-2`) is ignored and the whole file sent with
200; a valid one that no byte of the file satisfies is answered 416 with
`Content-Range: bytes */<size>`; the unsatisfiable ranges of a set are left out.
"""

from __future__ import annotations

import os
import re
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

# RFC 9110 14.1.2: int-range ("first-[last]") or suffix-range ("-length"), digits only.
_RANGE_SPEC = re.compile(r"([0-9]+)-([0-9]*)|-([0-9]+)", re.ASCII)
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
    if scope.get("method") in ("GET", "HEAD") and response.status_code == 200:
        scope = _with_range(scope, file, info.st_size)
    else:  # ranges are for GET and HEAD only (RFC 9110 14.2), whatever Starlette's version does
        scope = {**scope, "headers": _without_range(scope)}
    await file(scope, receive, response.track(send))


def _without_range(scope: Scope) -> list[tuple[bytes, bytes]]:
    """The request headers with any `Range` left out."""
    return [(k, v) for k, v in scope.get("headers") or () if k != b"range"]


def _with_range(scope: Scope, file: FileResponse, size: int) -> Scope:
    """The scope to give Starlette: its `Range` header kept only when valid and satisfiable."""
    headers = scope.get("headers") or ()
    value = next((v for k, v in headers if k == b"range"), None)
    if value is None:
        return scope
    if_range = next((v for k, v in headers if k == b"if-range"), None)
    specs = _satisfiable(value.decode("latin-1"), size)
    if specs is not None and not specs and not _if_range_fails(if_range, file):
        raise HTTPError(
            416,
            detail=f"no requested range is within the {size} bytes of the file",
            headers={"Content-Range": f"bytes */{size}"},
        )
    kept = _without_range(scope)
    if specs:
        kept.append((b"range", ("bytes=" + ",".join(specs)).encode("latin-1")))
    return {**scope, "headers": kept}


def _satisfiable(value: str, size: int) -> list[str] | None:
    """The satisfiable ranges of a valid `bytes` range set; None when the header is invalid."""
    unit, equals, spec = value.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    parts = [part.strip(" \t") for part in spec.split(",")]
    if not any(parts):
        return None
    kept = []
    for part in filter(None, parts):  # RFC 9110 5.6.1.2: empty list elements are ignored
        found = _RANGE_SPEC.fullmatch(part)
        if found is None:
            return None
        first, last, suffix = found.groups()
        last = last or None
        if suffix is not None:
            if int(suffix) > 0 and size > 0:
                kept.append(f"-{int(suffix)}")
        elif last is not None and int(last) < int(first):
            return None  # RFC 9110 14.1.2: an int-range with last-pos < first-pos is invalid
        elif int(first) < size:
            kept.append(f"{int(first)}-" if last is None else f"{int(first)}-{int(last)}")
    return kept


def _if_range_fails(if_range: bytes | None, file: FileResponse) -> bool:
    """RFC 9110 13.1.5: a stale `If-Range` means the whole file, whatever the `Range`."""
    if if_range is None:
        return False
    value = if_range.decode("latin-1")
    return value.startswith("W/") or value not in (
        file.headers.get("etag"),
        file.headers.get("last-modified"),
    )


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
