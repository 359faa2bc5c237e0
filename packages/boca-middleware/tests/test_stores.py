"""The Store protocol's semantics, the same on MemoryStore and on a real Redis."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import warnings

import anyio
import anyio.lowlevel
import pytest

from boca.middleware import MemoryStore, RateLimitStore, RedisStore, Store, StoreError

from ._redis import free_port


def test_both_satisfy_the_protocols(store: RateLimitStore) -> None:
    assert isinstance(store, Store)
    assert isinstance(store, RateLimitStore)


async def test_redis_store_warns_about_nothing(redis_url: str) -> None:
    # redis-py warns when its asyncio client is given its synchronous retry policy (and
    # drops any custom policy); the store builds an asyncio one.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store = RedisStore(redis_url, prefix="test:")
        try:
            await store.startup()
            await store.set("k", b"v")
            assert await store.get("k") == b"v"
            assert (await store.hit(["w"], [(5, 1.0)])).allowed is True
        finally:
            await store.aclose()


async def test_get_set_delete(store: RateLimitStore) -> None:
    assert await store.get("missing") is None
    await store.set("k", b"\x00value\xff")
    assert await store.get("k") == b"\x00value\xff"
    await store.set("k", b"other")
    assert await store.get("k") == b"other"
    await store.delete("k")
    assert await store.get("k") is None
    await store.delete("k")  # deleting a missing key is fine


async def test_ttl_expires(store: RateLimitStore) -> None:
    await store.set("short", b"1", ttl=0.05)
    await store.set("long", b"2", ttl=60)
    await store.set("forever", b"3")
    await anyio.sleep(0.2)
    assert await store.get("short") is None
    assert await store.get("long") == b"2"
    assert await store.get("forever") == b"3"


async def test_set_replaces_the_ttl(store: RateLimitStore) -> None:
    await store.set("k", b"1", ttl=0.05)
    await store.set("k", b"2")
    await anyio.sleep(0.2)
    assert await store.get("k") == b"2"


async def test_incr_counts_and_expires_from_the_first_increment(store: RateLimitStore) -> None:
    assert await store.incr("n") == 1
    assert await store.incr("n", 5) == 6
    assert await store.get("n") == b"6"
    # Wide margins, measured from the first increment, so a loaded machine cannot
    # make this fail: the second increment has 2 s of slack before the key
    # expires, and the check comes 0.8 s before a pushed-back TTL would end.
    first = time.monotonic()
    assert await store.incr("w", ttl=3.0) == 1
    await anyio.sleep(1.0)
    assert await store.incr("w", ttl=3.0) == 2
    pushed_back_expiry = time.monotonic() + 3.0
    await anyio.sleep(first + 3.2 - time.monotonic())
    # Had the second increment renewed the TTL, the key would live until
    # pushed_back_expiry; it expired 3 s after the first increment instead.
    assert time.monotonic() < pushed_back_expiry
    assert await store.get("w") is None
    assert await store.incr("w", ttl=3.0) == 1


async def test_incr_is_atomic_under_concurrency(store: RateLimitStore) -> None:
    async with anyio.create_task_group() as tg:
        for _ in range(50):
            tg.start_soon(store.incr, "c", 1, 60.0)
    assert await store.get("c") == b"50"


async def test_hit_allows_a_burst_then_refuses(store: RateLimitStore) -> None:
    limits = [(3, 60.0)]
    decisions = [await store.hit(["r"], limits) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.windows[0].remaining for d in decisions] == [2, 1, 0, 0]
    refused = decisions[-1]
    # One request every 20 s: the next one is possible in (just under) 20 s.
    assert 19 < refused.retry_after <= 20
    assert 59 < refused.windows[0].reset <= 60


async def test_hit_needs_every_window_and_refusals_cost_nothing(store: RateLimitStore) -> None:
    limits = [(2, 1.0), (3, 3600.0)]
    keys = ["a:second", "a:hour"]
    first, second, third = [await store.hit(keys, limits) for _ in range(3)]
    assert (first.allowed, second.allowed, third.allowed) == (True, True, False)
    assert [w.remaining for w in second.windows] == [0, 1]
    await anyio.sleep(1.1)
    # The refused third request did not use the hourly window.
    fourth = await store.hit(keys, limits)
    assert fourth.allowed
    assert [w.remaining for w in fourth.windows] == [1, 0]
    fifth = await store.hit(keys, limits)
    assert not fifth.allowed
    assert fifth.retry_after > 1000  # the hour window is the one that refuses


async def test_hit_is_atomic_under_concurrency(store: RateLimitStore) -> None:
    results: list[bool] = []

    async def one() -> None:
        results.append((await store.hit(["x"], [(10, 60.0)])).allowed)

    async with anyio.create_task_group() as tg:
        for _ in range(30):
            tg.start_soon(one)
    assert results.count(True) == 10


async def test_memory_store_is_bounded() -> None:
    store = MemoryStore(max_entries=100)
    for i in range(1000):
        await store.set(f"k{i}", b"v")
    assert len(store) == 100
    assert await store.get("k0") is None
    assert await store.get("k999") == b"v"
    # Reading a key keeps it: the least recently used go first.
    await store.get("k900")
    for i in range(1000, 1099):
        await store.set(f"k{i}", b"v")
    assert await store.get("k900") == b"v"
    assert await store.get("k901") is None
    await store.aclose()
    assert len(store) == 0
    with pytest.raises(ValueError, match="max_entries=0"):
        MemoryStore(max_entries=0)


async def test_redis_keys_are_prefixed(redis_url: str, redis_server) -> None:
    store = RedisStore(redis_url, prefix="app1:")
    await store.set("k", b"v")
    assert redis_server.command(b"EXISTS", b"app1:k") == b":1"
    await store.aclose()
    assert repr(store) == f"RedisStore({redis_url!r}, prefix='app1:')"


def test_a_wrong_redis_url_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match=r"RedisStore\('http://localhost:6379'\): not a Redis URL"):
        RedisStore("http://localhost:6379")
    with pytest.raises(ValueError, match=r"RedisStore\('<unparsable URL>'\): not a Redis URL"):
        RedisStore("redis://[::1:6379/0")


async def test_unreachable_redis_names_the_url_without_the_password() -> None:
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    store = RedisStore(url, timeout=0.5)
    with pytest.raises(StoreError) as caught:
        await store.startup()
    message = str(caught.value)
    assert message.startswith(
        f"Redis at redis://:***@127.0.0.1:{url.rsplit(':', 1)[1]}: PING failed"
    )
    assert message.endswith("Start Redis there, or fix the URL given to RedisStore().")
    assert "hunter2" not in message
    with pytest.raises(StoreError, match=r"Redis at redis://:\*\*\*@127.0.0.1:\d+/0: GET failed"):
        await store.get("k")
    await store.aclose()


async def test_a_redis_that_does_not_answer_times_out() -> None:
    """A peer that accepts the connection and never answers: bounded by `timeout`."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
        store = RedisStore(url, timeout=0.3)
        with anyio.fail_after(5):
            with pytest.raises(StoreError, match="SET failed"):
                await store.set("k", b"v")
        await store.aclose()


