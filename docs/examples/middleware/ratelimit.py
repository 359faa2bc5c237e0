import os

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Scope

from boca.middleware import MemoryStore, RateLimitMiddleware, RedisStore

redis_url = os.environ.get("REDIS_URL")
store = RedisStore(redis_url) if redis_url else MemoryStore()


def api_key_or_address(scope: Scope) -> str | None:
    """Count per API key when there is one, else per client address."""
    request = Request(scope)
    if request.headers.get("x-api-key") == os.environ.get("ADMIN_KEY", "admin-key"):
        return None  # never limited
    return request.headers.get("x-api-key") or (request.client.host if request.client else "-")


async def items(request: Request) -> JSONResponse:
    return JSONResponse({"items": []})


async def login(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/items", items),
        Route("/login", login, methods=["POST"]),
        Route("/health", health),
    ],
    middleware=[
        Middleware(
            RateLimitMiddleware,
            ["10/second", "1000/hour"],  # every request not matched below
            routes={
                "POST /login": "5/minute",  # its own, stricter count
                "/health": None,  # never limited
            },
            key=api_key_or_address,
            store=store,
        )
    ],
)
