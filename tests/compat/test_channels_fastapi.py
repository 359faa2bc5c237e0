"""boca-channels in a FastAPI app over a real Uvicorn, with no boca-core installed."""

from __future__ import annotations

import json

import anyio
import httpx
from fastapi import FastAPI
from starlette.routing import Route, WebSocketRoute
from websockets.asyncio.client import connect

from boca.channels import Channels, EventStream, WebSocketStream

from ._support import serve


def make_app() -> tuple[FastAPI, Channels]:
    channels = Channels()
    app = FastAPI(lifespan=channels.lifespan)

    @app.post("/items", status_code=201)
    async def create(item: dict[str, str]) -> dict[str, str]:
        return {"id": await channels.publish("items", item)}

    app.router.routes += [
        Route("/events", EventStream(channels, "items", event="item")),
        WebSocketRoute("/ws", WebSocketStream(channels, "items")),
    ]
    return app, channels


async def test_fastapi_streams_a_channel_as_events_and_to_websockets() -> None:
    app, channels = make_app()
    with serve(app) as port:
        url = f"http://127.0.0.1:{port}"
        async with (
            httpx.AsyncClient(base_url=url, timeout=5) as client,
            connect(f"ws://127.0.0.1:{port}/ws", proxy=None) as ws,
            client.stream("GET", "/events") as response,
        ):
            assert response.status_code == 200
            assert response.headers["content-type"] == "text/event-stream"
            lines = response.aiter_lines()
            with anyio.fail_after(5):
                assert await anext(lines) == "retry: 1000"
                while channels.subscribers("items") < 2:
                    await anyio.sleep(0.01)
            created = await client.post("/items", json={"name": "tea"})
            assert created.status_code == 201
            sent = created.json()["id"]
            with anyio.fail_after(5):
                event = [await anext(lines) for _ in range(4)]
                frame = json.loads(await ws.recv())
        assert event == ["", f"id: {sent}", "event: item", 'data: {"name":"tea"}']
        assert frame == {"id": sent, "channel": "items", "data": {"name": "tea"}}
    assert not channels.connected  # the lifespan closed them
