"""Sessions: in a signed cookie, or in a store with only a signed id in the cookie."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import secrets
import time
from typing import Any, Literal

from itsdangerous import BadSignature, TimestampSigner
from itsdangerous.encoding import base64_decode, bytes_to_int, want_bytes
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._asgi import with_headers
from ._cookies import read_cookie
from ._errors import send_error
from ._lifespan import run_lifespan
from .session import Session, SessionTooLarge
from .stores import Store, StoreError

__all__ = ["MAX_COOKIE_SIZE", "Session", "SessionMiddleware", "SessionTooLarge"]

logger = logging.getLogger("boca.middleware")

#: Browsers drop cookies whose `name=value` is longer than this.
MAX_COOKIE_SIZE = 4093
_VARY_COOKIE = (b"vary", b"Cookie")
# Cookies whose signature was already checked, with their timestamp and signed value:
# an active user sends the same cookie again and again, and HMAC is the costly part.
_VERIFIED_LIMIT = 1024
_UNAVAILABLE = "The session store is unavailable; try again shortly."


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


def _dump(session: dict[str, Any]) -> bytes:
    return json.dumps(session, separators=(",", ":")).encode()


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        loaded = json.loads(raw)
    except ValueError:
        return None
    return loaded if isinstance(loaded, dict) else None


class SessionMiddleware:
    """A JSON-serialisable dict at `scope["session"]`, kept in a signed cookie or a store.

    Starlette's `request.session` and Boca's `req.session` read it from there. A
    tampered, expired or unknown cookie gives an empty session, never an error. The
    cookie is written only when the session changed, deleted when a session is
    cleared, and responses that read the session get `Vary: Cookie`.

    With `store=`, the cookie holds only a signed random id and the data lives in the
    store: `clear()` revokes the session everywhere at once and `regenerate()` rotates
    the id. Without it (the default), the data is the cookie.

    Args:
        app: The ASGI app to wrap.
        secret_key: The signing secret, or a list of secrets newest first: the first
            signs, all verify (rotate by putting a new secret in front).
        session_cookie: The cookie's name.
        max_age: Seconds a session lives (also the cookie's Max-Age, and the TTL in the
            store); `None` makes a browser-session cookie whose signature never expires.
        path: The cookie's Path.
        same_site: `"lax"`, `"strict"` or `"none"` (which needs `https_only`).
        https_only: Mark the cookie `Secure`.
        domain: The cookie's Domain, or `None` for the request's host only.
        partitioned: Mark the cookie `Partitioned` (CHIPS: one cookie jar per top-level
            site, for embedded apps); browsers need it `Secure`, so it is.
        store: Keep the data in this `Store` (`MemoryStore()`, `RedisStore(url)`).
        sliding: Count `max_age` from the last request rather than the last change.
        max_size: With a store, the largest session in bytes of JSON; a response that
            would store more is answered 413 and the session is left as it was.
    """

    def __init__(
        self,
        app: ASGIApp,
        secret_key: Any = None,
        session_cookie: str = "session",
        max_age: int | None = 14 * 24 * 60 * 60,
        path: str = "/",
        same_site: Literal["lax", "strict", "none"] = "lax",
        https_only: bool = False,
        domain: str | None = None,
        partitioned: bool = False,
        *,
        store: Store | None = None,
        sliding: bool = False,
        max_size: int = 64 * 1024,
    ) -> None:
        if secret_key is not None and not isinstance(secret_key, (str, list, tuple)):
            secret_key = str(secret_key)  # starlette.datastructures.Secret
        secrets_ = [secret_key] if isinstance(secret_key, str) else list(secret_key or ())
        if not secrets_ or not all(isinstance(s, str) and s for s in secrets_):
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
        if store is not None and not isinstance(store, Store):
            raise TypeError(
                f"SessionMiddleware(store={store!r}): a store needs async get, set, delete "
                "and incr methods (boca.middleware.Store), e.g. MemoryStore() or RedisStore(url)."
            )
        if sliding and max_age is None:
            raise ValueError("sliding=True needs a max_age: the time that slides.")

        self.app = app
        # itsdangerous signs with the last key; ours are given newest first.
        self.signer = _Signer(secrets_[::-1], salt="boca.middleware.session")
        self.cookie_name = session_cookie
        self.max_age = max_age
        self.store = store
        self.sliding = sliding
        self.max_size = max_size
        # With sliding expiry the cookie and the stored data are renewed when 1% of
        # max_age has passed since they were last written, not on every request.
        self._renew_after = (max_age or 0) / 100
        self._cookie_key = session_cookie.encode("latin-1")
        self._verified: dict[bytes, tuple[int, bytes]] = {}
        attributes = f"; path={path}"
        if max_age is not None:
            attributes += f"; Max-Age={int(max_age)}"
        if domain is not None:
            attributes += f"; domain={domain}"
        flags = "; httponly; samesite=" + same_site
        if https_only or partitioned:
            flags += "; secure"
        if partitioned:
            flags += "; partitioned"
        self._attributes = (attributes + flags).encode("latin-1")
        self._delete = (
            f"{session_cookie}=; path={path}; Max-Age=0; "
            "Expires=Thu, 01 Jan 1970 00:00:00 GMT"
            + (f"; domain={domain}" if domain is not None else "")
            + flags
        ).encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http" or kind == "websocket":
            if self.store is None:
                await self._cookie_session(scope, receive, send)
            else:
                await self._stored_session(scope, receive, send)
        elif kind == "lifespan" and self.store is not None:
            await run_lifespan(self.app, self.store, scope, receive, send)
        else:
            await self.app(scope, receive, send)

    # -- cookie-only sessions ----------------------------------------------------------

    async def _cookie_session(self, scope: Scope, receive: Receive, send: Send) -> None:
        signed = read_cookie(scope["headers"], self._cookie_key)
        verified = self._verify(signed) if signed is not None else None
        data = _parse(_b64decode(verified[1])) if verified is not None else None
        session = Session(data) if data is not None else Session()
        had_data = bool(dict.__len__(session))
        scope["session"] = session

        async def send_with_session(message: Message) -> None:
            if message["type"] == "http.response.start":
                current = _current(scope, session)
                age = time.time() - verified[0] if verified is not None else 0.0
                extra = self._cookie_headers(current, had_data, signed, age)
                if extra:
                    message = with_headers(message, extra)
            await send(message)

        await self.app(scope, receive, send_with_session)

    def _cookie_headers(
        self, session: Session, had_data: bool, signed: bytes | None, age: float
    ) -> list[tuple[bytes, bytes]]:
        renew = self.sliding and had_data and age >= self._renew_after
        if not session.accessed and not renew:
            return []
        headers = [_VARY_COOKIE]
        if not session.modified and not renew:
            return headers
        if not dict.__len__(session):
            if had_data:
                headers.append((b"set-cookie", self._delete))
            return headers
        data = base64.urlsafe_b64encode(_dump(session)).rstrip(b"=")
        unchanged = signed is not None and had_data and signed.split(b".", 1)[0] == data
        if unchanged and not renew and not session.regenerated:
            # Same contents as the cookie the browser already has: nothing to write.
            return headers
        cookie = self._cookie_key + b"=" + self.signer.sign(data)
        if len(cookie) > MAX_COOKIE_SIZE:
            raise SessionTooLarge(
                f"The session cookie would be {len(cookie)} bytes, over the {MAX_COOKIE_SIZE} "
                "bytes browsers keep: the session would be lost. Store less in the session, "
                "or keep it server-side with SessionMiddleware(store=...)."
            )
        headers.append((b"set-cookie", cookie + self._attributes))
        return headers

    # -- sessions in a store -----------------------------------------------------------

    async def _stored_session(self, scope: Scope, receive: Receive, send: Send) -> None:
        store = self.store
        assert store is not None
        signed = read_cookie(scope["headers"], self._cookie_key)
        verified = self._verify(signed) if signed is not None else None
        sid = verified[1].decode("latin-1") if verified is not None else None
        raw: bytes | None = None
        if sid is not None:
            try:
                raw = await store.get("session:" + sid)
            except StoreError as exc:
                logger.error("session not loaded: %s", exc)
                await send_error(scope, send, 503, _UNAVAILABLE)
                return
        data = _parse(raw) if raw is not None else None
        if data is None:
            sid = raw = None  # expired, revoked or unreadable: a fresh id when written
        session = Session(data or {})
        scope["session"] = session
        age = time.time() - verified[0] if verified is not None else 0.0
        had_cookie = signed is not None
        refused = False

        async def send_with_session(message: Message) -> None:
            nonlocal refused
            if refused:
                return  # the app's response was replaced by an error
            if message["type"] == "http.response.start":
                current = _current(scope, session)
                try:
                    extra = await self._store_headers(current, sid, raw, had_cookie, age)
                except SessionTooLarge as exc:
                    logger.warning("%s", exc)
                    refused = True
                    await send_error(scope, send, 413, str(exc))
                    return
                except StoreError as exc:
                    logger.error("session not saved: %s", exc)
                    refused = True
                    await send_error(scope, send, 503, _UNAVAILABLE)
                    return
                if extra:
                    message = with_headers(message, extra)
            await send(message)

        await self.app(scope, receive, send_with_session)

    async def _store_headers(
        self,
        session: Session,
        sid: str | None,
        raw: bytes | None,
        had_cookie: bool,
        age: float,
    ) -> list[tuple[bytes, bytes]]:
        store = self.store
        assert store is not None
        renew = self.sliding and sid is not None and age >= self._renew_after
        if not session.accessed and not renew:
            return []
        headers = [_VARY_COOKIE]
        if not session.modified and not renew:
            return headers
        if not dict.__len__(session):
            if sid is not None:
                await store.delete("session:" + sid)  # revoked for every copy of the cookie
            if had_cookie:
                headers.append((b"set-cookie", self._delete))
            return headers
        data = _dump(session)
        if len(data) > self.max_size:
            raise SessionTooLarge(
                f"The session data would be {len(data)} bytes, over the {self.max_size} bytes "
                "this app keeps per session (SessionMiddleware(max_size=...))."
            )
        new_sid = sid
        if sid is None or session.regenerated:
            new_sid = secrets.token_urlsafe(32)
            if sid is not None:
                await store.delete("session:" + sid)
        elif data == raw and not renew:
            return headers
        assert new_sid is not None
        await store.set("session:" + new_sid, data, self.max_age)
        if new_sid != sid or renew:
            cookie = self._cookie_key + b"=" + self.signer.sign(new_sid)
            headers.append((b"set-cookie", cookie + self._attributes))
        return headers

    # -- the cookie ------------------------------------------------------------------

    def _verify(self, signed: bytes) -> tuple[int, bytes] | None:
        """The timestamp and value of a cookie with a valid, unexpired signature."""
        verified = self._verified.get(signed)
        if verified is None:
            try:
                value = self.signer.unsign(signed)
                timestamp = bytes_to_int(base64_decode(signed.rsplit(b".", 2)[1]))
            except (BadSignature, binascii.Error, ValueError):
                return None
            if len(self._verified) >= _VERIFIED_LIMIT:
                self._verified.clear()
            verified = self._verified[signed] = (timestamp, value)
        if self.max_age is not None:
            age = int(time.time()) - verified[0]
            if age > self.max_age or age < 0:
                return None
        return verified


def _b64decode(value: bytes) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + b"=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return b""


def _current(scope: Scope, session: Session) -> Session:
    current = scope.get("session", session)
    if not isinstance(current, Session):
        # The app replaced the session with a plain dict: treat it as changed.
        current = Session(current)
        current.accessed = current.modified = True
    return current
