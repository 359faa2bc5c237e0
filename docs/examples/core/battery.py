"""A third-party battery: a maintenance switch, installed with `app.use(Maintenance())`.

It uses only the app's public surface, so it needs no import of boca.core at runtime.
"""

from __future__ import annotations

import json
from typing import Any, Protocol


class AppLike(Protocol):
    """What the battery uses of the app (a boca.core `App` has it all)."""

    debug: bool
    extensions: dict[str, Any]

    def add_middleware(self, middleware_class: Any, **options: Any) -> None: ...
    def mount(self, path: str, app: Any, name: str | None = None) -> None: ...
    def route(self, pattern: str, *, name: str | None = None) -> Any: ...
    def on(self, event: str, handler: Any = None) -> Any: ...
    def add_error_handler(self, exc_class: type[BaseException], handler: Any) -> None: ...
    def url_for(self, name: str, /, **path_params: Any) -> str: ...


class UnderMaintenance(Exception):
    """Raised by a view whose feature is down for maintenance."""


class Maintenance:
    """Answer 503 to everything but the status page while maintenance is on."""

    def __init__(self, *, retry_after: int = 120) -> None:
        self.enabled = False
        self.retry_after = retry_after
        self.ready = False
        self.status_url = ""

    def install(self, app: AppLike) -> None:
        app.extensions["maintenance"] = self  # our own slot, to be found again
        app.add_middleware(MaintenanceMiddleware, battery=self)
        app.route("/maintenance", name="maintenance")(self.status)
        app.mount("/maintenance-assets", maintenance_css, name="maintenance-assets")
        app.add_error_handler(UnderMaintenance, self.refuse)
        app.on("startup", self.startup)
        self.app = app

    async def startup(self) -> None:
        self.status_url = self.app.url_for("maintenance")
        self.ready = True

    async def status(self, req: Any, res: Any) -> None:
        res.json = {"maintenance": self.enabled, "retry_after": self.retry_after}

    async def refuse(self, req: Any, res: Any, exc: UnderMaintenance) -> None:
        res.status_code = 503
        res.headers["Retry-After"] = str(self.retry_after)
        body = {"error": "503 Service Unavailable", "status": self.status_url}
        if self.app.debug:
            body["detail"] = str(exc)  # only ever for local development
        res.json = body


class MaintenanceMiddleware:
    """A plain ASGI middleware: it works in any ASGI app."""

    def __init__(self, app: Any, *, battery: Maintenance) -> None:
        self.app = app
        self.battery = battery

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] != "http"
            or not self.battery.enabled
            or scope["path"].startswith(("/maintenance", "/maintenance-assets"))
        ):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"error": "503 Service Unavailable"}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(self.battery.retry_after).encode()),
        ]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def maintenance_css(scope: Any, receive: Any, send: Any) -> None:
    """A tiny ASGI app, mounted: the status page's stylesheet."""
    body = b"body { font-family: sans-serif; }"
    headers = [(b"content-type", b"text/css"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# -- an app using it ---------------------------------------------------------------------------


def create_app(*, debug: bool = False) -> Any:
    from boca.core import App  # the app's code imports boca.core; the battery never does

    app = App(debug=debug)
    app.use(Maintenance(retry_after=60))

    @app.route("/")
    async def index(req, res):
        return {"hello": "world"}

    @app.route("/reports")
    async def reports(req, res):
        raise UnderMaintenance("the reporting database is being migrated")

    return app
