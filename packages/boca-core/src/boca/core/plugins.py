"""The plugin protocol: how a battery (templates, static files, middleware...) joins an app."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .app import App

__all__ = ["FunctionPlugin", "Plugin", "plugin_list"]


@runtime_checkable
class Plugin(Protocol):
    """Anything with `install(app)`: `app.use(plugin)` calls it once.

    An installed battery uses only the app's public surface: `add_middleware`, `mount`, `route`,
    `on("startup" | "shutdown")`, `add_error_handler`, `url_for`, `debug` and its own slot in
    `app.extensions`.
    """

    def install(self, app: App) -> None: ...


class FunctionPlugin:
    """A Bocadillo plugin, a function `plugin(app)`, as a Boca plugin."""

    def __init__(self, fn: Callable[[App], Any]) -> None:
        self.fn = fn

    def install(self, app: App) -> None:
        self.fn(app)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FunctionPlugin) and other.fn is self.fn

    def __hash__(self) -> int:
        return hash(self.fn)

    def __repr__(self) -> str:
        return f"FunctionPlugin({getattr(self.fn, '__qualname__', self.fn)})"


def plugin_list(entries: Iterable[Any], setting: str = "PLUGINS") -> list[Plugin]:
    """The plugins of a Bocadillo-style list, in order: plugin objects, functions `fn(app)`,
    and `{plugin: condition}` mappings whose plugins count only when the condition is true."""
    if isinstance(entries, (str, bytes, Mapping)) or not isinstance(entries, Iterable):
        raise TypeError(f"the {setting} setting is a list of plugins, not {entries!r}")
    found: list[Plugin] = []
    for entry in entries:
        if isinstance(entry, Mapping):
            found.extend(_one(p, setting) for p, condition in entry.items() if condition)
        else:
            found.append(_one(entry, setting))
    return found


def _one(entry: Any, setting: str) -> Plugin:
    if isinstance(entry, Plugin):
        return entry
    if callable(entry):
        return FunctionPlugin(entry)
    raise TypeError(
        f"{setting}: {entry!r} is not a plugin: give an object with install(app), a function "
        "plugin(app), or {plugin: condition}"
    )
