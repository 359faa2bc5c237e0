"""What `App(settings=...)` switches on, under Bocadillo's setting names.

The batteries behind settings are imported by name, and only when a setting asks for one:
boca-core never depends on a battery. Each battery reads its own settings (`from_settings`).
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._provider_declarations import register_modules
from ._validation import RequestValidationError, detail
from .plugins import plugin_list

if TYPE_CHECKING:
    from .app import App
    from .requests import Request
    from .responses import Response

__all__ = ["BATTERY_SETTINGS", "apply_settings"]

#: The settings that need a battery: (import name, distribution, setting names).
BATTERY_SETTINGS = (
    (
        "boca.middleware",
        "boca-middleware",
        (
            "ALLOWED_HOSTS",
            "HSTS",
            "SECURITY_HEADERS",
            "CORS",
            "RATE_LIMIT",
            "CSRF",
            "SESSIONS",
            "GZIP",
        ),
    ),
    ("boca.static", "boca-static", ("STATIC_DIR",)),
)
_PATH_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\.?`?([^.`\[]+)`?")
_AT = re.compile(r" - at `\$([^`]*)`$")


def apply_settings(app: App, values: Mapping[str, Any]) -> None:
    """Apply Bocadillo-named settings to a new app, in Bocadillo's order: providers first,
    then the batteries settings switch on, then the `PLUGINS` list."""
    if "REDIRECT_TRAILING_SLASH" in values:
        app.redirect_trailing_slash = bool(values["REDIRECT_TRAILING_SLASH"])
    if values.get("PROVIDER_MODULES"):
        register_modules(app.providers, values["PROVIDER_MODULES"])
    if values.get("HANDLE_TYPESYSTEM_VALIDATION_ERRORS", True):
        _handle_validation_errors(app)
    for module_name, distribution, names in BATTERY_SETTINGS:
        wanted = [name for name in names if values.get(name)]
        if not wanted:
            continue
        try:
            battery = importlib.import_module(module_name)
        except ImportError:
            raise RuntimeError(
                f"the setting(s) {', '.join(wanted)} need the {distribution} package: "
                f"pip install {distribution}"
            ) from None
        # `from_settings` lists them outermost first; the last middleware added is outermost.
        for plugin in reversed(battery.from_settings(values)):
            app.use(plugin)
    for plugin in plugin_list(values.get("PLUGINS") or ()):
        app.use(plugin)


def _handle_validation_errors(app: App) -> None:
    """Answer a model library's validation error raised in a view (`msgspec.convert(data,
    Model)` on data the view read itself) as 422 in Boca's one error format, as Bocadillo
    answered TypeSystem's with 400; pydantic's too when pydantic is imported."""
    import msgspec

    app.add_error_handler(msgspec.ValidationError, _answer_msgspec)
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and hasattr(pydantic, "ValidationError"):
        app.add_error_handler(pydantic.ValidationError, _answer_pydantic)


async def _answer_msgspec(req: Request, res: Response, exc: Exception) -> None:
    text = str(exc)
    found = _AT.search(text)
    loc: list[str | int] = ["body", *(_path(found.group(1)) if found else [])]
    raise RequestValidationError(422, [detail(loc, text)])


async def _answer_pydantic(req: Request, res: Response, exc: Any) -> None:
    from ._validation import from_pydantic

    raise RequestValidationError(422, from_pydantic(exc.errors(), ["body"]))


def _path(text: str) -> list[str | int]:
    """msgspec's `$.items[0].name` as `["items", 0, "name"]`."""
    parts: list[str | int] = []
    for field, index, other in _PATH_PART.findall(text):
        if index:
            parts.append(int(index))
        elif field or other:
            parts.append(field or other)
    return parts
