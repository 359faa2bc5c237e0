"""Cross-site request forgery protection for apps that authenticate with cookies."""

from __future__ import annotations

import hmac
import html
import logging
import secrets
from collections.abc import Collection, Sequence
from typing import Any, Literal

from itsdangerous import BadSignature, Signer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._asgi import with_headers
from ._cookies import read_cookie
from ._errors import send_error
from ._forms import form_field
from ._routes import RouteMap

__all__ = ["CSRFMiddleware", "CSRFToken", "csrf_input", "csrf_token"]

logger = logging.getLogger("boca.middleware")

SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "TRACE"))
_FORMS = (b"application/x-www-form-urlencoded", b"multipart/form-data")


class CSRFToken:
    """The request's CSRF token, at `scope["csrf_token"]`; made on first use.

    Call it (or read `value`) to get the token to put in a form field or header;
    a new token is also sent as the cookie with the response.
    """

    __slots__ = ("_new", "_value", "field_name", "header_name", "middleware")

    def __init__(self, middleware: CSRFMiddleware, value: str | None) -> None:
        self.middleware = middleware
        self.field_name = middleware.field_name
        self.header_name = middleware.header_name
        self._value = value
        self._new = False

    @property
    def value(self) -> str:
        """The signed token."""
        if self._value is None:
            self._value = self.middleware.new_token()
            self._new = True
        return self._value

    def __call__(self) -> str:
        return self.value

    def input(self) -> str:
        """A hidden `<input>` carrying the token, for HTML forms."""
        return (
            f'<input type="hidden" name="{html.escape(self.field_name)}" '
            f'value="{html.escape(self.value)}">'
        )


def _token_of(request: Any) -> CSRFToken:
    scope = getattr(request, "scope", request)
    token = scope.get("csrf_token") if isinstance(scope, dict) else None
    if not isinstance(token, CSRFToken):
        raise RuntimeError(
            "No CSRF token on this request: add CSRFMiddleware (or app.use(CSRF(...))) "
            "in front of the app."
        )
    return token


def csrf_token(request: Any) -> str:
    """The CSRF token of a request (a Starlette/Boca request, or an ASGI scope)."""
    return _token_of(request).value


def csrf_input(request: Any) -> str:
    """A hidden form field with the request's CSRF token, as HTML."""
    return _token_of(request).input()


