from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from boca.middleware import CompressionMiddleware, CORSMiddleware, TrustedHostMiddleware


async def items(request: Request) -> JSONResponse:
    return JSONResponse({"items": [{"id": i, "name": f"item {i}"} for i in range(100)]})


app = Starlette(
    routes=[Route("/items", items)],
    # Starlette runs the first one first: check the host before anything else.
    middleware=[
        Middleware(TrustedHostMiddleware, allowed_hosts=["api.example.com"]),
        Middleware(CORSMiddleware, allow_origins=["https://app.example.com"]),
        Middleware(CompressionMiddleware),
    ],
)
