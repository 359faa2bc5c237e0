"""SecurityHeadersMiddleware and its CSP nonces in Starlette and FastAPI templates, no boca-core."""

from __future__ import annotations

import re

import httpx
import jinja2
import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from boca.middleware import SecurityHeadersMiddleware, csp_nonce

pytestmark = pytest.mark.anyio

PAGE = '<script nonce="{{ request.state.csp_nonce }}">go()</script>|{{ nonce(request) }}'
POLICY = {"default-src": "'self'", "script-src": ["'self'"]}
NONCE = re.compile(r'<script nonce="([A-Za-z0-9_-]{22})">go\(\)</script>\|\1')


def templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.DictLoader({"page.html": PAGE}), autoescape=True)
    env.globals["nonce"] = csp_nonce
    return Jinja2Templates(env=env)


def starlette_app() -> Starlette:
    pages = templates()

    async def page(request: Request) -> Response:
        return pages.TemplateResponse(request, "page.html")

    return Starlette(
        routes=[Route("/", page)],
        middleware=[
            Middleware(SecurityHeadersMiddleware, content_security_policy=POLICY, csp_nonce=True)
        ],
    )


def fastapi_app() -> FastAPI:
    pages = templates()
    app = FastAPI()

    @app.get("/")
    async def page(request: Request) -> Response:
        return pages.TemplateResponse(request, "page.html")

    app.add_middleware(SecurityHeadersMiddleware, content_security_policy=POLICY, csp_nonce=True)
    return app


@pytest.mark.parametrize("build", [starlette_app, fastapi_app])
async def test_csp_nonce_reaches_starlette_and_fastapi_templates(build) -> None:
    transport = httpx.ASGITransport(app=build())
    async with httpx.AsyncClient(transport=transport, base_url="http://example.com") as client:
        first = await client.get("/")
        second = await client.get("/")
    nonces = []
    for response in (first, second):
        assert response.status_code == 200
        match = NONCE.fullmatch(response.text)
        assert match is not None, response.text
        nonces.append(match.group(1))
        assert response.headers["content-security-policy"] == (
            f"default-src 'self'; script-src 'self' 'nonce-{match.group(1)}'; "
            "frame-ancestors 'none'"
        )
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cross-origin-opener-policy"] == "same-origin"
    assert nonces[0] != nonces[1]
