"""Hooks: `@before` and `@after` on function views, classes, methods and routers."""

from __future__ import annotations

import functools
from typing import Any

import httpx
import pytest

from boca.core import App, HTTPError, Router, ViewDeclarationError, after, before
from boca.core.hooks import hooks_of
from boca.core.testing import LiveServer, TestClient


def tracer(log: list[str]) -> Any:
    """A hook that notes `name` (and the view's parameters) in `log`."""

    async def trace(req: Any, res: Any, params: dict[str, Any], name: str, **extra: Any) -> None:
        log.append(name + (f"{params}" if params else "") + (f"{extra}" if extra else ""))

    return trace


def test_before_and_after_on_a_function_view_in_written_order() -> None:
    app = App()
    log: list[str] = []
    trace = tracer(log)

    @app.route("/items/{item_id:int}")
    @before(trace, "b1")
    @before(trace, "b2", flag=True)
    @after(trace, "a1")
    @after(trace, "a2")
    async def item(req: Any, res: Any, item_id: int) -> None:
        log.append(f"view {item_id}")
        res.text = "ok"

    client = TestClient(app)
    assert client.get("/items/3").text == "ok"
    assert log == [
        "b1{'item_id': 3}",
        "b2{'item_id': 3}{'flag': True}",
        "view 3",
        "a1{'item_id': 3}",
        "a2{'item_id': 3}",
    ]


def test_hooks_on_a_class_and_a_method_and_a_router() -> None:
    log: list[str] = []
    trace = tracer(log)
    api = Router()
    before(trace, "router-1")(api)
    before(trace, "router-2")(api)
    after(trace, "router-after")(api)

    @api.route("/things")
    @before(trace, "class-1")
    @before(trace, "class-2")
    class Things:
        async def get(self, req: Any, res: Any) -> None:
            log.append("get")
            res.text = "got"

        @before(trace, "method")
        @after(trace, "method-after")
        async def post(self, req: Any, res: Any) -> None:
            log.append("post")
            res.text = "posted"

    @api.route("/plain")
    async def plain(req: Any, res: Any) -> None:
        log.append("plain")

    app = App()

    @app.route("/outside")
    async def outside(req: Any, res: Any) -> None:
        log.append("outside")

    app.include(api, prefix="/api")
    client = TestClient(app)
    assert client.get("/api/things").text == "got"
    assert log == ["router-1", "router-2", "class-1", "class-2", "get", "router-after"]
    log.clear()
    assert client.post("/api/things").text == "posted"
    assert log == [
        "router-1",
        "router-2",
        "class-1",
        "class-2",
        "method",
        "post",
        "router-after",
        "method-after",
    ]
    log.clear()
    client.get("/api/plain")
    assert log == ["router-1", "router-2", "plain", "router-after"]
    log.clear()
    client.get("/outside")
    assert log == ["outside"]


def test_nested_routers_hooks_outermost_first() -> None:
    log: list[str] = []
    trace = tracer(log)
    inner = Router()
    before(trace, "inner")(inner)

    @inner.route("/x")
    async def x(req: Any, res: Any) -> None:
        log.append("view")

    outer = Router()
    before(trace, "outer")(outer)
    outer.include(inner, prefix="/in")
    app = App()
    app.include(outer, prefix="/out")
    TestClient(app).get("/out/in/x")
    assert log == ["outer", "inner", "view"]


def test_before_hook_stops_the_request_by_raising() -> None:
    app = App()
    ran: list[str] = []

    async def require_role(req: Any, res: Any, params: dict[str, Any], role: str) -> None:
        if req.headers.get("x-role") != role:
            raise HTTPError(403, detail=f"{role} only")

    @app.route("/admin")
    @before(require_role, "admin")
    async def admin(req: Any, res: Any) -> dict[str, bool]:
        ran.append("view")
        return {"admin": True}

    client = TestClient(app)
    refused = client.get("/admin")
    assert refused.status_code == 403
    assert refused.json() == {"error": "403 Forbidden", "status": 403, "detail": "admin only"}
    assert ran == []
    assert client.get("/admin", headers={"x-role": "admin"}).json() == {"admin": True}
    assert ran == ["view"]


