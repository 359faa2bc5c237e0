"""Signed cookie sessions."""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Iterator, Sequence
from typing import Any, Literal

from itsdangerous import BadSignature, TimestampSigner
from itsdangerous.encoding import base64_decode, bytes_to_int, want_bytes
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._asgi import with_headers

#: Browsers drop cookies whose `name=value` is longer than this.
MAX_COOKIE_SIZE = 4093
_VARY_COOKIE = (b"vary", b"Cookie")
# Cookies whose signature was already checked, with their timestamp and decoded payload:
# an active user sends the same cookie again and again, and HMAC is the costly part.
_VERIFIED_LIMIT = 1024


class SessionTooLarge(ValueError):
    """The session does not fit in a cookie; store less, or keep the data server-side."""


class Session(dict[str, Any]):
    """The session dict: remembers whether it was read (for `Vary: Cookie`) and changed."""

    accessed: bool = False
    modified: bool = False

    def __getitem__(self, key: str) -> Any:
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.accessed = True
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.accessed = True
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        self.accessed = True
        return super().__iter__()

    def __len__(self) -> int:
        self.accessed = True
        return super().__len__()

    def keys(self) -> Any:
        self.accessed = True
        return super().keys()

    def values(self) -> Any:
        self.accessed = True
        return super().values()

    def items(self) -> Any:
        self.accessed = True
        return super().items()

    def _changed(self) -> None:
        self.accessed = self.modified = True

    def __setitem__(self, key: str, value: Any) -> None:
        self._changed()
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self._changed()
        super().__delitem__(key)

    def clear(self) -> None:
        self._changed()
        super().clear()

    def pop(self, key: str, *default: Any) -> Any:
        self._changed()
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, Any]:
        self._changed()
        return super().popitem()

    def setdefault(self, key: str, default: Any = None) -> Any:
        self._changed()
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._changed()
        super().update(*args, **kwargs)

    def __ior__(self, other: Any) -> Session:  # type: ignore[override,misc]
        self._changed()
        return super().__ior__(other)


class _Signer(TimestampSigner):
    """A TimestampSigner that derives each key once instead of on every call."""

    _derived: dict[bytes, bytes]

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        cache = self.__dict__.setdefault("_derived", {})
        derived: bytes | None = cache.get(key)
        if derived is None:
            derived = cache[key] = super().derive_key(key)
        return derived


