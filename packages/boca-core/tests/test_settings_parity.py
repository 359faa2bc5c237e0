"""Bocadillo's core setting names: PROVIDER_MODULES, PLUGINS (conditional ones too),
REDIRECT_TRAILING_SLASH and HANDLE_TYPESYSTEM_VALIDATION_ERRORS; `@useprovider`."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import msgspec
import pytest

from boca.core import (
    App,
    ProviderError,
    Request,
    Response,
    Settings,
    ViewDeclarationError,
    provider,
    useprovider,
)
from boca.core.testing import TestClient

PROVIDERS = """
from boca.core import provider

EVENTS = []


@provider(scope="app")
async def config():
    return {"greeting": "hello"}


@provider
async def greeting(config):
    return config["greeting"]


@provider(name="transaction")
async def open_transaction():
    EVENTS.append("begin")
    try:
        yield "tx"
    finally:
        EVENTS.append("commit")


async def not_a_provider():
    return "ignored"
"""


@pytest.fixture
def providers_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    (tmp_path / "parity_providers.py").write_text(textwrap.dedent(PROVIDERS))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "parity_providers"
    sys.modules.pop("parity_providers", None)


def test_provider_modules_and_useprovider(providers_module: str) -> None:
    app = App(settings={"PROVIDER_MODULES": [providers_module]})
    assert app.providers.names() == ["config", "greeting", "transaction"]
    events = sys.modules[providers_module].EVENTS

    @app.route("/greet")
    async def greet(req: Request, res: Response, greeting: str) -> None:
        res.text = greeting

    @app.route("/write")
    @useprovider("transaction")
    async def write(req: Request, res: Response) -> None:
        events.append("view")
        res.text = "written"

    @app.route("/both")
    class Both:
        @useprovider("transaction", "greeting")
        async def post(self, req: Request, res: Response, transaction: str) -> None:
            res.text = transaction

    with TestClient(app) as client:
        assert client.get("/greet").text == "hello"
        assert client.get("/write").text == "written"
        assert events == ["begin", "view", "commit"]
        assert client.post("/both").text == "tx"  # made once, shared with the view
        assert events == ["begin", "view", "commit", "begin", "commit"]


def test_useprovider_takes_functions_and_checks_names() -> None:
    app = App()
    made: list[str] = []

    @app.provider
    async def audit() -> None:
        made.append("audit")

    @app.route("/")
    @useprovider(audit)
    async def index(req: Request, res: Response) -> None:
        res.text = "ok"

    assert TestClient(app).get("/").text == "ok"
    assert made == ["audit"]
    with pytest.raises(ProviderError, match="useprovider\\(\\) takes provider names"):
        useprovider("not a name")
    with pytest.raises(ViewDeclarationError, match="no provider has that name"):
        app.route("/missing")(useprovider("nowhere")(index))


def test_provider_modules_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ProviderError, match="PROVIDER_MODULES: no module named 'no_such_mod'"):
        App(settings={"PROVIDER_MODULES": ["no_such_mod"]})
    with pytest.raises(TypeError, match=r"a list of module names, like \['one'\]"):
        App(settings={"PROVIDER_MODULES": "one"})
    with pytest.raises(ProviderError, match="scope must be 'request' or 'app'"):
        provider(scope="session")(_async)  # type: ignore[call-overload]


async def _async() -> None:
    pass


class Recorder:
    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log = name, log

    def install(self, app: App) -> None:
        self.log.append(self.name)


def test_plugins_setting_with_conditions() -> None:
    log: list[str] = []

    def function_plugin(app: App) -> None:
        log.append(f"function {type(app).__name__}")

    App(
        settings={
            "PLUGINS": [
                Recorder("always", log),
                {Recorder("on", log): True, Recorder("off", log): False},
                function_plugin,
                {function_plugin: 0},
            ]
        }
    )
    assert log == ["always", "on", "function App"]


def test_plugins_setting_errors() -> None:
    with pytest.raises(TypeError, match="the PLUGINS setting is a list of plugins"):
        App(settings={"PLUGINS": {Recorder("x", []): True}})
    with pytest.raises(TypeError, match="PLUGINS: 3 is not a plugin"):
        App(settings={"PLUGINS": [3]})


class Config(Settings):
    env_file = None
    REDIRECT_TRAILING_SLASH: bool = True


def test_redirect_trailing_slash_setting() -> None:
    for value, status in (("true", 307), ("false", 404)):
        app = App(settings=Config(environ={"REDIRECT_TRAILING_SLASH": value}))

        @app.route("/items")
        async def items(req: Request, res: Response) -> None:
            res.text = "items"

        response = TestClient(app).get("/items/", follow_redirects=False)
        assert response.status_code == status
        if status == 307:
            assert response.headers["location"] == "/items"


class Item(msgspec.Struct):
    name: str
    tags: list[str]


def validating_app(**settings: Any) -> App:
    app = App(settings=settings) if settings else App()

    @app.route("/items", methods=["POST"])
    async def create(req: Request, res: Response) -> None:
        item = msgspec.convert(await req.json(), Item)
        res.json = {"name": item.name}

    return app


def test_validation_errors_raised_in_views_are_422() -> None:
    for app in (validating_app(), validating_app(HANDLE_TYPESYSTEM_VALIDATION_ERRORS=True)):
        client = TestClient(app)
        response = client.post("/items", json={"name": "a", "tags": ["x", 2]})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {
            "error": "422 Unprocessable Content",
            "status": 422,
            "detail": [
                {"loc": ["body", "tags", 1], "msg": "Expected `str`, got `int`", "type": "type"}
            ],
        }
        missing = client.post("/items", json={"tags": []})
        assert missing.json()["detail"] == [
            {"loc": ["body"], "msg": "Object missing required field `name`", "type": "missing"}
        ]
        assert client.post("/items", json={"name": "a", "tags": []}).json() == {"name": "a"}


def test_validation_error_handling_switched_off() -> None:
    client = TestClient(validating_app(HANDLE_TYPESYSTEM_VALIDATION_ERRORS=False))
    response = client.post("/items", json={"name": 1, "tags": []})
    assert response.status_code == 500
    assert response.json()["error"] == "500 Internal Server Error"
