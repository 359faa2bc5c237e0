"""The plugin protocol: how a battery (templates, static files, middleware...) joins an app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .app import App

__all__ = ["Plugin"]


@runtime_checkable
class Plugin(Protocol):
    """Anything with `install(app)`: `app.use(plugin)` calls it once.

    An installed battery uses only the app's public surface: `add_middleware`, `mount`, `route`,
    `on("startup" | "shutdown")`, `add_error_handler`, `url_for`, `debug` and its own slot in
    `app.extensions`.
    """

    def install(self, app: App) -> None: ...
