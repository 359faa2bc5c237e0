"""Every boca.middleware class in Starlette (`Middleware(...)`), FastAPI
(`app.add_middleware`) and a bare ASGI function, with no boca-core."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket

from boca.middleware import (
    AccessLogMiddleware,
    CompressionMiddleware,
    CORSMiddleware,
    GZipMiddleware,
    HSTSMiddleware,
    HTTPSRedirectMiddleware,
    ProxyHeadersMiddleware,
    RequestIDMiddleware,
    SecurityHeadersMiddleware,
    SessionMiddleware,
    TrustedHostMiddleware,
)

pytestmark = pytest.mark.anyio

PAD = "x" * 600


def info(request: Request) -> dict[str, Any]:
    """What the endpoint reports back: what the middleware changed in the request."""
    count = None
    if "session" in request.scope:
        count = request.session.get("count", 0) + 1
        request.session["count"] = count
    return {
        "client": request.client.host if request.client else None,
        "scheme": request.url.scheme,
        "host": request.headers.get("host"),
        "count": count,
        "request_id": getattr(request.state, "request_id", None),
        "pad": PAD,
    }


async def endpoint(request: Request) -> Response:
    return JSONResponse(info(request))


async def ws_endpoint(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("hi")
    await websocket.close()


def starlette_app(cls: Any, options: dict[str, Any]) -> Any:
    return Starlette(
        routes=[Route("/", endpoint)],
        middleware=[Middleware(cls, **options)],
    )


def fastapi_app(cls: Any, options: dict[str, Any]) -> Any:
    app = FastAPI()

    @app.get("/")
    async def index(request: Request) -> JSONResponse:
        return JSONResponse(info(request))

    app.add_middleware(cls, **options)
    return app


def bare_app(cls: Any, options: dict[str, Any]) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        await JSONResponse(info(Request(scope, receive)))(scope, receive, send)

    return cls(app, **options)


BUILDERS = {"starlette": starlette_app, "fastapi": fastapi_app, "bare": bare_app}


@dataclass
class Case:
    cls: Any
    options: dict[str, Any]
    check: Callable[[httpx.Response], None]
    headers: dict[str, str] = field(default_factory=dict)
    base_url: str = "http://example.com"


def _cors(r: httpx.Response) -> None:
    assert r.headers["access-control-allow-origin"] == "https://a.test"
    assert r.headers["vary"] == "Origin"


def _compressed(encoding: str) -> Callable[[httpx.Response], None]:
    def check(r: httpx.Response) -> None:
        assert r.headers["content-encoding"] == encoding
        assert r.headers["vary"] == "Accept-Encoding"
        assert r.json()["pad"] == PAD  # httpx decoded it

    return check


def _refused(r: httpx.Response) -> None:
    assert r.status_code == 400
    assert r.text == "Invalid host header"


def _hsts(r: httpx.Response) -> None:
    assert r.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def _redirect(r: httpx.Response) -> None:
    assert r.status_code == 308
    assert r.headers["location"] == "https://example.com/?a=1"


def _session(r: httpx.Response) -> None:
    assert r.json()["count"] == 1
    assert r.headers["set-cookie"].startswith("session=")
    assert r.headers["vary"] == "Cookie"


def _request_id(r: httpx.Response) -> None:
    assert r.headers["x-request-id"] == "req-42"
    assert r.json()["request_id"] == "req-42"


def _security_headers(r: httpx.Response) -> None:
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def _access_log(r: httpx.Response) -> None:
    assert r.status_code == 200


def _proxy(r: httpx.Response) -> None:
    assert r.json()["client"] == "1.2.3.4"
    assert r.json()["scheme"] == "https"
    assert r.json()["host"] == "public.example.com"


CASES = {
    "cors": Case(
        CORSMiddleware, {"allow_origins": ["https://a.test"]}, _cors, {"origin": "https://a.test"}
    ),
    "compression": Case(
        CompressionMiddleware, {}, _compressed("zstd"), {"accept-encoding": "gzip, br, zstd"}
    ),
    "compression-br": Case(
        CompressionMiddleware,
        {"encodings": ["br", "gzip"]},
        _compressed("br"),
        {"accept-encoding": "gzip, br"},
    ),
    "gzip": Case(GZipMiddleware, {}, _compressed("gzip"), {"accept-encoding": "gzip"}),
    "trustedhost": Case(TrustedHostMiddleware, {"allowed_hosts": ["example.org"]}, _refused),
    "hsts": Case(
        HSTSMiddleware, {"include_subdomains": True}, _hsts, base_url="https://example.com"
    ),
    "httpsredirect": Case(HTTPSRedirectMiddleware, {"allowed_hosts": ["example.com"]}, _redirect),
    "securityheaders": Case(SecurityHeadersMiddleware, {}, _security_headers),
    "session": Case(SessionMiddleware, {"secret_key": "k"}, _session),
    "requestid": Case(RequestIDMiddleware, {}, _request_id, {"x-request-id": "req-42"}),
    "accesslog": Case(AccessLogMiddleware, {"format": "json"}, _access_log),
    "proxyheaders": Case(
        ProxyHeadersMiddleware,
        {"trusted_proxies": ["127.0.0.1"]},
        _proxy,
        {
            "x-forwarded-for": "1.2.3.4",
            "x-forwarded-proto": "https",
            "x-forwarded-host": "public.example.com",
        },
    ),
}


@pytest.mark.parametrize("builder", sorted(BUILDERS))
@pytest.mark.parametrize("name", sorted(CASES))
async def test_every_middleware_everywhere(
    name: str, builder: str, caplog: pytest.LogCaptureFixture
) -> None:
    case = CASES[name]
    caplog.set_level(logging.INFO, logger="boca.access")
    app = BUILDERS[builder](case.cls, case.options)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url=case.base_url) as client:
        response = await client.get("/", params={"a": "1"}, headers=case.headers)
    case.check(response)
    if name == "accesslog":
        (record,) = [r for r in caplog.records if r.name == "boca.access"]
        line = json.loads(record.getMessage())
        assert line["path"] == "/"
        assert line["status"] == 200
        assert line["bytes"] == len(response.content)


def test_importing_the_package_never_imports_boca_core() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, pkgutil, importlib, boca.middleware as m\n"
        "for info in pkgutil.iter_modules(m.__path__):\n"
        "    importlib.import_module('boca.middleware.' + info.name)\n"
        "assert not [n for n in sys.modules if n.startswith('boca.core')]\n"
        "assert not [n for n in sys.modules if n.startswith(('fastapi', 'starlette.app'))]\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)


async def test_starlette_session_round_trip() -> None:
    app = starlette_app(SessionMiddleware, {"secret_key": ["new", "old"], "https_only": True})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://example.com") as client:
        counts = [(await client.get("/")).json()["count"] for _ in range(3)]
    assert counts == [1, 2, 3]


async def test_route_name_reaches_the_access_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="boca.access")
    app = Starlette(
        routes=[Route("/items/{id}", endpoint, name="item")],
        middleware=[Middleware(RequestIDMiddleware), Middleware(AccessLogMiddleware)],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://example.com") as client:
        response = await client.get("/items/3")
    (record,) = [r for r in caplog.records if r.name == "boca.access"]
    assert record.access["route"] == "item"
    assert record.access["request_id"] == response.headers["x-request-id"]


def test_websocket_and_lifespan_pass_through_starlette(anyio_backend: str) -> None:
    from starlette.routing import WebSocketRoute
    from starlette.testclient import TestClient

    started: list[bool] = []

    async def lifespan(app: Any) -> Any:
        started.append(True)
        yield

    from contextlib import asynccontextmanager

    app = Starlette(
        routes=[Route("/", endpoint), WebSocketRoute("/ws", ws_endpoint)],
        lifespan=asynccontextmanager(lifespan),
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=["testserver"]),
            Middleware(ProxyHeadersMiddleware),
            Middleware(SessionMiddleware, secret_key="k"),
            Middleware(CORSMiddleware, allow_origins=["*"]),
            Middleware(CompressionMiddleware),
            Middleware(HSTSMiddleware),
            Middleware(SecurityHeadersMiddleware),
            Middleware(RequestIDMiddleware),
            Middleware(AccessLogMiddleware),
        ],
    )
    with TestClient(app, backend=anyio_backend) as client:
        assert started == [True]
        with client.websocket_connect("/ws") as ws:
            assert ws.receive_text() == "hi"
        assert client.get("/").status_code == 200


def _parameters(cls: Any) -> tuple[list[str], set[str]]:
    import inspect

    params = list(inspect.signature(cls.__init__).parameters.values())[2:]  # self, app
    positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    return positional, {p.name for p in params}


@pytest.mark.parametrize(
    ("theirs", "ours"),
    [
        ("starlette.middleware.cors:CORSMiddleware", CORSMiddleware),
        ("starlette.middleware.gzip:GZipMiddleware", GZipMiddleware),
        ("starlette.middleware.trustedhost:TrustedHostMiddleware", TrustedHostMiddleware),
        ("starlette.middleware.httpsredirect:HTTPSRedirectMiddleware", HTTPSRedirectMiddleware),
        ("uvicorn.middleware.proxy_headers:ProxyHeadersMiddleware", ProxyHeadersMiddleware),
    ],
)
def test_every_starlette_argument_name_is_accepted(theirs: str, ours: Any) -> None:
    import importlib

    module, _, name = theirs.partition(":")
    their_positional, their_names = _parameters(getattr(importlib.import_module(module), name))
    our_positional, our_names = _parameters(ours)
    assert their_names <= our_names
    if ours is ProxyHeadersMiddleware:
        # Uvicorn's first argument, trusted_hosts, is Boca's trusted_proxies: same meaning.
        assert their_positional == ["trusted_hosts"]
        assert our_positional[0] == "trusted_proxies"
    else:
        assert our_positional[: len(their_positional)] == their_positional
