from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from boca.middleware import HTTPSRedirectMiddleware, ProxyHeadersMiddleware


async def whoami(request: Request) -> JSONResponse:
    return JSONResponse({"client": request.client.host, "url": str(request.url)})


app = Starlette(
    routes=[Route("/whoami", whoami)],
    middleware=[
        # The load balancer lives in 10.0.0.0/8; nobody else may set X-Forwarded-*.
        Middleware(ProxyHeadersMiddleware, trusted_proxies=["10.0.0.0/8"]),
        # Runs after the proxy headers: sees the scheme the client really used.
        Middleware(HTTPSRedirectMiddleware, allowed_hosts=["shop.example.com"]),
    ],
)
