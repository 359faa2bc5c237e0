"""The documentation's examples of stores, server-side sessions, rate limits and CSRF, run
with the memory store and with a real Redis."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from boca.channels.testing import RedisServer, RedisServerMissing

from .conftest import load_example


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    try:
        server = RedisServer(persistent=False)
    except RedisServerMissing as exc:
        pytest.fail(f"{exc}; `make test` installs it when missing", pytrace=False)
    with server:
        yield server


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "redis":
        server = request.getfixturevalue("redis_server")
        assert server.command("FLUSHALL").startswith(b"+OK")
        monkeypatch.setenv("REDIS_URL", server.url)
    else:
        monkeypatch.delenv("REDIS_URL", raising=False)
    return str(request.param)


def client(app: Any, peer: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(peer, 4321))
    return httpx.AsyncClient(transport=transport, base_url="http://example.com")


async def test_stores(backend: str) -> None:
    module = load_example("middleware/stores.py")
    assert type(module.store).__name__ == ("RedisStore" if backend == "redis" else "MemoryStore")
    assert [await module.count_visit("/") for _ in range(3)] == [1, 2, 3]
    await module.remember("t0k3n", "ada")
    assert await module.redeem("t0k3n") == "ada"
    assert await module.redeem("t0k3n") is None


async def test_sessions_store(backend: str) -> None:
    module = load_example("middleware/sessions_store.py")
    app = module.app
    async with client(app) as c, client(app) as thief:
        await c.post("/login", params={"user": "ada"})
        assert (await c.get("/me")).json() == {"user": "ada"}
        thief.cookies.set("session", c.cookies["session"])
        assert (await thief.get("/me")).json() == {"user": "ada"}
        await c.post("/logout")
        assert (await thief.get("/me")).json() == {"user": None}


async def test_ratelimit(backend: str) -> None:
    app = load_example("middleware/ratelimit.py").app
    async with client(app) as c:
        logins = [(await c.post("/login")).status_code for _ in range(6)]
        assert logins == [200] * 5 + [429]
        items = [await c.get("/items") for _ in range(11)]
        assert [r.status_code for r in items] == [200] * 10 + [429]
        assert items[0].headers["ratelimit-policy"] == (
            '"10/second";q=10;w=1, "1000/hour";q=1000;w=3600'
        )
        assert items[-1].json()["error"] == "429 Too Many Requests"
        # Another API key counts apart; the admin key and /health are never limited.
        assert (await c.get("/items", headers={"x-api-key": "k1"})).status_code == 200
        admin = [await c.get("/items", headers={"x-api-key": "admin-key"}) for _ in range(20)]
        assert {r.status_code for r in admin} == {200}
        assert {(await c.get("/health")).status_code for _ in range(20)} == {200}


async def test_csrf() -> None:
    app = load_example("middleware/csrf.py").app
    async with client(app) as c:
        page = await c.get("/")
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match is not None
        assert f'<meta name="csrf-token" content="{match[1]}">' in page.text
        saved = await c.post("/notes", data={"text": "hi", "csrf_token": match[1]})
        assert saved.json() == {"saved": "hi"}
        with_header = await c.post("/notes", data={"text": "js"}, headers={"x-csrftoken": match[1]})
        assert with_header.json() == {"saved": "js"}
        forged = await c.post("/notes", data={"text": "hi", "csrf_token": "forged"})
        assert forged.status_code == 403
        assert forged.json()["error"] == "403 Forbidden"
        admin = await c.post(
            "/notes",
            data={"text": "a", "csrf_token": match[1]},
            headers={"origin": "https://admin.example.com", "sec-fetch-site": "same-site"},
        )
        assert admin.status_code == 200
        cross = await c.post("/notes", data={"text": "x"}, headers={"sec-fetch-site": "cross-site"})
        assert cross.status_code == 403
        c.cookies.clear()
        assert (await c.post("/hooks/github")).json() == {"received": True}


async def test_boca_stores(backend: str) -> None:
    module = load_example("middleware/boca_stores.py")
    app = module.app
    assert app.extensions["csrf"] is not None
    async with client(app) as c:
        assert (await c.post("/login")).status_code == 403
        token = (await c.get("/form")).json()["csrf_token"]
        assert c.cookies["csrftoken"] == token
        login = await c.post("/login", headers={"x-csrftoken": token})
        assert login.json() == {"ok": True}
        assert (await c.get("/me")).json() == {"user": "ada"}
        assert (await c.get("/me")).headers["ratelimit-policy"] == '"20/second";q=20;w=1'
