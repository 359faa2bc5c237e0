from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from boca.middleware import CORSMiddleware


async def data(request):
    return PlainTextResponse("data", headers={"X-Total": "1"})


app = Starlette(
    routes=[Route("/data", data, methods=["GET", "PUT"])],
    middleware=[
        Middleware(
            CORSMiddleware,
            allow_origins=["https://app.example.com"],
            # Any preview deployment, e.g. https://pr-12.preview.example.com
            allow_origin_regex=r"https://[a-z0-9-]+\.preview\.example\.com",
            allow_methods=["GET", "PUT"],
            allow_headers=["Authorization"],
            allow_credentials=True,
            expose_headers=["X-Total"],
            max_age=3600,
        )
    ],
)
