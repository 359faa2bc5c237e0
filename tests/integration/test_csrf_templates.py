"""boca-core with boca-middleware's stores and CSRF (and boca-templates' `{{ csrf_input() }}`)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from boca.core import App
from boca.middleware import CSRF, MiddlewareBattery, RedisStore, SessionMiddleware, StoreError
from boca.templates import Templates


async def test_csrf_input_in_a_boca_page(tmp_path: Path) -> None:
    (tmp_path / "form.html").write_text('<form method="post">{{ csrf_input() }}</form>')
    app = App()
    app.use(Templates(tmp_path))
    app.use(CSRF(secret_key="integration-secret"))

    @app.route("/")
    async def page(req, res):
        res.render("form.html")

    @app.route("/", methods=["POST"])
    async def submit(req, res):
        res.json = {"ok": True}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        page_response = await c.get("/")
        token = c.cookies["csrftoken"]
        assert page_response.text == (
            f'<form method="post"><input type="hidden" name="csrf_token" value="{token}"></form>'
        )
        assert (await c.post("/", data={"csrf_token": token})).json() == {"ok": True}
        refused = await c.post("/", data={"csrf_token": "forged"})
        assert refused.status_code == 403
        assert refused.json()["detail"] == "CSRF token invalid: load the form again."


def test_an_unreachable_redis_stops_a_boca_app_at_startup() -> None:
    """The store is checked in the lifespan, which Boca passes through its middleware."""
    app = App()
    store = RedisStore("redis://127.0.0.1:1/0", timeout=0.5)
    app.use(MiddlewareBattery(SessionMiddleware, secret_key="s", store=store))
    with pytest.raises(StoreError) as caught, TestClient(app):
        pass  # pragma: no cover - the startup fails
    message = str(caught.value)
    assert message.startswith("Redis at redis://127.0.0.1:1/0: PING failed: ")
    assert message.endswith(". Start Redis there, or fix the URL given to RedisStore().")