def test_before_hook_stops_the_request_by_writing_a_response() -> None:
    app = App()
    ran: list[str] = []

    async def cached(req: Any, res: Any, params: dict[str, Any]) -> None:
        if req.query_params.get("cached"):
            res.status_code = 203
            res.json = {"from": "cache"}

    async def stamp(req: Any, res: Any, params: dict[str, Any]) -> None:
        ran.append("after")

    @app.route("/data")
    @before(cached)
    @after(stamp)
    async def data(req: Any, res: Any) -> dict[str, str]:
        ran.append("view")
        return {"from": "view"}

    client = TestClient(app)
    hit = client.get("/data?cached=1")
    assert hit.status_code == 203
    assert hit.json() == {"from": "cache"}
    assert ran == []  # neither the view nor the after hooks ran
    assert client.get("/data").json() == {"from": "view"}
    assert ran == ["view", "after"]


def test_after_hooks_see_and_change_the_response() -> None:
    app = App()

    async def envelope(req: Any, res: Any, params: dict[str, Any]) -> None:
        res.headers["x-seen-status"] = str(res.status_code)
        res.json = {"data": res.json, "ok": True}

    @app.route("/dict")
    @after(envelope)
    async def as_dict(req: Any, res: Any) -> dict[str, int]:
        return {"n": 1}

    @app.route("/written")
    @after(envelope)
    async def written(req: Any, res: Any) -> None:
        res.status_code = 201
        res.json = [1, 2]

    async def shout(req: Any, res: Any, params: dict[str, Any]) -> None:
        res.text = res.text.upper()

    @app.route("/text")
    @after(shout)
    async def text(req: Any, res: Any) -> str:
        return "quiet"

    client = TestClient(app)
    response = client.get("/dict")
    assert response.json() == {"data": {"n": 1}, "ok": True}
    assert response.headers["x-seen-status"] == "200"
    response = client.get("/written")
    assert response.status_code == 201
    assert response.json() == {"data": [1, 2], "ok": True}
    assert response.headers["x-seen-status"] == "201"
    assert client.get("/text").text == "QUIET"


def test_after_hooks_do_not_run_when_the_view_raises() -> None:
    app = App()
    ran: list[str] = []

    async def note(req: Any, res: Any, params: dict[str, Any]) -> None:
        ran.append("after")

    @app.route("/fail")
    @after(note)
    async def fail(req: Any, res: Any) -> None:
        raise HTTPError(409)

    assert TestClient(app).get("/fail").status_code == 409
    assert ran == []


def test_view_returning_an_asgi_response_with_after_hooks() -> None:
    app = App()
    ran: list[str] = []

    async def note(req: Any, res: Any, params: dict[str, Any]) -> None:
        ran.append("after")

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 202, "headers": []})
        await send({"type": "http.response.body", "body": b"raw"})

    @app.route("/asgi")
    @after(note)
    async def view(req: Any, res: Any) -> Any:
        return asgi

    response = TestClient(app).get("/asgi")
    assert (response.status_code, response.text) == (202, "raw")
    assert ran == ["after"]


def test_hooks_accept_async_callables() -> None:
    app = App()
    log: list[str] = []

    class Counter:
        async def __call__(self, req: Any, res: Any, params: dict[str, Any]) -> None:
            log.append("callable")

    async def named(req: Any, res: Any, params: dict[str, Any], who: str) -> None:
        log.append(who)

    @app.route("/")
    @before(Counter())
    @before(functools.partial(named, who="partial"))
    async def index(req: Any, res: Any) -> None:
        res.text = "ok"

    TestClient(app).get("/")
    assert log == ["callable", "partial"]


def test_non_async_hook_is_refused_at_declaration() -> None:
    def sync_hook(req: Any, res: Any, params: Any) -> None: ...

    with pytest.raises(TypeError, match=r"@before: hook .*sync_hook.* must be an async function"):
        before(sync_hook)
    with pytest.raises(TypeError, match=r"@after: hook .* must be an async function"):
        after(lambda req, res, params: None)


def test_hooks_through_a_live_server() -> None:
    app = App()

    async def token(req: Any, res: Any, params: dict[str, Any]) -> None:
        if req.headers.get("x-token") != "t":
            raise HTTPError(401)

    async def stamp(req: Any, res: Any, params: dict[str, Any]) -> None:
        res.headers["x-after"] = "yes"

    @app.route("/me")
    @before(token)
    @after(stamp)
    async def me(req: Any, res: Any) -> dict[str, str]:
        return {"me": "ada"}

    with LiveServer(app) as server:
        assert httpx.get(server.url + "/me").status_code == 401
        response = httpx.get(server.url + "/me", headers={"x-token": "t"})
        assert response.json() == {"me": "ada"}
        assert response.headers["x-after"] == "yes"


