"""Server-side sessions, rate limits and CSRF inside Starlette and FastAPI apps (no boca-core),
on asyncio and trio with the memory store, and on asyncio with a real Redis."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from boca.channels.testing import RedisServer, RedisServerMissing
from boca.middleware import (
    CSRFMiddleware,
    MemoryStore,
    RateLimitMiddleware,
    RedisStore,
    SessionMiddleware,
    Store,
    csrf_input,
    csrf_token,
)

pytestmark = pytest.mark.anyio

SECRET = "compat-secret"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    try:
        server = RedisServer(persistent=False)
    except RedisServerMissing as exc:
        pytest.fail(f"{exc}; `make test` installs it when missing", pytrace=False)
    with server:
        yield server.url


@pytest.fixture(params=["memory", "redis"])
def make_store(request: pytest.FixtureRequest, anyio_backend: str) -> Any:
    if request.param == "memory":
        return MemoryStore
    if anyio_backend != "asyncio":
        # redis-py's client runs on asyncio only; the memory store covers trio.
        return MemoryStore
    url = request.getfixturevalue("redis_url")
    return lambda: RedisStore(url, prefix=f"compat:{request.node.name}:")


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


# -- sessions ---------------------------------------------------------------------------


async def login(request: Request) -> JSONResponse:
    request.session.regenerate()
    request.session["user"] = request.query_params["user"]
    return JSONResponse({"ok": True})


async def me(request: Request) -> JSONResponse:
    return JSONResponse({"user": request.session.get("user")})


async def logout(request: Request) -> JSONResponse:
    request.session.clear()
    return JSONResponse({"ok": True})


def starlette_sessions(store: Store) -> Any:
    return Starlette(
        routes=[Route("/login", login), Route("/me", me), Route("/logout", logout)],
        middleware=[Middleware(SessionMiddleware, secret_key=SECRET, store=store)],
    )


def fastapi_sessions(store: Store) -> Any:
    app = FastAPI()
    app.add_api_route("/login", login)
    app.add_api_route("/me", me)
    app.add_api_route("/logout", logout)
    app.add_middleware(SessionMiddleware, secret_key=SECRET, store=store)
    return app


@pytest.mark.parametrize("build", [starlette_sessions, fastapi_sessions])
async def test_server_side_sessions(build: Any, make_store: Any) -> None:
    store = make_store()
    async with client(build(store)) as c, client(build(store)) as other:
        assert (await c.get("/login", params={"user": "alice"})).status_code == 200
        cookie = c.cookies["session"]
        other.cookies.set("session", cookie)
        assert (await other.get("/me")).json() == {"user": "alice"}
        assert (await c.get("/logout")).status_code == 200
        assert "session" not in c.cookies
        assert (await other.get("/me")).json() == {"user": None}  # revoked for every copy


# -- rate limits ------------------------------------------------------------------------


def user_key(scope: Any) -> str | None:
    """Limit by the X-User header, else by the client address."""
    request = Request(scope)
    return request.headers.get("x-user", request.client.host if request.client else "unknown")


def fastapi_limited(store: Any) -> Any:
    app = FastAPI()

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(
        RateLimitMiddleware,
        routes={"/health": None, "/items/{item_id}": "2/minute"},
        key=user_key,
        store=store,
    )
    return app


def starlette_limited(store: Any) -> Any:
    async def item(request: Request) -> JSONResponse:
        return JSONResponse({"id": int(request.path_params["item_id"])})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[Route("/items/{item_id:int}", item), Route("/health", health)],
        middleware=[
            Middleware(
                RateLimitMiddleware,
                routes={"/health": None, "/items/{item_id:int}": "2/minute"},
                key=user_key,
                store=store,
            )
        ],
    )


@pytest.mark.parametrize("build", [starlette_limited, fastapi_limited])
async def test_rate_limits(build: Any, make_store: Any) -> None:
    async with client(build(make_store())) as c:
        alice = {"x-user": "alice"}
        first = await c.get("/items/1", headers=alice)
        assert first.json() == {"id": 1}
        assert first.headers["ratelimit"] == '"2/minute";r=1;t=30'
        assert (await c.get("/items/2", headers=alice)).status_code == 200
        refused = await c.get("/items/3", headers=alice)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "30"
        assert refused.json() == {
            "error": "429 Too Many Requests",
            "status": 429,
            "detail": "Too many requests: the limit is 2/minute; retry in 30 s.",
        }
        assert (await c.get("/items/3", headers={"x-user": "bob"})).status_code == 200
        for _ in range(5):
            health = await c.get("/health", headers=alice)
            assert health.status_code == 200
            assert "ratelimit" not in health.headers


# -- CSRF -------------------------------------------------------------------------------


async def form(request: Request) -> HTMLResponse:
    return HTMLResponse(f'<form method="post">{csrf_input(request)}<button>Go</button></form>')


async def submit(request: Request) -> JSONResponse:
    data = await request.form()
    return JSONResponse({"title": data.get("title")})


def starlette_csrf() -> Any:
    return Starlette(
        routes=[Route("/", form), Route("/", submit, methods=["POST"])],
        middleware=[Middleware(CSRFMiddleware, secret_key=SECRET)],
    )


def fastapi_csrf() -> Any:
    app = FastAPI()

    @app.get("/token")
    async def token(request: Request) -> dict[str, str]:
        return {"token": csrf_token(request)}

    @app.post("/items")
    async def create(request: Request) -> dict[str, bool]:
        return {"created": True}

    app.add_middleware(CSRFMiddleware, secret_key=SECRET, exempt=["POST /hooks/{name}"])

    @app.post("/hooks/{name}")
    async def hook(name: str) -> dict[str, str]:
        return {"hook": name}

    return app


async def test_csrf_form_in_starlette() -> None:
    async with client(starlette_csrf()) as c:
        page = await c.get("/")
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match is not None
        assert c.cookies["csrftoken"] == match[1]
        ok = await c.post("/", data={"title": "hi", "csrf_token": match[1]})
        assert ok.status_code == 200
        assert ok.json() == {"title": "hi"}  # the form still reaches the endpoint
        forged = await c.post("/", data={"title": "hi", "csrf_token": "x" + match[1]})
        assert forged.status_code == 403
        assert forged.json()["detail"] == "CSRF token invalid: load the form again."
        cross = await c.post(
            "/", data={"csrf_token": match[1]}, headers={"origin": "https://evil.example"}
        )
        assert cross.status_code == 403


async def test_csrf_header_in_fastapi() -> None:
    async with client(fastapi_csrf()) as c:
        token = (await c.get("/token")).json()["token"]
        ok = await c.post("/items", headers={"x-csrftoken": token})
        assert ok.json() == {"created": True}
        missing = await c.post("/items")
        assert missing.status_code == 403
        assert missing.json() == {
            "error": "403 Forbidden",
            "status": 403,
            "detail": "CSRF token missing: send it in x-csrftoken or csrf_token.",
        }
        c.cookies.clear()
        assert (await c.post("/hooks/github")).json() == {"hook": "github"}


async def test_csrf_token_in_boca_templates_for_a_script(tmp_path: Any) -> None:
    """`{{ csrf_token() }}` in a `<meta>`: a page's script sends it back in the header."""
    from boca.templates import Templates

    (tmp_path / "page.html").write_text('<meta name="csrf-token" content="{{ csrf_token() }}">')
    templates = Templates(tmp_path)

    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(await templates.render("page.html", {"request": request}))

    app = Starlette(
        routes=[Route("/", page), Route("/", submit, methods=["POST"])],
        middleware=[Middleware(CSRFMiddleware, secret_key=SECRET)],
    )
    async with client(app) as c:
        html = (await c.get("/")).text
        token = c.cookies["csrftoken"]
        assert html == f'<meta name="csrf-token" content="{token}">'
        ok = await c.post("/", data={"title": "t"}, headers={"x-csrftoken": token})
        assert ok.json() == {"title": "t"}
        refused = await c.post("/", data={"title": "t"}, headers={"x-csrftoken": token + "x"})
        assert refused.status_code == 403


async def test_csrf_input_in_boca_templates(tmp_path: Any) -> None:
    from boca.templates import Templates

    (tmp_path / "form.html").write_text('<form method="post">{{ csrf_input() }}</form>')
    templates = Templates(tmp_path)

    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(await templates.render("form.html", {"request": request}))

    app = Starlette(
        routes=[Route("/", page), Route("/", submit, methods=["POST"])],
        middleware=[Middleware(CSRFMiddleware, secret_key=SECRET)],
    )
    async with client(app) as c:
        html = (await c.get("/")).text
        token = c.cookies["csrftoken"]
        assert (
            html
            == f'<form method="post"><input type="hidden" name="csrf_token" value="{token}"></form>'
        )
        ok = await c.post("/", data={"title": "t", "csrf_token": token})
        assert ok.json() == {"title": "t"}
