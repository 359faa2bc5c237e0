"""A Starlette app whose sessions and rate limit live in Redis; served by two Uvicorn processes.

`REDIS_URL` names the Redis; `RATE_LIMIT` the limit of `/limited` (default `5/minute`).
"""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from boca.middleware import RateLimitMiddleware, RedisStore, SessionMiddleware

store = RedisStore(os.environ["REDIS_URL"], timeout=3.0)  # generous: a loaded CI machine


async def login(request: Request) -> JSONResponse:
    request.session.regenerate()
    request.session["user"] = request.query_params["user"]
    return JSONResponse({"port": request.url.port})


async def me(request: Request) -> JSONResponse:
    return JSONResponse({"user": request.session.get("user"), "port": request.url.port})


async def logout(request: Request) -> JSONResponse:
    request.session.clear()
    return JSONResponse({"port": request.url.port})


async def limited(request: Request) -> JSONResponse:
    return JSONResponse({"port": request.url.port})


app = Starlette(
    routes=[
        Route("/login", login, methods=["POST"]),
        Route("/me", me),
        Route("/logout", logout, methods=["POST"]),
        Route("/limited", limited),
    ],
    middleware=[
        Middleware(
            RateLimitMiddleware,
            routes={"/limited": os.environ.get("RATE_LIMIT", "5/minute")},
            store=store,
        ),
        Middleware(SessionMiddleware, secret_key="scale-out-secret", store=store),
    ],
)
