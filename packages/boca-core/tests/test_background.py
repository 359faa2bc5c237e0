"""`res.background(...)`: work that runs after the response has been sent."""

from __future__ import annotations

import functools
import threading
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from boca.core import App
from boca.core.background import BackgroundTask, run_background
from boca.core.testing import LiveServer, TestClient

from ._support import wait_for


class Flags:
    def __init__(self) -> None:
        self.release = threading.Event()
        self.done = threading.Event()
        self.log: list[str] = []
        self.threads: list[str] = []


def make_app(flags: Flags) -> App:
    app = App()

    @app.route("/blocked")
    async def blocked(req, res):
        async def task() -> None:
            await wait_for(flags.release)
            flags.log.append("after release")
            flags.done.set()

        res.background(task)
        res.json = {"ok": True}

    @app.route("/signup", methods=["POST"])
    async def signup(req, res):
        def send_email(address: str, *, subject: str) -> None:
            flags.threads.append(threading.current_thread().name)
            flags.log.append(f"email {address} {subject}")

        res.background(send_email, "a@b.c", subject="hi")  # call form

        @res.background  # decorator form
        async def audit() -> None:
            flags.threads.append(threading.current_thread().name)
            flags.log.append("audit")

        async def third(n: int) -> None:
            flags.log.append(f"third {n}")

        res.background(functools.partial(third, 3))
        res.json = {"ok": True}
        flags.log.append("view")
        assert audit.__name__ == "audit"  # the decorator gives the function back

    @app.route("/streamed")
    async def streamed(req, res):
        @res.stream
        async def body() -> AsyncIterator[str]:
            yield "a"
            yield "b"

        res.background(flags.log.append, "after stream")

    return app


@pytest.fixture
def flags() -> Flags:
    return Flags()


@pytest.fixture
def live(flags: Flags) -> Iterator[LiveServer]:
    with LiveServer(make_app(flags)) as server:
        yield server


def test_runs_after_the_response_was_sent(live: LiveServer, flags: Flags) -> None:
    # The client has its whole response while the task is still waiting for the test.
    response = httpx.get(live.url + "/blocked", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert not flags.done.is_set()
    flags.release.set()
    assert flags.done.wait(2)
    assert flags.log == ["after release"]


def test_several_in_order_sync_in_a_thread_and_decorator_form(flags: Flags) -> None:
    response = TestClient(make_app(flags)).post("/signup")
    assert response.json() == {"ok": True}
    assert flags.log == ["view", "email a@b.c hi", "audit", "third 3"]
    main = threading.current_thread().name
    # The sync function ran in a worker thread, the async one in the event loop's thread.
    assert flags.threads[0] != flags.threads[1]
    assert flags.threads[0] != main


def test_after_a_streamed_response(flags: Flags) -> None:
    assert TestClient(make_app(flags)).get("/streamed").text == "ab"
    assert flags.log == ["after stream"]


async def test_run_background_directly() -> None:
    seen: list[object] = []

    class Callable:
        async def __call__(self, value: int) -> None:
            seen.append(value)

    tasks = [
        BackgroundTask(seen.append, ("sync",)),
        BackgroundTask(Callable(), (1,)),
        BackgroundTask(functools.partial(Callable(), 2)),
    ]
    await run_background(tasks)
    assert seen == ["sync", 1, 2]
    assert tasks[0].name == "list.append"
    assert tasks[1].name.startswith("<")
    assert "Callable object" in tasks[1].name


def test_background_tasks_get_providers_by_name() -> None:
    app = App()
    events: list[str] = []

    @app.provider(scope="app")
    async def mailer():
        events.append("mailer up")
        yield "smtp"
        events.append("mailer down")

    @app.provider
    async def session():
        events.append("session open")
        yield "db-session"
        events.append("session closed")

    async def send_welcome(address: str, mailer: str, session: str, *, note: str = "") -> None:
        events.append(f"send {address} via {mailer} in {session}{note}")

    def audit(session, what):  # sync tasks run in a thread, with providers too
        events.append(f"audit {what} in {session}")

    @app.route("/signup", methods=["POST"])
    async def signup(req, res, session):
        events.append(f"view in {session}")
        res.background(send_welcome, "ada@example.com", note="!")
        res.background(audit, what="signup")
        res.background(events.append, "builtin")  # no signature to inspect: called as given
        res.json = {"ok": True}

    with TestClient(app) as client:
        assert client.post("/signup").json() == {"ok": True}
    assert events == [
        "mailer up",
        "session open",
        "view in db-session",
        "session closed",
        "session open",
        "send ada@example.com via smtp in db-session!",
        "session closed",
        "session open",
        "audit signup in db-session",
        "session closed",
        "builtin",
        "mailer down",
    ]


def test_background_task_arguments_given_win_over_providers() -> None:
    app = App()
    seen: list[str] = []

    @app.provider
    async def name():
        return "from provider"

    async def task(name: str) -> None:
        seen.append(name)

    @app.route("/")
    async def index(req, res):
        res.background(task, "given")
        res.background(task, name="keyword")
        res.background(task)
        res.text = "ok"

    assert TestClient(app).get("/").text == "ok"
    assert seen == ["given", "keyword", "from provider"]
