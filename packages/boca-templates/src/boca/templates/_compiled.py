"""Compiled templates: a bounded cache by canonical name, and the sync-first render mode.

A template is rendered with Jinja2's sync environment unless it turns out to await
something: Jinja2's async mode wraps every loop iteration and output in coroutines, which
makes a page with a loop markedly slower. Every call a template makes goes through its
context's `call()`; the sync context below notices a call that returned an awaitable, and the
render starts again in async mode. That template is then marked and always rendered async.
Filters and tests are called directly, not through `call()`: once any of them is async, every
template renders in async mode.
"""

from __future__ import annotations

import inspect
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import jinja2
import jinja2.runtime


class NeedsAsync(Exception):
    """A sync render met an awaitable: the template must be rendered in async mode."""


class SyncContext(jinja2.runtime.Context):
    """The sync environment's context: a call that returns an awaitable stops the render."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        result = super().call(__obj, *args, **kwargs)
        if hasattr(result, "__await__") or hasattr(result, "__aiter__"):
            if inspect.iscoroutine(result):
                result.close()  # never awaited, on purpose: no RuntimeWarning
            raise NeedsAsync
        return result


def has_async_values(data: Mapping[str, Any]) -> bool:
    """Whether render variables hold async iterators (async generators), which only async
    mode can loop over. Cheap enough for every render."""
    return any(hasattr(type(value), "__anext__") for value in data.values())


def has_async_iterables(data: Mapping[str, Any]) -> bool:
    """Whether render variables hold async iterables of any kind (a Boca request is one, and
    templates rarely loop over it): asked only when a sync render failed."""
    return any(hasattr(type(value), "__aiter__") for value in data.values())


def has_async_functions(*registries: Mapping[str, Any]) -> bool:
    """Whether any filter or test is async: sync mode would call it without awaiting."""
    return any(
        inspect.iscoroutinefunction(func) for registry in registries for func in registry.values()
    )


def canonical(name: str) -> str:
    """The loader's form of a checked template name: no empty or `.` segments."""
    if "//" not in name and "./" not in name and not name.endswith("/."):
        return name
    return "/".join(part for part in name.split("/") if part not in ("", "."))


class Compiled:
    """One template (by canonical name, or by source), compiled on demand for each mode."""

    __slots__ = (
        "async_template",
        "checked_filters",
        "name",
        "needs_async",
        "source",
        "sync_template",
    )

    def __init__(self, name: str, source: str | None = None) -> None:
        self.name = name
        self.source = source
        self.sync_template: jinja2.Template | None = None
        self.async_template: jinja2.Template | None = None
        self.needs_async = False
        self.checked_filters = False


class CompiledCache:
    """Least recently used `Compiled` entries by canonical name, at most `size` of them.

    Only canonical names are keys: another spelling of a cached name (`./page.html`) is
    found through its canonical form and adds nothing.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[str, Compiled] = OrderedDict()

    def get(self, key: str) -> Compiled | None:
        entry = self.entries.get(key)
        if entry is not None:
            try:
                self.entries.move_to_end(key)
            except KeyError:  # evicted meanwhile by another thread (render_sync)
                pass
        return entry

    def put(self, entry: Compiled) -> None:
        self.entries[entry.name] = entry
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)

    def clear(self) -> None:
        self.entries.clear()

    def __len__(self) -> int:
        return len(self.entries)
