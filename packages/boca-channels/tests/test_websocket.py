"""WebSocketStream and relay(): a channel pushed to websocket clients."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from boca.channels import Channels, RedisBackend, WebSocketStream, relay
from boca.channels.testing import RedisServer

pytestmark = pytest.mark.anyio


async def test_each_message_is_a_json_frame(
    channels: Channels, connection: Any, ws_scope: Any
) -> None:
    conn = connection(WebSocketStream(channels, "room"), ws_scope())
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(conn.run)
        with anyio.fail_after(5):
            while not channels.subscribers("room"):
                await anyio.sleep(0.01)
        sent = await channels.publish("room", {"text": "hi"})
        await conn.wait_for(lambda c: c.texts)
        conn.disconnect()
    assert conn.sent[0] == {"type": "websocket.accept"}
    assert conn.texts == [f'{{"id":"{sent}","channel":"room","data":{{"text":"hi"}}}}']
    assert json.loads(conn.texts[0]) == {"id": sent, "channel": "room", "data": {"text": "hi"}}
    assert channels.subscribers("room") == 0
    assert conn.sent[-1]["type"] == "websocket.send"  # the client left: no close frame


async def test_last_id_in_the_query_replays(
    channels: Channels, connection: Any, ws_scope: Any
) -> None:
    ids = [await channels.publish("room", n) for n in range(3)]
    query = b"last_id=" + ids[0].encode()
    conn = connection(WebSocketStream(channels, lambda s: "room"), ws_scope(query=query))
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(conn.run)
        await conn.wait_for(lambda c: len(c.texts) == 2)
        conn.disconnect()
    assert [json.loads(t)["data"] for t in conn.texts] == [1, 2]


async def test_hostile_a_malformed_last_id_closes_with_1008(
    channels: Channels, connection: Any, ws_scope: Any
) -> None:
    conn = connection(WebSocketStream(channels, "room"), ws_scope(query=b"last_id=%00x"))
    await conn.run()
    assert conn.sent[0] == {"type": "websocket.accept"}
    assert conn.sent[1]["code"] == 1008
    assert "is not a message id" in conn.sent[1]["reason"]


async def test_shutdown_closes_with_1001(
    make_channels: Any, connection: Any, ws_scope: Any
) -> None:
    async with anyio.create_task_group() as tasks:
        channels = make_channels()
        await channels.connect()
        conn = connection(WebSocketStream(channels, "room"), ws_scope())
        tasks.start_soon(conn.run)
        with anyio.fail_after(5):
            while not channels.subscribers("room"):
                await anyio.sleep(0.01)
        await channels.close()
        await conn.wait_for(lambda c: c.sent[-1]["type"] == "websocket.close")
    assert conn.sent[-1] == {"type": "websocket.close", "code": 1001}


async def test_hostile_a_client_too_slow_is_closed_with_1013(
    make_channels: Any, connection: Any, ws_scope: Any
) -> None:
    async with make_channels(max_pending=2) as channels:
        conn = connection(WebSocketStream(channels, "room"), ws_scope())
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(conn.run)
            await conn.wait_for(lambda c: c.sent)
            with anyio.fail_after(5):
                while not channels.subscribers("room"):
                    await anyio.sleep(0.01)
            conn.stall()
            for n in range(20):
                await channels.publish("room", n)
            conn.unstall()
            await conn.wait_for(lambda c: c.sent[-1]["type"] == "websocket.close")
    assert conn.sent[-1] == {"type": "websocket.close", "code": 1013}
    assert len(conn.texts) <= 3


async def test_an_http_request_is_a_400(
    channels: Channels, connection: Any, http_scope: Any
) -> None:
    conn = connection(WebSocketStream(channels, "room"), http_scope())
    await conn.run()
    assert conn.sent[0]["status"] == 400
    assert json.loads(conn.body) == {
        "error": "400 Bad Request",
        "status": 400,
        "detail": "this is a websocket endpoint",
    }
    lifespan = connection(WebSocketStream(channels, "room"), {"type": "lifespan"})
    await lifespan.run()
    assert lifespan.sent == []


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_hostile_redis_down_closes_with_1013(
    own_redis: RedisServer, connection: Any, ws_scope: Any
) -> None:
    async with Channels(RedisBackend(own_redis.url, timeout=1)) as channels:
        own_redis.stop()
        conn = connection(WebSocketStream(channels, "room"), ws_scope())
        with anyio.fail_after(5):
            await conn.run()
    assert conn.sent == [{"type": "websocket.accept"}, {"type": "websocket.close", "code": 1013}]


class FakeWebSocket:
    """The structural surface relay() needs, as Boca's websocket offers it."""

    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.closed: int | None = None
        self.incoming: Any = None
        self._leave = anyio.Event()

    async def __aiter__(self) -> AsyncIterator[Any]:
        yield "ignored"
        await self._leave.wait()
        if self.incoming is not None:
            raise self.incoming

    async def send(self, data: Any) -> None:
        self.sent.append(data)

    async def close(self, code: int = 1000) -> None:
        self.closed = code

    def leave(self, error: BaseException | None = None) -> None:
        self.incoming = error
        self._leave.set()


@pytest.mark.parametrize("error", [None, ConnectionResetError("peer vanished")])
async def test_relay_until_the_client_leaves(channels: Channels, error: Any) -> None:
    ws = FakeWebSocket()
    async with channels.subscribe("room") as sub, anyio.create_task_group() as tasks:
        tasks.start_soon(relay, sub, ws)
        sent = await channels.publish("room", [1])
        with anyio.fail_after(5):
            while not ws.sent:
                await anyio.sleep(0.01)
        ws.leave(error)
    assert ws.sent == [f'{{"id":"{sent}","channel":"room","data":[1]}}']
    assert ws.closed is None


async def test_relay_with_an_encoder_and_shutdown(make_channels: Any) -> None:
    ws = FakeWebSocket()
    async with anyio.create_task_group() as tasks:
        channels = make_channels()
        await channels.connect()
        async with channels.subscribe("room") as sub:
            tasks.start_soon(lambda: relay(sub, ws, encode=lambda m: m.data))
            await channels.publish("room", {"n": 1})
            with anyio.fail_after(5):
                while not ws.sent:
                    await anyio.sleep(0.01)
            await channels.close()
            with anyio.fail_after(5):
                while ws.closed is None:
                    await anyio.sleep(0.01)
    assert ws.sent == [{"n": 1}]
    assert ws.closed == 1001


async def test_relay_closes_a_slow_client_with_1013(make_channels: Any) -> None:
    ws = FakeWebSocket()
    async with make_channels(max_pending=2) as channels, channels.subscribe("room") as sub:
        for n in range(5):
            await channels.publish("room", n)
        with anyio.fail_after(5):
            while not sub.closed:
                await anyio.sleep(0.01)
        await relay(sub, ws)
    assert ws.sent == []
    assert ws.closed == 1013


async def test_a_scope_that_does_not_start_with_connect_is_left(
    channels: Channels, ws_scope: Any
) -> None:
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.disconnect", "code": 1006}

    async def send(message: Any) -> None:
        sent.append(message)

    await WebSocketStream(channels, "room")(ws_scope(), receive, send)
    assert sent == []
