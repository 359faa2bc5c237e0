"""Built-in renderers of `HTTPError`: JSON (the default answer), HTML and plain text.

Each is an error handler `async def renderer(req, res, exc)`, so one line picks the format
for a whole app, `app.add_error_handler(HTTPError, error_to_html)`, and a handler of one's own
can end with `await error_to_text(req, res, exc)` for the requests it chooses. The exception's
headers (`Allow` on a 405, `WWW-Authenticate`...) are kept, whatever the format.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from .errors import HTTPError

if TYPE_CHECKING:
    from .requests import Request
    from .responses import Response

__all__ = ["error_to_html", "error_to_json", "error_to_text"]


def _start(res: Response, exc: HTTPError) -> None:
    res.status_code = exc.status_code
    for name, value in exc.headers.items():
        res.headers[name] = value


def _has_detail(detail: Any) -> bool:
    return detail not in (None, "", {}, [])


async def error_to_json(req: Request, res: Response, exc: HTTPError) -> None:
    """`{"error": "403 Forbidden", "status": 403, "detail": ...}`: what Boca sends by default."""
    _start(res, exc)
    res.json = exc.as_json()


async def error_to_html(req: Request, res: Response, exc: HTTPError) -> None:
    """`<h1>403 Forbidden</h1>` and the detail in a `<p>`, both HTML-escaped."""
    _start(res, exc)
    page = f"<h1>{html.escape(exc.title)}</h1>"
    if _has_detail(exc.detail):
        page += f"\n<p>{html.escape(str(exc.detail))}</p>"
    res.html = page


async def error_to_text(req: Request, res: Response, exc: HTTPError) -> None:
    """`403 Forbidden`, and the detail on a second line."""
    _start(res, exc)
    text = exc.title
    if _has_detail(exc.detail):
        text += f"\n{exc.detail}"
    res.text = text
