"""HTTP errors and redirects, raised from anywhere below the app and answered by it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlsplit

from ._headers import check_header
from ._status import status_phrase as _phrase

__all__ = [
    "HTTPError",
    "Redirect",
    "RouteDeclarationError",
    "URLBuildError",
    "safe_redirect_target",
]


_PRINTABLE = "".join(chr(c) for c in range(0x21, 0x7F))


class RouteDeclarationError(ValueError):
    """A route cannot be declared as written; the message names the route and the fix."""


class URLBuildError(LookupError):
    """`url_for` cannot build a URL: unknown route name, or a missing or invalid parameter."""


def status_phrase(status_code: int) -> str:
    """RFC 9110's phrase from Boca's own table, the same on every Python (not `HTTPStatus`)."""
    return _phrase(status_code)


class HTTPError(Exception):
    """Raise to answer with an HTTP error status.

    Answered as JSON `{"error": "404 Not Found", "status": 404, "detail": ...}` (`detail`
    omitted when empty) unless an error handler for `HTTPError` says otherwise (such as
    `error_to_html` or `error_to_text`). Any final status may be raised, as in Bocadillo: a
    2xx or 3xx is sent as such (204 and 304 without a body); a 1xx is refused.
    """

    def __init__(
        self,
        status: int | HTTPStatus,
        detail: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        status = int(status)
        if not 200 <= status <= 599:
            raise ValueError(
                f"HTTPError status must be 200 to 599 (a 1xx is not a final answer), got {status}"
            )
        self.status_code = status
        self.detail = detail
        self.headers = dict(headers or {})
        #: The headers encoded, checked now: a value with CR, LF or NUL raises `ValueError`.
        self.raw_headers = [check_header(k, v) for k, v in self.headers.items()]
        super().__init__(self.title if detail is None else f"{self.title}: {detail}")

    @property
    def title(self) -> str:
        """`"404 Not Found"`."""
        return f"{self.status_code} {status_phrase(self.status_code)}".rstrip()

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.title, "status": self.status_code}
        if self.detail not in (None, "", {}, []):
            body["detail"] = self.detail
        return body

    def __repr__(self) -> str:
        return f"HTTPError({self.status_code}, detail={self.detail!r})"


class Redirect(Exception):
    """Raise to redirect: 302 by default, 301 when `permanent`, or any 3xx via `status_code`.

    For a target that comes from the user (a `?next=` parameter), use `Redirect.safe(...)`, which
    refuses anything that would leave the site.
    """

    def __init__(self, url: str, permanent: bool = False, status_code: int | None = None) -> None:
        if status_code is None:
            status_code = 301 if permanent else 302
        if status_code not in (300, 301, 302, 303, 307, 308):
            raise ValueError(f"a redirect status must be 300-303, 307 or 308, got {status_code}")
        if any(c in url for c in "\r\n\x00"):
            raise ValueError("a redirect URL must not contain CR, LF or NUL")
        # A Location header is ASCII: percent-encode the rest (spaces, non-ASCII characters).
        self.url = quote(url, safe=_PRINTABLE)
        self.status_code = status_code
        super().__init__(f"{status_code} -> {url}")

    @classmethod
    def safe(
        cls,
        url: str | None,
        *,
        fallback: str = "/",
        allowed_hosts: Iterable[str] = (),
        permanent: bool = False,
        status_code: int | None = None,
    ) -> Redirect:
        """A redirect to `url` if it stays on this site (or an allowed host), else to `fallback`."""
        target = safe_redirect_target(url, fallback=fallback, allowed_hosts=allowed_hosts)
        return cls(target, permanent=permanent, status_code=status_code)


_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def safe_redirect_target(
    url: str | None, *, fallback: str = "/", allowed_hosts: Iterable[str] = ()
) -> str:
    """Return `url` when it is a same-origin path or points at an allowed host, else `fallback`.

    Browsers strip tabs and newlines and treat backslashes as slashes, so `\\t//evil.com` and
    `/\\evil.com` are off-site: they are refused, like `//evil.com`, `https://evil.com` and
    `javascript:` URLs.
    """
    if not url or _CONTROL.search(url):
        return fallback
    normalised = url.replace("\\", "/")
    parts = urlsplit(normalised)
    if parts.scheme or parts.netloc or normalised.startswith("//"):
        hosts = {h.lower().rstrip(".") for h in allowed_hosts}
        host = (parts.hostname or "").rstrip(".")
        if parts.scheme in ("http", "https") and host and host in hosts and url == normalised:
            return url
        return fallback
    if not normalised.startswith("/"):
        return fallback
    return url


def same_origin_path(path: str) -> str:
    """Percent-encode a path so that it can only be read as a path on this site.

    Collapses a leading run of slashes and backslashes (which browsers read as an authority:
    `//evil.com`, `/\\evil.com`) into one slash.
    """
    stripped = path.lstrip("/\\")
    return "/" + quote(stripped, safe="/:@!$&'()*+,;=-._~")
