"""What boca-templates needs from a host app, and the template globals built on it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from typing import Any, Protocol

import jinja2
from markupsafe import Markup


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


class _CSRFProvider(Protocol):
    """What the CSRF globals need of boca-middleware's CSRF battery (structural, no import)."""

    def input(self, request: Any) -> str: ...

    def token(self, request: Any) -> str: ...


def _csrf(context: Mapping[str, Any], helper: str) -> str:
    """The request's CSRF `helper` ("input" or "token"), from whichever side has it.

    Asks `app.extensions["csrf"]` (Boca, `app.use(CSRF(...))`), else the token that
    boca-middleware's `CSRFMiddleware` put in the request's scope (Starlette, FastAPI).
    """
    request = context.get("request")
    scope = getattr(request, "scope", None)
    if not isinstance(scope, Mapping):
        raise RuntimeError(f"csrf_{helper}() in a template needs the request in the context")
    extensions = getattr(scope.get("app"), "extensions", None)
    provider: _CSRFProvider | None = (
        extensions.get("csrf") if isinstance(extensions, Mapping) else None
    )
    if provider is not None:
        return str(getattr(provider, helper)(request))
    token = scope.get("csrf_token")
    # The scope's token is called for its value, and has `input()` for the field.
    made = getattr(token, "input", None) if helper == "input" else token
    if not callable(made):
        raise RuntimeError(
            f"csrf_{helper}() needs boca-middleware's CSRF protection: "
            "app.use(CSRF(secret_key=...)) (Boca) or CSRFMiddleware in front of the app "
            "(Starlette, FastAPI)"
        )
    return str(made())


@jinja2.pass_context
def csrf_input(context: Mapping[str, Any]) -> Markup:
    """`{{ csrf_input() }}`: the hidden form field carrying the request's CSRF token."""
    return Markup(_csrf(context, "input"))


@jinja2.pass_context
def csrf_token(context: Mapping[str, Any]) -> str:
    """`{{ csrf_token() }}`: the request's CSRF token itself, for a `<meta>` that the page's
    scripts send back in the `X-CSRFToken` header (escaped like any other value)."""
    return _csrf(context, "token")
