"""Client address, scheme and host from X-Forwarded-* headers, from trusted proxies only."""

from __future__ import annotations

import ipaddress
from collections.abc import Collection

from starlette.types import ASGIApp, Receive, Scope, Send

from ._hosts import parse_host

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
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
    not itself a trusted proxy; scheme and host are the right-most entries, the ones
    written by the nearest proxy. A malformed forwarded host is ignored.

    Args:
        app: The ASGI app to wrap.
        trusted_proxies: Addresses or networks (`"10.0.0.0/8"`) of the proxies in
            front of the app, or `"*"` to trust every peer (only when the app cannot
            be reached except through the proxy).
    """

    def __init__(
        self, app: ASGIApp, trusted_proxies: Collection[str] | str = ("127.0.0.1", "::1")
    ) -> None:
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
            for entry in reversed(addresses):
                address = _strip_port(entry)
                if not self.is_trusted(address):
                    break
            scope["client"] = (address, 0)
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


def _strip_port(address: str) -> str:
    """`1.2.3.4:5678` → `1.2.3.4`, `[::1]:80` → `::1`; plain addresses unchanged."""
    if address.startswith("["):
        return address[1:].split("]", 1)[0]
    if address.count(":") == 1:
        return address.split(":", 1)[0]
    return address
