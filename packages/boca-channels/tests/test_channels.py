"""What a channel does, the same on every backend: memory (asyncio, trio) and Redis (asyncio)."""

from __future__ import annotations

import re
from typing import Any

import anyio
import pytest

from boca.channels import Channels, ChannelsError, Message, SubscriberTooSlow

pytestmark = pytest.mark.anyio

ID = re.compile(r"[0-9]{13}-[0-9]+")


def key(message_id: str) -> tuple[int, int]:
    ms, seq = message_id.split("-")
    return int(ms), int(seq)


async def receive_all(sub: Any, count: int) -> list[Message]:
    with anyio.fail_after(5):
        return [await sub.receive() for _ in range(count)]


async def test_a_subscriber_receives_what_is_published(channels: Channels) -> None:
    async with channels.subscribe("items") as sub:
        first = await channels.publish("items", {"kind": "created", "id": 3})
        second = await channels.publish("items", ["é", 1.5, None, True])
        got = await receive_all(sub, 2)
    assert [m.id for m in got] == [first, second]
    assert all(ID.fullmatch(m.id) for m in got)
    assert key(first) < key(second)
    assert [m.channel for m in got] == ["items", "items"]
    assert [m.data for m in got] == [{"kind": "created", "id": 3}, ["é", 1.5, None, True]]
    assert got[0].raw == '{"kind":"created","id":3}'
    assert got[1].raw == '["é",1.5,null,true]'


async def test_every_subscriber_of_a_channel_and_no_other(channels: Channels) -> None:
    async with (
        channels.subscribe("items") as one,
        channels.subscribe("items") as two,
        channels.subscribe("other") as other,
    ):
        assert channels.subscribers("items") == 2
        await channels.publish("items", 1)
        await channels.publish("other", 2)
        assert [m.data for m in await receive_all(one, 1)] == [1]
        assert [m.data for m in await receive_all(two, 1)] == [1]
        assert [m.data for m in await receive_all(other, 1)] == [2]
        assert (one.pending, two.pending, other.pending) == (0, 0, 0)
    assert channels.subscribers("items") == 0


async def test_without_history_only_what_comes_after(channels: Channels) -> None:
    await channels.publish("items", "before")
    async with channels.subscribe("items") as sub:
        await channels.publish("items", "after")
        assert [m.data for m in await receive_all(sub, 1)] == ["after"]
        assert sub.pending == 0


async def test_history_replays_the_newest_then_goes_live(channels: Channels) -> None:
    for n in range(5):
        await channels.publish("items", n)
    async with channels.subscribe("items", history=3) as sub:
        assert sub.pending == 3
        await channels.publish("items", 5)
        assert [m.data for m in await receive_all(sub, 4)] == [2, 3, 4, 5]


async def test_last_id_replays_only_what_was_missed(channels: Channels) -> None:
    ids = [await channels.publish("items", n) for n in range(5)]
    async with channels.subscribe("items", history=10, last_id=ids[1]) as sub:
        await channels.publish("items", 5)
        got = await receive_all(sub, 4)
    assert [m.data for m in got] == [2, 3, 4, 5]
    assert [m.id for m in got[:3]] == ids[2:]


async def test_last_id_of_the_newest_replays_nothing(channels: Channels) -> None:
    ids = [await channels.publish("items", n) for n in range(3)]
    async with channels.subscribe("items", history=10, last_id=ids[-1]) as sub:
        assert sub.pending == 0
        await channels.publish("items", "live")
        assert [m.data for m in await receive_all(sub, 1)] == ["live"]


async def test_hostile_last_id_in_the_future_does_not_hide_new_messages(
    channels: Channels,
) -> None:
    await channels.publish("items", "old")
    async with channels.subscribe("items", history=10, last_id="99999999999999-0") as sub:
        assert sub.pending == 0
        await channels.publish("items", "new")
        assert [m.data for m in await receive_all(sub, 1)] == ["new"]


async def test_history_of_an_empty_channel(channels: Channels) -> None:
    async with channels.subscribe("empty", history=5, last_id="0-0") as sub:
        assert sub.pending == 0
        await channels.publish("empty", "first")
        assert [m.data for m in await receive_all(sub, 1)] == ["first"]


async def test_history_keeps_at_most_max_history(make_channels: Any) -> None:
    async with make_channels(max_history=3) as channels:
        for n in range(10):
            await channels.publish("items", n)
        async with channels.subscribe("items", history=50) as sub:
            assert sub.history == 3
            assert [m.data for m in await receive_all(sub, 3)] == [7, 8, 9]


async def test_fire_and_forget_without_history(make_channels: Any) -> None:
    async with make_channels(max_history=0) as channels:
        async with channels.subscribe("items") as sub:
            first = await channels.publish("items", "a")
            await channels.publish("items", "b")
            got = await receive_all(sub, 2)
        assert [m.data for m in got] == ["a", "b"]
        assert got[0].id == first
        assert ID.fullmatch(first)
        with pytest.raises(ValueError, match=r"keep no history \(Channels\(max_history=0\)\)"):
            channels.subscribe("items", history=1)


async def test_hostile_a_subscriber_that_never_reads_is_closed_at_its_bound(
    channels: Channels,
) -> None:
    async with channels.subscribe("items", max_pending=3) as slow:
        async with channels.subscribe("items") as fast:
            for n in range(50):
                await channels.publish("items", n)
                assert slow.pending <= 3
            assert [m.data for m in await receive_all(fast, 50)] == list(range(50))
        assert slow.closed
        assert slow.pending == 0
        assert channels.subscribers("items") == 0
        with pytest.raises(SubscriberTooSlow, match="fell 3 messages behind"):
            await slow.receive()