class CSRFMiddleware:
    """Refuses unsafe requests (POST, PUT, PATCH, DELETE...) that another site could forge.

    Checks, in order, answering 403 in Boca's error format at the first failure:

    1. where the request comes from: `Sec-Fetch-Site` must be `same-origin` or `none`
       (typed by the user), or else `Origin` must be one of `trusted_origins`; without
       `Sec-Fetch-Site`, an `Origin` must be this site's own or trusted;
    2. the signed double-submit token: the `csrftoken` cookie must carry our
       signature, and the same value must come back in the `X-CSRFToken` header or
       in the form field `csrf_token` (urlencoded or multipart forms).

    Safe methods are never refused; they get the token at `scope["csrf_token"]`
    (see `csrf_token(request)`), and the cookie is set when a token was made.

    Args:
        app: The ASGI app to wrap.
        secret_key: Signs the tokens, or a list of secrets newest first.
        cookie_name: The token's cookie (readable by scripts, so they can send it back
            in the header: it is not a secret from the page, only from other sites).
        header_name: The request header that carries the token.
        field_name: The form field that carries the token.
        exempt: Route patterns never checked (`"/webhooks/{name}"`, `"POST /api/{p:path}"`):
            endpoints that do not use cookies, such as webhooks with their own signature.
        trusted_origins: Other origins allowed to send unsafe requests
            (`"https://admin.example.com"`).
        cookie_path: The cookie's Path. cookie_domain: its Domain.
        cookie_secure: Mark the cookie `Secure`. cookie_samesite: its SameSite.
        max_body_size: The largest form body searched for the field; bigger forms must
            send the header.
    """

    def __init__(
        self,
        app: ASGIApp,
        secret_key: str | Sequence[str] | None = None,
        *,
        cookie_name: str = "csrftoken",
        header_name: str = "x-csrftoken",
        field_name: str = "csrf_token",
        exempt: Collection[str] = (),
        trusted_origins: Collection[str] = (),
        cookie_path: str = "/",
        cookie_domain: str | None = None,
        cookie_secure: bool = False,
        cookie_samesite: Literal["lax", "strict", "none"] = "lax",
        max_body_size: int = 1024 * 1024,
    ) -> None:
        keys = [secret_key] if isinstance(secret_key, str) else list(secret_key or ())
        if not keys or not all(isinstance(k, str) and k for k in keys):
            raise ValueError(
                "CSRFMiddleware needs a secret_key: a long random string (or a list of them, "
                "newest first), read from the environment."
            )
        if cookie_samesite not in ("lax", "strict", "none"):
            raise ValueError(
                f"cookie_samesite must be 'lax', 'strict' or 'none', not {cookie_samesite!r}."
            )
        for origin in trusted_origins:
            if "://" not in origin or origin.endswith("/"):
                raise ValueError(
                    f"CSRFMiddleware(trusted_origins=...): {origin!r} is not an origin; write "
                    "scheme://host[:port], e.g. 'https://admin.example.com'."
                )
        self.app = app
        self.signer = Signer(keys[::-1], salt="boca.middleware.csrf")
        self.cookie_name = cookie_name
        self.header_name = header_name.lower()
        self.field_name = field_name
        self.max_body_size = max_body_size
        self.exempt = RouteMap(((p, True) for p in exempt), "CSRFMiddleware(exempt=...)")
        self.trusted_origins = frozenset(o.lower() for o in trusted_origins)
        self._cookie_key = cookie_name.encode("latin-1")
        self._header_key = self.header_name.encode("latin-1")
        attributes = f"; path={cookie_path}; samesite={cookie_samesite}"
        if cookie_domain is not None:
            attributes += f"; domain={cookie_domain}"
        if cookie_secure:
            attributes += "; secure"
        self._attributes = attributes.encode("latin-1")

    def new_token(self) -> str:
        """A fresh signed token."""
        return self.signer.sign(secrets.token_urlsafe(32)).decode("ascii")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = read_cookie(scope["headers"], self._cookie_key)
        cookie = raw.decode("latin-1") if raw is not None else None
        valid = cookie if cookie is not None and self._valid(cookie) else None
        token = CSRFToken(self, valid)
        scope["csrf_token"] = token
        method = scope["method"]
        if method not in SAFE_METHODS and not self.exempt.find(method, scope["path"]):
            problem = self._origin_problem(scope)
            if problem is None:
                presented, receive = await self._presented(scope, receive)
                if valid is None:
                    problem = "CSRF cookie missing or invalid: load the form again."
                elif presented is None:
                    problem = (
                        f"CSRF token missing: send it in {self.header_name} or {self.field_name}."
                    )
                elif not hmac.compare_digest(presented.encode(), valid.encode()):
                    problem = "CSRF token invalid: load the form again."
            if problem is not None:
                await send_error(scope, send, 403, problem)
                return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and token._new:
                cookie = self._cookie_key + b"=" + token.value.encode() + self._attributes
                message = with_headers(message, [(b"set-cookie", cookie)])
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _valid(self, value: str) -> bool:
        try:
            self.signer.unsign(value)
        except BadSignature:
            return False
        return True

    def _origin_problem(self, scope: Scope) -> str | None:
        """Why the request's origin is refused, or None."""
        site = origin = host = None
        for key, value in scope["headers"]:
            if key == b"sec-fetch-site":
                site = value.decode("latin-1").lower()
            elif key == b"origin":
                origin = value.decode("latin-1").lower()
            elif key == b"host":
                host = value.decode("latin-1").lower()
        if origin is not None and origin in self.trusted_origins:
            return None
        if site is not None:
            if site in ("same-origin", "none"):
                return None
            return f"Cross-site request refused (Sec-Fetch-Site: {site})."
        if origin is None:
            return None
        own = f"{scope.get('scheme', 'http')}://{host}"
        if origin != own:
            return "Cross-origin request refused (Origin is not this site)."
        return None

    async def _presented(self, scope: Scope, receive: Receive) -> tuple[str | None, Receive]:
        """The token sent in the header or the form body, and a `receive` that replays it."""
        content_type = b""
        for key, value in scope["headers"]:
            if key == self._header_key:
                return value.decode("latin-1"), receive
            if key == b"content-type":
                content_type = value
        if not content_type.lower().startswith(_FORMS):
            return None, receive
        messages: list[Message] = []
        body = bytearray()
        more = True
        while more:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body_size:
                break

        async def replay() -> Message:
            if messages:
                return messages.pop(0)
            return await receive()

        if more or len(body) > self.max_body_size:
            return None, replay
        return form_field(content_type, bytes(body), self.field_name), replay
