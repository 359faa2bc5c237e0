"""The debug error page: what `App(debug=True)` shows instead of a generic 500.

Everything that lands in the page is HTML-escaped. There is no interactive console, ever.
"""

from __future__ import annotations

import html
import traceback
from typing import Any

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>500 {title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
h1 {{ color: #b3261e; font-size: 1.4rem; }}
pre {{ background: #f6f6f6; padding: 1rem; overflow-x: auto; border-radius: 6px; }}
.note {{ color: #666; font-size: .9rem; }}
</style></head>
<body>
<h1>{title}</h1>
<p><strong>{method} {path}</strong> &middot; request id <code>{request_id}</code></p>
<pre>{trace}</pre>
<p class="note">This page is shown because the app runs with <code>debug=True</code>.
Never enable debug mode in production.</p>
</body></html>
"""


def _lines(exc: BaseException) -> list[str]:
    return traceback.format_exception(type(exc), exc, exc.__traceback__)


def debug_html(exc: BaseException, method: str, path: str, request_id: str) -> str:
    title = f"{type(exc).__name__}: {exc}"
    return _PAGE.format(
        title=html.escape(title),
        method=html.escape(method),
        path=html.escape(path),
        request_id=html.escape(request_id),
        trace=html.escape("".join(_lines(exc))),
    )


def debug_json(exc: BaseException, request_id: str) -> dict[str, Any]:
    return {
        "error": "500 Internal Server Error",
        "status": 500,
        "request_id": request_id,
        "exception": f"{type(exc).__name__}: {exc}",
        "traceback": "".join(_lines(exc)).splitlines(),
    }
