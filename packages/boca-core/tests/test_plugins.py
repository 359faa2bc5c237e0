from __future__ import annotations

from typing import Any

import pytest

from boca.core import App, Plugin
from boca.core.testing import TestClient
from boca.core.types import ASGIApp, Receive, Scope, Send


class Marker:
    """An ASGI middleware that adds a header (plain ASGI 3, like a battery's)."""

    def __init__(self, app: ASGIApp, value: str = "x") -> None:
        self.app = app
        self.value = value

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def wrapped(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (b"x-marker", self.value.encode())]
            await send(message)

        await self.app(scope, receive, wrapped)


class FakeBattery:
    """Satisfies the Plugin protocol structurally: no base class, just install(app)."""

    def __init__(self) -> None:
        self.installs = 0

    def install(self, app: App) -> None:
        self.installs += 1
        app.extensions["fake"] = self
        app.add_middleware(Marker, value="battery")

        async def page(scope: Scope, receive: Receive, send: Send) -> None:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"mounted"})

        app.mount("/fake", page, name="fake")

        @app.route("/fake-route", name="fake_route")
        async def route(req, res):
            res.text = app.url_for("fake", path="x")

        @app.on("startup")
        async def started():
            app.extensions["fake_started"] = True

        async def on_lookup(req, res, exc):  # type: ignore[no-untyped-def]
            res.status_code = 418
            res.text = "handled by battery"

        app.add_error_handler(LookupError, on_lookup)
        assert app.debug is False


def test_fake_battery_satisfies_protocol() -> None:
    battery = FakeBattery()
    assert isinstance(battery, Plugin)
    app = App()

    @app.route("/lookup")
    async def lookup(req, res):
        raise KeyError("x")

    app.use(battery)
    app.use(battery)  # installed once
    assert battery.installs == 1
    assert app.extensions["fake"] is battery
    with TestClient(app) as client:
        assert app.extensions["fake_started"] is True
        assert client.get("/fake/anything").text == "mounted"
        response = client.get("/fake-route")
        assert response.text == "/fake/x"
        assert response.headers["x-marker"] == "battery"
        assert client.get("/lookup").text == "handled by battery"


def test_two_instances_install_separately() -> None:
    app = App()
    first, second = FakeBattery(), FakeBattery()
    app.use(first)
    with pytest.raises(Exception, match="already"):
        app.use(second)  # same mount/route names: the app refuses, naming the clash


@pytest.mark.parametrize("thing", [object(), "templates", 42])
def test_non_plugin_refused(thing: object) -> None:
    with pytest.raises(TypeError, match="is not a Boca plugin"):
        App().use(thing)  # type: ignore[arg-type]
