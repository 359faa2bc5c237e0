import os

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from boca.middleware import MemoryStore, RedisStore, SessionMiddleware

# One Redis for every worker and host; one process alone can keep them in memory.
redis_url = os.environ.get("REDIS_URL")
store = RedisStore(redis_url) if redis_url else MemoryStore()


async def login(request: Request) -> JSONResponse:
    request.session.regenerate()  # a new id at login: an id seen before is worthless
    request.session["user"] = request.query_params["user"]
    return JSONResponse({"ok": True})


async def me(request: Request) -> JSONResponse:
    return JSONResponse({"user": request.session.get("user")})


async def logout(request: Request) -> JSONResponse:
    request.session.clear()  # deleted from the store: every copy of the cookie is revoked
    return JSONResponse({"ok": True})


app = Starlette(
    routes=[
        Route("/login", login, methods=["POST"]),
        Route("/me", me),
        Route("/logout", logout, methods=["POST"]),
    ],
    middleware=[
        Middleware(
            SessionMiddleware,
            secret_key=os.environ.get("SESSION_SECRET", "change-me"),
            store=store,
            max_age=8 * 3600,
            sliding=True,  # 8 hours after the last request, not after the login
        )
    ],
)
