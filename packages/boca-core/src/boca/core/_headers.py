"""Header validation and the RFC 6266 Content-Disposition value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from starlette.datastructures import MutableHeaders

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FORBIDDEN = re.compile(r"[\r\n\x00]")
# RFC 9110 field values: visible characters, spaces and tabs; never other control characters.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_MISSING: Any = object()


def check_header(name: str, value: str) -> tuple[bytes, bytes]:
    """Encode a header, refusing what could split a response (CR, LF, NUL) or is not a token."""
    if not isinstance(name, str) or _TOKEN.fullmatch(name) is None:
        raise ValueError(f"invalid header name {name!r}: use letters, digits and !#$%&'*+-.^_`|~")
    if not isinstance(value, str):
        raise TypeError(f"header {name!r}: value must be a str, got {type(value).__name__}")
    if _CONTROL.search(value):
        raise ValueError(
            f"header {name!r}: value must not contain CR, LF or NUL (or other control "
            f"characters): {value!r}"
        )
    try:
        return name.lower().encode("ascii"), value.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError(
            f"header {name!r}: value {value!r} is not Latin-1; percent-encode it"
        ) from None


class ResponseHeaders(MutableHeaders):
    """Case-insensitive, multi-value response headers that refuse header injection."""

    def __setitem__(self, key: str, value: str) -> None:
        check_header(key, value)
        super().__setitem__(key, value)

    def setdefault(self, key: str, value: str) -> str:
        check_header(key, value)
        return super().setdefault(key, value)

    def append(self, key: str, value: str) -> None:
        raw = check_header(key, value)
        self._list.append(raw)

    def update(self, other: Mapping[str, str]) -> None:
        for key, value in other.items():
            self[key] = value

    def pop(self, key: str, default: Any = _MISSING) -> Any:
        """Remove every value of `key` and return the first (`default`, else KeyError, when
        there is none), like `dict.pop`."""
        name = key.lower().encode("latin-1")
        found = [value for k, value in self._list if k == name]
        if not found:
            if default is _MISSING:
                raise KeyError(key)
            return default
        del self[key]
        return found[0].decode("latin-1")


_ATTR_SAFE = "!#$&+-.^_`|~"


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """`attachment; filename="report.pdf"`, with an RFC 5987 `filename*` for anything else."""
    cleaned = _FORBIDDEN.sub("", filename).replace("\t", " ")
    fallback = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\' else "_" for c in cleaned)
    value = f'{disposition}; filename="{fallback}"'
    if fallback != cleaned:
        value += f"; filename*=UTF-8''{quote(cleaned, safe=_ATTR_SAFE)}"
    return value
