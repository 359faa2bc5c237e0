"""The examples of the channels pages, run against real servers (and a real redis-server)."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import sys
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from websockets.asyncio.client import connect

from boca.channels.testing import RedisServer
from boca.core.testing import LiveServer

from .conftest import EXAMPLES, load_example


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


class Events:
    """A `text/event-stream` response, event by event (heartbeats skipped)."""

    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.aiter_lines()

    async def next(self) -> dict[str, str]:
        event: dict[str, str] = {}
        with anyio.fail_after(10):
            async for line in self.lines:
                if not line:
                    if event:
                        return event
                elif not line.startswith(":"):
                    name, _, value = line.partition(": ")
                    event[name] = value
        raise AssertionError("the stream ended")


def test_quickstart(capsys: pytest.CaptureFixture[str]) -> None:
    example = load_example("channels/quickstart.py")
    anyio.run(example.main)
    assert capsys.readouterr().out.splitlines() == [
        "items {'kind': 'created', 'id': 1}",
        "items {'kind': 'created', 'id': 2}",
    ]


@pytest.fixture
def boca_app(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("REDIS_URL", raising=False)
    return load_example("channels/boca_app.py")


async def test_boca_app_streams_a_channel(boca_app: Any) -> None:
    with LiveServer(boca_app.app) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
            assert (await client.get("/healthz")).text == "ok"
            stream = client.stream("GET", "/events/items")
            async with stream as response:
                assert response.status_code == 200
                events = Events(response)
                assert await events.next() == {"retry": "1000"}
                created = await client.post("/items", json={"name": "tea"})
                assert created.status_code == 201
                event = await events.next()
            assert event["event"] == "created"
            assert json.loads(event["data"]) == {"kind": "created", "item": {"name": "tea"}}


async def test_boca_app_room_events_resume_from_last_event_id(boca_app: Any) -> None:
    with LiveServer(boca_app.app) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
            ids = [
                (await client.post("/rooms/tea/messages", json={"text": t})).json()["id"]
                for t in ("hi", "hello", "bye")
            ]
            headers = {"last-event-id": ids[0]}
            async with client.stream("GET", "/rooms/tea/events", headers=headers) as response:
                assert response.status_code == 200
                events = Events(response)
                got = [await events.next() for _ in range(2)]
            assert got == [
                {"event": "said", "id": ids[1], "data": '{"text":"hello"}'},
                {"event": "said", "id": ids[2], "data": '{"text":"bye"}'},
            ]
            bad = await client.get("/rooms/tea/events", headers={"last-event-id": "nope"})
            assert bad.status_code == 400
            assert bad.json() == {
                "error": "400 Bad Request",
                "status": 400,
                "detail": "'nope' is not a message id: message ids look like '1764676800000-0'",
            }


async def test_boca_app_relays_a_room_to_a_websocket(boca_app: Any) -> None:
    with LiveServer(boca_app.app) as server:
        async with (
            httpx.AsyncClient(base_url=server.url, timeout=5) as client,
            connect(server.ws_url + "/rooms/tea/ws", proxy=None) as ws,
        ):
            channels = boca_app.channels
            with anyio.fail_after(5):
                while not channels.subscribers("room:tea"):
                    await anyio.sleep(0.01)
            said = (await client.post("/rooms/tea/messages", json={"text": "hi"})).json()
            with anyio.fail_after(5):
                frame = json.loads(await ws.recv())
        assert frame == {"id": said["id"], "channel": "room:tea", "data": {"text": "hi"}}


async def test_boca_app_on_redis_across_two_servers_and_a_503_when_down(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    one = load_example("channels/boca_app.py")  # two imports: two apps, two connections
    two = load_example("channels/boca_app.py")
    with LiveServer(one.app) as first, LiveServer(two.app) as second:
        async with httpx.AsyncClient(timeout=5) as client:
            async with client.stream("GET", first.url + "/events/items") as response:
                events = Events(response)
                assert await events.next() == {"retry": "1000"}
                created = await client.post(second.url + "/items", json={"name": "cake"})
                assert created.status_code == 201
                assert json.loads((await events.next())["data"])["item"] == {"name": "cake"}
            redis_server.stop()
            try:
                down = await client.post(second.url + "/items", json={"name": "lost"})
            finally:
                redis_server.start()
        assert down.status_code == 503
        assert down.headers["retry-after"] == "1"
        assert down.json() == {
            "error": "503 Service Unavailable",
            "status": 503,
            "detail": "the channels backend is unavailable; try again shortly",
        }


async def test_starlette_app() -> None:
    example = load_example("channels/starlette_app.py")
    with LiveServer(example.app) as server:
        async with (
            httpx.AsyncClient(base_url=server.url, timeout=5) as client,
            connect(server.ws_url + "/ws", proxy=None) as ws,
        ):
            async with client.stream("GET", "/events") as response:
                events = Events(response)
                assert await events.next() == {"retry": "1000"}
                with anyio.fail_after(5):
                    while example.channels.subscribers("items") < 2:
                        await anyio.sleep(0.01)
                created = await client.post("/items", json={"name": "tea"})
                assert created.status_code == 201
                event = await events.next()
            assert event == {"id": event["id"], "data": '{"name":"tea"}'}
            with anyio.fail_after(5):
                frame = json.loads(await ws.recv())
            assert frame == {"id": event["id"], "channel": "items", "data": {"name": "tea"}}


def test_the_examples_show_their_imports() -> None:
    for path in (EXAMPLES / "channels").glob("*.py"):
        assert "from boca.channels import" in path.read_text(), path


async def test_redis_backend_example(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    example = load_example("channels/redis_backend.py")
    assert example.channels.max_history == 100
    async with example.channels as channels, channels.subscribe("items") as sub:
        await channels.publish("items", "hi")
        with anyio.fail_after(5):
            assert (await sub.receive()).data == "hi"
    assert example.ha_channels.backend.url == "redis://mymaster"  # connects at startup only


async def test_testing_example() -> None:
    example = load_example("channels/testing.py")
    fixture = example.redis_server.__wrapped__()  # the fixture's function, driven by hand
    server = next(fixture)
    try:
        assert server.running
        await example.test_a_message_goes_through_redis(server)
    finally:
        fixture.close()
    assert not server.running


async def test_two_uvicorn_workers_share_the_channels(redis_server: RedisServer) -> None:
    words = shlex.split((EXAMPLES / "channels" / "serve_workers.sh").read_text())
    assert words[:2] == ["REDIS_URL=redis://localhost:6379/0", "uvicorn"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = [w if w != "8000" else str(port) for w in words[2:]]
    process = await anyio.open_process(
        [sys.executable, "-m", "uvicorn", *args, "--host", "127.0.0.1", "--log-level", "warning"],
        cwd=EXAMPLES / "channels",
        env={**os.environ, "REDIS_URL": redis_server.url},
        start_new_session=True,
        stdout=None,
        stderr=None,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            with anyio.fail_after(30):
                while True:
                    try:
                        if (await client.get(url + "/healthz")).text == "ok":
                            break
                    except httpx.HTTPError:
                        await anyio.sleep(0.1)
            async with client.stream("GET", url + "/events/items") as response:
                events = Events(response)
                assert await events.next() == {"retry": "1000"}
                for n in range(20):  # each on a new connection: the kernel spreads them out
                    async with httpx.AsyncClient(timeout=5) as once:
                        created = await once.post(url + "/items", json={"n": n})
                    assert created.status_code == 201
                got = [json.loads((await events.next())["data"]) for _ in range(20)]
        assert got == [{"kind": "created", "item": {"n": n}} for n in range(20)]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        with anyio.fail_after(30):
            await process.wait()


def test_scale_out_configs_balance_without_stickiness() -> None:
    nginx = (EXAMPLES / "howto" / "scale_nginx.conf").read_text()
    assert nginx.count("{") == nginx.count("}")
    assert nginx.count("server 10.0.0.") == 2
    for line in ("least_conn;", "proxy_buffering off;", "proxy_read_timeout 1h;", "http2 on;"):
        assert line in nginx
    assert "ip_hash" not in nginx
    assert "sticky" not in nginx
    haproxy = (EXAMPLES / "howto" / "scale_haproxy.cfg").read_text()
    for line in (
        "balance leastconn",
        "option httpchk GET /healthz",
        "timeout tunnel 1h",
        "option redispatch",
    ):
        assert line in haproxy
    assert "cookie" not in haproxy
    assert "stick-table" not in haproxy
    redis = (EXAMPLES / "howto" / "scale_redis.conf").read_text()
    assert "appendonly yes" in redis
    assert "maxmemory-policy volatile-lru" in redis
