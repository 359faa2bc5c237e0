"""Several Uvicorn processes of one app on one real Redis, driven over the network with httpx."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import pytest
import websockets

from boca.channels.testing import RedisServer

pytestmark = pytest.mark.anyio

TIMEOUT = httpx.Timeout(15.0)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Events:
    """Reads a `text/event-stream` response event by event."""

    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.aiter_lines()

    async def next(self, timeout: float = 10) -> dict[str, str]:
        """The next event that is not a heartbeat, as its fields."""
        event: dict[str, str] = {}
        with anyio.fail_after(timeout):
            async for line in self.lines:
                if line == "":
                    if event:
                        return event
                    continue
                if line.startswith(":"):
                    continue
                name, _, value = line.partition(": ")
                event[name] = value
        raise AssertionError("the stream ended")


async def post(client: httpx.AsyncClient, url: str, data: Any) -> httpx.Response:
    return await client.post(url + "/publish", json=data)


async def test_an_event_stream_on_one_worker_gets_what_another_publishes(
    redis_url: str, uvicorn: Any
) -> None:
    first, second = uvicorn(redis_url), uvicorn(redis_url)
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        pids = {(await client.get(s.url + "/stats")).json()["pid"] for s in (first, second)}
        assert len(pids) == 2  # two processes
        async with client.stream("GET", first.url + "/events") as response:
            assert response.status_code == 200
            assert response.headers["content-type"] == "text/event-stream"
            events = Events(response)
            assert await events.next() == {"retry": "1000"}  # subscribed
            created = await post(client, second.url, {"kind": "created", "id": 3})
            assert created.status_code == 201
            assert await events.next() == {
                "id": created.json()["id"],
                "data": '{"kind":"created","id":3}',
            }


async def test_a_websocket_on_one_worker_gets_what_another_publishes(
    redis_url: str, uvicorn: Any
) -> None:
    first, second = uvicorn(redis_url), uvicorn(redis_url)
    async with (
        httpx.AsyncClient(timeout=TIMEOUT) as client,
        websockets.connect(first.url.replace("http", "ws") + "/ws") as ws,
    ):
        with anyio.fail_after(10):
            while (await client.get(first.url + "/stats")).json()["subscribers"] != 1:
                await anyio.sleep(0.02)
        created = await post(client, second.url, [1, 2])
        with anyio.fail_after(10):
            frame = json.loads(await ws.recv())
    assert frame == {"id": created.json()["id"], "channel": "items", "data": [1, 2]}


async def test_hostile_redis_restarts_mid_stream_and_nothing_kept_is_lost(
    own_redis: RedisServer, uvicorn: Any
) -> None:
    first, second = uvicorn(own_redis.url), uvicorn(own_redis.url)
    sent: list[str] = []
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        async with client.stream("GET", first.url + "/events") as response:
            events = Events(response)
            assert await events.next() == {"retry": "1000"}
            for n in range(2):
                sent.append((await post(client, second.url, n)).json()["id"])
            assert [(await events.next())["id"] for _ in range(2)] == sent

            own_redis.stop()
            # Publishing fails at once and clearly; no request waits for Redis.
            down = await post(client, second.url, "lost")
            assert down.status_code == 503
            assert down.headers["retry-after"] == "1"
            assert down.json() == {
                "error": "503 Service Unavailable",
                "status": 503,
                "detail": "try again shortly",
            }
            # A new stream is refused with a 503 too, instead of hanging.
            refused = await client.get(second.url + "/events", headers={"last-event-id": sent[0]})
            assert refused.status_code == 503
            assert refused.json()["detail"] == (
                "the channels backend is unavailable; try again shortly"
            )

            own_redis.start()
            with anyio.fail_after(15):
                while (answer := await post(client, second.url, 2)).status_code != 201:
                    await anyio.sleep(0.05)
            sent.append(answer.json()["id"])
            sent.append((await post(client, second.url, 3)).json()["id"])
            # The open stream went on by itself, with no repeat and no gap.
            got = [await events.next() for _ in range(2)]
            assert [(e["id"], e["data"]) for e in got] == [(sent[2], "2"), (sent[3], "3")]

        # A client that saw only the first message reconnects, to the other worker: as told by
        # Retry-After, until that worker's listener is back on Redis too.
        headers = {"last-event-id": sent[0]}
        with anyio.fail_after(15):
            while True:
                stream = client.stream("GET", second.url + "/events", headers=headers)
                async with stream as response:
                    if response.status_code == 503:
                        await anyio.sleep(0.1)
                        continue
                    assert response.status_code == 200
                    events = Events(response)
                    assert await events.next() == {"retry": "1000"}
                    replayed = [await events.next() for _ in range(3)]
                    break
    assert [(e["id"], e["data"]) for e in replayed] == list(
        zip(sent[1:], ["1", "2", "3"], strict=True)
    )


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1])


async def test_hostile_a_client_that_never_reads_does_not_grow_the_server(
    redis_url: str, uvicorn: Any
) -> None:
    server = uvicorn(redis_url, CHANNELS_MAX_PENDING="64")
    port = server.port
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        stream = await anyio.connect_tcp("127.0.0.1", port)
        await stream.send(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")  # and never read
        with anyio.fail_after(10):
            while (await client.get(server.url + "/stats")).json()["subscribers"] != 1:
                await anyio.sleep(0.02)
        before = rss_kib(server.process.pid)
        payload = "x" * 20_000
        for n in range(1_500):  # 30 MB of messages for a client that reads none
            assert (await post(client, server.url, [n, payload])).status_code == 201
        after = rss_kib(server.process.pid)
        # The subscription was closed at its bound of 64 messages, its buffer freed.
        assert (await client.get(server.url + "/stats")).json()["subscribers"] == 0
        await stream.aclose()
    assert after - before < 15_000, (before, after)  # KiB
