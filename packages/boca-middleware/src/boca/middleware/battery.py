"""The plugin-protocol side: install middleware on a Boca app, from code or from settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

from .compression import GZipMiddleware
from .cors import CORSMiddleware
from .csrf import CSRFMiddleware, csrf_input, csrf_token
from .https import HSTSMiddleware, HTTPSRedirectMiddleware
from .ratelimit import RateLimitMiddleware
from .securityheaders import SecurityHeadersMiddleware, csp_nonce
from .sessions import SessionMiddleware
from .trustedhost import TrustedHostMiddleware


class _App(Protocol):
    """What `install()` uses of a Boca app (its public surface only)."""

    extensions: dict[str, Any]

    def add_middleware(self, middleware_class: Any, **options: Any) -> None: ...


class MiddlewareBattery:
    """A middleware class and its options, installable with `app.use(...)`.

    `install(app)` calls `app.add_middleware(middleware_class, **options)` and appends
    the battery to the list at `app.extensions["middleware"]`.

    Args:
        middleware_class: Any ASGI middleware class taking `(app, **options)`.
        **options: Its options.
    """

    def __init__(self, middleware_class: Callable[..., Any], **options: Any) -> None:
        self.middleware_class = middleware_class
        self.options = options

    def install(self, app: _App) -> None:
        """Add the middleware to `app` and record it in `app.extensions["middleware"]`."""
        app.add_middleware(self.middleware_class, **self.options)
        app.extensions.setdefault("middleware", []).append(self)

    def __repr__(self) -> str:
        options = ", ".join(f"{k}={v!r}" for k, v in self.options.items() if k != "secret_key")
        return (
            f"MiddlewareBattery({self.middleware_class.__name__}{', ' if options else ''}{options})"
        )


class SecurityHeaders(MiddlewareBattery):
    """Security headers as a Boca battery: `app.use(SecurityHeaders(csp_nonce=True, ...))`.

    Adds `SecurityHeadersMiddleware` with these options (checked now, naming a bad one)
    and publishes itself at `app.extensions["csp"]`, where templates find `nonce(request)`.
    """

    def __init__(self, **options: Any) -> None:
        SecurityHeadersMiddleware(_noop, **options)
        super().__init__(SecurityHeadersMiddleware, **options)

    def install(self, app: _App) -> None:
        """Add the middleware and publish `app.extensions["csp"]`."""
        super().install(app)
        app.extensions["csp"] = self

    @staticmethod
    def nonce(request: Any) -> str:
        """The request's CSP nonce (see `csp_nonce`)."""
        return csp_nonce(request)


class CSRF(MiddlewareBattery):
    """CSRF protection as a Boca battery: `app.use(CSRF(secret_key=...))`.

    Adds `CSRFMiddleware` with these options (checked now, naming a bad one) and
    publishes itself at `app.extensions["csrf"]`, where boca-templates finds
    `input(request)` for its `{{ csrf_input() }}` global.
    """

    def __init__(self, **options: Any) -> None:
        CSRFMiddleware(_noop, **options)
        super().__init__(CSRFMiddleware, **options)

    def install(self, app: _App) -> None:
        """Add the middleware and publish `app.extensions["csrf"]`."""
        super().install(app)
        app.extensions["csrf"] = self

    @staticmethod
    def token(request: Any) -> str:
        """The request's CSRF token (see `csrf_token`)."""
        return csrf_token(request)

    @staticmethod
    def input(request: Any) -> str:
        """A hidden form field with the request's CSRF token, as HTML."""
        return csrf_input(request)


def _options(value: Any, setting: str) -> dict[str, Any]:
    if value is True:
        return {}
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"The {setting} setting must be True or a dict of options, not {value!r}.")