async def test_hostile_drop_oldest_keeps_the_newest(channels: Channels) -> None:
    async with channels.subscribe("items", max_pending=3, on_overflow="drop_oldest") as sub:
        for n in range(50):
            await channels.publish("items", n)
            assert sub.pending <= 3
        await channels.publish("items", "last")
        with anyio.fail_after(5):  # through Redis, wait until all 51 have arrived
            while sub.dropped + sub.pending < 51:
                await anyio.sleep(0.01)
        assert (sub.dropped, sub.pending) == (48, 3)
        assert [m.data for m in await receive_all(sub, 3)] == [48, 49, "last"]


async def test_closing_the_channels_ends_every_subscription(make_channels: Any) -> None:
    channels = make_channels()
    seen: list[Any] = []

    async def read() -> None:
        async with channels.subscribe("items") as sub:
            async for message in sub:
                seen.append(message.data)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tasks:
            # connect() and close() pair up like a context manager's two halves: here, in
            # this task, inside the task group that runs the reader.
            await channels.connect()
            await channels.connect()  # twice is once
            tasks.start_soon(read)
            while not channels.subscribers("items"):
                await anyio.sleep(0.01)
            await channels.publish("items", "hello")
            while not seen:
                await anyio.sleep(0.01)
            await channels.close()
    assert seen == ["hello"]
    assert not channels.connected
    await channels.close()  # twice is once


async def test_a_subscription_left_early_stops_listening(channels: Channels) -> None:
    async with channels.subscribe("items") as sub:
        pass
    assert sub.closed
    with pytest.raises(anyio.EndOfStream):
        await sub.receive()
    async with channels.subscribe("items") as again:  # listening starts again
        await channels.publish("items", 1)
        assert [m.data for m in await receive_all(again, 1)] == [1]


async def test_publish_refuses_what_json_cannot_encode(channels: Channels) -> None:
    with pytest.raises(
        TypeError, match=r"cannot publish set on channel 'items': messages are JSON"
    ):
        await channels.publish("items", {1, 2})
    with pytest.raises(TypeError, match="cannot publish float on channel 'items'"):
        await channels.publish("items", float("nan"))


@pytest.mark.parametrize("name", ["", "a b", "tab\there", "nul\x00", "x" * 201, 3])
async def test_hostile_channel_names_are_refused(channels: Channels, name: Any) -> None:
    with pytest.raises(ValueError, match="is not a channel name: 1 to 200 characters"):
        await channels.publish(name, 1)
    with pytest.raises(ValueError, match="is not a channel name"):
        channels.subscribe(name)


@pytest.mark.parametrize("last_id", ["abc", "1-2-3", "-1-0", "1" * 30 + "-0", ""])
async def test_hostile_malformed_last_ids_are_refused(channels: Channels, last_id: str) -> None:
    with pytest.raises(ValueError, match="is not a message id: message ids look like"):
        channels.subscribe("items", history=5, last_id=last_id)


async def test_subscribe_options_are_checked(channels: Channels) -> None:
    with pytest.raises(ValueError, match=r"history=-1\) must be 0 or more"):
        channels.subscribe("items", history=-1)
    with pytest.raises(ValueError, match=r"a replay must fit in the buffer \(max_pending=2\)"):
        channels.subscribe("items", history=3, max_pending=2)
    with pytest.raises(ValueError, match=r"subscribe\(max_pending=0\) must be 1 or more"):
        channels.subscribe("items", max_pending=0)
    with pytest.raises(ValueError, match="must be 'close' or 'drop_oldest'"):
        channels.subscribe("items", on_overflow="ignore")  # type: ignore[arg-type]


async def test_not_connected_is_a_clear_error(make_channels: Any) -> None:
    channels = make_channels()
    message = r"the channels are not connected: app.use\(channels\) in Boca"
    with pytest.raises(ChannelsError, match=message):
        await channels.publish("items", 1)
    with pytest.raises(ChannelsError, match=message):
        channels.subscribe("items")


def test_channels_options_are_checked() -> None:
    with pytest.raises(ValueError, match=r"Channels\(max_history=-1\) must be 0 or more"):
        Channels(max_history=-1)
    with pytest.raises(ValueError, match=r"Channels\(history_ttl=0\) is seconds"):
        Channels(history_ttl=0)
    with pytest.raises(ValueError, match=r"Channels\(max_pending=0\)"):
        Channels(max_pending=0)
    with pytest.raises(ValueError, match=r"Channels\(on_overflow='x'\)"):
        Channels(on_overflow="x")  # type: ignore[arg-type]
    assert repr(Channels()) == "Channels(MemoryBackend())"


async def test_memory_history_expires_after_its_ttl(
    anyio_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backend's clock is moved on by hand: however slow the machine, "items" is past
    its TTL and the channels published to since are not."""
    import time

    from boca.channels import memory

    now = [1000.0]

    class Clock:
        """The `time` module, with a monotonic clock of the test's own."""

        def __getattr__(self, name: str) -> Any:
            return getattr(time, name)

        def monotonic(self) -> float:
            return now[0]

    monkeypatch.setattr(memory, "time", Clock())
    async with Channels(history_ttl=10) as channels:
        await channels.publish("items", "old")
        now[0] += 10.5
        for n in range(1024):  # every 1024 publishes, expired channels are swept
            await channels.publish(f"c{n % 2}", n)
        async with channels.subscribe("items", history=5) as sub:
            assert sub.pending == 0
            assert repr(sub) == "<Subscription 'items' pending=0 dropped=0>"
        async with channels.subscribe("c1", history=1) as sub:
            assert [m.data for m in await receive_all(sub, 1)] == [1023]
        now[0] += 9.9  # within the TTL of c1's last message
        async with channels.subscribe("c1", history=1) as sub:
            assert [m.data for m in await receive_all(sub, 1)] == [1023]
