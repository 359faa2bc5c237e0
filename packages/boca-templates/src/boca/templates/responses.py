"""A plain ASGI response that renders a template, for apps without boca-core."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .templating import Templates

__all__ = ["TemplateResponse"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# RFC 9110 token characters for header names; values must not contain CR, LF or NUL.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_BAD_VALUE = re.compile(r"[\r\n\x00]")


def _encode_headers(
    headers: Mapping[str, str] | None, media_type: str
) -> list[tuple[bytes, bytes]]:
    raw: list[tuple[bytes, bytes]] = []
    has_type = False
    for name, value in (headers or {}).items():
        lower = name.lower()
        if not _TOKEN.match(name) or _BAD_VALUE.search(value):
            raise ValueError(f"Invalid response header {name!r}: {value!r}")
        if lower == "content-length":
            raise ValueError("Do not set content-length: it is computed from the rendered page")
        has_type = has_type or lower == "content-type"
        raw.append((lower.encode("latin-1"), value.encode("latin-1")))
    if not has_type:
        if _BAD_VALUE.search(media_type):
            raise ValueError(f"Invalid media type {media_type!r}")
        if media_type.startswith("text/") and "charset" not in media_type.lower():
            media_type += "; charset=utf-8"
        raw.append((b"content-type", media_type.encode("latin-1")))
    return raw


class TemplateResponse:
    """A plain ASGI app (`async (scope, receive, send)`) that renders a page and sends it.

    Create it with `Templates.response(...)`. Rendering happens when the app is called, so
    a handler can return it from any bare ASGI dispatcher. The body is UTF-8; the response
    has `content-length`, and no body on `HEAD` requests.

    Args:
        templates: The `Templates` that renders the page.
        name: The template name.
        context: Variables for the template.
        status_code: The HTTP status.
        headers: Extra response headers (CR, LF and NUL are refused at creation).
        media_type: The `content-type`; text types get `; charset=utf-8`.
    """

    def __init__(
        self,
        templates: Templates,
        name: str,
        context: Mapping[str, Any] | None = None,
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str = "text/html",
    ) -> None:
        if not isinstance(status_code, int) or not 100 <= status_code <= 599:
            raise ValueError(f"Invalid HTTP status code {status_code!r}")
        self.templates = templates
        self.name = name
        self.context = context
        self.status_code = status_code
        self.raw_headers = _encode_headers(headers, media_type)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise RuntimeError(f"TemplateResponse answers HTTP requests, not {scope['type']!r}")
        body = (await self.templates.render(self.name, self.context)).encode("utf-8")
        headers = [*self.raw_headers, (b"content-length", str(len(body)).encode("latin-1"))]
        await send({"type": "http.response.start", "status": self.status_code, "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body}
        )
