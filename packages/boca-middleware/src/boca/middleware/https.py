"""HTTPS enforcement: redirect plain requests, and tell browsers to stay on HTTPS."""

from __future__ import annotations

from collections.abc import Collection

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._asgi import refuse_websocket, send_redirect, send_text, with_headers
from ._errors import send_error
from ._hosts import HostMatcher, host_header, parse_host
from .trustedhost import VALIDATED_HOST_KEY

_SECURE = {"http": "https", "ws": "wss"}


class HTTPSRedirectMiddleware:
    """Redirects `http` to `https` and `ws` to `wss` with 308, keeping path and query.

    A redirect built from the request's Host header would send users wherever that
    header says (an open redirect), so the target host must be one that was checked:
    the configured `base_url`, a host matching `allowed_hosts`, or the host that
    `TrustedHostMiddleware` (placed outside this middleware, so it runs first)
    validated for this request. Any other request gets 400 in Boca's error format;
    a malformed or repeated Host header gets 400 "Invalid host header".

    Args:
        app: The ASGI app to wrap.
        allowed_hosts: Host patterns (as in `TrustedHostMiddleware`) a redirect may
            point to. `None` accepts the host `TrustedHostMiddleware` validated.
        https_port: The port to redirect to; the default 443 is left out of the URL.
        base_url: Always redirect to this origin (`"https://example.com"` or with a
            port), whatever the Host header says.
    """

    def __init__(
        self,
        app: ASGIApp,
        allowed_hosts: Collection[str] | None = None,
        https_port: int = 443,
        base_url: str | None = None,
    ) -> None:
        if not 0 < https_port <= 65535:
            raise ValueError(f"https_port must be between 1 and 65535, not {https_port}.")
        self.app = app
        self.matcher = HostMatcher(allowed_hosts) if allowed_hosts is not None else None
        self.https_port = https_port
        self.netloc: bytes | None = None
        if base_url is not None:
            scheme, _, rest = base_url.partition("://")
            parsed = parse_host(rest.rstrip("/").encode("latin-1"))
            if scheme.lower() != "https" or parsed is None:
                raise ValueError(
                    f"base_url {base_url!r} is not an HTTPS origin: write it as "
                    "'https://host[:port]', e.g. 'https://example.com'."
                )
            host, port = parsed
            self.netloc = (f"{host}:{port}" if port and port != "443" else host).encode("ascii")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scheme = scope.get("scheme")
        if scheme not in _SECURE or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        netloc = self.netloc
        if netloc is None:
            raw, single = host_header(scope)
            parsed = parse_host(raw) if raw is not None and single else None
            if parsed is None:
                if scope["type"] == "http":
                    await send_text(send, 400, b"Invalid host header")
                else:
                    await refuse_websocket(scope, send, 400, b"Invalid host header")
                return
            host = parsed[0]
            if not (
                self.matcher(host)
                if self.matcher is not None
                else scope.get(VALIDATED_HOST_KEY) == host
            ):
                await send_error(scope, send, 400, _UNCHECKED)
                return
            netloc = (host if self.https_port == 443 else f"{host}:{self.https_port}").encode(
                "ascii"
            )
        path = scope.get("raw_path") or scope["path"].encode("utf-8")
        query = scope.get("query_string", b"")
        location = b"%s://%s/%s%s" % (
            _SECURE[scheme].encode(),
            netloc,
            path.lstrip(b"/"),
            b"?" + query if query else b"",
        )
        await send_redirect(scope, send, location)


_UNCHECKED = (
    "Cannot redirect to HTTPS: the host is not known to be ours. Put TrustedHostMiddleware "
    "outside HTTPSRedirectMiddleware, or pass it allowed_hosts or base_url."
)


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
