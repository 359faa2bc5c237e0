"""Fixtures: a real redis-server for the session, and Channels on each backend and event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from boca.channels import Channels, MemoryBackend, RedisBackend
from boca.channels.testing import RedisServer, RedisServerMissing

#: (backend, event loop): the Redis backend runs on asyncio only (redis-py's client).
KINDS = ["memory-asyncio", "memory-trio", "redis-asyncio"]


def running_redis() -> Iterator[RedisServer]:
    """A redis-server until the end; a test needing Redis fails (never skips) without one."""
    try:
        server = RedisServer()
    except RedisServerMissing as exc:
        pytest.fail(f"{exc}; `make test` installs it when missing", pytrace=False)
    with server:
        yield server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One redis-server for the whole run."""
    yield from running_redis()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for each test."""
    if not redis_server.running:  # a test stopped it
        redis_server.start()
    assert redis_server.command("FLUSHALL").startswith(b"+OK")
    return redis_server.url


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def anyio_backend(kind: str) -> str:
    return kind.split("-")[1]


@pytest.fixture
def make_channels(kind: str, request: pytest.FixtureRequest) -> Any:
    """Channels(**options) on this test's backend (not connected)."""

    url = request.getfixturevalue("redis_url") if kind.startswith("redis") else None

    def make(**options: Any) -> Channels:
        if url is not None:
            return Channels(RedisBackend(url, reconnect_delay=0.05), **options)
        return Channels(MemoryBackend(), **options)

    return make


@pytest.fixture
async def channels(make_channels: Any) -> AsyncIterator[Channels]:
    async with make_channels() as connected:
        yield connected


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A redis-server of this test's own, to stop and restart (its data survives restarts)."""
    yield from running_redis()


class Connection:
    """Drives an ASGI app like a server with one client: records what it sends, and lets the
    test play the client (`disconnect()`), or a client that stops reading (`stall()`)."""

    def __init__(self, app: Any, scope: dict[str, Any]) -> None:
        import anyio

        self.app = app
        self.scope = scope
        self.sent: list[dict[str, Any]] = []
        self.changed = anyio.Event()
        self._gone = anyio.Event()
        self._unstalled: Any = None
        self._first = True

    async def receive(self) -> dict[str, Any]:
        if self._first:
            self._first = False
            if self.scope["type"] == "websocket":
                return {"type": "websocket.connect"}
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._gone.wait()
        if self.scope["type"] == "websocket":
            return {"type": "websocket.disconnect", "code": 1000}
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        import anyio

        if self._unstalled is not None:
            await self._unstalled.wait()
        if self._gone.is_set() and message["type"] == "http.response.body":
            raise OSError("the client is gone")
        self.sent.append(message)
        self.changed.set()
        self.changed = anyio.Event()

    def disconnect(self) -> None:
        self._gone.set()

    def stall(self) -> None:
        import anyio

        self._unstalled = anyio.Event()

    def unstall(self) -> None:
        self._unstalled.set()
        self._unstalled = None

    async def run(self) -> None:
        await self.app(self.scope, self.receive, self.send)

    async def wait_for(self, predicate: Any) -> None:
        import anyio

        with anyio.fail_after(5):
            while not predicate(self):
                await self.changed.wait()

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.sent if m["type"] == "websocket.send"]


def make_http_scope(
    path: str = "/events", method: str = "GET", headers: list[tuple[bytes, bytes]] | None = None
) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"example.com"), *(headers or [])],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


def make_ws_scope(path: str = "/ws", query: bytes = b"") -> dict[str, Any]:
    scope = make_http_scope(path)
    del scope["method"]
    scope.update(type="websocket", scheme="ws", query_string=query, subprotocols=[])
    return scope


@pytest.fixture
def connection() -> Any:
    """`connection(app, scope)`: a Connection to drive."""
    return Connection


@pytest.fixture
def http_scope() -> Any:
    return make_http_scope


@pytest.fixture
def ws_scope() -> Any:
    return make_ws_scope


class Uvicorn:
    """`uvicorn scale_app:app` in a process of its own, on 127.0.0.1 and a free port."""

    def __init__(self, env: dict[str, str]) -> None:
        import os
        import socket
        import subprocess
        import sys
        from pathlib import Path

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable, "-m", "uvicorn", "scale_app:app",
            "--app-dir", str(Path(__file__).parent),
            "--host", "127.0.0.1", "--port", str(self.port),
            "--log-level", "warning", "--timeout-graceful-shutdown", "2",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, env={**os.environ, **env})

    def wait_ready(self, timeout: float = 20) -> None:
        import time

        import httpx

        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.process.returncode}")
            try:
                if httpx.get(self.url + "/stats", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn on {self.url} did not start in {timeout} s")
            time.sleep(0.05)

    def stop(self) -> None:
        import subprocess

        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def uvicorn() -> Iterator[Any]:
    """`uvicorn(redis_url, **env)`: start the scale-out app; every one is stopped at the end."""
    started: list[Uvicorn] = []

    def start(redis_url: str, **env: str) -> Uvicorn:
        server = Uvicorn({"CHANNELS_REDIS_URL": redis_url, **env})
        started.append(server)
        server.wait_ready()
        return server

    yield start
    for server in started:
        server.stop()
