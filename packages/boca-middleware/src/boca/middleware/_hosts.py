"""Host header parsing and host-pattern matching, shared by the host-aware middleware."""

from __future__ import annotations

import re
from collections.abc import Iterable
from ipaddress import AddressValueError, IPv6Address

from starlette.types import Scope

# reg-name (letters, digits, '-', '_', '.') or a bracketed IP literal (IPv6, or RFC 3986's
# IPvFuture `[v1.x]`, with the lower-case `v` Starlette also requires), then an optional port.
_HOST_RE = re.compile(
    rb"(?:([a-z0-9_\-.]+)|\[(?:([0-9a-f:.]+)|(?-i:v)[0-9a-f]+\.[a-z0-9\-._~!$&'()*+,;=:]+)\])"
    rb"(?::([0-9]{1,10}))?",
    re.IGNORECASE,
)

WILDCARD_HELP = "Host patterns look like 'example.com', '*.example.com' or '*'."


def parse_host(value: bytes) -> tuple[str, str] | None:
    """Split a Host value into (normalised host, port). None when malformed.

    The host is lower-cased and loses one trailing dot, so `EXAMPLE.com.` and
    `example.com` are the same host everywhere. Anything with '/', '@', '\\',
    spaces or other characters that cannot be in a host name is rejected.
    """
    match = _HOST_RE.fullmatch(value)
    if match is None:
        return None
    name, ipv6, port = match.groups()
    if name is None:
        if ipv6 is not None:
            try:
                IPv6Address(ipv6.decode("ascii"))
            except AddressValueError:
                return None
        host = value[: value.rindex(b"]") + 1].decode("ascii").lower()
    else:
        host = name.decode("ascii").lower()
        if host.endswith("."):
            host = host[:-1]
        if not host or host.startswith(".") or ".." in host:
            return None
    if port is None:
        return host, ""
    number = int(port)  # `000080` is port 80, as in Starlette
    if number > 65535:
        return None
    return host, str(number)


def host_header(scope: Scope) -> tuple[bytes | None, bool]:
    """The raw Host value of a request and whether it was sent exactly once."""
    found: bytes | None = None
    count = 0
    for key, value in scope["headers"]:
        if key == b"host":
            found = value
            count += 1
    return found, count == 1


class HostMatcher:
    """Matches normalised host names against patterns: exact names, `*.domain`, or `*`."""

    __slots__ = ("allow_any", "exact", "suffixes")

    def __init__(self, patterns: Iterable[str]) -> None:
        if isinstance(patterns, str):
            patterns = [patterns]
        self.exact: set[str] = set()
        suffixes: list[str] = []
        self.allow_any = False
        for raw in patterns:
            pattern = raw.strip().lower()
            if pattern.endswith(".") and not pattern.endswith("*."):
                pattern = pattern[:-1]
            if pattern == "*":
                self.allow_any = True
            elif pattern.startswith("*."):
                rest = pattern[2:]
                if not rest or "*" in rest or parse_host(rest.encode()) is None:
                    raise ValueError(f"Invalid host pattern {raw!r}. {WILDCARD_HELP}")
                suffixes.append("." + rest)
            elif "*" in pattern or parse_host(pattern.encode()) != (pattern, ""):
                raise ValueError(f"Invalid host pattern {raw!r}. {WILDCARD_HELP}")
            else:
                self.exact.add(pattern)
        self.suffixes = tuple(suffixes)

    def __call__(self, host: str) -> bool:
        return (
            self.allow_any
            or host in self.exact
            or (bool(self.suffixes) and host.endswith(self.suffixes))
        )
