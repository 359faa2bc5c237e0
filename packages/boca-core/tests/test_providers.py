"""Providers: dependency injection by parameter name, request and app scopes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from boca.core import (
    App,
    HTTPError,
    ProviderError,
    ProviderRegistry,
    Router,
    ViewDeclarationError,
)
from boca.core.testing import LiveServer, TestClient


def test_request_provider_made_once_per_request_for_every_consumer() -> None:
    app = App()
    made: list[int] = []

    @app.provider
    async def counter() -> dict[str, int]:
        made.append(1)
        return {"n": len(made)}

    @app.provider
    async def report(counter: dict[str, int]) -> str:
        return f"report of {counter['n']}"

    @app.route("/")
    async def index(req: Any, res: Any, counter: dict[str, int], report: str) -> dict[str, Any]:
        return {"counter": counter["n"], "report": report}

    client = TestClient(app)
    assert client.get("/").json() == {"counter": 1, "report": "report of 1"}
    assert client.get("/").json() == {"counter": 2, "report": "report of 2"}
    assert len(made) == 2


def test_app_providers_made_at_startup_torn_down_at_shutdown_in_reverse_order() -> None:
    app = App()
    log: list[str] = []

    @app.provider(scope="app")
    async def db() -> AsyncIterator[str]:
        log.append("db up")
        try:
            yield "db"
        finally:
            log.append("db down")

    @app.provider(scope="app")
    async def cache(db: str) -> AsyncIterator[str]:
        log.append("cache up")
        yield f"cache on {db}"
        log.append("cache down")

    @app.provider(scope="app", name="settings")
    async def load_settings() -> dict[str, str]:
        log.append("settings")
        return {"env": "test"}

    @app.route("/")
    async def index(req: Any, res: Any, cache: str, settings: dict[str, str]) -> dict[str, Any]:
        return {"cache": cache, "env": settings["env"]}

    with TestClient(app) as client:
        assert log == ["db up", "cache up", "settings"]
        assert client.get("/").json() == {"cache": "cache on db", "env": "test"}
        assert client.get("/").json() == {"cache": "cache on db", "env": "test"}
        assert log == ["db up", "cache up", "settings"]
    assert log == ["db up", "cache up", "settings", "cache down", "db down"]


def test_generator_teardown_runs_when_the_view_raised() -> None:
    app = App()
    log: list[Any] = []

    @app.provider
    async def session() -> AsyncIterator[str]:
        log.append("open")
        try:
            yield "session"
        except Exception as exc:
            log.append(f"rollback after {type(exc).__name__}")
            raise
        else:
            log.append("commit")
        finally:
            log.append("close")

    @app.route("/ok")
    async def ok(req: Any, res: Any, session: str) -> str:
        return session

    @app.route("/missing")
    async def missing(req: Any, res: Any, session: str) -> None:
        raise HTTPError(404, detail="nothing here")

    @app.route("/crash")
    async def crash(req: Any, res: Any, session: str) -> None:
        raise RuntimeError("view failed")

    client = TestClient(app)
    assert client.get("/ok").text == "session"
    assert log == ["open", "commit", "close"]
    log.clear()
    response = client.get("/missing")
    assert (response.status_code, response.json()["detail"]) == (404, "nothing here")
    assert log == ["open", "rollback after HTTPError", "close"]
    log.clear()
    assert client.get("/crash").status_code == 500
    assert log == ["open", "rollback after RuntimeError", "close"]


def test_a_provider_cannot_swallow_the_view_error() -> None:
    app = App()

    @app.provider
    async def swallowing() -> AsyncIterator[str]:
        try:
            yield "x"
        except Exception:
            pass  # a mistake: the view's error must still be answered

    @app.route("/")
    async def index(req: Any, res: Any, swallowing: str) -> None:
        raise HTTPError(418)

    assert TestClient(app).get("/").status_code == 418


def test_misbehaving_generator_providers(caplog: pytest.LogCaptureFixture) -> None:
    app = App()

    @app.provider
    async def empty() -> AsyncIterator[str]:
        return
        yield  # pragma: no cover - makes it a generator

    @app.provider
    async def twice() -> AsyncIterator[str]:
        yield "one"
        yield "two"  # pragma: no cover - the provider is closed here

    @app.provider
    async def failing_teardown() -> AsyncIterator[str]:
        yield "x"
        raise OSError("cannot close")

    @app.route("/empty")
    async def use_empty(req: Any, res: Any, empty: str) -> None: ...

    @app.route("/twice")
    async def use_twice(req: Any, res: Any, twice: str) -> None: ...

    @app.route("/teardown")
    async def use_teardown(req: Any, res: Any, failing_teardown: str) -> None: ...

    client = TestClient(app)
    assert client.get("/empty").status_code == 500
    assert "provider 'empty' did not yield a value" in caplog.text
    assert client.get("/twice").status_code == 500
    assert "provider 'twice' must yield only once" in caplog.text
    assert client.get("/teardown").status_code == 500
    assert "cannot close" in caplog.text


def test_override_in_tests() -> None:
    app = App()

    @app.provider(scope="app")
    async def db() -> AsyncIterator[str]:
        raise AssertionError("the real database is never made while overridden")
        yield  # pragma: no cover

    @app.provider
    async def repo(db: str) -> str:
        return f"repo on {db}"

    @app.route("/")
    async def index(req: Any, res: Any, repo: str) -> str:
        return repo

    async def fake_db() -> str:
        return "fake db"

    with app.providers.override("db", fake_db), TestClient(app) as client:
        assert client.get("/").text == "repo on fake db"
    # Undone when the block ends: the real provider is back.
    with pytest.raises(AssertionError, match="the real database is never made"), TestClient(app):
        pass


def test_override_nested_and_call_form() -> None:
    app = App()

    @app.provider
    async def name() -> str:
        return "real"

    @app.route("/")
    async def index(req: Any, res: Any, name: str) -> str:
        return name

    async def first() -> str:
        return "first"

    async def second() -> str:
        return "second"

    client = TestClient(app)
    with app.providers.override("name", first):
        assert client.get("/").text == "first"
        with app.providers.override("name", second):
            assert client.get("/").text == "second"
        assert client.get("/").text == "first"
    assert client.get("/").text == "real"
    app.providers.override("name", second)  # call form: stays until undone
    assert client.get("/").text == "second"


def test_override_errors() -> None:
    app = App()

    @app.provider
    async def a() -> str:
        return "a"

    @app.provider
    async def b(a: str) -> str:
        return a

    async def needs_b(b: str) -> str:
        return b

    async def fine() -> str:
        return "fine"

    with pytest.raises(
        ProviderError, match=r"no provider named 'nope' to override \(known: a, b\)"
    ):
        app.providers.override("nope", fine)
    with pytest.raises(ProviderError, match="providers form a cycle: a -> b -> a"):
        app.providers.override("a", needs_b)
    assert "a" in app.providers
    assert app.providers.get("a").fn is a  # the failed override was undone


def test_unknown_provider_names_the_route() -> None:
    app = App()

    with pytest.raises(ViewDeclarationError, match=r"route '/x': parameter 'db' of .*no provider"):

        @app.route("/x")
        async def x(req: Any, res: Any, db: Any) -> None: ...

    @app.provider
    async def repo(db: Any) -> Any:
        return db

    with pytest.raises(ProviderError, match=r"unknown provider 'db' \(route '/y' -> repo -> db\)"):

        @app.route("/y")
        async def y(req: Any, res: Any, repo: Any) -> None: ...


def test_router_routes_are_checked_when_included() -> None:
    api = Router()

    @api.route("/users")
    async def users(req: Any, res: Any, db: Any) -> Any:
        return db

    bare = App()
    with pytest.raises(ViewDeclarationError, match=r"route '/api/users': parameter 'db'"):
        bare.include(api, prefix="/api")

    app = App()

    @app.provider
    async def db() -> list[str]:
        return ["ada"]

    app.include(api, prefix="/api")
    assert TestClient(app).get("/api/users").json() == ["ada"]


def test_cycles_are_named() -> None:
    app = App()

    @app.provider
    async def a(b: Any) -> Any: ...

    @app.provider
    async def b(a: Any) -> Any: ...

    @app.provider
    async def me(me: Any) -> Any: ...

    with pytest.raises(ProviderError, match=r"providers form a cycle: a -> b -> a"):

        @app.route("/")
        async def index(req: Any, res: Any, a: Any) -> None: ...

    with pytest.raises(ProviderError, match=r"providers form a cycle: me -> me"):

        @app.route("/me")
        async def use_me(req: Any, res: Any, me: Any) -> None: ...


def test_app_provider_cycle_fails_at_startup() -> None:
    app = App()

    @app.provider(scope="app")
    async def x(y: Any) -> Any: ...

    @app.provider(scope="app")
    async def y(x: Any) -> Any: ...

    with pytest.raises(ProviderError, match="providers form a cycle: x -> y -> x"), TestClient(app):
        pass


def test_app_provider_cannot_use_a_request_provider() -> None:
    app = App()

    @app.provider
    async def user() -> str:
        return "ada"

    @app.provider(scope="app")
    async def greeter(user: str) -> str:
        return user

    with pytest.raises(ProviderError, match="app provider 'greeter' cannot use request provider"):

        @app.route("/")
        async def index(req: Any, res: Any, greeter: str) -> None: ...

    message = "app provider 'greeter' cannot use request provider"
    with pytest.raises(ProviderError, match=message), TestClient(app):
        pass


def test_app_provider_without_lifespan_is_a_clear_error(caplog: pytest.LogCaptureFixture) -> None:
    app = App()

    @app.provider(scope="app")
    async def pool() -> str:
        return "pool"

    @app.route("/")
    async def index(req: Any, res: Any, pool: str) -> str:
        return pool

    caplog.set_level(logging.ERROR, logger="boca.core")
    response = TestClient(app).get("/")  # no `with`: no startup
    assert response.status_code == 500
    assert "app provider 'pool' is made at startup: run the app with its lifespan" in caplog.text
    with TestClient(app) as client:
        assert client.get("/").text == "pool"


def test_startup_failure_tears_down_app_providers_made_so_far() -> None:
    app = App()
    log: list[str] = []

    @app.provider(scope="app")
    async def first() -> AsyncIterator[str]:
        yield "first"
        log.append("first down")

    @app.provider(scope="app")
    async def second() -> str:
        raise ConnectionError("no broker")

    with pytest.raises(ConnectionError, match="no broker"), TestClient(app):
        pass
    assert log == ["first down"]


def test_declaration_errors() -> None:
    app = App()

    def sync() -> None: ...

    with pytest.raises(ProviderError, match="provider 'sync' must be an async function"):
        app.provider(sync)
    with pytest.raises(ProviderError, match="scope must be 'request' or 'app', not 'session'"):
        app.provider(scope="session")(sync)  # type: ignore[call-overload]

    @app.provider
    async def db() -> str:
        return "db"

    async def other() -> str:
        return "other"

    with pytest.raises(ProviderError, match="provider 'db' is already registered"):
        app.provider(name="db")(other)
    assert app.providers.names() == ["db"]
    with pytest.raises(ProviderError, match=r"no provider named 'nope' \(known: db\)"):
        app.providers.get("nope")


def test_defaults_and_var_parameters_are_not_provided() -> None:
    app = App()

    @app.provider
    async def tag(*args: Any, prefix: str = "#", **kwargs: Any) -> str:
        return prefix + "boca"

    @app.route("/")
    async def index(req: Any, res: Any, tag: str) -> str:
        return tag

    assert TestClient(app).get("/").text == "#boca"


def test_providers_in_class_view_methods_with_path_and_query() -> None:
    app = App()

    @app.provider
    async def store() -> dict[int, str]:
        return {1: "tea"}

    @app.route("/items/{item_id:int}")
    class Item:
        async def get(
            self, req: Any, res: Any, item_id: int, store: dict[int, str], upper: bool = False
        ) -> dict[str, Any]:
            name = store[item_id]
            return {"id": item_id, "name": name.upper() if upper else name}

    client = TestClient(app)
    assert client.get("/items/1").json() == {"id": 1, "name": "tea"}
    assert client.get("/items/1?upper=yes").json() == {"id": 1, "name": "TEA"}
    assert client.get("/items/1?upper=maybe").status_code == 400


def test_registries_are_per_app() -> None:
    one, two = App(), App()

    @one.provider
    async def token() -> str:
        return "one"

    assert "token" in one.providers
    assert "token" not in two.providers
    assert two.providers.names() == []


def test_providers_through_a_live_server() -> None:
    app = App()
    log: list[str] = []

    @app.provider(scope="app")
    async def pool() -> AsyncIterator[str]:
        yield "pool"
        log.append("pool closed")

    @app.provider
    async def conn(pool: str) -> AsyncIterator[str]:
        yield f"conn from {pool}"
        log.append("conn released")

    @app.route("/")
    async def index(req: Any, res: Any, conn: str) -> str:
        return conn

    with LiveServer(app) as server:
        assert httpx.get(server.url + "/").text == "conn from pool"
        assert log == ["conn released"]
    assert log == ["conn released", "pool closed"]


def test_app_provider_overridden_at_startup_is_made_when_the_override_ends() -> None:
    app = App()
    log: list[str] = []

    @app.provider(scope="app")
    async def db() -> AsyncIterator[str]:
        log.append("real db up")
        yield "real db"
        log.append("real db down")

    @app.route("/")
    async def index(req: Any, res: Any, db: str) -> str:
        return db

    async def fake() -> str:
        return "fake db"

    undo = app.providers.override("db", fake)
    with TestClient(app) as client:
        assert client.get("/").text == "fake db"
        assert log == []  # not made at startup while overridden
        with undo:
            pass  # the override ends while the app runs
        assert client.get("/").text == "real db"
        assert client.get("/").text == "real db"
        assert log == ["real db up"]
    assert log == ["real db up", "real db down"]


async def test_shutdown_without_startup_is_a_no_op() -> None:
    registry = ProviderRegistry()
    await registry.shutdown()
    assert registry.names() == []
