from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from boca.middleware import HSTSMiddleware, HTTPSRedirectMiddleware, TrustedHostMiddleware


async def home(request):
    return PlainTextResponse("secure")


app = Starlette(
    routes=[Route("/", home)],
    middleware=[
        # First: only our host names get through, so redirects can only point to them.
        Middleware(TrustedHostMiddleware, allowed_hosts=["example.com"]),
        Middleware(HTTPSRedirectMiddleware),
        Middleware(HSTSMiddleware, max_age=63072000, include_subdomains=True, preload=True),
    ],
)