class SessionMiddleware:
    """Keeps a JSON-serialisable dict in a signed cookie, at `scope["session"]`.

    Starlette's `request.session` and Boca's `req.session` read it from there. A
    tampered, expired or unreadable cookie gives an empty session, never an error.
    The cookie is written only when the session changed, deleted when a session is
    cleared, and responses that read the session get `Vary: Cookie`.

    Args:
        app: The ASGI app to wrap.
        secret_key: The signing secret, or a list of secrets newest first: the first
            signs, all verify (rotate by putting a new secret in front).
        session_cookie: The cookie's name.
        max_age: Seconds a session lives (also the cookie's Max-Age); `None` makes a
            browser-session cookie whose signature never expires.
        path: The cookie's Path.
        domain: The cookie's Domain, or `None` for the request's host only.
        same_site: `"lax"`, `"strict"` or `"none"` (which needs `https_only`).
        https_only: Mark the cookie `Secure`.
    """

    def __init__(
        self,
        app: ASGIApp,
        secret_key: str | Sequence[str] | None = None,
        session_cookie: str = "session",
        max_age: int | None = 14 * 24 * 60 * 60,
        path: str = "/",
        domain: str | None = None,
        same_site: Literal["lax", "strict", "none"] = "lax",
        https_only: bool = False,
    ) -> None:
        secrets = [secret_key] if isinstance(secret_key, str) else list(secret_key or ())
        if not secrets or not all(isinstance(s, str) and s for s in secrets):
            raise ValueError(
                "SessionMiddleware needs a secret_key: a long random string (or a list of "
                'them, newest first), e.g. from `python -c "import secrets; '
                'print(secrets.token_urlsafe(32))"`, read from the environment.'
            )
        same_site = same_site.lower()  # type: ignore[assignment]
        if same_site not in ("lax", "strict", "none"):
            raise ValueError(f"same_site must be 'lax', 'strict' or 'none', not {same_site!r}.")
        if same_site == "none" and not https_only:
            raise ValueError("same_site='none' needs https_only=True: browsers require Secure.")

        self.app = app
        # itsdangerous signs with the last key; ours are given newest first.
        self.signer = _Signer(secrets[::-1], salt="boca.middleware.session")
        self.cookie_name = session_cookie
        self.max_age = max_age
        self._cookie_key = session_cookie.encode("latin-1")
        self._verified: dict[bytes, tuple[int, bytes]] = {}
        attributes = f"; Path={path}"
        if max_age is not None:
            attributes += f"; Max-Age={int(max_age)}"
        if domain is not None:
            attributes += f"; Domain={domain}"
        flags = "; HttpOnly; SameSite=" + same_site
        if https_only:
            flags += "; Secure"
        self._attributes = (attributes + flags).encode("latin-1")
        self._delete = (
            f"{session_cookie}=; Path={path}; Max-Age=0; "
            "Expires=Thu, 01 Jan 1970 00:00:00 GMT"
            + (f"; Domain={domain}" if domain is not None else "")
            + flags
        ).encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return

        payload = self._read_cookie(scope["headers"])
        session = Session(self._load(payload)) if payload is not None else Session()
        had_data = bool(dict.__len__(session))
        scope["session"] = session

        async def send_with_session(message: Message) -> None:
            if message["type"] == "http.response.start":
                current = scope.get("session", session)
                if not isinstance(current, Session):
                    # The app replaced the session with a plain dict: treat it as changed.
                    current = Session(current)
                    current.accessed = current.modified = True
                extra = self._headers(current, had_data, payload)
                if extra:
                    message = with_headers(message, extra)
            await send(message)

        await self.app(scope, receive, send_with_session)

    def _read_cookie(self, headers: Any) -> bytes | None:
        """The raw value of our cookie, scanning Cookie headers without parsing all of them."""
        name = self._cookie_key
        for key, value in headers:
            if key != b"cookie" or name not in value:
                continue
            for pair in value.split(b";"):
                cname, sep, cvalue = pair.partition(b"=")
                if sep and cname.strip() == name:
                    found: bytes = cvalue.strip()
                    return found
        return None

    def _load(self, signed: bytes) -> dict[str, Any]:
        verified = self._verified.get(signed)
        if verified is None:
            try:
                value = self.signer.unsign(signed)
                timestamp = bytes_to_int(base64_decode(signed.rsplit(b".", 2)[1]))
                raw = base64.urlsafe_b64decode(value + b"=" * (-len(value) % 4))
            except (BadSignature, binascii.Error, ValueError):
                return {}
            if len(self._verified) >= _VERIFIED_LIMIT:
                self._verified.clear()
            verified = self._verified[signed] = (timestamp, raw)
        timestamp, raw = verified
        if self.max_age is not None:
            age = int(time.time()) - timestamp
            if age > self.max_age or age < 0:
                return {}
        try:
            loaded = json.loads(raw)
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def _headers(
        self, session: Session, had_data: bool, payload: bytes | None
    ) -> list[tuple[bytes, bytes]]:
        if not session.accessed:
            return []
        headers = [_VARY_COOKIE]
        if not session.modified:
            return headers
        if not dict.__len__(session):
            if had_data:
                headers.append((b"set-cookie", self._delete))
            return headers
        data = base64.urlsafe_b64encode(json.dumps(session, separators=(",", ":")).encode()).rstrip(
            b"="
        )
        if payload is not None and had_data and payload.split(b".", 1)[0] == data:
            # Same contents as the cookie the browser already has: nothing to write.
            return headers
        cookie = self._cookie_key + b"=" + self.signer.sign(data)
        if len(cookie) > MAX_COOKIE_SIZE:
            raise SessionTooLarge(
                f"The session cookie would be {len(cookie)} bytes, over the {MAX_COOKIE_SIZE} "
                "bytes browsers keep: the session would be lost. Store less in the session "
                "(keep large data server-side and put its id in the session)."
            )
        headers.append((b"set-cookie", cookie + self._attributes))
        return headers
