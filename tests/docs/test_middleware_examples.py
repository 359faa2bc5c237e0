"""The boca.middleware examples of the documentation, run."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import httpx
import pytest

from .conftest import load_example


def client(
    app: Any, base_url: str = "http://example.com", peer: str = "127.0.0.1"
) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(peer, 4321))
    return httpx.AsyncClient(transport=transport, base_url=base_url)


async def test_starlette_app() -> None:
    app = load_example("middleware/starlette_app.py").app
    async with client(app, "https://api.example.com") as c:
        ok = await c.get(
            "/items", headers={"origin": "https://app.example.com", "accept-encoding": "gzip"}
        )
        evil = await c.get("/items", headers={"host": "evil.com"})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://app.example.com"
    assert ok.headers["content-encoding"] == "gzip"
    assert len(ok.json()["items"]) == 100
    assert evil.status_code == 400


async def test_boca_app() -> None:
    app = load_example("middleware/boca_app.py").app
    async with client(app) as c:
        response = await c.get(
            "/", headers={"origin": "https://app.example.com", "accept-encoding": "gzip"}
        )
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["access-control-allow-origin"] == "https://app.example.com"
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    assert response.json() == {"message": "hello " * 200}


async def test_fastapi_app() -> None:
    app = load_example("middleware/fastapi_app.py").app
    async with client(app, "https://example.com") as c:
        preflight = await c.options(
            "/ping",
            headers={
                "origin": "https://app.example.com",
                "access-control-request-method": "DELETE",
                "access-control-request-headers": "authorization",
            },
        )
        get = await c.get("/ping", headers={"origin": "https://app.example.com"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://app.example.com"
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert "authorization" in preflight.headers["access-control-allow-headers"]
    assert get.json() == {"ping": "pong"}
    assert get.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


async def test_asgi_app() -> None:
    app = load_example("middleware/asgi_app.py").app
    async with client(app) as c:
        response = await c.get("/", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.text == "Hello, World! " * 100


async def test_cors() -> None:
    app = load_example("middleware/cors.py").app
    async with client(app) as c:
        preview = await c.get("/data", headers={"origin": "https://pr-12.preview.example.com"})
        evil = await c.get("/data", headers={"origin": "https://pr-12.preview.example.com.evil.io"})
        refused = await c.options(
            "/data",
            headers={
                "origin": "https://app.example.com",
                "access-control-request-method": "DELETE",
            },
        )
    assert preview.headers["access-control-allow-origin"] == "https://pr-12.preview.example.com"
    assert preview.headers["access-control-expose-headers"] == "X-Total"
    assert "access-control-allow-origin" not in evil.headers
    assert refused.status_code == 400
    assert refused.text == "Disallowed CORS method"


async def test_compression() -> None:
    app = load_example("middleware/compression.py").app
    async with client(app) as c:
        report = await c.get("/report", headers={"accept-encoding": "gzip, br, zstd"})
        lines = await c.get("/lines", headers={"accept-encoding": "gzip"})
    assert report.headers["content-encoding"] == "zstd"
    assert len(report.json()["rows"]) == 1000
    assert lines.headers["content-encoding"] == "gzip"
    assert lines.text == "".join(f"line {i}\n" * 100 for i in range(3))


async def test_trustedhost() -> None:
    app = load_example("middleware/trustedhost.py").app
    async with client(app) as c:
        www = await c.get("http://www.example.com/")
        api = await c.get("http://eu.api.example.com/")
        bare = await c.get("http://example.com/shop?x=1")
        evil = await c.get("http://evil.com/")
    assert www.text == api.text == "welcome"
    assert bare.status_code == 308
    assert bare.headers["location"] == "http://www.example.com/shop?x=1"
    assert evil.status_code == 400


async def test_https() -> None:
    app = load_example("middleware/https.py").app
    async with client(app) as c:
        moved = await c.get("http://example.com/?a=1")
        evil = await c.get("http://evil.com/")
        secure = await c.get("https://example.com/")
    assert moved.status_code == 308
    assert moved.headers["location"] == "https://example.com/?a=1"
    assert evil.status_code == 400
    assert secure.text == "secure"
    assert secure.headers["strict-transport-security"] == (
        "max-age=63072000; includeSubDomains; preload"
    )


async def test_sessions() -> None:
    app = load_example("middleware/sessions.py").app
    async with client(app, "https://example.com") as c:
        await c.get("/login", params={"user": "ada"})
        me = await c.get("/me")
        await c.get("/logout")
        gone = await c.get("/me")
    assert me.json() == {"user": "ada"}
    assert me.headers["vary"] == "Cookie"
    assert gone.json() == {"user": None}


async def test_logging_setup(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    app = load_example("middleware/logging_setup.py").app
    async with client(app) as c:
        response = await c.get("/orders/7", headers={"x-request-id": "abc"})
    assert response.text == "abc"
    assert response.headers["x-request-id"] == "abc"
    shop = [r for r in caplog.records if r.name == "shop"]
    assert shop[0].getMessage() == "creating order for request abc"
    (access,) = [json.loads(r.getMessage()) for r in caplog.records if r.name == "boca.access"]
    assert access["route"] == "order"
    assert access["request_id"] == "abc"
    assert access["status"] == 200


async def test_proxy() -> None:
    app = load_example("middleware/proxy.py").app
    forwarded = {
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-proto": "https",
        "host": "shop.example.com",
    }
    async with client(app, peer="10.1.2.3") as c:
        trusted = await c.get("/whoami", headers=forwarded)
    async with client(app, peer="198.51.100.1") as c:
        direct = await c.get("/whoami", headers=forwarded)
    assert trusted.json() == {"client": "203.0.113.7", "url": "https://shop.example.com/whoami"}
    assert direct.status_code == 308  # plain http from an untrusted peer: redirected


def test_settings() -> None:
    from boca.middleware import (
        CORSMiddleware,
        GZipMiddleware,
        HSTSMiddleware,
        HTTPSRedirectMiddleware,
        SessionMiddleware,
        TrustedHostMiddleware,
    )

    batteries = load_example("middleware/settings.py").batteries
    assert [b.middleware_class for b in batteries] == [
        TrustedHostMiddleware,
        HTTPSRedirectMiddleware,
        HSTSMiddleware,
        CORSMiddleware,
        SessionMiddleware,
        GZipMiddleware,
    ]
    assert batteries[-1].options == {"minimum_size": 1024}


async def test_security_headers() -> None:
    app = load_example("middleware/security_headers.py").app
    async with client(app) as c:
        response = await c.get("/")
    nonce = re.fullmatch(
        r'<script nonce="([\w-]+)">console.log\("allowed"\)</script>', response.text
    )
    assert nonce is not None
    assert response.headers["content-security-policy"] == (
        f"default-src 'self'; script-src 'self' 'strict-dynamic' 'nonce-{nonce.group(1)}'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
    assert response.headers["cross-origin-resource-policy"] == "same-site"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
