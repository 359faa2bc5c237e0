"""boca.middleware behind a real Uvicorn server on 127.0.0.1, with httpx and websockets."""

from __future__ import annotations

import threading
import zlib
from collections.abc import AsyncIterator, Iterator

import anyio
import httpx
import pytest
import websockets
import websockets.sync.client
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from boca.middleware import (
    CompressionMiddleware,
    CORSMiddleware,
    HTTPSRedirectMiddleware,
    ProxyHeadersMiddleware,
    SecurityHeadersMiddleware,
    SessionMiddleware,
    TrustedHostMiddleware,
)

from ._support import serve

# The clients run on asyncio and on trio; the server is Uvicorn's own loop in a thread.
pytestmark = pytest.mark.anyio

# Set by the test once it has read the first chunk; the stream only ends after that.
release = threading.Event()


async def stream(request: Request) -> Response:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"first chunk " * 100
        while not release.is_set():
            await anyio.sleep(0.01)
        yield b"second chunk " * 100

    return StreamingResponse(chunks(), media_type="text/plain")


async def counter(request: Request) -> Response:
    request.session["n"] = request.session.get("n", 0) + 1
    return PlainTextResponse(str(request.session["n"]))


async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(await websocket.receive_text())
    await websocket.close()


def make_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/stream", stream),
            Route("/count", counter),
            WebSocketRoute("/ws", echo),
        ],
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost"]),
            Middleware(CORSMiddleware, allow_origins=["https://a.test"]),
            Middleware(SessionMiddleware, secret_key="k"),
            Middleware(CompressionMiddleware, minimum_size=100),
        ],
    )


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with serve(make_app()) as port:
        yield port


async def test_compressed_stream_stays_live(port: int) -> None:
    release.clear()
    headers = {"accept-encoding": "gzip"}
    async with (
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client,
        client.stream("GET", "/stream", headers=headers) as response,
    ):
        assert response.headers["content-encoding"] == "gzip"
        assert "content-length" not in response.headers
        decoder = zlib.decompressobj(31)
        received = b""
        raw = response.aiter_raw()
        # The first chunk arrives, decodable, while the app is still waiting to finish.
        while len(received) < len(b"first chunk " * 100):
            received += decoder.decompress(await raw.__anext__())
        assert received == b"first chunk " * 100
        assert not release.is_set()
        release.set()
        async for data in raw:
            received += decoder.decompress(data)
    assert received == b"first chunk " * 100 + b"second chunk " * 100


async def test_session_cors_and_gzip_over_http(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        first = await client.get("/count", headers={"origin": "https://a.test"})
        second = await client.get("/count", headers={"origin": "https://evil.test"})
    assert first.text == "1"
    assert second.text == "2"
    assert first.headers["access-control-allow-origin"] == "https://a.test"
    assert "access-control-allow-origin" not in second.headers
    assert set(second.headers["vary"].split(", ")) == {"Origin", "Cookie"}


async def test_untrusted_host_over_http(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        response = await client.get("/count", headers={"host": "evil.com"})
    assert response.status_code == 400
    assert response.text == "Invalid host header"


def ws_echo(port: int) -> str:
    # websockets' sync client: its asyncio client cannot run under trio.
    with websockets.sync.client.connect(f"ws://127.0.0.1:{port}/ws") as ws:
        ws.send("ping")
        return str(ws.recv(timeout=10))


def ws_untrusted(port: int) -> int:
    with pytest.raises(websockets.exceptions.InvalidStatus) as info:  # noqa: SIM117
        with websockets.sync.client.connect(
            f"ws://127.0.0.1:{port}/ws", additional_headers={"Host": "evil.com"}
        ):
            pass
    return int(info.value.response.status_code)


async def test_websocket_through_every_layer(port: int) -> None:
    assert await anyio.to_thread.run_sync(ws_echo, port) == "ping"


async def test_websocket_from_an_untrusted_host_is_refused(port: int) -> None:
    assert await anyio.to_thread.run_sync(ws_untrusted, port) in (400, 403)


@pytest.fixture(scope="module")
def redirect_port() -> Iterator[int]:
    app = Starlette(
        routes=[Route("/count", counter), WebSocketRoute("/ws", echo)],
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=["example.com"]),
            Middleware(HTTPSRedirectMiddleware),
        ],
    )
    with serve(app) as port:
        yield port


async def test_https_redirect_over_http(redirect_port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{redirect_port}") as client:
        moved = await client.get("/count?x=1", headers={"host": "example.com"})
        evil = await client.get("/count", headers={"host": "evil.com"})
    assert moved.status_code == 308
    assert moved.headers["location"] == "https://example.com/count?x=1"
    assert evil.status_code == 400
    assert "location" not in evil.headers


async def test_gzip_body_is_valid(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        release.set()
        response = await client.get("/stream", headers={"accept-encoding": "gzip"})
    assert response.text == "first chunk " * 100 + "second chunk " * 100


# ProxyHeadersMiddleware and Uvicorn's own --proxy-headers ------------------------------


async def whoami(request: Request) -> Response:
    client = request.client.host if request.client else "-"
    return PlainTextResponse(f"{client} {request.url.scheme} {request.headers['host']}")


def proxied_app() -> Starlette:
    return Starlette(
        routes=[Route("/", whoami)],
        middleware=[Middleware(ProxyHeadersMiddleware, trusted_proxies=["127.0.0.1"])],
    )


FORWARDED = {
    "x-forwarded-for": "1.2.3.4",
    "x-forwarded-proto": "https",
    "x-forwarded-host": "public.example.com",
}


async def whoami_over_http(port: int, headers: dict[str, str]) -> str:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        response = await client.get("/", headers=headers)
    assert response.status_code == 200
    return response.text


async def test_proxyheaders_alone_with_uvicorns_proxy_headers_off() -> None:
    with serve(proxied_app(), proxy_headers=False) as port:
        assert await whoami_over_http(port, FORWARDED) == "1.2.3.4 https public.example.com"
        hostile = {**FORWARDED, "x-forwarded-for": "<script>alert(1)</script>"}
        assert await whoami_over_http(port, hostile) == "127.0.0.1 https public.example.com"


async def test_proxyheaders_after_uvicorns_proxy_headers_drops_the_forwarded_host() -> None:
    # Uvicorn's default (--proxy-headers, forwarded_allow_ips 127.0.0.1) rewrites the
    # client first; the middleware then sees 1.2.3.4, which is no trusted proxy, and
    # ignores the headers: X-Forwarded-Host is lost. Hence `boca run` turns Uvicorn's off.
    with serve(proxied_app()) as port:
        assert await whoami_over_http(port, FORWARDED) == f"1.2.3.4 https 127.0.0.1:{port}"


# Security headers over the wire -----------------------------------------------------


async def test_security_headers_over_http() -> None:
    app = Starlette(
        routes=[Route("/", whoami)],
        middleware=[Middleware(SecurityHeadersMiddleware)],
    )
    with serve(app) as port:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert response.headers["cross-origin-resource-policy"] == "same-origin"
