"""Client address, scheme and host from X-Forwarded-* headers, from trusted proxies only."""

from __future__ import annotations

import ipaddress
from collections.abc import Collection

from starlette.types import ASGIApp, Receive, Scope, Send

from ._hosts import parse_host

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_DEFAULT_TRUSTED = ("127.0.0.1", "::1")
_SCHEMES = {
    "http": {"http": "http", "https": "https", "ws": "http", "wss": "https"},
    "websocket": {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"},
}


class ProxyHeadersMiddleware:
    """Applies `X-Forwarded-For`, `X-Forwarded-Proto` and `X-Forwarded-Host`.

    Only when the direct peer (`scope["client"]`) is a trusted proxy; from anyone
    else the headers are ignored, so a client cannot spoof its address, scheme or
    host. Repeated header lines are joined in order into one list (as HTTP says
    they mean). The client address is the right-most `X-Forwarded-For` entry that is
    not itself a trusted proxy; entries that are not IP addresses (v4 or v6, with an
    optional port: `1.2.3.4:5678`, `[::1]:80`) are skipped, so `<script>` or
    `unknown` never becomes `request.client.host`. Scheme and host are the
    right-most entries, the ones written by the nearest proxy. A malformed forwarded
    host is ignored.

    Uvicorn applies `X-Forwarded-For`/`-Proto` itself by default (`--proxy-headers`,
    trusting `--forwarded-allow-ips`, 127.0.0.1 unless set) before this middleware
    runs; `boca run` turns that off so that this middleware is the only one reading
    these headers. Under plain `uvicorn`, pass `--no-proxy-headers` when using it.

    Args:
        app: The ASGI app to wrap.
        trusted_proxies: Addresses or networks (`"10.0.0.0/8"`) of the proxies in
            front of the app, or `"*"` to trust every peer (only when the app cannot
            be reached except through the proxy). A string is a comma-separated list.
        trusted_hosts: The same, under the name Uvicorn's `ProxyHeadersMiddleware`
            uses; give one or the other.
    """

    def __init__(
        self,
        app: ASGIApp,
        trusted_proxies: Collection[str] | str | None = None,
        trusted_hosts: Collection[str] | str | None = None,
    ) -> None:
        if trusted_proxies is not None and trusted_hosts is not None:
            raise TypeError(
                "ProxyHeadersMiddleware takes trusted_proxies or its alias trusted_hosts "
                "(Uvicorn's name), not both."
            )
        if trusted_proxies is None:
            trusted_proxies = trusted_hosts if trusted_hosts is not None else _DEFAULT_TRUSTED
        if isinstance(trusted_proxies, str):
            trusted_proxies = [p.strip() for p in trusted_proxies.split(",")]
        self.app = app
        self.trust_all = "*" in trusted_proxies
        networks: list[_Network] = []
        for proxy in trusted_proxies:
            if proxy == "*":
                continue
            try:
                networks.append(ipaddress.ip_network(proxy, strict=False))
            except ValueError:
                raise ValueError(
                    f"Invalid trusted proxy {proxy!r}: use an IP address, a network such as "
                    "'10.0.0.0/8', or '*'."
                ) from None
        self.networks = tuple(networks)

    def is_trusted(self, host: str) -> bool:
        """Whether `host` (an IP address string) is one of the trusted proxies."""
        if self.trust_all:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        client = scope.get("client")
        if kind not in _SCHEMES or client is None or not self.is_trusted(client[0]):
            await self.app(scope, receive, send)
            return

        forwarded: dict[bytes, list[str]] = {}
        for key, value in scope["headers"]:
            if key in (b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host"):
                items = [v.strip() for v in value.decode("latin-1").split(",")]
                forwarded.setdefault(key, []).extend(v for v in items if v)
        if not forwarded:
            await self.app(scope, receive, send)
            return

        addresses = forwarded.get(b"x-forwarded-for")
        if addresses:
            chosen: str | None = None
            for entry in reversed(addresses):
                address = _ip_address(entry)
                if address is None:
                    continue
                chosen = address
                if not self.is_trusted(address):
                    break
            if chosen is not None:
                scope["client"] = (chosen, 0)
        protos = forwarded.get(b"x-forwarded-proto")
        if protos:
            scheme = _SCHEMES[kind].get(protos[-1].lower())
            if scheme is not None:
                scope["scheme"] = scheme
        hosts = forwarded.get(b"x-forwarded-host")
        if hosts and parse_host(hosts[-1].encode("latin-1")) is not None:
            host = hosts[-1].encode("latin-1")
            scope["headers"] = [
                *((k, v) for k, v in scope["headers"] if k != b"host"),
                (b"host", host),
            ]
        await self.app(scope, receive, send)


def _ip_address(entry: str) -> str | None:
    """The IP address of an `X-Forwarded-For` entry in canonical form, or None.

    `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]` and `[2001:db8::1]:80`
    are addresses; names, `unknown`, obfuscated identifiers (`_hidden`) and junk are not.
    """
    host, port = entry, ""
    if entry.startswith("["):
        host, sep, port = entry[1:].partition("]")
        if not sep or (port and not (port.startswith(":") and port[1:].isdigit())):
            return None
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError:
            return None
    if entry.count(":") == 1:
        host, port = entry.split(":")
        if not port.isdigit():
            return None
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None
