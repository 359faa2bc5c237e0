"""The Redis backend against a real redis-server: start-up errors, many processes, outages."""

from __future__ import annotations

import logging
import socket
from typing import Any

import anyio
import pytest

from boca.channels import Channels, ChannelsError, ChannelsUnavailable, Message, RedisBackend
from boca.channels.testing import RedisServer

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def receive_all(sub: Any, count: int, timeout: float = 10) -> list[Message]:
    with anyio.fail_after(timeout):
        return [await sub.receive() for _ in range(count)]


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("url", ["http://localhost:6379", "localhost:6379", "", "redis"])
def test_hostile_a_url_that_is_not_redis_is_refused_naming_it(url: str) -> None:
    with pytest.raises(ValueError, match=rf"RedisBackend\({url!r}\): not a Redis URL. Write it"):
        RedisBackend(url)


def test_a_timeout_is_positive() -> None:
    with pytest.raises(ValueError, match=r"RedisBackend\(timeout=0\): a timeout is seconds"):
        RedisBackend("redis://localhost", timeout=0)


async def test_hostile_an_unreachable_redis_fails_startup_naming_it() -> None:
    port = unused_port()
    channels = Channels(RedisBackend(f"redis://:s3cret@127.0.0.1:{port}/2", timeout=1))
    with anyio.fail_after(10), pytest.raises(ChannelsUnavailable) as caught:
        await channels.connect()
    message = str(caught.value)
    assert message.startswith(
        f"boca-channels cannot connect to Redis at redis://:***@127.0.0.1:{port}/2 (Connection"
    )
    assert message.endswith("start Redis there, or fix the URL given to RedisBackend()")
    assert "s3cret" not in message
    assert not channels.connected
    assert repr(channels.backend) == f"RedisBackend('redis://:***@127.0.0.1:{port}/2')"


@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_on_trio_the_redis_backend_says_to_use_memory(redis_url: str) -> None:
    channels = Channels(RedisBackend(redis_url))
    with pytest.raises(ChannelsError, match=r"RedisBackend runs on asyncio .* use MemoryBackend"):
        await channels.connect()


async def test_two_processes_share_channels_and_history(redis_url: str) -> None:
    """Two Channels on one Redis stand for two workers: each sees what the other publishes."""
    async with Channels(RedisBackend(redis_url)) as one, Channels(RedisBackend(redis_url)) as two:
        async with two.subscribe("items") as sub:
            sent = await one.publish("items", {"kind": "created", "id": 1})
            (got,) = await receive_all(sub, 1)
        assert (got.id, got.data) == (sent, {"kind": "created", "id": 1})
        later = await one.publish("items", 2)
        # A client that saw `sent` on one worker and reconnects to the other gets the rest.
        async with two.subscribe("items", history=10, last_id=sent) as sub:
            (replayed,) = await receive_all(sub, 1)
        assert (replayed.id, replayed.data) == (later, 2)


async def test_the_prefix_keeps_apps_apart(redis_url: str) -> None:
    a = Channels(RedisBackend(redis_url, prefix="a:"))
    b = Channels(RedisBackend(redis_url, prefix="b:"))
    async with a, b, a.subscribe("items", history=5) as only_a:
        await b.publish("items", "for b")
        await a.publish("items", "for a")
        assert [m.data for m in await receive_all(only_a, 1)] == ["for a"]
        assert only_a.pending == 0


async def test_valkey_urls_are_redis_urls(redis_server: RedisServer, redis_url: str) -> None:
    url = f"valkey://127.0.0.1:{redis_server.port}/0"
    async with Channels(RedisBackend(url)) as channels, channels.subscribe("v") as sub:
        await channels.publish("v", 1)
        assert [m.data for m in await receive_all(sub, 1)] == [1]


async def test_history_is_bounded_and_expires_in_redis(
    redis_server: RedisServer, redis_url: str
) -> None:
    async with Channels(RedisBackend(redis_url), max_history=10, history_ttl=60) as channels:
        for n in range(500):
            await channels.publish("items", n)
    length = int(redis_server.command("XLEN", "boca:channels:stream:items")[1:])
    assert 10 <= length < 200  # MAXLEN ~ trims whole nodes of 100 entries
    ttl = int(redis_server.command("PTTL", "boca:channels:stream:items")[1:])
    assert 0 < ttl <= 60_000


