"""HTTP details: validators, preconditions and content negotiation."""

from __future__ import annotations

import json
import re
from calendar import timegm
from email.utils import formatdate, parsedate


def http_date(timestamp: float) -> str:
    return formatdate(timestamp, usegmt=True)


def parse_http_date(value: str) -> int | None:
    """Seconds since the epoch for an HTTP date, or None when it is not one."""
    parsed = parsedate(value)
    if parsed is None:
        return None
    try:
        return timegm(parsed)
    except (ValueError, OverflowError):  # pragma: no cover - parsedate already bounds fields
        return None


_ENTITY_TAG = re.compile(r'(W/)?"([^"]*)"')


def etag_matches(header: str, opaque: str, *, weak: bool) -> bool:
    """Whether an `If-Match` / `If-None-Match` list names this entity tag.

    Strong comparison (`weak=False`, for If-Match) never matches a weak tag.
    """
    if header.strip(" \t") == "*":
        return True
    for match in _ENTITY_TAG.finditer(header):
        if match.group(2) == opaque and (weak or not match.group(1)):
            return True
    return False


_ALIASES = {"x-gzip": "gzip"}
_IMPLICIT = 0.0001
_ACCEPT_CACHE: dict[str, dict[str, float]] = {}
_ACCEPT_CACHE_SIZE = 256


def parse_accept_encoding(header: str) -> dict[str, float]:
    """Map each coding named in `Accept-Encoding` to its q-value (memoised: browsers repeat)."""
    cached = _ACCEPT_CACHE.get(header)
    if cached is not None:
        return cached
    prefs: dict[str, float] = {}
    for item in header.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip(" \t").lower()
        if not coding:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, val = param.partition("=")
            if key.strip(" \t").lower() == "q":
                try:
                    q = float(val.strip(" \t"))
                except ValueError:
                    q = -1.0
                if not 0.0 <= q <= 1.0:
                    q = 0.0
        prefs[_ALIASES.get(coding, coding)] = q
    if len(_ACCEPT_CACHE) >= _ACCEPT_CACHE_SIZE:
        _ACCEPT_CACHE.clear()
    _ACCEPT_CACHE[header] = prefs
    return prefs


def choose_encoding(header: str, available: tuple[str, ...]) -> str:
    """Pick the best of `available` codings (br before gzip on a tie) or "identity"."""
    prefs = parse_accept_encoding(header)
    star = prefs.get("*")
    best = "identity"
    # Identity is acceptable unless excluded, but only a listed q-value gives it a preference
    # over a coding the client asked for.
    best_q = prefs.get("identity", _IMPLICIT if star is None else star)
    for coding in available:
        q = prefs.get(coding, 0.0 if star is None else star)
        if q > 0.0 and q >= best_q:
            if q == best_q and best != "identity":
                continue
            best, best_q = coding, q
    return best


def error_body(status: int, phrase: str, detail: str) -> bytes:
    """The small JSON body of an error answer, in the shape Boca uses everywhere."""
    return json.dumps(
        {"error": f"{status} {phrase}", "status": status, "detail": detail},
        separators=(",", ":"),
    ).encode()