async def test_hooks_of_lists_the_declared_hooks_and_they_can_be_called() -> None:
    seen: list[Any] = []

    async def note(req: Any, res: Any, params: dict[str, Any], label: str, *, n: int) -> None:
        seen.append((req, res, params, label, n))

    @before(note, "first", n=1)
    @after(note, "second", n=2)
    async def view(req: Any, res: Any) -> None: ...

    hooks = hooks_of(view)
    assert [(h.when, h.args, h.kwargs) for h in hooks] == [
        ("before", ("first",), {"n": 1}),
        ("after", ("second",), {"n": 2}),
    ]
    await hooks[0]("req", "res", {"id": 1})
    assert seen == [("req", "res", {"id": 1}, "first", 1)]


def test_hooks_receive_providers_shared_with_the_view() -> None:
    app = App()
    log: list[str] = []

    @app.provider
    async def session() -> Any:
        log.append("session opened")
        try:
            yield {"user": "ada"}
        finally:
            log.append("session closed")

    @app.provider
    async def clock() -> str:
        return "12:00"

    async def require_user(req: Any, res: Any, params: Any, role: str, *, session: Any) -> None:
        log.append(f"before: {session['user']} as {role}")
        if req.headers.get("x-role") != role:
            raise HTTPError(403)

    async def stamp(req: Any, res: Any, params: Any, session: Any, clock: str) -> None:
        log.append("after")
        res.headers["x-user"] = session["user"]
        res.headers["x-clock"] = clock

    @app.route("/me")
    @before(require_user, "admin")
    @after(stamp)
    async def me(req: Any, res: Any, session: Any) -> dict[str, str]:
        log.append("view")
        return session

    client = TestClient(app)
    response = client.get("/me", headers={"x-role": "admin"})
    assert response.json() == {"user": "ada"}
    assert (response.headers["x-user"], response.headers["x-clock"]) == ("ada", "12:00")
    # Made once for the hooks and the view, torn down after the last hook.
    assert log == [
        "session opened",
        "before: ada as admin",
        "view",
        "after",
        "session closed",
    ]
    log.clear()
    assert client.get("/me").status_code == 403
    assert log == ["session opened", "before: ada as admin", "session closed"]


def test_hook_providers_without_teardown_and_short_circuit() -> None:
    app = App()

    @app.provider
    async def cache() -> dict[str, Any]:
        return {"/cached": {"from": "cache"}}

    async def from_cache(req: Any, res: Any, params: Any, cache: dict[str, Any]) -> None:
        if req.url.path in cache:
            res.json = cache[req.url.path]

    @app.route("/cached")
    @before(from_cache)
    async def cached(req: Any, res: Any) -> dict[str, str]:  # pragma: no cover - never runs
        return {"from": "view"}

    @app.route("/fresh")
    @before(from_cache)
    async def fresh(req: Any, res: Any) -> dict[str, str]:
        return {"from": "view"}

    async def count_keys(req: Any, res: Any, params: Any, cache: dict[str, Any]) -> None:
        res.headers["x-keys"] = str(len(cache))

    @app.route("/written")
    @after(count_keys)
    async def written(req: Any, res: Any) -> None:
        res.text = "written"

    client = TestClient(app)
    assert client.get("/cached").json() == {"from": "cache"}
    assert client.get("/fresh").json() == {"from": "view"}
    response = client.get("/written")
    assert (response.text, response.headers["x-keys"]) == ("written", "1")


def test_hook_with_an_unknown_provider_is_a_declaration_error() -> None:
    app = App()

    async def needs_db(req: Any, res: Any, params: Any, db: Any) -> None: ...

    with pytest.raises(ViewDeclarationError, match=r"route '/x': parameter 'db' of hook"):

        @app.route("/x")
        @before(needs_db)
        async def x(req: Any, res: Any) -> None: ...

    router = Router()
    before(needs_db)(router)
    router.add_route("/y", _noop_view)  # no registry yet: checked when included
    with pytest.raises(ViewDeclarationError, match=r"route '/y': parameter 'db' of hook"):
        app.include(router)

    @app.provider
    async def db() -> str:
        return "db"

    app.include(router)
    assert TestClient(app).get("/y").status_code == 200


async def _noop_view(req: Any, res: Any) -> None:
    res.text = "ok"
