"""What boca-templates needs from a host app, and the template globals built on it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from typing import Any, Protocol

import jinja2


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


@jinja2.pass_context
def request_url_for(context: Mapping[str, Any], name: str, /, **path_params: Any) -> Any:
    """The default `url_for` global: the URL from the `request` in the context, as in
    Starlette and FastAPI templates (`app.use(templates)` in Boca replaces it)."""
    request = context.get("request")
    url_for = getattr(request, "url_for", None)
    if not callable(url_for):
        raise RuntimeError(
            f"url_for({name!r}) in a template needs the request: pass request=request when "
            "rendering (Starlette, FastAPI), or install the templates with app.use() (Boca)"
        )
    return url_for(name, **path_params)
