"""`boca.core.Middleware`: before/after dispatch hooks over plain ASGI."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from boca.core import App, Middleware, Request, Response, ResponseStart
from boca.core.testing import LiveServer, TestClient
from boca.core.types import Message, Receive, Scope, Send

from ._support import wait_for

user: contextvars.ContextVar[str] = contextvars.ContextVar("user", default="nobody")


async def teapot(scope: Scope, receive: Receive, send: Send) -> None:
    """A plain ASGI response."""
    await send({"type": "http.response.start", "status": 418, "headers": [(b"x-asgi", b"yes")]})
    await send({"type": "http.response.body", "body": b"short and stout"})


class Guard(Middleware):
    """Answers from before_dispatch: with `res`, or with any ASGI response."""

    async def before_dispatch(self, req: Request, res: Response) -> Any:
        if req.headers.get("authorization") != "Bearer ok":
            res.status_code = 401
            res.headers["www-authenticate"] = "Bearer"
            res.json = {"error": "who are you?"}
            return res
        if req.url.path == "/teapot":
            return teapot
        req.state.checked = True
        return None


class Stamp(Middleware):
    """Changes the status and headers on the way out."""

    async def after_dispatch(self, req: Request, res: ResponseStart) -> None:
        assert res.request is req
        res.headers["x-stamp"] = self.options["value"]
        del res.headers["x-remove-me"]
        res.set_cookie("stamped", "1", max_age=60)
        if res.status_code == 200 and req.url.path == "/created":
            res.status_code = 201


class Peek(Middleware):
    """Reads the body before the app does."""

    async def before_dispatch(self, req: Request, res: Response) -> Any:
        kind = req.headers.get("x-read", "")
        if kind == "body":
            req.state.seen = len(await req.body())
        elif kind == "json":
            req.state.seen = (await req.json())["n"]
        elif kind == "form":
            req.state.seen = (await req.form())["name"]
        elif kind == "body+form":
            await req.body()
            req.state.seen = (await req.form())["name"]  # parsed from the kept body
        return await super().before_dispatch(req, res)


class Who(Middleware):
    """Sets a context variable for the request."""

    async def before_dispatch(self, req: Request, res: Response) -> Any:
        name = req.headers.get("x-user")
        if name is not None:
            user.set(name)
        return None

    async def after_dispatch(self, req: Request, res: ResponseStart) -> None:
        res.headers["x-user-after"] = user.get()


class Noop(Middleware):
    async def before_dispatch(self, req: Request, res: Response) -> Any:
        return None

    async def after_dispatch(self, req: Request, res: ResponseStart) -> None:
        return None


class Flags:
    def __init__(self) -> None:
        self.go = threading.Event()
        self.task_done = threading.Event()
        self.views: list[str] = []


def make_app(flags: Flags) -> App:
    app = App()

    @app.route("/")
    async def index(req, res):
        flags.views.append("index")
        res.headers["x-remove-me"] = "1"
        res.json = {"checked": getattr(req.state, "checked", False)}

    @app.route("/created", methods=["POST"])
    async def created(req, res):
        res.text = "made"

    @app.route("/read", methods=["POST"])
    async def read(req, res):
        if req.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await req.form()
            own: Any = form["name"]
        else:
            own = (await req.body()).decode()
        res.json = {"middleware": getattr(req.state, "seen", None), "view": own}

    @app.route("/who")
    async def who(req, res):
        before = user.get()
        await asyncio.sleep(0.02)  # let the other requests interleave
        res.json = {"before": before, "after": user.get()}

    @app.route("/live", methods=["GET", "POST"])
    async def live(req, res):
        @res.stream
        async def body() -> AsyncIterator[str]:
            yield "first\n"
            await wait_for(flags.go)
            yield "second\n"

        @res.background
        async def task() -> None:
            flags.task_done.set()

    return app


@pytest.fixture
def flags() -> Flags:
    return Flags()


def test_before_dispatch_answers_with_res(flags: Flags) -> None:
    app = make_app(flags)
    app.add_middleware(Guard)
    response = TestClient(app).get("/")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"error": "who are you?"}
    assert flags.views == []  # the view never ran


def test_before_dispatch_answers_with_any_asgi_response(flags: Flags) -> None:
    app = make_app(flags)
    app.add_middleware(Guard)
    response = TestClient(app).get("/teapot", headers={"authorization": "Bearer ok"})
    assert response.status_code == 418
    assert response.headers["x-asgi"] == "yes"
    assert response.text == "short and stout"


def test_before_dispatch_lets_the_request_through(flags: Flags) -> None:
    app = make_app(flags)
    app.add_middleware(Guard)
    response = TestClient(app).get("/", headers={"authorization": "Bearer ok"})
    assert response.status_code == 200
    assert response.json() == {"checked": True}  # req.state is shared with the view


def test_after_dispatch_changes_status_and_headers(flags: Flags) -> None:
    app = make_app(flags)
    app.add_middleware(Stamp, value="v1")
    client = TestClient(app)
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["x-stamp"] == "v1"
    assert "x-remove-me" not in response.headers
    assert response.headers["set-cookie"] == "stamped=1; HttpOnly; Max-Age=60; Path=/; SameSite=Lax"
    assert response.json() == {"checked": False}
    created = client.post("/created")
    assert created.status_code == 201
    assert created.text == "made"
    assert created.headers["content-length"] == "4"


def test_after_dispatch_refuses_header_injection(flags: Flags) -> None:
    class Bad(Middleware):
        async def after_dispatch(self, req: Request, res: ResponseStart) -> None:
            res.headers["x-bad"] = "a\r\nset-cookie: evil=1"

    app = make_app(flags)
    app.add_middleware(Bad)
    response = TestClient(app).get("/")
    assert response.status_code == 500
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("kind", ["body", "json"])
def test_body_read_in_before_dispatch_is_given_to_the_view(flags: Flags, kind: str) -> None:
    app = make_app(flags)
    app.add_middleware(Peek)
    response = TestClient(app).post("/read", content=b'{"n": 7}', headers={"x-read": kind})
    assert response.json() == {"middleware": 8 if kind == "body" else 7, "view": '{"n": 7}'}


@pytest.mark.parametrize("kind", ["form", "body+form"])
def test_form_read_in_before_dispatch_is_given_to_the_view(flags: Flags, kind: str) -> None:
    app = make_app(flags)
    app.add_middleware(Peek)
    response = TestClient(app).post(
        "/read", data={"name": "ada"}, files={"f": ("a.txt", b"x")}, headers={"x-read": kind}
    )
    assert response.json() == {"middleware": "ada", "view": "ada"}


def test_body_read_in_before_dispatch_then_a_stream(flags: Flags) -> None:
    # The stream watches `receive` for the disconnect after the replayed body.
    app = make_app(flags)
    app.add_middleware(Peek)
    flags.go.set()
    response = TestClient(app).post("/live", content=b"ignored", headers={"x-read": "body"})
    assert response.text == "first\nsecond\n"
    assert flags.task_done.is_set()


def test_body_not_read_by_the_middleware(flags: Flags) -> None:
    app = make_app(flags)
    app.add_middleware(Peek)
    response = TestClient(app).post("/read", content=b"untouched")
    assert response.json() == {"middleware": None, "view": "untouched"}


async def test_websocket_and_lifespan_scopes_pass_through_untouched() -> None:
    calls: list[tuple[Scope, Receive, Send]] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        calls.append((scope, receive, send))

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        raise AssertionError("not called")

    class Loud(Middleware):
        async def before_dispatch(self, req: Request, res: Response) -> Any:
            raise AssertionError("only for HTTP")

        async def after_dispatch(self, req: Request, res: ResponseStart) -> None:
            raise AssertionError("only for HTTP")

    middleware = Loud(inner)
    for kind in ("websocket", "lifespan"):
        scope: Scope = {"type": kind, "path": "/ws", "headers": []}
        await middleware(scope, receive, send)
        assert calls[-1][0] is scope
        assert calls[-1][1] is receive
        assert calls[-1][2] is send
    assert len(calls) == 2


def test_lifespan_runs_through_the_middleware() -> None:
    app = App()
    events: list[str] = []

    @app.on("startup")
    async def startup() -> None:
        events.append("startup")

    @app.on("shutdown")
    async def shutdown() -> None:
        events.append("shutdown")

    app.add_middleware(Noop)
    with TestClient(app) as client:
        assert client.get("/missing").status_code == 404
    assert events == ["startup", "shutdown"]


def test_works_around_any_asgi_app() -> None:
    client = TestClient(Stamp(teapot, value="plain"))
    response = client.get("/")
    assert response.status_code == 418
    assert response.headers["x-stamp"] == "plain"
    assert response.text == "short and stout"


def test_a_subclass_without_hooks_passes_everything_through() -> None:
    class Nothing(Middleware):
        pass

    response = TestClient(Nothing(teapot)).get("/")
    assert response.status_code == 418
    assert response.text == "short and stout"


def test_streaming_stays_live_and_background_tasks_run(flags: Flags) -> None:
    app = make_app(flags)
    app.add_middleware(Noop)
    app.add_middleware(Stamp, value="s")
    with LiveServer(app) as server:
        with (
            httpx.Client(base_url=server.url, timeout=10) as client,
            client.stream("GET", "/live") as response,
        ):
            assert response.headers["x-stamp"] == "s"
            chunks = response.iter_raw()
            assert next(chunks) == b"first\n"  # before the generator could finish
            assert not flags.task_done.is_set()
            flags.go.set()
            assert b"".join(chunks) == b"second\n"
        assert flags.task_done.wait(2)


def test_context_variables_do_not_leak_between_requests(flags: Flags) -> None:
    app = make_app(flags)
    app.add_middleware(Who)

    async def run(url: str) -> list[tuple[str, dict[str, str], str]]:
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:

            async def one(i: int) -> tuple[str, dict[str, str], str]:
                headers = {"x-user": f"user{i}"} if i % 2 else {}
                response = await client.get("/who", headers=headers)
                return (
                    headers.get("x-user", "nobody"),
                    response.json(),
                    response.headers["x-user-after"],
                )

            return await asyncio.gather(*(one(i) for i in range(20)))

    with LiveServer(app) as server:
        results = asyncio.run(run(server.url))
        # And sequential requests on one keep-alive connection: still nothing carried over.
        with httpx.Client(base_url=server.url) as client:
            assert client.get("/who", headers={"x-user": "eve"}).json()["after"] == "eve"
            assert client.get("/who").json() == {"before": "nobody", "after": "nobody"}
    for expected, body, after in results:
        assert body == {"before": expected, "after": expected}
        assert after == expected


def test_before_dispatch_returning_something_else_is_a_clear_500(
    flags: Flags, caplog: pytest.LogCaptureFixture
) -> None:
    class Confused(Middleware):
        async def before_dispatch(self, req: Request, res: Response) -> Any:
            return {"not": "a response"}

    app = make_app(flags)
    app.add_middleware(Confused)
    response = TestClient(app).get("/")
    assert response.status_code == 500
    assert flags.views == []
    (record,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert str(record.exc_info[1]) == (  # type: ignore[index]
        "Confused.before_dispatch returned {'not': 'a response'}: return None to go on, "
        "or `res` or another ASGI response to answer"
    )


@pytest.mark.parametrize("hook", ["before_dispatch", "after_dispatch"])
def test_hooks_that_are_not_async_are_refused_naming_the_class(hook: str) -> None:
    def plain(self: Any, req: Any, res: Any) -> None: ...

    with pytest.raises(TypeError) as info:
        type("Timing", (Middleware,), {hook: plain})
    assert str(info.value) == (
        f"Timing.{hook} must be an async function: write `async def {hook}(self, req, res)`"
    )


def test_async_hooks_and_other_sync_methods_are_accepted() -> None:
    class Tagging(Middleware):
        def tag(self) -> str:  # a helper, not a hook: may be sync
            return "x"

        async def after_dispatch(self, req: Request, res: ResponseStart) -> None:
            res.headers["x-tag"] = self.tag()

    app = App()

    @app.route("/")
    async def home(req: Request, res: Response) -> None:
        res.text = "ok"

    app.add_middleware(Tagging)
    assert TestClient(app).get("/").headers["x-tag"] == "x"


def test_files_a_hook_parsed_are_closed_with_the_request() -> None:
    """`before_dispatch` reads the form (a spooled upload); the view gets the body again,
    and the hook's copy of the file is closed once the request is over."""
    kept: list[Any] = []

    class ReadsForm(Middleware):
        async def before_dispatch(self, req, res):
            kept.append((await req.form())["file"])

    app = App()
    app.add_middleware(ReadsForm)

    @app.route("/upload", methods=["POST"])
    async def upload(req, res):
        form = await req.form()
        res.text = (await form["file"].read()).decode()

    with TestClient(app) as client:
        response = client.post("/upload", files={"file": ("a.txt", b"hello")})
    assert response.status_code == 200
    assert response.text == "hello"
    assert kept[0].file.closed