async def test_hostile_redis_down_publish_fails_fast_and_the_listener_comes_back(
    own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="boca.channels")
    url = own_redis.url
    fast = {"timeout": 3, "reconnect_delay": 0.05, "max_reconnect_delay": 0.2}
    publisher = Channels(RedisBackend(url, **fast))
    # Without history of its own, the listener still reads what a publisher with it sends.
    listener = Channels(RedisBackend(url, **fast), max_history=0)
    async with publisher, listener, listener.subscribe("items") as sub:
        first = await publisher.publish("items", "before")
        left_during_the_outage = listener.subscribe("other")
        await left_during_the_outage.__aenter__()
        own_redis.stop()
        await left_during_the_outage.__aexit__(None, None, None)
        assert listener.subscribers("other") == 0
        with anyio.fail_after(5):
            for _ in range(3):
                with pytest.raises(ChannelsUnavailable) as caught:
                    await publisher.publish("items", "during")
            with pytest.raises(ChannelsUnavailable, match="cannot subscribe to channel 'new'"):
                async with listener.subscribe("new"):
                    pass
        assert str(caught.value).startswith(
            f"cannot publish on channel 'items': Redis at {url} is unavailable (ConnectionError"
        )
        await anyio.sleep(0.5)  # several reconnection attempts fail meanwhile
        own_redis.start()
        with anyio.fail_after(10):
            while True:  # the publisher's pool reconnects on its next command
                try:
                    after = await publisher.publish("items", "after")
                    break
                except ChannelsUnavailable:
                    await anyio.sleep(0.05)
        # Without history, what is published before the listener is back is not caught up:
        # wait for it, then publish again.
        with anyio.fail_after(10):
            while sum("reconnected" in r.getMessage() for r in caplog.records) < 2:
                await anyio.sleep(0.02)
        again = await publisher.publish("items", "again")
        got = [await sub.receive()]
        with anyio.fail_after(10):
            while got[-1].data != "again":
                got.append(await sub.receive())
        assert (got[0].id, got[-1].id) == (first, again)
        # "after" arrived only if the listener happened to be back in time.
        assert [m.id for m in got[1:-1]] in ([], [after])
    lost = [r for r in caplog.records if "lost the connection to Redis" in r.getMessage()]
    back = [r for r in caplog.records if "reconnected to Redis" in r.getMessage()]
    # Once per outage and per Channels (each worker logs its own), however many retries.
    assert len(lost) == 2
    assert lost[0].getMessage().startswith(f"boca-channels: lost the connection to Redis at {url}")
    assert len(back) == 2


async def test_hostile_what_was_published_while_a_listener_was_away_is_caught_up(
    own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="boca.channels")
    url = own_redis.url
    publisher = Channels(RedisBackend(url, timeout=3))
    # A slow reconnect: the publisher is back on Redis well before the listener.
    listener = Channels(RedisBackend(url, timeout=3, reconnect_delay=1.0))
    async with publisher, listener, listener.subscribe("items") as sub:
        ids = [await publisher.publish("items", n) for n in range(3)]
        assert [m.id for m in await receive_all(sub, 3)] == ids
        own_redis.stop()
        with anyio.fail_after(10):
            while not any("lost the connection" in r.getMessage() for r in caplog.records):
                await anyio.sleep(0.01)
        own_redis.start()  # with its data: the stream is still there
        with anyio.fail_after(10):
            while True:
                try:
                    ids.append(await publisher.publish("items", 3))
                    break
                except ChannelsUnavailable:
                    await anyio.sleep(0.02)
        ids += [await publisher.publish("items", n) for n in (4, 5)]
        got = await receive_all(sub, 3)
        assert [m.id for m in got] == ids[3:]
        assert [m.data for m in got] == [3, 4, 5]
        await publisher.publish("items", 6)  # and live again, without repeats
        assert [m.data for m in await receive_all(sub, 1)] == [6]


