"""The app the scale-out tests run in several Uvicorn processes: plain Starlette, one Redis."""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from boca.channels import Channels, ChannelsUnavailable, EventStream, RedisBackend, WebSocketStream

channels = Channels(
    RedisBackend(
        os.environ["CHANNELS_REDIS_URL"], timeout=1, reconnect_delay=0.05, max_reconnect_delay=0.5
    ),
    max_pending=int(os.environ.get("CHANNELS_MAX_PENDING", "256")),
)


async def publish(request: Request) -> JSONResponse:
    try:
        message_id = await channels.publish("items", await request.json())
    except ChannelsUnavailable:
        return JSONResponse(
            {"error": "503 Service Unavailable", "status": 503, "detail": "try again shortly"},
            status_code=503,
            headers={"retry-after": "1"},
        )
    return JSONResponse({"id": message_id}, status_code=201)


async def stats(request: Request) -> JSONResponse:
    return JSONResponse({"subscribers": channels.subscribers("items"), "pid": os.getpid()})


app = Starlette(
    routes=[
        Route("/events", EventStream(channels, "items", heartbeat=0.5)),
        WebSocketRoute("/ws", WebSocketStream(channels, "items")),
        Route("/publish", publish, methods=["POST"]),
        Route("/stats", stats),
    ],
    lifespan=channels.lifespan,
)
