"""The app the scale-out tests run in several Uvicorn processes: plain Starlette, one Redis."""

from __future__ import annotations

import logging
import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from boca.channels import Channels, ChannelsUnavailable, EventStream, RedisBackend, WebSocketStream

# A Redis that is down refuses at once, so the outage tests need no short timeout; a generous one
# keeps a slow, loaded CI machine from turning a late reply into a 503.
channels = Channels(
    RedisBackend(
        os.environ["CHANNELS_REDIS_URL"], timeout=5, reconnect_delay=0.05, max_reconnect_delay=0.5
    ),
    max_pending=int(os.environ.get("CHANNELS_MAX_PENDING", "256")),
)


async def publish(request: Request) -> JSONResponse:
    try:
        message_id = await channels.publish("items", await request.json())
    except ChannelsUnavailable as exc:
        logging.getLogger("scale_app").warning("publish refused: %s", exc)  # in the test's output
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
