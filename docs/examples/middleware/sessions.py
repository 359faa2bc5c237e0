import os

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from boca.middleware import SessionMiddleware


async def login(request: Request) -> JSONResponse:
    request.session["user"] = request.query_params["user"]
    return JSONResponse({"ok": True})


async def me(request: Request) -> JSONResponse:
    return JSONResponse({"user": request.session.get("user")})


async def logout(request: Request) -> JSONResponse:
    request.session.clear()
    return JSONResponse({"ok": True})


app = Starlette(
    routes=[Route("/login", login), Route("/me", me), Route("/logout", logout)],
    middleware=[
        Middleware(
            SessionMiddleware,
            # Newest first: the first secret signs, every one of them verifies.
            secret_key=[os.environ.get("SESSION_SECRET", "change-me"), "the-previous-secret"],
            max_age=7 * 24 * 3600,
            https_only=True,
        )
    ],
)
