"""`Set-Cookie` header values, with the name and every attribute checked.

An attribute value comes from code, but often from data too (a path, a domain, a date): one
with `;`, a comma or a control character could add attributes of its own
(`expires="...; Domain=evil.com"`), so each is refused with `ValueError`.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import format_datetime
from http.cookies import CookieError, SimpleCookie
from typing import Literal

__all__ = ["cookie_header"]

_FORBIDDEN = re.compile(r"[;,\x00-\x1f\x7f]")
# RFC 9110 section 5.6.7: the IMF-fixdate form of an HTTP-date, the only one to send.
_HTTP_DATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} "
    r"[0-9]{2}:[0-9]{2}:[0-9]{2} GMT",
    re.ASCII,
)


def cookie_header(
    key: str,
    value: str = "",
    *,
    max_age: int | None = None,
    expires: datetime | str | int | None = None,
    path: str | None = "/",
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = True,
    samesite: Literal["lax", "strict", "none"] | None = "lax",
    partitioned: bool = False,
) -> str:
    """The value of a `Set-Cookie` header; an invalid name or attribute raises `ValueError`.

    `expires` is a `datetime` (naive means UTC), a number of seconds from now, or an
    HTTP-date string such as `"Wed, 21 Oct 2026 07:28:00 GMT"`.
    """
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie[key] = value
    except CookieError:
        raise ValueError(
            f"invalid cookie name {key!r}: use letters, digits and !#$%&'*+-.^_`|~"
        ) from None
    morsel = cookie[key]
    for attr, attr_value in (("path", path), ("domain", domain)):
        if attr_value is not None:
            if not isinstance(attr_value, str) or _FORBIDDEN.search(attr_value):
                raise ValueError(f"cookie {key!r}: invalid {attr} {attr_value!r}")
            morsel[attr] = attr_value
    if max_age is not None:
        if isinstance(max_age, bool) or not isinstance(max_age, (int, float)):
            raise ValueError(f"cookie {key!r}: max_age must be a number of seconds")
        morsel["max-age"] = int(max_age)
    if expires is not None:
        morsel["expires"] = _expires(key, expires)
    if secure:
        morsel["secure"] = True
    if httponly:
        morsel["httponly"] = True
    if samesite is not None:
        if not isinstance(samesite, str) or samesite.lower() not in ("lax", "strict", "none"):
            raise ValueError(f"cookie {key!r}: samesite must be 'lax', 'strict' or 'none'")
        morsel["samesite"] = samesite.capitalize()
    output = morsel.OutputString()
    if partitioned:  # CHIPS; http.cookies knows the attribute only from Python 3.14
        output += "; Partitioned"
    return output


def _expires(key: str, expires: datetime | str | int) -> str | int:
    if isinstance(expires, datetime):
        moment = expires if expires.tzinfo else expires.replace(tzinfo=timezone.utc)
        return format_datetime(moment.astimezone(timezone.utc), usegmt=True)
    if isinstance(expires, int) and not isinstance(expires, bool):
        return expires  # seconds from now: http.cookies writes the date
    if isinstance(expires, str) and _HTTP_DATE.fullmatch(expires):
        return expires
    raise ValueError(
        f"cookie {key!r}: invalid expires {expires!r}: use a datetime, a number of seconds "
        "from now, or an HTTP-date like 'Wed, 21 Oct 2026 07:28:00 GMT'"
    )