def from_settings(settings: Mapping[str, Any]) -> list[MiddlewareBattery]:
    """The batteries that Bocadillo-style settings ask for, outermost first.

    "Outermost first" means the first battery must see requests first (the host
    check runs before anything else); with an `add_middleware` where the last added
    is outermost, as in Starlette, install them in reverse.

    - `ALLOWED_HOSTS`: a list of host patterns → `TrustedHostMiddleware`.
    - `HSTS`: `True` or `HSTSMiddleware` options → `HTTPSRedirectMiddleware` (plain HTTP is
      redirected to HTTPS, as in Bocadillo; the target host is the one `ALLOWED_HOSTS`
      validated, or `BASE_URL`'s) and `HSTSMiddleware` (the header on HTTPS answers).
    - `SECURITY_HEADERS`: `True` or options → `SecurityHeadersMiddleware`.
    - `CORS`: `True` (no origin allowed until `allow_origins` lists some, as in
      Bocadillo) or options → `CORSMiddleware`.
    - `RATE_LIMIT`: a limit (`"100/minute"`), a list of them, or options →
      `RateLimitMiddleware`.
    - `CSRF`: `True` (uses `SECRET_KEY`) or options → the `CSRF` battery.
    - `SESSIONS`: `True` (uses `SECRET_KEY`) or options → `SessionMiddleware`.
    - `GZIP`: `True` or options (`GZIP_MIN_SIZE` sets `minimum_size`) → `GZipMiddleware`.

    Missing or false settings add nothing.
    """
    batteries: list[MiddlewareBattery] = []
    hosts = settings.get("ALLOWED_HOSTS")
    if hosts:
        batteries.append(MiddlewareBattery(TrustedHostMiddleware, allowed_hosts=list(hosts)))
    if settings.get("HSTS"):
        hsts = _options(settings["HSTS"], "HSTS")
        HSTSMiddleware(_noop, **hsts)
        batteries.append(MiddlewareBattery(HTTPSRedirectMiddleware, **_redirect_target(settings)))
        batteries.append(MiddlewareBattery(HSTSMiddleware, **hsts))
    if settings.get("SECURITY_HEADERS"):
        headers = _options(settings["SECURITY_HEADERS"], "SECURITY_HEADERS")
        batteries.append(SecurityHeaders(**headers))
    if settings.get("CORS"):
        cors = settings["CORS"]
        options: dict[str, Any] = _options(cors, "CORS")
        CORSMiddleware(_noop, **options)
        batteries.append(MiddlewareBattery(CORSMiddleware, **options))
    if settings.get("RATE_LIMIT"):
        limit = settings["RATE_LIMIT"]
        if isinstance(limit, (str, list, tuple)):
            options = {"limits": limit}
        else:
            options = _options(limit, "RATE_LIMIT")
        RateLimitMiddleware(_noop, **options)
        batteries.append(MiddlewareBattery(RateLimitMiddleware, **options))
    if settings.get("CSRF"):
        options = _options(settings["CSRF"], "CSRF")
        options.setdefault("secret_key", settings.get("SECRET_KEY"))
        batteries.append(CSRF(**options))
    if settings.get("SESSIONS"):
        options = _options(settings["SESSIONS"], "SESSIONS")
        options.setdefault("secret_key", settings.get("SECRET_KEY"))
        # Fail now, naming the setting, rather than at the first request.
        SessionMiddleware(_noop, **options)
        batteries.append(MiddlewareBattery(SessionMiddleware, **options))
    if settings.get("GZIP"):
        options = _options(settings["GZIP"], "GZIP")
        if "GZIP_MIN_SIZE" in settings:
            options.setdefault("minimum_size", settings["GZIP_MIN_SIZE"])
        batteries.append(MiddlewareBattery(GZipMiddleware, **options))
    return batteries


def _redirect_target(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Where `HSTS` redirects plain HTTP: a host that was checked, never any Host header."""
    base_url = settings.get("BASE_URL")
    if isinstance(base_url, str) and base_url.lower().startswith("https://"):
        return {"base_url": "https://" + urlsplit(base_url).netloc}
    if settings.get("ALLOWED_HOSTS"):
        return {}  # the host TrustedHostMiddleware validated (it runs first)
    raise ValueError(
        "The HSTS setting redirects plain HTTP to HTTPS, so it needs the site's host: set "
        "ALLOWED_HOSTS (the hosts the app answers) or an https BASE_URL. Redirecting to "
        "whatever Host a request names would be an open redirect."
    )


async def _noop(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover
    """Stands in for the app while a configuration is checked."""
