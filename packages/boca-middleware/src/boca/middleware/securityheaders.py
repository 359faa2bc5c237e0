"""Security response headers with current best-practice defaults, and a CSP with nonces."""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Powerful features no page of the site may use unless allowed (`feature=()` is
#: "nobody", not even the site itself). Override per feature with `permissions_policy`.
DEFAULT_PERMISSIONS_POLICY: Mapping[str, Collection[str]] = {
    "accelerometer": (),
    "camera": (),
    "geolocation": (),
    "gyroscope": (),
    "magnetometer": (),
    "microphone": (),
    "payment": (),
    "usb": (),
}

#: The scope keys where the request's CSP nonce is found: `scope["csp_nonce"]` and
#: `scope["state"]["csp_nonce"]` (`request.state.csp_nonce` in Starlette and Boca).
NONCE_KEY = "csp_nonce"

_NONCE_MARK = "\x00nonce\x00"


class SecurityHeadersMiddleware:
    """Adds security headers to every HTTP response; a header the app set itself is kept.

    Every default can be changed, and `None` leaves that header out. The reason for
    each default is given in the documentation ("Security headers").

    Args:
        app: The ASGI app to wrap.
        content_type_options: `X-Content-Type-Options` (`nosniff`: browsers must not
            guess a script or style out of a response served as something else).
        referrer_policy: `Referrer-Policy` (`strict-origin-when-cross-origin`: other
            sites see the origin only, never paths or query strings, and nothing
            after a downgrade to HTTP).
        frame_options: `X-Frame-Options` (`DENY`), for browsers that predate CSP's
            `frame-ancestors`.
        frame_ancestors: CSP `frame-ancestors` (`'none'`: no site, this one included,
            may frame the pages: clickjacking). Sent as its own CSP header when
            `content_security_policy` is not given, else added to it.
        cross_origin_opener_policy: `Cross-Origin-Opener-Policy` (`same-origin`: a
            page opened from another site gets no handle on this one's window).
        cross_origin_resource_policy: `Cross-Origin-Resource-Policy` (`same-origin`:
            other sites cannot embed the responses with `<img>`, `<script>`...; CORS
            requests are not affected). Use `cross-origin` for a public CDN or API.
        cross_origin_embedder_policy: `Cross-Origin-Embedder-Policy`, off by default
            (`require-corp` breaks any third-party embed that does not opt in).
        permissions_policy: `Permissions-Policy`, a header string or a mapping of
            feature to allowed origins (`()` for none, `("self",)`, `("*",)`); by
            default `DEFAULT_PERMISSIONS_POLICY`.
        content_security_policy: A CSP as a string or as a mapping of directive to
            sources, e.g. `{"default-src": ["'self'"], "script-src": ["'self'"]}`.
        csp_nonce: Make a fresh nonce per request, add `'nonce-...'` to the
            `script-src` and `style-src` directives of the policy, and expose it at
            `scope["csp_nonce"]` and `request.state.csp_nonce` for templates
            (`<script nonce="{{ csp_nonce(request) }}">`).
        csp_report_only: Send the policy as `Content-Security-Policy-Report-Only`, to
            try it out without breaking pages.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        content_type_options: str | None = "nosniff",
        referrer_policy: str | None = "strict-origin-when-cross-origin",
        frame_options: str | None = "DENY",
        frame_ancestors: str | None = "'none'",
        cross_origin_opener_policy: str | None = "same-origin",
        cross_origin_resource_policy: str | None = "same-origin",
        cross_origin_embedder_policy: str | None = None,
        permissions_policy: str | Mapping[str, Collection[str]] | None = (
            DEFAULT_PERMISSIONS_POLICY
        ),
        content_security_policy: str | Mapping[str, str | Iterable[str]] | None = None,
        csp_nonce: bool = False,
        csp_report_only: bool = False,
    ) -> None:
        self.app = app
        fixed: dict[str, str | None] = {
            "x-content-type-options": content_type_options,
            "referrer-policy": referrer_policy,
            "x-frame-options": frame_options,
            "cross-origin-opener-policy": cross_origin_opener_policy,
            "cross-origin-resource-policy": cross_origin_resource_policy,
            "cross-origin-embedder-policy": cross_origin_embedder_policy,
            "permissions-policy": (
                _permissions(permissions_policy)
                if isinstance(permissions_policy, Mapping)
                else permissions_policy
            ),
        }
        policy = _directives(content_security_policy)
        if frame_ancestors is not None and "frame-ancestors" not in policy:
            policy["frame-ancestors"] = [frame_ancestors]
        if csp_nonce:
            targets = [name for name in ("script-src", "style-src") if name in policy]
            if not targets:
                raise ValueError(
                    "csp_nonce=True needs a content_security_policy with a 'script-src' or "
                    "'style-src' directive for the nonce, e.g. "
                    '{"script-src": ["\'self\'"]}.'
                )
            for name in targets:
                policy[name] = [*policy[name], f"'nonce-{_NONCE_MARK}'"]
        csp_name = (
            "content-security-policy-report-only" if csp_report_only else "content-security-policy"
        )
        csp = "; ".join(" ".join([name, *sources]) for name, sources in policy.items())
        self.nonce = csp_nonce
        self._csp_name = csp_name.encode("latin-1")
        self._csp_parts = tuple(part.encode("latin-1") for part in csp.split(_NONCE_MARK))
        for header, value in [*fixed.items(), (csp_name, csp)]:
            if value is not None and ("\r" in value or "\n" in value):
                raise ValueError(f"The {header} header value must not contain CR or LF.")
        self._fixed = [
            (name.encode("latin-1"), value.encode("latin-1"))
            for name, value in fixed.items()
            if value is not None
        ]
        self._names = frozenset(name for name, _ in self._fixed) | (
            {self._csp_name} if csp else frozenset()
        )
        self._has_csp = bool(csp)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._fixed
        if self._has_csp:
            if self.nonce:
                nonce = secrets.token_urlsafe(16)
                scope[NONCE_KEY] = nonce
                # A fresh dict: the state of one request must not collect another's nonce.
                scope["state"] = {**scope.get("state", {}), NONCE_KEY: nonce}
                value = nonce.encode("ascii").join(self._csp_parts)
            else:
                value = self._csp_parts[0]
            extra = [*extra, (self._csp_name, value)]
        names = self._names

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", ())
                present = {key for key, _ in headers if key in names}
                new = dict(message)
                new["headers"] = [*headers, *(h for h in extra if h[0] not in present)]
                message = new
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csp_nonce(request: Any) -> str:
    """The CSP nonce of a request (a Starlette/Boca request, or an ASGI scope).

    Raises LookupError, naming the fix, outside a `SecurityHeadersMiddleware(csp_nonce=True)`.
    """
    scope = request if isinstance(request, dict) else getattr(request, "scope", {})
    nonce = scope.get(NONCE_KEY)
    if not isinstance(nonce, str):
        raise LookupError(
            "No CSP nonce for this request: add SecurityHeadersMiddleware with csp_nonce=True "
            "(and a script-src or style-src directive) around the app."
        )
    return nonce


def _permissions(policy: Mapping[str, Collection[str]]) -> str:
    items = []
    for feature, origins in policy.items():
        if isinstance(origins, str):
            origins = [origins]
        quoted = [o if o in ("self", "*") else f'"{o}"' for o in origins]
        items.append(f"{feature}=" + ("*" if quoted == ["*"] else f"({' '.join(quoted)})"))
    return ", ".join(items)


def _directives(
    policy: str | Mapping[str, str | Iterable[str]] | None,
) -> dict[str, list[str]]:
    if policy is None:
        return {}
    if isinstance(policy, str):
        parsed: dict[str, list[str]] = {}
        for item in policy.split(";"):
            words = item.split()
            if words:
                parsed[words[0].lower()] = words[1:]
        return parsed
    return {
        name.lower(): [sources] if isinstance(sources, str) else list(sources)
        for name, sources in policy.items()
    }
