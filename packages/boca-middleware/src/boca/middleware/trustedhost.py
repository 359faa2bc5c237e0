"""Refuse requests whose Host header is not one of ours."""

from __future__ import annotations

from collections.abc import Collection

from starlette.types import ASGIApp, Receive, Scope, Send

from ._asgi import refuse_websocket, send_redirect, send_text
from ._hosts import HostMatcher, host_header, parse_host

_INVALID = b"Invalid host header"
#: The scope key holding the host name this middleware validated for the request, so
#: that inner middleware (HTTPSRedirectMiddleware) may build URLs from it. Never set
#: when every host is allowed.
VALIDATED_HOST_KEY = "boca.validated_host"
# Decisions per raw Host value: a site sees few distinct values, and the cache is
# emptied when full so that junk hosts cannot grow it.
_VERDICT_LIMIT = 256


class TrustedHostMiddleware:
    """Answers 400 "Invalid host header" unless the Host header names an allowed host.

    Host names are compared case-insensitively and without a trailing dot; the port
    is ignored. A missing, malformed or repeated Host header is refused too. HTTP
    requests and WebSocket handshakes are checked; refused handshakes get a 400
    response when the server supports it, else close code 1008. The validated host
    name is put in `scope["boca.validated_host"]` for `HTTPSRedirectMiddleware`.

    Args:
        app: The ASGI app to wrap.
        allowed_hosts: Host names such as `"example.com"`, IP literals such as
            `"127.0.0.1"`, `"[::1]"` or `"[v1.foo]"`, wildcard subdomains such as
            `"*.example.com"` (which does not match `example.com` itself), or `"*"`
            (or `None`, as in Starlette) for any host: the middleware then does nothing.
        www_redirect: When `www.<host>` is allowed but `<host>` is not, redirect
            (308) to `www.<host>` instead of refusing.
    """

    def __init__(
        self,
        app: ASGIApp,
        allowed_hosts: Collection[str] | None = None,
        www_redirect: bool = True,
    ) -> None:
        if allowed_hosts is None:
            allowed_hosts = ["*"]
        elif isinstance(allowed_hosts, str):
            allowed_hosts = [allowed_hosts]
        self.app = app
        self.matcher = HostMatcher(allowed_hosts)
        #: The patterns, lower-cased (as Starlette's attribute of the same name).
        self.allowed_hosts = [pattern.lower() for pattern in allowed_hosts]
        self.www_redirect = www_redirect
        # Per raw Host value: the validated host name, ("", netloc) to redirect, or
        # ("", "") to refuse.
        self._verdicts: dict[bytes | None, tuple[str, str]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if self.matcher.allow_any or (kind != "http" and kind != "websocket"):
            await self.app(scope, receive, send)
            return
        raw, single = host_header(scope)
        verdict = self._verdicts.get(raw) if single else None
        if verdict is None:
            verdict = self._judge(raw) if single and raw is not None else _REFUSE
            if single:
                if len(self._verdicts) >= _VERDICT_LIMIT:
                    self._verdicts.clear()
                self._verdicts[raw] = verdict
        host, redirect = verdict
        if host:
            scope[VALIDATED_HOST_KEY] = host
            await self.app(scope, receive, send)
        elif redirect:
            await send_redirect(scope, send, _location(scope, redirect))
        elif kind == "http":
            await send_text(send, 400, _INVALID)
        else:
            await refuse_websocket(scope, send, 400, _INVALID)

    def _judge(self, raw: bytes) -> tuple[str, str]:
        parsed = parse_host(raw)
        if parsed is None:
            return _REFUSE
        host, port = parsed
        if self.matcher(host):
            return host, ""
        if self.www_redirect and self.matcher("www." + host):
            return "", f"www.{host}:{port}" if port else f"www.{host}"
        return _REFUSE


_REFUSE = ("", "")


def _location(scope: Scope, netloc: str) -> bytes:
    path = scope.get("raw_path") or scope["path"].encode("utf-8")
    # Never let the path be read as an authority (`//evil.com`).
    path = b"/" + path.lstrip(b"/")
    query = scope.get("query_string", b"")
    return b"%s://%s%s%s" % (
        scope.get("scheme", "http").encode("ascii"),
        netloc.encode("ascii"),
        path,
        b"?" + query if query else b"",
    )
