"""EventStream: a channel as server-sent events, driven as a server would drive it."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

from boca.channels import Channels, EventStream, Message, RedisBackend
from boca.channels.testing import RedisServer

pytestmark = pytest.mark.anyio

HEADERS = [
    (b"content-type", b"text/event-stream"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]


def events(body: bytes) -> list[str]:
    return [e for e in body.decode().split("\n\n") if e]


async def test_messages_go_out_as_events_with_their_ids(
    channels: Channels, connection: Any, http_scope: Any
) -> None:
    stream = EventStream(channels, "items", event=lambda m: m.data.get("kind"))
    conn = connection(stream, http_scope())
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(conn.run)
        await conn.wait_for(lambda c: c.body)  # subscribed: the retry line went out
        first = await channels.publish("items", {"kind": "created", "id": 3})
        second = await channels.publish("items", {"id": 4})
        await conn.wait_for(lambda c: len(events(c.body)) == 3)
        conn.disconnect()
    assert conn.sent[0] == {"type": "http.response.start", "status": 200, "headers": HEADERS}
    assert events(conn.body) == [
        "retry: 1000",
        f'id: {first}\nevent: created\ndata: {{"kind":"created","id":3}}',
        f'id: {second}\ndata: {{"id":4}}',
    ]
    assert channels.subscribers("items") == 0  # the client left: unsubscribed


async def test_a_reconnecting_client_gets_what_it_missed(
    channels: Channels, connection: Any, http_scope: Any
) -> None:
    ids = [await channels.publish("items", n) for n in range(4)]
    stream = EventStream(channels, "items", event="change", retry=None)
    conn = connection(stream, http_scope(headers=[(b"last-event-id", ids[1].encode())]))
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(conn.run)
        await conn.wait_for(lambda c: len(events(c.body)) == 2)
        conn.disconnect()
    assert events(conn.body) == [
        f"id: {ids[2]}\nevent: change\ndata: 2",
        f"id: {ids[3]}\nevent: change\ndata: 3",
    ]


async def test_a_new_client_gets_no_history(
    channels: Channels, connection: Any, http_scope: Any
) -> None:
    await channels.publish("items", "old")
    conn = connection(
        EventStream(channels, "items"), http_scope(headers=[(b"last-event-id", b" ")])
    )
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(conn.run)
        await conn.wait_for(lambda c: c.body)
        new = await channels.publish("items", "new")
        await conn.wait_for(lambda c: len(events(c.body)) == 2)
        conn.disconnect()
    assert events(conn.body) == ["retry: 1000", f'id: {new}\ndata: "new"']


async def test_heartbeats_keep_a_quiet_stream_open(
    channels: Channels, connection: Any, http_scope: Any
) -> None:
    conn = connection(EventStream(channels, "items", heartbeat=0.01), http_scope())
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(conn.run)
        await conn.wait_for(lambda c: c.body.count(b": ping\n\n") >= 2)
        conn.disconnect()
    assert conn.body.startswith(b"retry: 1000\n\n: ping\n\n")


async def test_the_channel_can_come_from_the_scope(
    channels: Channels, connection: Any, http_scope: Any
) -> None:
    stream = EventStream(channels, lambda scope: "room:" + scope["path"].rsplit("/", 1)[1])
    conn = connection(stream, http_scope("/rooms/7"))
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(conn.run)
        await conn.wait_for(lambda c: c.body)
        assert channels.subscribers("room:7") == 1
        await channels.publish("room:7", "hi")
        await conn.wait_for(lambda c: b"hi" in c.body)
        conn.disconnect()


async def test_the_stream_ends_at_shutdown(
    make_channels: Any, connection: Any, http_scope: Any
) -> None:
    async with anyio.create_task_group() as tasks:
        channels = make_channels()
        await channels.connect()
        conn = connection(EventStream(channels, "items"), http_scope())
        tasks.start_soon(conn.run)
        await conn.wait_for(lambda c: c.body)
        await channels.close()
        await conn.wait_for(lambda c: c.sent[-1].get("more_body") is False)
    assert conn.sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


async def test_hostile_a_client_that_stops_reading_is_ended_at_the_bound(
    make_channels: Any, connection: Any, http_scope: Any
) -> None:
    async with make_channels(max_pending=4) as channels:
        conn = connection(EventStream(channels, "items"), http_scope())
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(conn.run)
            await conn.wait_for(lambda c: c.body)
            conn.stall()  # the next send blocks, as on a full socket
            for n in range(100):
                await channels.publish("items", "x" * 1000 + str(n))
            with anyio.fail_after(5):
                while channels.subscribers("items"):
                    await anyio.sleep(0.01)
            conn.unstall()
            await conn.wait_for(lambda c: c.sent[-1].get("more_body") is False)
        # Nothing was held for it past the bound: at most the one message in flight went out.
        assert len(events(conn.body)) <= 2


async def test_hostile_a_malformed_last_event_id_is_a_400(
    channels: Channels, connection: Any, http_scope: Any
) -> None:
    headers = [(b"last-event-id", b"../../etc/passwd")]
    conn = connection(EventStream(channels, "items"), http_scope(headers=headers))
    await conn.run()
    assert conn.sent[0]["status"] == 400
    assert json.loads(conn.body) == {
        "error": "400 Bad Request",
        "status": 400,
        "detail": "Last-Event-ID: '../../etc/passwd' is not a message id: message ids look "
        "like '1764676800000-0'",
    }
    assert channels.subscribers("items") == 0


async def test_other_methods_are_a_405(
    channels: Channels, connection: Any, http_scope: Any
) -> None:
    conn = connection(EventStream(channels, "items"), http_scope(method="POST"))
    await conn.run()
    assert conn.sent[0]["status"] == 405
    assert (b"allow", b"GET") in conn.sent[0]["headers"]
    assert json.loads(conn.body)["error"] == "405 Method Not Allowed"


async def test_head_answers_the_headers_only(
    channels: Channels, connection: Any, http_scope: Any
) -> None:
    conn = connection(EventStream(channels, "items"), http_scope(method="HEAD"))
    await conn.run()
    assert conn.sent == [
        {"type": "http.response.start", "status": 200, "headers": HEADERS},
        {"type": "http.response.body", "body": b""},
    ]


async def test_a_websocket_handshake_is_refused(
    channels: Channels, connection: Any, ws_scope: Any
) -> None:
    conn = connection(EventStream(channels, "items"), ws_scope())
    await conn.run()
    assert conn.sent == [{"type": "websocket.close", "code": 1008}]
    lifespan = connection(EventStream(channels, "items"), {"type": "lifespan"})
    await lifespan.run()
    assert lifespan.sent == []


def test_options_are_checked() -> None:
    channels = Channels()
    with pytest.raises(ValueError, match=r"EventStream\(heartbeat=0\)"):
        EventStream(channels, "items", heartbeat=0)
    with pytest.raises(ValueError, match=r"EventStream\(retry=-1\)"):
        EventStream(channels, "items", retry=-1)
    with pytest.raises(ValueError, match=r"EventStream\(event='a\\nb'\)"):
        EventStream(channels, "items", event="a\nb")
    message = Message("1-0", "items", {}, "{}")
    assert EventStream(channels, "x", event=lambda m: "a\nb").encode(message) == (
        b"id: 1-0\nevent: a b\ndata: {}\n\n"
    )


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_hostile_redis_down_is_a_503(
    own_redis: RedisServer, connection: Any, http_scope: Any
) -> None:
    async with Channels(RedisBackend(own_redis.url, timeout=1)) as channels:
        own_redis.stop()
        conn = connection(EventStream(channels, "items"), http_scope())
        with anyio.fail_after(5):
            await conn.run()
    assert conn.sent[0]["status"] == 503
    assert (b"retry-after", b"1") in conn.sent[0]["headers"]
    assert json.loads(conn.body) == {
        "error": "503 Service Unavailable",
        "status": 503,
        "detail": "the channels backend is unavailable; try again shortly",
    }


async def test_hostile_a_channel_name_from_the_path_that_is_not_one_is_a_400(
    channels: Channels, connection: Any, http_scope: Any
) -> None:
    stream = EventStream(channels, lambda scope: scope["path"].rsplit("/", 1)[1])
    conn = connection(stream, http_scope("/rooms/a b"))
    await conn.run()
    assert conn.sent[0]["status"] == 400
    assert json.loads(conn.body)["detail"].startswith("'a b' is not a channel name")


def test_the_replay_fits_the_buffer() -> None:
    channels = Channels(max_history=1000, max_pending=50)
    assert EventStream(channels, "items").history == 50
    with pytest.raises(ValueError, match=r"EventStream\(history=60\): a replay must fit"):
        EventStream(channels, "items", history=60)


@pytest.mark.parametrize(
    "data",
    [
        "line one\nevent: injected\ndata: forged\n\nid: 9999999999999-0",
        "\r\n\r\n: not a comment",
        "\u2028\u2029\x00 é 🎉",
        {"nested": ["\n", {"deep": "\r"}], "n": 2**63},
    ],
)
async def test_hostile_data_cannot_forge_event_fields(
    channels: Channels, connection: Any, http_scope: Any, data: Any
) -> None:
    conn = connection(EventStream(channels, "items", retry=None), http_scope())
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(conn.run)
        with anyio.fail_after(5):
            while not channels.subscribers("items"):
                await anyio.sleep(0.01)
        sent = await channels.publish("items", data)
        await conn.wait_for(lambda c: c.body.endswith(b"\n\n"))
        conn.disconnect()
    (event,) = events(conn.body)
    lines = event.split("\n")
    assert lines[0] == f"id: {sent}"
    assert len(lines) == 2
    assert lines[1].startswith("data: ")
    assert json.loads(lines[1].removeprefix("data: ")) == data
