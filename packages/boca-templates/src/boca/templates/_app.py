"""What boca-templates needs from a host app, and the template globals built on it."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any, Protocol


class HostApp(Protocol):
    """The part of a Boca `App` that `Templates.install` uses (structural, no import)."""

    @property
    def debug(self) -> bool: ...

    @property
    def extensions(self) -> MutableMapping[str, Any]: ...

    def url_for(self, name: str, /, **path_params: Any) -> str: ...


def make_url_for(app: HostApp) -> Callable[..., str]:
    """The `url_for(name, **params)` template global, bound to `app`."""

    def url_for(name: str, /, **path_params: Any) -> str:
        return app.url_for(name, **path_params)

    return url_for


def make_static_url(app: HostApp) -> Callable[[str], str]:
    """The `static_url(path)` template global: asks boca-static at call time."""

    def static_url(path: str) -> str:
        static = app.extensions.get("static")
        url = getattr(static, "url", None)
        if not callable(url):
            raise RuntimeError(
                f"static_url({path!r}) needs boca-static: install it with "
                "app.use(StaticFiles(...)) before rendering templates that use static_url()"
            )
        result: str = url(path)
        return result

    return static_url
