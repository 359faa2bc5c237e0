"""Find one cookie in raw ASGI headers without parsing the others."""

from __future__ import annotations

from typing import Any


def read_cookie(headers: Any, name: bytes) -> bytes | None:
    """The raw value of cookie `name`, or None; other cookies are skipped, not parsed."""
    for key, value in headers:
        if key != b"cookie" or name not in value:
            continue
        for pair in value.split(b";"):
            cname, sep, cvalue = pair.partition(b"=")
            if sep and cname.strip() == name:
                found: bytes = cvalue.strip()
                return found
    return None
