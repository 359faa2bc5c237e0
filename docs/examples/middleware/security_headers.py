from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from boca.middleware import SecurityHeadersMiddleware, csp_nonce


async def home(request: Request) -> HTMLResponse:
    # The nonce is also at request.state.csp_nonce, for templates.
    nonce = csp_nonce(request)
    return HTMLResponse(f'<script nonce="{nonce}">console.log("allowed")</script>')


app = Starlette(
    routes=[Route("/", home)],
    middleware=[
        Middleware(
            SecurityHeadersMiddleware,
            content_security_policy={
                "default-src": "'self'",
                "script-src": ["'self'", "'strict-dynamic'"],
                "object-src": "'none'",
                "base-uri": "'none'",
            },
            csp_nonce=True,
            # Every default can be changed, or turned off with None:
            cross_origin_resource_policy="same-site",
        )
    ],
)