async def test_a_backend_used_before_connecting_says_so(redis_url: str) -> None:
    backend = RedisBackend(redis_url)
    with pytest.raises(ChannelsUnavailable, match="the Redis backend is not connected"):
        await backend.publish("items", "1")


async def test_a_client_of_ones_own_such_as_sentinels(redis_url: str) -> None:
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(redis_url)
    backend = RedisBackend("redis://sentinel/mymaster", client=client)
    async with Channels(backend) as channels, channels.subscribe("items") as sub:
        await channels.publish("items", "via my client")
        assert [m.data for m in await receive_all(sub, 1)] == ["via my client"]


@pytest.mark.parametrize("garbage", ["garbage", "1-0 {not json", "x" * 500, "\udcff"])
async def test_hostile_foreign_messages_on_the_prefix_are_dropped(
    redis_server: RedisServer, redis_url: str, caplog: pytest.LogCaptureFixture, garbage: str
) -> None:
    import redis.asyncio

    caplog.set_level(logging.WARNING, logger="boca.channels")
    async with Channels(RedisBackend(redis_url)) as channels, channels.subscribe("items") as sub:
        other = redis.asyncio.Redis.from_url(redis_url)
        payload = garbage.encode("utf-8", "surrogateescape")
        assert await other.publish("boca:channels:items", payload) == 1
        await other.aclose()
        sent = await channels.publish("items", "real")
        (got,) = await receive_all(sub, 1)
    assert (got.id, got.data) == (sent, "real")
    (warning,) = [r for r in caplog.records if "dropped a message" in r.getMessage()]
    assert warning.getMessage().startswith("boca-channels: dropped a message on 'items'")


async def test_hostile_foreign_stream_entries_are_skipped_in_a_replay(
    redis_server: RedisServer, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with Channels(RedisBackend(redis_url)) as channels:
        first = await channels.publish("items", 1)
        key = "boca:channels:stream:items"
        assert redis_server.command("XADD", key, "*", "other", "field").startswith(b"$")
        assert redis_server.command("XADD", key, "*", "d", "{bad").startswith(b"$")
        last = await channels.publish("items", 2)
        async with channels.subscribe("items", history=10) as sub:
            got = await receive_all(sub, 2)
            assert sub.pending == 0
    assert [(m.id, m.data) for m in got] == [(first, 1), (last, 2)]
    skipped = [r for r in caplog.records if "skipped a stream entry" in r.getMessage()]
    assert len(skipped) == 2


async def test_health_check_pings_on_an_idle_listener_are_not_outages(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="boca.channels")
    backend = RedisBackend(redis_url, health_check_interval=1)
    async with Channels(backend) as channels, channels.subscribe("items") as sub:
        await anyio.sleep(2.5)  # idle: redis-py pings the pub/sub connection meanwhile
        await channels.publish("items", "still here")
        assert [m.data for m in await receive_all(sub, 1)] == ["still here"]
    assert [r.getMessage() for r in caplog.records] == []


@pytest.fixture
def sentinel_port(redis_server: RedisServer, tmp_path: Any) -> Any:
    """A real redis-sentinel watching the session's Redis as `mymaster`; its port."""
    import subprocess

    port = unused_port()
    config = tmp_path / "sentinel.conf"
    config.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor mymaster 127.0.0.1 {redis_server.port} 1\n"
    )
    process = subprocess.Popen(
        [redis_server.executable, str(config), "--sentinel"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield port
    process.terminate()
    process.wait(10)


async def test_through_sentinel(redis_url: str, sentinel_port: int) -> None:
    from redis.asyncio.sentinel import Sentinel

    sentinel = Sentinel([("127.0.0.1", sentinel_port)], socket_timeout=1)
    with anyio.fail_after(10):
        while True:
            try:
                await sentinel.discover_master("mymaster")
                break
            except Exception:
                await anyio.sleep(0.05)
    client = sentinel.master_for("mymaster", socket_timeout=2)
    backend = RedisBackend("redis://mymaster", client=client)
    async with Channels(backend) as channels, channels.subscribe("items") as sub:
        await channels.publish("items", "via sentinel")
        assert [m.data for m in await receive_all(sub, 1)] == ["via sentinel"]
