"""`Set-Cookie` header values, with every name and attribute checked."""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie
from typing import Literal

__all__ = ["cookie_header"]

_COOKIE_ATTR_FORBIDDEN = frozenset(";,\r\n\x00")


def cookie_header(
    key: str,
    value: str = "",
    *,
    max_age: int | None = None,
    expires: str | int | None = None,
    path: str | None = "/",
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = True,
    samesite: Literal["lax", "strict", "none"] | None = "lax",
    partitioned: bool = False,
) -> str:
    """The value of a `Set-Cookie` header; an invalid name or attribute raises `ValueError`."""
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
            if _COOKIE_ATTR_FORBIDDEN & set(attr_value):
                raise ValueError(f"cookie {key!r}: invalid {attr} {attr_value!r}")
            morsel[attr] = attr_value
    if max_age is not None:
        morsel["max-age"] = int(max_age)
    if expires is not None:
        morsel["expires"] = expires
    if secure:
        morsel["secure"] = True
    if httponly:
        morsel["httponly"] = True
    if samesite is not None:
        if samesite.lower() not in ("lax", "strict", "none"):
            raise ValueError(f"cookie {key!r}: samesite must be 'lax', 'strict' or 'none'")
        morsel["samesite"] = samesite.capitalize()
    output = morsel.OutputString()
    if partitioned:  # CHIPS; http.cookies knows the attribute only from Python 3.14
        output += "; Partitioned"
    return output
