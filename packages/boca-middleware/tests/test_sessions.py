from __future__ import annotations

import base64
import json
import time

import pytest
from itsdangerous import TimestampSigner

from boca.middleware import Session, SessionMiddleware, SessionTooLarge

SECRET = "s3cret-for-tests"


def session_app(action):
    """An app that runs `action(session)` then answers 200 with the session as JSON."""

    async def app(scope, receive, send):
        action(scope["session"])
        body = json.dumps(dict.copy(scope["session"])).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def write(**values):
    return lambda session: session.update(values)


def read(key="user"):
    return lambda session: session.get(key)


def cookie_of(result) -> str:
    (set_cookie,) = result.header_list("set-cookie")
    return set_cookie.split(";", 1)[0]


async def login(call, scope, **options) -> str:
    mw = SessionMiddleware(session_app(write(user="alice")), secret_key=SECRET, **options)
    return cookie_of(await call(mw, scope()))


async def test_write_then_read(call, scope) -> None:
    cookie = await login(call, scope)
    mw = SessionMiddleware(session_app(read()), secret_key=SECRET)
    result = await call(mw, scope(headers=[("cookie", f"other=1; {cookie}; x=y")]))
    assert json.loads(result.body) == {"user": "alice"}
    assert result.header("set-cookie") is None
    assert result.header("vary") == "Cookie"


async def test_hostile_M13(call, scope) -> None:
    mw = SessionMiddleware(session_app(write(user="alice")), secret_key=SECRET)
    result = await call(mw, scope())
    (set_cookie,) = result.header_list("set-cookie")
    name_value, *attributes = set_cookie.split("; ")
    assert name_value.startswith("session=")
    # Starlette's spelling (cookie attribute names are case-insensitive): a drop-in.
    assert attributes == ["path=/", "Max-Age=1209600", "httponly", "samesite=lax"]
    assert result.header("vary") == "Cookie"
    secure = SessionMiddleware(session_app(write(a=1)), secret_key=SECRET, https_only=True)
    assert (
        (await call(secure, scope()))
        .header("set-cookie")
        .endswith("; httponly; samesite=lax; secure")
    )
    # Reading alone is enough for Vary: Cookie.
    reader = SessionMiddleware(session_app(lambda s: "user" in s), secret_key=SECRET)
    result = await call(reader, scope())
    assert result.header("vary") == "Cookie"
    assert result.header("set-cookie") is None


async def test_untouched_session_adds_nothing(call, scope) -> None:
    mw = SessionMiddleware(session_app(lambda s: None), secret_key=SECRET)
    result = await call(mw, scope())
    assert result.header("vary") is None
    assert result.header("set-cookie") is None


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _flip(value: str, index: int) -> str:
    """Flip the high bit of one base64 character (the low bits of the last one are padding)."""
    flipped = _B64[_B64.index(value[index]) ^ 32]
    return value[:index] + flipped + value[index + 1 :]


