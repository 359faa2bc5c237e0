from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from boca.channels import Channels, ChannelsUnavailable, EventStream, WebSocketStream

channels = Channels()  # or Channels(RedisBackend("redis://localhost:6379/0"))


async def create_item(request: Request) -> JSONResponse:
    item = await request.json()
    await channels.publish("items", item)
    return JSONResponse(item, status_code=201)


async def unavailable(request: Request, exc: Exception) -> JSONResponse:
    body = {"error": "503 Service Unavailable", "status": 503, "detail": "try again shortly"}
    return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})


app = Starlette(
    routes=[
        Route("/items", create_item, methods=["POST"]),
        Route("/events", EventStream(channels, "items")),
        WebSocketRoute("/ws", WebSocketStream(channels, "items")),
    ],
    lifespan=channels.lifespan,  # connects at startup, closes at shutdown
    exception_handlers={ChannelsUnavailable: unavailable},
)
