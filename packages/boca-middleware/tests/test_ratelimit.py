"""RateLimitMiddleware: windows, keys, per-route limits, headers, failures; memory and Redis."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from boca.middleware import Limit, RateLimitMiddleware, RedisStore, StoreError

from ._redis import free_port


async def hits(call, scope, mw, n: int, **request: Any) -> list[Any]:
    return [await call(mw, scope(**request)) for _ in range(n)]


async def test_limit_then_429_with_headers(call, scope, app_factory, store) -> None:
    mw = RateLimitMiddleware(app_factory(), "3/minute", store=store)
    results = await hits(call, scope, mw, 4)
    assert [r.status for r in results] == [200, 200, 200, 429]
    assert results[0].header("ratelimit-policy") == '"3/minute";q=3;w=60'
    assert [r.header("ratelimit") for r in results[:3]] == [
        '"3/minute";r=2;t=20',
        '"3/minute";r=1;t=40',
        '"3/minute";r=0;t=60',
    ]
    refused = results[3]
    assert refused.header("retry-after") == "20"
    assert refused.header("ratelimit") == '"3/minute";r=0;t=60'
    assert refused.header("ratelimit-policy") == '"3/minute";q=3;w=60'
    assert refused.header("content-type") == "application/json"
    assert json.loads(refused.body) == {
        "error": "429 Too Many Requests",
        "status": 429,
        "detail": "Too many requests: the limit is 3/minute; retry in 20 s.",
    }


async def test_several_windows(call, scope, app_factory, store) -> None:
    mw = RateLimitMiddleware(app_factory(), ["2/second", "3/hour"], store=store)
    results = await hits(call, scope, mw, 3)
    assert [r.status for r in results] == [200, 200, 429]
    assert results[0].header("ratelimit-policy") == '"2/second";q=2;w=1, "3/hour";q=3;w=3600'
    assert results[1].header("ratelimit") == '"2/second";r=0;t=1, "3/hour";r=1;t=2400'


async def test_three_windows(call, scope, app_factory, store) -> None:
    mw = RateLimitMiddleware(app_factory(), ["10/second", "5/minute", "3/hour"], store=store)
    results = await hits(call, scope, mw, 4)
    assert [r.status for r in results] == [200, 200, 200, 429]
    assert results[0].header("ratelimit-policy") == (
        '"10/second";q=10;w=1, "5/minute";q=5;w=60, "3/hour";q=3;w=3600'
    )
    assert results[0].header("ratelimit") == (
        '"10/second";r=9;t=1, "5/minute";r=4;t=12, "3/hour";r=2;t=1200'
    )
    assert results[3].header("ratelimit") == (
        '"10/second";r=7;t=1, "5/minute";r=2;t=36, "3/hour";r=0;t=3600'
    )


async def test_clients_are_counted_apart(call, scope, app_factory, store) -> None:
    mw = RateLimitMiddleware(app_factory(), "1/minute", store=store)
    assert (await call(mw, scope(client=("10.0.0.1", 1)))).status == 200
    assert (await call(mw, scope(client=("10.0.0.1", 2)))).status == 429
    assert (await call(mw, scope(client=("10.0.0.2", 1)))).status == 200
    assert (await call(mw, scope(client=None))).status == 200
    assert (await call(mw, scope(client=None))).status == 429


async def test_key_by_header(call, scope, app_factory, store) -> None:
    mw = RateLimitMiddleware(app_factory(), "1/minute", key="header:X-API-Key", store=store)
    assert (await call(mw, scope(headers=[("x-api-key", "a")]))).status == 200
    assert (await call(mw, scope(headers=[("x-api-key", "a")]))).status == 429
    assert (await call(mw, scope(headers=[("x-api-key", "b")]))).status == 200
    # Without the header: the client's address.
    assert (await call(mw, scope())).status == 200
    assert (await call(mw, scope())).status == 429


async def test_key_function_sync_async_and_exempt(call, scope, app_factory, store) -> None:
    def user(scope) -> str | None:
        return None if scope["path"] == "/free" else "user-1"

    async def async_user(scope) -> str | None:
        return user(scope)

    for key in (user, async_user):
        mw = RateLimitMiddleware(
            app_factory(), "1/minute", key=key, store=store, prefix=key.__name__
        )
        statuses = [(await call(mw, scope(path=p))).status for p in ("/a", "/b", "/free", "/free")]
        assert statuses == [200, 429, 200, 200]
        assert (await call(mw, scope(path="/free"))).header("ratelimit") is None


async def test_per_route_limits_and_exemptions(call, scope, app_factory, store) -> None:
    mw = RateLimitMiddleware(
        app_factory(),
        "2/minute",
        routes={
            "/health": None,
            "POST /login": "1/minute",
            "/items/{id}": ["1/second", "5/day"],
            "/files/{rest:path}": "1/hour",
        },
        store=store,
    )
    assert [(await call(mw, scope(path="/health"))).status for _ in range(5)] == [200] * 5
    login = [(await call(mw, scope(path="/login", method="POST"))).status for _ in range(2)]
    assert login == [200, 429]
    # GET /login is not the POST route: it counts against the default limits.
    assert (await call(mw, scope(path="/login"))).header("ratelimit-policy") == (
        '"2/minute";q=2;w=60'
    )
    items = [await call(mw, scope(path=f"/items/{i}")) for i in (1, 2)]
    assert [r.status for r in items] == [200, 429]  # one bucket for the whole pattern
    assert items[0].header("ratelimit-policy") == '"1/second";q=1;w=1, "5/day";q=5;w=86400'
    assert (await call(mw, scope(path="/items/1/more"))).status == 200  # default limits
    assert (await call(mw, scope(path="/files/a/b/c"))).status == 200
    assert (await call(mw, scope(path="/files/x"))).status == 429
    # The default limit was used once above (GET /login, /items/1/more): one left.
    assert [(await call(mw, scope(path="/other"))).status for _ in range(2)] == [429, 429]


async def test_only_routes(call, scope, app_factory) -> None:
    mw = RateLimitMiddleware(app_factory(), routes={"/login": "1/minute"})
    assert [(await call(mw, scope(path="/"))).status for _ in range(3)] == [200, 200, 200]
    assert [(await call(mw, scope(path="/login"))).status for _ in range(2)] == [200, 429]


async def test_hostile_key_function_raises(call, scope, app_factory, caplog) -> None:
    def broken(scope) -> str:
        raise RuntimeError("no user table")

    closed = RateLimitMiddleware(app_factory(), "10/minute", key=broken)
    with caplog.at_level(logging.ERROR, logger="boca.middleware"):
        result = await call(closed, scope())
    assert result.status == 503
    assert result.header("retry-after") == "1"
    assert json.loads(result.body) == {
        "error": "503 Service Unavailable",
        "status": 503,
        "detail": "The rate limiter is unavailable; try again shortly.",
    }
    assert "rate limit key function" in caplog.text
    assert "no user table" in caplog.text  # with the traceback
    opened = RateLimitMiddleware(app_factory(), "10/minute", key=broken, fail_open=True)
    result = await call(opened, scope())
    assert result.status == 200
    assert result.body == b"Hello, World!"


@pytest.mark.parametrize("returned", [42, b"bytes-key", ["a", "list"]])
async def test_hostile_key_function_returns_no_string(
    call, scope, app_factory, caplog, returned
) -> None:
    async def wrong(scope) -> Any:
        return returned

    mw = RateLimitMiddleware(app_factory(), "10/minute", key=wrong)
    with caplog.at_level(logging.ERROR, logger="boca.middleware"):
        result = await call(mw, scope())
    assert result.status == 503
    assert json.loads(result.body)["detail"] == (
        "The rate limiter is unavailable; try again shortly."
    )
    assert "rate limit key function" in caplog.text
    assert "TypeError" in caplog.text


async def test_client_keys_cache_is_bounded_and_exact(
    call, scope, app_factory, store, monkeypatch
) -> None:
    from boca.middleware import ratelimit

    monkeypatch.setattr(ratelimit, "_KNOWN_CLIENTS", 2)
    mw = RateLimitMiddleware(app_factory(), "1/minute", store=store)
    clients = [f"10.0.1.{n}" for n in range(5)]
    first = [(await call(mw, scope(client=(c, 1)))).status for c in clients]
    again = [(await call(mw, scope(client=(c, 1)))).status for c in clients]
    assert first == [200] * 5
    assert again == [429] * 5  # each client still counted on its own keys after resets
    assert mw.default is not None
    assert len(mw.default.known) <= 2


async def test_hostile_long_client_keys_are_counted_but_not_cached(
    call, scope, app_factory, store
) -> None:
    """A 10 KB API key header: limited exactly, but kept in no cache (10,000 such clients
    would otherwise hold hundreds of MB)."""
    mw = RateLimitMiddleware(app_factory(), "2/minute", key="header:x-api-key", store=store)
    long_key = [("x-api-key", "k" * 10_000)]
    results = await hits(call, scope, mw, 3, headers=long_key)
    assert [r.status for r in results] == [200, 200, 429]
    assert mw.default is not None
    assert mw.default.known == {}
    if isinstance(store, RedisStore):
        assert all(len(key) <= 512 for key in store._packed)
    short = await call(mw, scope(headers=[("x-api-key", "short")]))
    assert short.status == 200
    assert list(mw.default.known) == ["h:short"]


async def test_redis_down_fails_closed_or_open(call, scope, app_factory, own_redis, caplog) -> None:
    store = RedisStore(own_redis.url, timeout=3)
    closed = RateLimitMiddleware(app_factory(), "10/minute", store=store)
    opened = RateLimitMiddleware(app_factory(), "10/minute", store=store, fail_open=True)
    assert (await call(closed, scope())).status == 200
    own_redis.stop()
    with caplog.at_level(logging.ERROR, logger="boca.middleware"):
        result = await call(closed, scope())
    assert result.status == 503
    assert result.header("retry-after") == "1"
    assert (
        f"rate limit not checked: Redis at {own_redis.url}: rate limit script failed" in caplog.text
    )
    assert (await call(opened, scope())).status == 200
    own_redis.start()
    assert (await call(closed, scope())).status == 200
    await store.aclose()


async def test_websocket_handshakes_are_limited(call, scope, recorder) -> None:
    app, calls = recorder()
    mw = RateLimitMiddleware(app, "1/minute")
    await call(mw, scope(type="websocket"))
    assert calls[0][1] == [{"type": "websocket.connect"}]
    refused = await call(mw, scope(type="websocket"))
    assert refused.messages == [{"type": "websocket.close", "code": 1008}]
    extended = await call(mw, scope(type="websocket", extensions={"websocket.http.response": {}}))
    assert extended.status == 429
    assert extended.header("retry-after") == "60"
    assert len(calls) == 1


async def test_lifespan_and_other_scopes_pass(recorder) -> None:
    app, calls = recorder()
    mw = RateLimitMiddleware(app, "1/minute")
    sent: list[Any] = []
    messages = iter([{"type": "lifespan.startup"}])

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message)

    await mw({"type": "lifespan"}, receive, send)
    assert sent == [{"type": "lifespan.startup.complete"}]
    await mw({"type": "custom"}, receive, send)
    assert calls[1][0] == {"type": "custom"}


async def test_unreachable_redis_fails_the_startup() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    sent: list[Any] = []
    messages = iter([{"type": "lifespan.startup"}])

    async def app(scope, receive, send):
        await receive()
        await send({"type": "lifespan.startup.complete"})

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message)

    mw = RateLimitMiddleware(app, "1/minute", store=RedisStore(url, timeout=0.5))
    with pytest.raises(StoreError):
        await mw({"type": "lifespan"}, receive, send)
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert sent[0]["message"].startswith(f"Redis at {url}: PING failed: ")


@pytest.mark.parametrize(
    ("text", "limit", "period", "name"),
    [
        ("10/second", 10, 1, "10/second"),
        ("10 / seconds", 10, 1, "10/second"),
        ("1000/hour", 1000, 3600, "1000/hour"),
        ("5 per minute", 5, 60, "5/minute"),
        ("5/10 minutes", 5, 600, "5/10 minutes"),
        ("2/d", 2, 86400, "2/day"),
        ("3/5s", 3, 5, "3/5 seconds"),
        ("3/mins", 3, 60, "3/minute"),
        ("7/HOUR", 7, 3600, "7/hour"),
    ],
)
def test_limit_syntax(text: str, limit: int, period: float, name: str) -> None:
    assert Limit.parse(text) == Limit(limit, float(period), name)


@pytest.mark.parametrize("text", ["", "10", "10/", "0/second", "10/ms", "10/week", "x/second", 10])
def test_bad_limits_are_refused_naming_them(text: Any) -> None:
    with pytest.raises(ValueError, match=r"Rate limit .*: write it as 'N/unit'"):
        Limit.parse(text)


def test_configuration_errors(app_factory) -> None:
    app = app_factory()
    with pytest.raises(ValueError, match="needs limits="):
        RateLimitMiddleware(app)
    with pytest.raises(ValueError, match="give at least one limit"):
        RateLimitMiddleware(app, [])
    with pytest.raises(ValueError, match=r"\(key='ip'\): use 'client', 'header:<name>'"):
        RateLimitMiddleware(app, "1/second", key="ip")
    with pytest.raises(ValueError, match=r"key='header:'"):
        RateLimitMiddleware(app, "1/second", key="header:")
    with pytest.raises(TypeError, match="has no atomic hit"):
        RateLimitMiddleware(app, "1/second", store=object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"'login' is not a route pattern"):
        RateLimitMiddleware(app, routes={"login": "1/second"})
    with pytest.raises(ValueError, match=r"'FETCH /x' starts with an unknown method"):
        RateLimitMiddleware(app, routes={"FETCH /x": "1/second"})
    with pytest.raises(ValueError, match="unknown converter 'slug'"):
        RateLimitMiddleware(app, routes={"/x/{a:slug}": "1/second"})
    with pytest.raises(ValueError, match="a brace is not part of"):
        RateLimitMiddleware(app, routes={"/x/{a": "1/second"})
    with pytest.raises(ValueError, match=r"routes\['/x'\]"):
        RateLimitMiddleware(app, routes={"/x": []})


def test_from_settings() -> None:
    from boca.middleware import from_settings

    (battery,) = from_settings({"RATE_LIMIT": "100/minute"})
    assert battery.middleware_class is RateLimitMiddleware
    assert battery.options == {"limits": "100/minute"}
    (battery,) = from_settings({"RATE_LIMIT": ["1/second", "9/day"]})
    assert battery.options == {"limits": ["1/second", "9/day"]}
    (battery,) = from_settings({"RATE_LIMIT": {"routes": {"/login": "5/minute"}}})
    assert battery.options == {"routes": {"/login": "5/minute"}}
    with pytest.raises(ValueError, match="Rate limit '100/fortnight'"):
        from_settings({"RATE_LIMIT": "100/fortnight"})
    with pytest.raises(ValueError, match="RateLimitMiddleware needs limits="):
        from_settings({"RATE_LIMIT": True})
    # Outermost first: the host check, then CORS, then the rate limit, CSRF and sessions.
    order = from_settings(
        {
            "ALLOWED_HOSTS": ["example.com"],
            "CORS": True,
            "RATE_LIMIT": "10/second",
            "CSRF": True,
            "SESSIONS": True,
            "SECRET_KEY": "k",
        }
    )
    names = [b.middleware_class.__name__ for b in order]
    assert names == [
        "TrustedHostMiddleware",
        "CORSMiddleware",
        "RateLimitMiddleware",
        "CSRFMiddleware",
        "SessionMiddleware",
    ]


async def test_redis_keys_share_a_hash_tag(
    call, scope, app_factory, redis_url, redis_server
) -> None:
    store = RedisStore(redis_url)
    mw = RateLimitMiddleware(app_factory(), ["3/minute", "9/hour"], store=store)
    assert (await call(mw, scope())).status == 200
    for name in (b"3/minute", b"9/hour"):
        key = b"boca:ratelimit:{*|127.0.0.1}|" + name
        assert redis_server.command(b"EXISTS", key) == b":1"
    await store.aclose()


async def test_a_route_patterns_braces_do_not_cut_the_hash_tag(
    call, scope, app_factory, redis_url
) -> None:
    """The tag (what Redis Cluster hashes) runs from the first `{` to the first `}`: the
    pattern's own braces become parentheses, so the tag still holds the client."""
    store = RedisStore(redis_url)
    mw = RateLimitMiddleware(app_factory(), routes={"/items/{id}": "3/10 minutes"}, store=store)
    assert (await call(mw, scope(path="/items/7"))).status == 200
    assert await store.client.exists("boca:ratelimit:{/items/(id)|127.0.0.1}|3/10 minutes") == 1
    await store.aclose()
