"""HTTPS enforcement: redirect plain requests, and tell browsers to stay on HTTPS."""

from __future__ import annotations

from collections.abc import Collection

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._asgi import refuse_websocket, send_redirect, send_text, with_headers
from ._hosts import HostMatcher, host_header, parse_host

_SECURE = {"http": "https", "ws": "wss"}


class HTTPSRedirectMiddleware:
    """Redirects `http` to `https` and `ws` to `wss` with 308, keeping path and query.

    The redirect names the request's Host, so it is only as trustworthy as that
    header: put `TrustedHostMiddleware` outside this middleware (it runs first), or
    pass `allowed_hosts` here. Malformed or repeated Host headers get 400.

    Args:
        app: The ASGI app to wrap.
        allowed_hosts: Host patterns (as in `TrustedHostMiddleware`) a redirect may
            point to; other hosts get 400 "Invalid host header". `None` accepts any
            well-formed host.
        https_port: The port to redirect to; the default 443 is left out of the URL.
    """

    def __init__(
        self,
        app: ASGIApp,
        allowed_hosts: Collection[str] | None = None,
        https_port: int = 443,
    ) -> None:
        self.app = app
        self.matcher = HostMatcher(allowed_hosts) if allowed_hosts is not None else None
        self.https_port = https_port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scheme = scope.get("scheme")
        if scheme not in _SECURE or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        raw, single = host_header(scope)
        parsed = parse_host(raw) if raw is not None and single else None
        if parsed is None or (self.matcher is not None and not self.matcher(parsed[0])):
            if scope["type"] == "http":
                await send_text(send, 400, b"Invalid host header")
            else:
                await refuse_websocket(scope, send, 400, b"Invalid host header")
            return
        host = parsed[0]
        netloc = host if self.https_port == 443 else f"{host}:{self.https_port}"
        path = scope.get("raw_path") or scope["path"].encode("utf-8")
        query = scope.get("query_string", b"")
        location = b"%s://%s/%s%s" % (
            _SECURE[scheme].encode(),
            netloc.encode("ascii"),
            path.lstrip(b"/"),
            b"?" + query if query else b"",
        )
        await send_redirect(scope, send, location)


class HSTSMiddleware:
    """Adds `Strict-Transport-Security` to HTTPS responses (never to plain HTTP ones).

    Browsers ignore the header over plain HTTP, and sending it there would only
    suggest a protection that is not in place. A header the app set itself is kept.

    Args:
        app: The ASGI app to wrap.
        max_age: Seconds browsers remember to use HTTPS only (default one year).
        include_subdomains: Cover every subdomain too.
        preload: Ask to be put on browsers' preload lists (needs `max_age` of at least
            a year and `include_subdomains`).
    """

    def __init__(
        self,
        app: ASGIApp,
        max_age: int = 31536000,
        include_subdomains: bool = False,
        preload: bool = False,
    ) -> None:
        if max_age < 0:
            raise ValueError(f"HSTS max_age must be 0 or more seconds, not {max_age}.")
        if preload and (max_age < 31536000 or not include_subdomains):
            raise ValueError("HSTS preload needs max_age >= 31536000 and include_subdomains=True.")
        value = f"max-age={int(max_age)}"
        if include_subdomains:
            value += "; includeSubDomains"
        if preload:
            value += "; preload"
        self.app = app
        self.header = (b"strict-transport-security", value.encode("ascii"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return
        extra = [self.header]

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start" and not any(
                key == b"strict-transport-security" for key, _ in message.get("headers", ())
            ):
                message = with_headers(message, extra)
            await send(message)

        await self.app(scope, receive, send_with_hsts)