def test_imports_and_works_without_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in sys.modules if n == "redis" or n.startswith("redis.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ImportError, match=r'pip install "boca-middleware\[redis\]"'):
        RedisStore()


def test_the_package_imports_and_serves_without_redis() -> None:
    """Blocks redis-py in a fresh interpreter: sessions and limits on MemoryStore still work."""
    probe = """
import sys
sys.modules["redis"] = None  # as if redis-py were not installed
import anyio
from boca.middleware import MemoryStore, RateLimitMiddleware, SessionMiddleware, RedisStore

async def main():
    store = MemoryStore()
    await store.set("k", b"v")
    assert await store.get("k") == b"v"
    RateLimitMiddleware(lambda *a: None, "1/second", store=store)
    SessionMiddleware(lambda *a: None, secret_key="s", store=store)
    try:
        RedisStore()
    except ImportError as exc:
        print(exc)

anyio.run(main)
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == 'RedisStore needs redis-py: pip install "boca-middleware[redis]"\n'


async def test_redis_checks_of_concurrent_requests_survive_cancellation(redis_url: str) -> None:
    """Concurrent checks share pipelines; cancelling some (clients gone) strands none."""
    store = RedisStore(redis_url)
    results: list[bool] = []

    async def one() -> None:
        results.append((await store.hit(["c"], [(100, 60.0)])).allowed)

    for _ in range(5):
        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(one)
            await anyio.lowlevel.checkpoint()  # the first batch is on its way
            tg.cancel_scope.cancel()
    async with anyio.create_task_group() as tg:
        for _ in range(20):
            tg.start_soon(one)
    with anyio.fail_after(5):
        decision = await store.hit(["c"], [(100, 60.0)])
    assert decision.allowed
    # Every check that answered counted (cancelled ones may have counted too).
    assert decision.windows[0].remaining <= 100 - results.count(True) - 1
    await store.aclose()


async def test_redis_reloads_the_script_after_a_flush(redis_url: str, redis_server) -> None:
    store = RedisStore(redis_url)
    assert (await store.hit(["s"], [(5, 60.0)])).allowed
    assert redis_server.command(b"SCRIPT", b"FLUSH") == b"+OK"
    decision = await store.hit(["s"], [(5, 60.0)])
    assert decision.allowed
    assert decision.windows[0].remaining == 3
    await store.aclose()


async def _script_calls(url: str) -> int:
    """How many EVALSHA calls Redis served (INFO commandstats)."""
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(url)
    try:
        stats = await client.info("commandstats")
    finally:
        await client.aclose()
    return int(stats.get("cmdstat_evalsha", {}).get("calls", 0))


async def test_redis_concurrent_checks_share_one_script_call(redis_url: str) -> None:
    """100 concurrent checks over two sets of limits, the same keys repeated: one EVALSHA, and
    the same answers, check by check, as one atomic check at a time."""
    store = RedisStore(redis_url, prefix="batch:")
    await store.hit(["warm"], [(1, 1.0)])  # the script is loaded
    before = await _script_calls(redis_url)
    answers: dict[int, bool] = {}

    async def one(i: int) -> None:
        keys, limits = (["a"], [(30, 60.0)]) if i % 2 else (["b", "c"], [(20, 60.0), (25, 60.0)])
        answers[i] = (await store.hit(keys, limits)).allowed

    async with anyio.create_task_group() as tg:
        for i in range(100):
            tg.start_soon(one, i)
    assert await _script_calls(redis_url) - before == 1
    odd = [answers[i] for i in range(1, 100, 2)]
    even = [answers[i] for i in range(0, 100, 2)]
    assert odd == [True] * 30 + [False] * 20  # in arrival order
    assert even == [True] * 20 + [False] * 30
    decision = await store.hit(["b", "c"], [(20, 60.0), (25, 60.0)])
    assert not decision.allowed
    assert [w.remaining for w in decision.windows] == [0, 5]
    await store.aclose()


async def test_redis_batches_are_bounded(redis_url: str) -> None:
    """More concurrent checks than one batch carries go in several script calls."""
    from boca.middleware.redisstore import MAX_BATCH

    store = RedisStore(redis_url, prefix="bounded:")
    await store.hit(["warm"], [(1, 1.0)])
    before = await _script_calls(redis_url)
    results: list[bool] = []

    async def one() -> None:
        results.append((await store.hit(["k"], [(1000, 60.0)])).allowed)

    async with anyio.create_task_group() as tg:
        for _ in range(MAX_BATCH * 2 + 1):
            tg.start_soon(one)
    assert results == [True] * (MAX_BATCH * 2 + 1)
    assert await _script_calls(redis_url) - before == 3
    await store.aclose()


async def test_hit_refuses_keys_and_limits_that_do_not_pair(store: RateLimitStore) -> None:
    with pytest.raises(ValueError, match="2 keys for 1 limits"):
        await store.hit(["a", "b"], [(1, 1.0)])


async def test_redis_store_reopens_in_another_event_loop_after_aclose(redis_url: str) -> None:
    """Closed in one event loop, the store is used again from another (a worker restarted in
    process): its connections reopen there and its checks are answered."""
    store = RedisStore(redis_url, prefix="loops:")

    async def check() -> bool:
        with anyio.fail_after(5):
            allowed = (await store.hit(["k"], [(10, 60.0)])).allowed
        await store.aclose()
        return allowed

    def in_new_loop() -> bool:
        import asyncio

        return asyncio.run(check())

    assert await anyio.to_thread.run_sync(in_new_loop)
    assert await anyio.to_thread.run_sync(in_new_loop)
    decision = await store.hit(["k"], [(10, 60.0)])
    assert decision.windows[0].remaining == 7
    await store.aclose()


async def test_a_redis_that_stops_answering_a_check_times_out_and_recovers(own_redis) -> None:
    """Redis paused (as under a long command elsewhere): the check fails within `timeout`,
    naming it, and the next check after the pause is answered on a new connection."""
    store = RedisStore(own_redis.url, timeout=0.3)
    assert (await store.hit(["p"], [(10, 60.0)])).allowed
    # Paused for longer than the test waits: only the timeout can end the check in time.
    assert own_redis.command(b"CLIENT", b"PAUSE", b"4000", b"ALL") == b"+OK"
    with anyio.fail_after(3):
        with pytest.raises(StoreError) as caught:
            await store.hit(["p"], [(10, 60.0)])
    assert str(caught.value) == (
        f"Redis at {own_redis.url}: rate limit script failed: no answer within 0.3 s"
    )
    with anyio.fail_after(15):  # once the pause is over, checks are answered again
        while True:
            try:
                decision = await store.hit(["p"], [(10, 60.0)])
                break
            except StoreError:
                await anyio.sleep(0.1)
    assert decision.allowed
    await store.aclose()


async def test_a_redis_error_reply_to_a_check_is_a_store_error(redis_url, redis_server) -> None:
    """A key of another type where a limit is kept: Redis' error, named, and nothing hangs."""
    store = RedisStore(redis_url, prefix="wrongtype:")
    assert redis_server.command(b"LPUSH", b"wrongtype:k", b"x") == b":1"
    with anyio.fail_after(5):
        with pytest.raises(StoreError, match=r"rate limit script failed: .*WRONGTYPE"):
            await store.hit(["k"], [(10, 60.0)])
        assert (await store.hit(["other"], [(10, 60.0)])).allowed  # the connection still works
    await store.aclose()


def test_redis_store_is_still_importable_from_stores() -> None:
    from boca.middleware import redisstore, stores

    assert stores.RedisStore is RedisStore is redisstore.RedisStore
    assert stores.MAX_BATCH == redisstore.MAX_BATCH == 256
    with pytest.raises(AttributeError, match="has no attribute 'Nothing'"):
        stores.Nothing  # noqa: B018
