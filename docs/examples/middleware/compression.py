import asyncio

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from boca.middleware import CompressionMiddleware


async def report(request):
    return JSONResponse({"rows": [[i, i * i] for i in range(1000)]})


async def events(request):
    async def lines():
        for i in range(3):
            yield f"line {i}\n" * 100
            await asyncio.sleep(0)

    # Each chunk is compressed and flushed at once: the client sees it immediately.
    return StreamingResponse(lines(), media_type="text/plain")


app = Starlette(
    routes=[Route("/report", report), Route("/lines", events)],
    middleware=[
        Middleware(
            CompressionMiddleware,
            minimum_size=1024,
            # zstd and br need the extras: pip install "boca-middleware[brotli,zstd]"
            encodings=["zstd", "br", "gzip"],
            gzip_level=6,
            brotli_quality=4,
            zstd_level=3,
        )
    ],
)
