"""Refuse requests whose Host header is not one of ours."""

from __future__ import annotations

from collections.abc import Collection

from starlette.types import ASGIApp, Receive, Scope, Send

from ._asgi import refuse_websocket, send_redirect, send_text
from ._hosts import HostMatcher, host_header, parse_host

_INVALID = b"Invalid host header"
# Decisions per raw Host value: a site sees few distinct values, and the cache is
# emptied when full so that junk hosts cannot grow it.
_VERDICT_LIMIT = 256


class TrustedHostMiddleware:
    """Answers 400 "Invalid host header" unless the Host header names an allowed host.

    Host names are compared case-insensitively and without a trailing dot; the port
    is ignored. A missing, malformed or repeated Host header is refused too. HTTP
    requests and WebSocket handshakes are checked; refused handshakes get a 400
    response when the server supports it, else close code 1008.

    Args:
        app: The ASGI app to wrap.
        allowed_hosts: Host names such as `"example.com"`, wildcard subdomains such
            as `"*.example.com"` (which does not match `example.com` itself), or `"*"`
            for any host (the middleware then does nothing).
        www_redirect: When `www.<host>` is allowed but `<host>` is not, redirect
            (308) to `www.<host>` instead of refusing.
    """

    def __init__(
        self,
        app: ASGIApp,
        allowed_hosts: Collection[str] = ("*",),
        www_redirect: bool = True,
    ) -> None:
        self.app = app
        self.matcher = HostMatcher(allowed_hosts)
        self.www_redirect = www_redirect
        self._verdicts: dict[bytes | None, bool | str] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if self.matcher.allow_any or (kind != "http" and kind != "websocket"):
            await self.app(scope, receive, send)
            return
        raw, single = host_header(scope)
        verdict = self._verdicts.get(raw) if single else None
        if verdict is None:
            verdict = self._judge(raw) if single and raw is not None else ""
            if single:
                if len(self._verdicts) >= _VERDICT_LIMIT:
                    self._verdicts.clear()
                self._verdicts[raw] = verdict
        if verdict is True:
            await self.app(scope, receive, send)
        elif verdict:
            await send_redirect(scope, send, _location(scope, verdict))
        elif kind == "http":
            await send_text(send, 400, _INVALID)
        else:
            await refuse_websocket(scope, send, 400, _INVALID)

    def _judge(self, raw: bytes) -> bool | str:
        """True for an allowed host, the `www.` netloc to redirect to, or "" to refuse."""
        parsed = parse_host(raw)
        if parsed is None:
            return ""
        host, port = parsed
        if self.matcher(host):
            return True
        if self.www_redirect and self.matcher("www." + host):
            return f"www.{host}:{port}" if port else f"www.{host}"
        return ""


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
