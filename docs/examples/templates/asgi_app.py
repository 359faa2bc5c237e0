from pathlib import Path
from typing import Any

from boca.templates import Templates

templates = Templates(Path(__file__).parent / "templates", context={"site": "Boca"})


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A bare ASGI 3 app: no framework, just the response helper."""
    if scope["type"] != "http":
        return
    if scope["path"] == "/":
        response = templates.response("index.html", {"title": "Home", "name": "ASGI"})
    else:
        response = templates.response(
            "index.html", {"title": "Not found", "name": "nobody"}, status_code=404
        )
    await response(scope, receive, send)