async def test_hostile_M11(call, scope) -> None:
    cookie = await login(call, scope)
    name, value = cookie.split("=", 1)
    payload, timestamp, _signature = value.split(".")
    tampered = [
        _flip(value, 0),  # payload
        _flip(value, len(value) - 1),  # signature
        _flip(value, len(payload) + 2),  # timestamp
        f"{payload}.{timestamp}",  # signature cut off
        value[: len(value) // 2],  # truncated
        "%%%not-base64!!!",
        "",
        "a.b.c",
        # A valid signature over something that is not base64 JSON.
        TimestampSigner([SECRET], salt="boca.middleware.session").sign(b"!!").decode(),
        # ... or base64 of an impossible length.
        TimestampSigner([SECRET], salt="boca.middleware.session").sign(b"abcde").decode(),
        TimestampSigner([SECRET], salt="boca.middleware.session")
        .sign(base64.urlsafe_b64encode(b"[1, 2]"))
        .decode(),
    ]
    mw = SessionMiddleware(session_app(read()), secret_key=SECRET)
    for bad in tampered:
        result = await call(mw, scope(headers=[("cookie", f"{name}={bad}")]))
        assert result.status == 200
        assert json.loads(result.body) == {}
        assert result.header("set-cookie") is None


async def test_hostile_M12(call, scope, monkeypatch) -> None:
    cookie = await login(call, scope, max_age=60)
    mw = SessionMiddleware(session_app(read()), secret_key=SECRET, max_age=60)
    fresh = await call(mw, scope(headers=[("cookie", cookie)]))
    assert json.loads(fresh.body) == {"user": "alice"}
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    result = await call(mw, scope(headers=[("cookie", cookie)]))
    assert json.loads(result.body) == {}
    assert result.header("set-cookie") is None


async def test_key_rotation(call, scope) -> None:
    old_cookie = await login(call, scope)
    rotated = SessionMiddleware(session_app(read()), secret_key=["new-secret", SECRET])
    assert json.loads((await call(rotated, scope(headers=[("cookie", old_cookie)]))).body) == {
        "user": "alice"
    }
    # The newest secret signs: the old secret alone no longer verifies new cookies.
    writer = SessionMiddleware(session_app(write(user="bob")), secret_key=["new-secret", SECRET])
    new_cookie = cookie_of(await call(writer, scope()))
    old_only = SessionMiddleware(session_app(read()), secret_key=SECRET)
    assert json.loads((await call(old_only, scope(headers=[("cookie", new_cookie)]))).body) == {}
    new_only = SessionMiddleware(session_app(read()), secret_key="new-secret")
    assert json.loads((await call(new_only, scope(headers=[("cookie", new_cookie)]))).body) == {
        "user": "bob"
    }


@pytest.mark.parametrize("secret", [None, "", [], ["ok", ""], [None]])
def test_secret_is_required(secret) -> None:
    with pytest.raises(ValueError, match="SessionMiddleware needs a secret_key"):
        SessionMiddleware(session_app(read()), secret_key=secret)


def test_same_site_checks() -> None:
    with pytest.raises(ValueError, match="same_site must be"):
        SessionMiddleware(session_app(read()), secret_key=SECRET, same_site="loose")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs https_only=True"):
        SessionMiddleware(session_app(read()), secret_key=SECRET, same_site="none")


async def test_cookie_options(call, scope) -> None:
    mw = SessionMiddleware(
        session_app(write(a=1)),
        secret_key=SECRET,
        session_cookie="sid",
        max_age=None,
        path="/app",
        domain="example.com",
        same_site="Strict",  # type: ignore[arg-type]
    )
    set_cookie = (await call(mw, scope())).header("set-cookie")
    assert set_cookie.startswith("sid=")
    assert set_cookie.endswith("; path=/app; domain=example.com; httponly; samesite=strict")


async def test_rewritten_only_when_changed(call, scope) -> None:
    cookie = await login(call, scope)
    same = SessionMiddleware(session_app(write(user="alice")), secret_key=SECRET)
    result = await call(same, scope(headers=[("cookie", cookie)]))
    assert result.header("set-cookie") is None
    assert result.header("vary") == "Cookie"
    changed = SessionMiddleware(session_app(write(user="bob")), secret_key=SECRET)
    assert (await call(changed, scope(headers=[("cookie", cookie)]))).header("set-cookie")


async def test_cleared_session_deletes_the_cookie(call, scope) -> None:
    cookie = await login(call, scope, domain="example.com")
    mw = SessionMiddleware(
        session_app(lambda s: s.clear()), secret_key=SECRET, domain="example.com"
    )
    result = await call(mw, scope(headers=[("cookie", cookie)]))
    assert result.header("set-cookie") == (
        "session=; path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; "
        "domain=example.com; httponly; samesite=lax"
    )
    # Clearing an already empty session writes nothing.
    result = await call(mw, scope())
    assert result.header("set-cookie") is None


async def test_oversized_session_raises(call, scope) -> None:
    mw = SessionMiddleware(session_app(write(blob="x" * 4000)), secret_key=SECRET)
    with pytest.raises(SessionTooLarge, match="over the 4093 bytes"):
        await call(mw, scope())
    fits = SessionMiddleware(session_app(write(blob="x" * 2900)), secret_key=SECRET)
    assert len(cookie_of(await call(fits, scope()))) <= 4093


async def test_replaced_session_is_written(call, scope) -> None:
    async def app(scope, receive, send):
        scope["session"] = {"plain": True}
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    result = await call(SessionMiddleware(app, secret_key=SECRET), scope())
    assert result.header("set-cookie").startswith("session=")


async def test_websocket_gets_the_session(call, scope, recorder) -> None:
    cookie = await login(call, scope)
    app, calls = recorder()
    await call(
        SessionMiddleware(app, secret_key=SECRET),
        scope(type="websocket", headers=[("cookie", cookie)]),
    )
    assert calls[0][0]["session"] == {"user": "alice"}


def test_session_tracks_reads_and_writes() -> None:
    reads = [
        lambda s: s["a"],
        lambda s: s.get("a"),
        lambda s: "a" in s,
        lambda s: list(s),
        lambda s: len(s),
        lambda s: s.keys(),
        lambda s: s.values(),
        lambda s: s.items(),
        # Calls that could write but find nothing to change are reads.
        lambda s: s.pop("missing", None),
        lambda s: s.setdefault("a", 2),
    ]
    for op in reads:
        session = Session(a=1)
        op(session)
        assert session.accessed
        assert not session.modified
        assert dict(session) == {"a": 1}
    failed_writes = [
        lambda s: s.pop("missing"),
        lambda s: s.__delitem__("missing"),
    ]
    empty = Session()
    with pytest.raises(KeyError):
        empty.popitem()
    assert not empty.modified
    for op in failed_writes:
        session = Session(a=1)
        with pytest.raises(KeyError):
            op(session)
        assert not session.modified
    writes = [
        lambda s: s.__setitem__("b", 2),
        lambda s: s.__delitem__("a"),
        lambda s: s.clear(),
        lambda s: s.pop("a"),
        lambda s: s.popitem(),
        lambda s: s.setdefault("c", 3),
        lambda s: s.update(d=4),
        lambda s: s.__ior__({"e": 5}),
    ]
    for op in writes:
        session = Session(a=1)
        op(session)
        assert session.accessed
        assert session.modified


async def test_signed_but_not_json_is_empty(call, scope) -> None:
    signer = TimestampSigner([SECRET], salt="boca.middleware.session")
    bad = signer.sign(base64.urlsafe_b64encode(b"{not json")).decode()
    mw = SessionMiddleware(session_app(read()), secret_key=SECRET)
    for _ in range(2):  # checked once, then from the verified-cookie cache
        result = await call(mw, scope(headers=[("cookie", f"session={bad}")]))
        assert json.loads(result.body) == {}


async def test_no_max_age_never_expires(call, scope, monkeypatch) -> None:
    cookie = await login(call, scope, max_age=None)
    later = time.time() + 10 * 365 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    mw = SessionMiddleware(session_app(read()), secret_key=SECRET, max_age=None)
    assert json.loads((await call(mw, scope(headers=[("cookie", cookie)]))).body) == {
        "user": "alice"
    }


async def test_verified_cookie_cache_is_bounded_and_rechecks_age(call, scope, monkeypatch) -> None:
    writer_cookies = []
    for i in range(1030):
        mw = SessionMiddleware(session_app(write(n=i)), secret_key=SECRET, max_age=60)
        writer_cookies.append(cookie_of(await call(mw, scope())))
    reader = SessionMiddleware(session_app(read("n")), secret_key=SECRET, max_age=60)
    for i, cookie in enumerate(writer_cookies):
        assert json.loads((await call(reader, scope(headers=[("cookie", cookie)]))).body) == {
            "n": i
        }
    assert len(reader._verified) <= 1024
    # A cached cookie still expires.
    cookie = writer_cookies[-1]
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    assert json.loads((await call(reader, scope(headers=[("cookie", cookie)]))).body) == {}
