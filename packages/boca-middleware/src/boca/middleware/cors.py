"""Cross-Origin Resource Sharing, answered the way the Fetch standard expects."""

from __future__ import annotations

import re
from collections.abc import Collection

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._asgi import send_text, with_headers

#: Methods a browser never preflights: always allowed (Fetch "CORS-safelisted method").
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
#: What `allow_methods=["*"]` stands for, as in Starlette: the standard methods, not any
#: token a client makes up (a custom method must be listed by name).
ALL_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY"})
#: Request headers every CORS request may carry without being listed in `allow_headers`.
SAFELISTED_HEADERS = frozenset({"accept", "accept-language", "content-language", "content-type"})

# What a browser can send as an Origin: scheme "://" host [":" port], nothing else. A
# regex only ever sees origins of this shape, so `#`, `/`, `@`... cannot smuggle a match.
_ORIGIN_RE = re.compile(r"[a-z][a-z0-9+.\-]*://(?:[a-z0-9\-._~]+|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?")
_VARY_ORIGIN = (b"vary", b"Origin")
_VARY_PREFLIGHT = (
    b"vary",
    b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
    b"Access-Control-Request-Private-Network",
)


class CORSMiddleware:
    """Adds CORS headers to responses and answers preflight requests.

    Args:
        app: The ASGI app to wrap.
        allow_origins: Origins allowed to read responses, such as
            `["https://example.com"]`, or `["*"]` (or `"*"`) for any origin.
        allow_origin_regex: A regular expression an origin must match *entirely*
            (`https://.*\\.example\\.com` does not match `https://example.com.evil.com`).
            Only well-formed origins (`scheme://host[:port]`, lower case) are tried.
            The `null` origin (sandboxed iframes, `file:` pages) is allowed only when
            `"null"` is listed in `allow_origins`: neither `*` nor a regex covers it.
        allow_methods: Methods allowed in preflights, or `"*"` for the standard ones
            (`ALL_METHODS`, as in Starlette; list a custom method by name beside it).
            GET, HEAD and POST are always allowed: browsers never preflight them.
        allow_headers: Request headers allowed in preflights, or `"*"` for any (the
            requested names are echoed, lower-cased as browsers send them).
            `Accept`, `Accept-Language`, `Content-Language` and `Content-Type` are
            always allowed.
        allow_credentials: Let browsers send cookies and read the response. The
            origin is then echoed instead of `*`, as the standard requires.
        allow_private_network: Answer Private Network Access preflights.
        expose_headers: Response headers scripts may read.
        max_age: Seconds a browser may cache a preflight answer.
    """

    def __init__(
        self,
        app: ASGIApp,
        allow_origins: Collection[str] | str = (),
        allow_methods: Collection[str] | str = ("GET",),
        allow_headers: Collection[str] | str = (),
        allow_credentials: bool = False,
        allow_origin_regex: str | None = None,
        allow_private_network: bool = False,
        expose_headers: Collection[str] | str = (),
        max_age: int = 600,
    ) -> None:
        # Browsers send origins lower-cased: compare them that way.
        origins = [o.lower() for o in _as_list(allow_origins)]
        for origin in origins:
            if origin != "*" and (origin.endswith("/") or "://" not in origin) and origin != "null":
                raise ValueError(
                    f"CORS origin {origin!r} is not an origin: write it as 'scheme://host[:port]' "
                    "with no path or trailing slash, e.g. 'https://example.com'."
                )
        methods = {m.upper() for m in _as_list(allow_methods)}
        if "*" in methods:
            methods = (methods - {"*"}) | ALL_METHODS
        headers = [h.lower() for h in _as_list(allow_headers)]

        self.app = app
        self.allow_all_origins = "*" in origins
        self.allow_origins = frozenset(o.encode("latin-1") for o in origins if o != "*")
        self.allow_origin_regex = re.compile(allow_origin_regex) if allow_origin_regex else None
        self.allow_methods = frozenset(methods) | SAFELISTED_METHODS
        self.allow_all_headers = "*" in headers
        self.allow_headers = frozenset(headers) | SAFELISTED_HEADERS
        self.allow_credentials = allow_credentials
        self.allow_private_network = allow_private_network
        # With "*" and no credentials the answer never depends on the request: the
        # same headers go on every response and no `Vary: Origin` is needed.
        self._wildcard = self.allow_all_origins and not allow_credentials

        common: list[tuple[bytes, bytes]] = []
        if allow_credentials:
            common.append((b"access-control-allow-credentials", b"true"))
        exposed = _as_list(expose_headers)
        simple = list(common)
        if exposed:
            simple.append((b"access-control-expose-headers", ", ".join(exposed).encode("latin-1")))
        self._simple_wildcard = [(b"access-control-allow-origin", b"*"), *simple]
        self._simple = simple

        self._preflight = [
            *common,
            (b"access-control-max-age", str(int(max_age)).encode()),
        ]
        self._preflight_methods = ", ".join(sorted(methods)).encode("latin-1")
        self._preflight_headers = ", ".join(sorted(self.allow_headers)).encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        origin: bytes | None = None
        request_method: bytes | None = None
        for key, value in scope["headers"]:
            if key == b"origin":
                origin = value
            elif key == b"access-control-request-method":
                request_method = value

        if origin is not None and request_method is not None and scope["method"] == "OPTIONS":
            await self._preflight_response(scope, origin, request_method, send)
            return

        if self._wildcard:
            extra = self._simple_wildcard
        elif origin is not None and self._is_allowed(origin):
            extra = [(b"access-control-allow-origin", origin), *self._simple, _VARY_ORIGIN]
        else:
            extra = [_VARY_ORIGIN]

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = with_headers(message, extra)
            await send(message)

        await self.app(scope, receive, send_with_cors)

    def _is_allowed(self, origin: bytes) -> bool:
        if origin in self.allow_origins:
            return True
        if origin == b"null":
            # Opaque origins share the one name `null`: echoing it would let every
            # sandboxed page read (with credentials) what only listed sites may.
            return False
        if self.allow_all_origins:
            return True
        regex = self.allow_origin_regex
        if regex is None:
            return False
        text = origin.decode("latin-1")
        return _ORIGIN_RE.fullmatch(text) is not None and regex.fullmatch(text) is not None

    async def _preflight_response(
        self, scope: Scope, origin: bytes, request_method: bytes, send: Send
    ) -> None:
        requested_headers: bytes | None = None
        private_network: bytes | None = None
        for key, value in scope["headers"]:
            if key == b"access-control-request-headers":
                # Several header lines are one comma-separated list.
                requested_headers = (
                    value
                    if requested_headers is None
                    else b"%s,%s"
                    % (
                        requested_headers,
                        value,
                    )
                )
            elif key == b"access-control-request-private-network":
                private_network = value

        failures: list[str] = []
        if not (self._wildcard or self._is_allowed(origin)):
            failures.append("origin")
        method = request_method.decode("latin-1").strip()
        if method not in self.allow_methods:
            failures.append("method")
        names = [
            n.strip().lower()
            for n in (requested_headers or b"").decode("latin-1").split(",")
            if n.strip()
        ]
        if not self.allow_all_headers and any(n not in self.allow_headers for n in names):
            failures.append("headers")
        if private_network is not None and not self.allow_private_network:
            failures.append("private-network")

        if failures:
            body = ("Disallowed CORS " + ", ".join(failures)).encode()
            await send_text(send, 400, body, [_VARY_PREFLIGHT])
            return

        headers = [
            (b"access-control-allow-origin", b"*" if self._wildcard else origin),
            *self._preflight,
            (b"access-control-allow-methods", self._preflight_methods),
            _VARY_PREFLIGHT,
        ]
        if names:
            headers.append(
                (
                    b"access-control-allow-headers",
                    ", ".join(names).encode("latin-1")
                    if self.allow_all_headers
                    else self._preflight_headers,
                )
            )
        if private_network is not None:
            headers.append((b"access-control-allow-private-network", b"true"))
        await send_text(send, 200, b"OK", headers)


def _as_list(value: Collection[str] | str) -> list[str]:
    return [value] if isinstance(value, str) else list(value)
