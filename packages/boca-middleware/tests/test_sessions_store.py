"""Server-side sessions: the data in a store (memory or a real Redis), a signed id in the cookie."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from itsdangerous import TimestampSigner
from starlette.datastructures import Secret

from boca.middleware import MemoryStore, RedisStore, SessionMiddleware, StoreError

SECRET = "s3cret-for-tests"
SIGNER = TimestampSigner([SECRET], salt="boca.middleware.session")


def session_app(action):
    async def app(scope, receive, send):
        action(scope["session"])
        body = json.dumps(dict.copy(scope["session"])).encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def write(**values):
    return lambda session: session.update(values)


def read(session):
    return session.get("user")


def cookie_of(result) -> str:
    (set_cookie,) = result.header_list("set-cookie")
    return set_cookie.split(";", 1)[0]


def middleware(action, store, **options: Any) -> SessionMiddleware:
    return SessionMiddleware(session_app(action), secret_key=SECRET, store=store, **options)


async def test_only_a_signed_id_is_in_the_cookie(call, scope, store) -> None:
    result = await call(middleware(write(user="alice"), store), scope())
    cookie = cookie_of(result)
    name, value = cookie.split("=", 1)
    assert name == "session"
    sid = SIGNER.unsign(value).decode()
    assert len(sid) == 43  # 32 random bytes
    assert "alice" not in cookie
    assert json.loads(await store.get("session:" + sid)) == {"user": "alice"}
    assert result.header("set-cookie").endswith("; path=/; Max-Age=1209600; httponly; samesite=lax")
    # Another middleware (another worker) with the same store reads it.
    other = await call(middleware(read, store), scope(headers=[("cookie", cookie)]))
    assert json.loads(other.body) == {"user": "alice"}
    assert other.header("set-cookie") is None
    assert other.header("vary") == "Cookie"


async def test_changes_are_stored_under_the_same_id(call, scope, store) -> None:
    cookie = cookie_of(await call(middleware(write(user="alice"), store), scope()))
    result = await call(middleware(write(n=2), store), scope(headers=[("cookie", cookie)]))
    assert result.header("set-cookie") is None  # same id: the cookie stays
    sid = SIGNER.unsign(cookie.split("=", 1)[1]).decode()
    assert json.loads(await store.get("session:" + sid)) == {"user": "alice", "n": 2}
    # Writing the same values again writes nothing and sends nothing.
    same = await call(middleware(write(n=2), store), scope(headers=[("cookie", cookie)]))
    assert same.header("set-cookie") is None


async def test_clear_revokes_every_copy_of_the_cookie(call, scope, store) -> None:
    cookie = cookie_of(await call(middleware(write(user="alice"), store), scope()))
    stolen = cookie
    result = await call(middleware(lambda s: s.clear(), store), scope(headers=[("cookie", cookie)]))
    assert result.header("set-cookie") == (
        "session=; path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; httponly; samesite=lax"
    )
    replay = await call(middleware(read, store), scope(headers=[("cookie", stolen)]))
    assert json.loads(replay.body) == {}
    assert replay.header("set-cookie") is None


async def test_regenerate_rotates_the_id(call, scope, store) -> None:
    before = cookie_of(await call(middleware(write(cart=[1]), store), scope()))

    def login(session):
        session.regenerate()
        session["user"] = "alice"

    result = await call(middleware(login, store), scope(headers=[("cookie", before)]))
    after = cookie_of(result)
    assert after != before
    old = await call(middleware(read, store), scope(headers=[("cookie", before)]))
    assert json.loads(old.body) == {}
    new = await call(middleware(lambda s: None, store), scope(headers=[("cookie", after)]))
    assert json.loads(new.body) == {"cart": [1], "user": "alice"}


async def test_hostile_forged_and_unknown_ids(call, scope, store) -> None:
    cookie = cookie_of(await call(middleware(write(user="alice"), store), scope()))
    value = cookie.split("=", 1)[1]
    forged = [
        value[:-2] + ("AA" if not value.endswith("AA") else "BB"),  # signature changed
        "x" * 43,  # an id without a signature
        value.split(".", 1)[0],  # the id alone
        SIGNER.sign("an-id-we-never-gave").decode(),  # signed, but not in the store
        TimestampSigner(["another-secret"], salt="boca.middleware.session").sign("x").decode(),
        "%%%",
        "",
    ]
    for bad in forged:
        result = await call(middleware(read, store), scope(headers=[("cookie", f"session={bad}")]))
        assert result.status == 200
        assert json.loads(result.body) == {}
        assert result.header("set-cookie") is None
    # A write after an unknown id gets a fresh id, never the one the client sent.
    planted = SIGNER.sign("planted-id").decode()
    result = await call(
        middleware(write(user="mallory"), store), scope(headers=[("cookie", f"session={planted}")])
    )
    assert SIGNER.unsign(cookie_of(result).split("=", 1)[1]) != b"planted-id"
    assert await store.get("session:planted-id") is None


async def test_expired_cookie_or_data_is_an_empty_session(call, scope, store, monkeypatch) -> None:
    cookie = cookie_of(await call(middleware(write(user="alice"), store, max_age=60), scope()))
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    result = await call(middleware(read, store, max_age=60), scope(headers=[("cookie", cookie)]))
    assert json.loads(result.body) == {}
    monkeypatch.undo()
    # The data expires in the store too.
    cookie = cookie_of(await call(middleware(write(user="alice"), store, max_age=1), scope()))
    sid = SIGNER.unsign(cookie.split("=", 1)[1]).decode()
    assert await store.get("session:" + sid) is not None
    time.sleep(1.1)
    assert await store.get("session:" + sid) is None


async def test_sliding_expiry_renews_cookie_and_data(call, scope, store, monkeypatch) -> None:
    cookie = cookie_of(
        await call(middleware(write(user="alice"), store, max_age=100, sliding=True), scope())
    )
    reader = middleware(lambda s: None, store, max_age=100, sliding=True)
    soon = await call(reader, scope(headers=[("cookie", cookie)]))
    assert soon.header("set-cookie") is None  # under 1% of max_age: nothing to renew
    later = time.time() + 50
    monkeypatch.setattr(time, "time", lambda: later)
    renewed = await call(reader, scope(headers=[("cookie", cookie)]))
    new_cookie = cookie_of(renewed)
    assert new_cookie != cookie
    assert renewed.header("vary") == "Cookie"
    # Same id, fresh timestamp: valid for max_age from now.
    assert SIGNER.unsign(new_cookie.split("=", 1)[1]) == SIGNER.unsign(cookie.split("=", 1)[1])
    much_later = later + 80
    monkeypatch.setattr(time, "time", lambda: much_later)
    result = await call(
        middleware(read, store, max_age=100), scope(headers=[("cookie", new_cookie)])
    )
    assert json.loads(result.body) == {"user": "alice"}
    old = await call(middleware(read, store, max_age=100), scope(headers=[("cookie", cookie)]))
    assert json.loads(old.body) == {}


async def test_sliding_cookie_only_sessions(call, scope, monkeypatch) -> None:
    writer = SessionMiddleware(
        session_app(write(a=1)), secret_key=SECRET, max_age=100, sliding=True
    )
    cookie = cookie_of(await call(writer, scope()))
    reader = SessionMiddleware(
        session_app(lambda s: None), secret_key=SECRET, max_age=100, sliding=True
    )
    assert (await call(reader, scope(headers=[("cookie", cookie)]))).header("set-cookie") is None
    later = time.time() + 5
    monkeypatch.setattr(time, "time", lambda: later)
    renewed = cookie_of(await call(reader, scope(headers=[("cookie", cookie)])))
    assert renewed != cookie
    assert renewed.split("=", 1)[1].split(".")[0] == cookie.split("=", 1)[1].split(".")[0]


async def test_oversized_session_is_a_413_and_is_not_stored(call, scope, store) -> None:
    cookie = cookie_of(await call(middleware(write(user="alice"), store), scope()))
    sid = SIGNER.unsign(cookie.split("=", 1)[1]).decode()
    big = middleware(write(blob="x" * 2000), store, max_size=1000)
    result = await call(big, scope(headers=[("cookie", cookie)]))
    assert result.status == 413
    assert result.header("content-type") == "application/json"
    assert json.loads(result.body) == {
        "error": "413 Content Too Large",
        "status": 413,
        "detail": "The session data would be 2026 bytes, over the 1000 bytes this app keeps "
        "per session (SessionMiddleware(max_size=...)).",
    }
    assert len(result.body_messages) == 1  # the app's own body was dropped
    assert json.loads(await store.get("session:" + sid)) == {"user": "alice"}


async def test_websocket_reads_the_stored_session(call, scope, store, recorder) -> None:
    cookie = cookie_of(await call(middleware(write(user="alice"), store), scope()))
    app, calls = recorder()
    mw = SessionMiddleware(app, secret_key=SECRET, store=store)
    await call(mw, scope(type="websocket", headers=[("cookie", cookie)]))
    assert calls[0][0]["session"] == {"user": "alice"}


async def test_redis_down_is_a_503_never_a_hang(call, scope, own_redis) -> None:
    store = RedisStore(own_redis.url, timeout=3)
    cookie = cookie_of(await call(middleware(write(user="alice"), store), scope()))
    own_redis.stop()
    loaded = await call(middleware(read, store), scope(headers=[("cookie", cookie)]))
    assert loaded.status == 503
    assert json.loads(loaded.body) == {
        "error": "503 Service Unavailable",
        "status": 503,
        "detail": "The session store is unavailable; try again shortly.",
    }
    # No cookie: nothing to load, but saving a new session fails the same way.
    saved = await call(middleware(write(user="bob"), store), scope())
    assert saved.status == 503
    assert len(saved.body_messages) == 1
    own_redis.start()
    back = await call(middleware(read, store), scope(headers=[("cookie", cookie)]))
    assert back.status == 200
    assert json.loads(back.body) == {}  # that server lost its data: a new empty session
    await store.aclose()


async def test_lifespan_startup_fails_naming_an_unreachable_redis() -> None:
    from ._redis import free_port

    url = f"redis://127.0.0.1:{free_port()}/0"
    sent: list[dict[str, Any]] = []
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

    async def app(scope, receive, send):
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message)

    store = RedisStore(url, timeout=0.5)
    mw = SessionMiddleware(app, secret_key=SECRET, store=store)
    # The server is told why, then the error is raised, as Starlette's own lifespan does.
    with pytest.raises(StoreError, match=r"Start Redis there, or fix the URL"):
        await mw({"type": "lifespan"}, receive, send)
    (failed,) = sent
    assert failed["type"] == "lifespan.startup.failed"
    assert failed["message"].startswith(f"Redis at {url}: PING failed: ")
    assert failed["message"].endswith(". Start Redis there, or fix the URL given to RedisStore().")


async def test_lifespan_passes_when_the_store_answers(redis_url) -> None:
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent: list[dict[str, Any]] = []

    async def app(scope, receive, send):
        await receive()
        await send({"type": "lifespan.startup.complete"})
        await receive()
        await send({"type": "lifespan.shutdown.complete"})

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message)

    for store in (RedisStore(redis_url), MemoryStore()):
        sent.clear()
        messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
        await SessionMiddleware(app, secret_key=SECRET, store=store)(
            {"type": "lifespan"}, receive, send
        )
        assert sent == [
            {"type": "lifespan.startup.complete"},
            {"type": "lifespan.shutdown.complete"},
        ]


def test_configuration_errors() -> None:
    with pytest.raises(
        TypeError, match=r"SessionMiddleware\(store=\{\}\): a store needs async get"
    ):
        SessionMiddleware(session_app(read), secret_key=SECRET, store={})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sliding=True needs a max_age"):
        SessionMiddleware(session_app(read), secret_key=SECRET, max_age=None, sliding=True)


async def test_starlette_options(call, scope) -> None:
    """Every option of Starlette's SessionMiddleware, under its name: Secret, partitioned."""
    mw = SessionMiddleware(session_app(write(a=1)), secret_key=Secret(SECRET), partitioned=True)
    set_cookie = (await call(mw, scope())).header("set-cookie")
    # Browsers keep a Partitioned cookie only when it is Secure, so it is.
    assert set_cookie.endswith("; httponly; samesite=lax; secure; partitioned")
    cookie = set_cookie.split(";", 1)[0]
    reader = SessionMiddleware(session_app(lambda s: s.get("a")), secret_key=SECRET)
    result = await call(reader, scope(headers=[("cookie", cookie)]))
    assert json.loads(result.body) == {"a": 1}
