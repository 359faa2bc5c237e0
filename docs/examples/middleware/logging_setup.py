import logging

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from boca.middleware import AccessLogMiddleware, RequestIDMiddleware, get_request_id

log = logging.getLogger("shop")


async def order(request: Request) -> PlainTextResponse:
    # Anything logged while handling the request can carry its id.
    log.info("creating order for request %s", get_request_id())
    return PlainTextResponse(request.state.request_id)


app = Starlette(
    routes=[Route("/orders/{id}", order, name="order")],
    middleware=[
        Middleware(RequestIDMiddleware),
        Middleware(AccessLogMiddleware, format="json"),
    ],
)


if __name__ == "__main__":
    import uvicorn

    # One JSON object per line on stderr; uvicorn's own access log is redundant now.
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    uvicorn.run(app, access_log=False)
