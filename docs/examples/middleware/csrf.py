import os

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from boca.middleware import CSRFMiddleware, csrf_input, csrf_token


async def page(request: Request) -> HTMLResponse:
    # The hidden field carries the token; the same token is in the csrftoken cookie.
    return HTMLResponse(
        f'<form method="post" action="/notes">{csrf_input(request)}'
        '<input name="text"><button>Save</button></form>'
        f'<meta name="csrf-token" content="{csrf_token(request)}">'
    )


async def save(request: Request) -> JSONResponse:
    form = await request.form()
    return JSONResponse({"saved": form["text"]})


async def webhook(request: Request) -> JSONResponse:
    return JSONResponse({"received": True})


app = Starlette(
    routes=[
        Route("/", page),
        Route("/notes", save, methods=["POST"]),
        Route("/hooks/{provider}", webhook, methods=["POST"]),
    ],
    middleware=[
        Middleware(
            CSRFMiddleware,
            secret_key=os.environ.get("CSRF_SECRET", "change-me"),
            # Webhooks carry no cookies and sign their payloads their own way.
            exempt=["POST /hooks/{provider}"],
            trusted_origins=["https://admin.example.com"],
        )
    ],
)
