from __future__ import annotations

import logging
from typing import Any

import pytest

from boca.core import App
from boca.core.testing import TestClient
from boca.core.types import ASGIApp, Receive, Scope, Send


class Tag:
    """Appends its name to an `x-order` header and to a shared list as the request passes."""

    def __init__(self, app: ASGIApp, name: str, seen: list[str]) -> None:
        self.app = app
        self.name = name
        self.seen = seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.seen.append(self.name)
        await self.app(scope, receive, send)


class Failing:
    def __init__(self, app: ASGIApp, when: str) -> None:
        self.app = app
        self.when = when

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.when == "before":
            raise RuntimeError("middleware secret")

        async def wrapped(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.start":
                raise RuntimeError("after start")

        await self.app(scope, receive, wrapped)


def make_app() -> App:
    app = App()

    @app.route("/")
    async def index(req, res):
        res.text = "ok"

    @app.route("/boom")
    async def boom(req, res):
        raise RuntimeError("view secret")

    return app


def test_last_added_is_outermost() -> None:
    seen: list[str] = []
    app = make_app()
    app.add_middleware(Tag, name="inner", seen=seen)
    app.add_middleware(Tag, name="outer", seen=seen)
    with TestClient(app) as client:  # lifespan passes through the middleware too
        assert client.get("/").text == "ok"
    assert seen == ["outer", "inner"]


def test_view_errors_under_middleware_are_answered(caplog: pytest.LogCaptureFixture) -> None:
    app = make_app()
    app.add_middleware(Tag, name="x", seen=[])
    response = TestClient(app).get("/boom")
    assert response.status_code == 500
    assert "view secret" not in response.text
    assert len([r for r in caplog.records if r.levelno == logging.ERROR]) == 1


def test_middleware_error_before_start_is_500(caplog: pytest.LogCaptureFixture) -> None:
    app = make_app()
    app.add_middleware(Failing, when="before")
    response = TestClient(app).get("/")
    assert response.status_code == 500
    assert set(response.json()) == {"error", "status", "request_id"}
    assert "middleware secret" not in response.text
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None


def test_middleware_error_after_start_reaches_the_server() -> None:
    app = make_app()
    app.add_middleware(Failing, when="after")
    client = TestClient(app, raise_server_exceptions=True)
    with pytest.raises(RuntimeError, match="after start"):
        client.get("/")


async def test_a_scope_type_the_app_does_not_know_passes_through_middleware_untouched() -> None:
    # ASGI: an app ignores scope types it does not know, without sending or receiving.
    seen: list[str] = []
    app = make_app()
    app.add_middleware(Tag, name="x", seen=seen)
    calls: list[str] = []

    async def receive() -> Any:
        calls.append("receive")
        return {}

    async def send(message: Any) -> None:
        calls.append("send")

    result = await app({"type": "future.protocol"}, receive, send)
    assert result is None
    assert calls == []
    assert seen == []


def test_add_middleware_rules() -> None:
    app = make_app()
    with pytest.raises(TypeError, match="is not an ASGI middleware class"):
        app.add_middleware(42)  # type: ignore[arg-type]
    TestClient(app).get("/")
    with pytest.raises(RuntimeError, match="before the app handles its first request"):
        app.add_middleware(Tag, name="late", seen=[])


def test_asgi2_middleware_is_refused_with_the_way_to_upgrade() -> None:
    class Legacy:
        def __init__(self, scope: dict[str, object]) -> None:
            self.scope = scope

        async def __call__(self, receive: object, send: object) -> None: ...

    app = App()
    with pytest.raises(TypeError) as info:
        app.add_middleware(Legacy)
    message = str(info.value)
    assert message.startswith(f"{Legacy.__qualname__} is an ASGI 2 middleware")
    assert "async __call__(self, scope, receive, send)" in message


def test_asgi2_middleware_called_with_the_scope_is_refused() -> None:
    class Legacy:
        def __init__(self, app: object) -> None:
            self.app = app

        def __call__(self, scope: dict[str, object]) -> object:
            async def instance(receive: object, send: object) -> None: ...

            return instance

    app = App()
    with pytest.raises(TypeError) as info:
        app.add_middleware(Legacy)
    message = str(info.value)
    assert message.startswith(f"{Legacy.__qualname__} is an ASGI 2 middleware")
    assert "`__call__(self, scope)` returning the callable that takes them" in message
    assert "async __call__(self, scope, receive, send)" in message


def test_asgi3_classes_and_factories_are_accepted() -> None:
    seen: list[str] = []

    class Modern:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            seen.append("modern")
            await self.app(scope, receive, send)

    def factory(app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            seen.append("factory")
            await app(scope, receive, send)

        return wrapped

    app = App()
    app.add_middleware(Modern)
    app.add_middleware(factory)  # type: ignore[arg-type]
    assert TestClient(app).get("/nowhere").status_code == 404
    assert seen == ["factory", "modern"]
