"""Sessions, rate limits, CSRF and MemoryStore on trio (redis-py's client is asyncio-only)."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

from boca.middleware import (
    CSRFMiddleware,
    MemoryStore,
    RateLimitMiddleware,
    RedisStore,
    SessionMiddleware,
    StoreError,
)

from .conftest import make_scope, respond, run


def on_trio(test: Any) -> None:
    anyio.run(test, backend="trio")


def test_memory_store_on_trio() -> None:
    async def scenario() -> None:
        store = MemoryStore()
        await store.set("k", b"v", ttl=1.0)
        assert await store.get("k") == b"v"
        await anyio.sleep(1.1)
        assert await store.get("k") is None
        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(store.incr, "n", 1, 60.0)
        assert await store.get("n") == b"20"
        decisions = [await store.hit(["r"], [(2, 60.0)]) for _ in range(3)]
        assert [d.allowed for d in decisions] == [True, True, False]

    on_trio(scenario)


def test_server_side_session_on_trio() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        session = scope["session"]
        if scope["path"] == "/login":
            session["user"] = "ada"
        elif scope["path"] == "/logout":
            session.clear()
        body = json.dumps(dict.copy(session)).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    async def scenario() -> None:
        mw = SessionMiddleware(app, secret_key="trio-secret", store=MemoryStore())
        login = await run(mw, make_scope("/login"))
        cookie = login.header("set-cookie").split(";", 1)[0]
        me = await run(mw, make_scope("/me", headers=[("cookie", cookie)]))
        assert json.loads(me.body) == {"user": "ada"}
        await run(mw, make_scope("/logout", headers=[("cookie", cookie)]))
        again = await run(mw, make_scope("/me", headers=[("cookie", cookie)]))
        assert json.loads(again.body) == {}

    on_trio(scenario)


def test_rate_limit_and_csrf_on_trio() -> None:
    async def scenario() -> None:
        limited = RateLimitMiddleware(respond(), "2/minute")
        statuses = [(await run(limited, make_scope())).status for _ in range(3)]
        assert statuses == [200, 200, 429]
        csrf = CSRFMiddleware(respond(), secret_key="trio-secret")
        token = csrf.new_token()
        headers = [("cookie", f"csrftoken={token}"), ("x-csrftoken", token)]
        assert (await run(csrf, make_scope(method="POST", headers=headers))).status == 200
        assert (await run(csrf, make_scope(method="POST"))).status == 403

    on_trio(scenario)


def test_redis_store_on_trio_says_it_needs_asyncio() -> None:
    async def scenario() -> None:
        store = RedisStore("redis://127.0.0.1:1/0")
        with pytest.raises(StoreError, match=r"runs on asyncio \(redis-py's client\), not on trio"):
            await store.startup()
        mw = RateLimitMiddleware(respond(), "2/minute", store=store)
        assert (await run(mw, make_scope())).status == 503

    on_trio(scenario)
