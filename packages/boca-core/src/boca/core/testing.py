"""Test tools: `TestClient` for in-process tests, `LiveServer` for a real Uvicorn on 127.0.0.1."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import anyio
import uvicorn

try:
    import httpx
    from starlette.testclient import TestClient as _StarletteTestClient
except ImportError as exc:  # pragma: no cover - exercised by the packaging tests
    raise ImportError(
        f"boca.core.testing needs the test clients ({exc.name or exc}): "
        "pip install 'boca-core[testing]'"
    ) from exc

from .types import ASGIApp, Message

__all__ = ["LiveServer", "TestClient"]


class TestClient(_StarletteTestClient):
    """An httpx client that calls the app in-process.

    Sync: `client = TestClient(app)`, then `client.get("/")`; use `with TestClient(app) as client:`
    to run the app's startup and shutdown. Async: `async with TestClient(app) as client:` gives an
    `httpx.AsyncClient` bound to the app, with startup and shutdown run around it.
    """

    __test__ = False  # not a pytest test class

    def __init__(self, app: ASGIApp, base_url: str = "http://testserver", **kwargs: Any) -> None:
        kwargs.setdefault("raise_server_exceptions", False)
        super().__init__(app, base_url=base_url, **kwargs)
        self._asgi = app
        self._base = base_url
        self._async_stack: contextlib.AsyncExitStack | None = None

    async def __aenter__(self) -> httpx.AsyncClient:
        stack = contextlib.AsyncExitStack()
        await stack.enter_async_context(_lifespan(self._asgi))
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self._asgi), base_url=self._base
        )
        await stack.enter_async_context(client)
        self._async_stack = stack
        return client

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc: BaseException | None = None,
        tb: TracebackType | None = None,
    ) -> None:
        if self._async_stack is not None:
            stack, self._async_stack = self._async_stack, None
            await stack.__aexit__(exc_type, exc, tb)


@contextlib.asynccontextmanager
async def _lifespan(app: ASGIApp) -> Any:
    """Run the ASGI lifespan protocol around the block; startup failures raise.

    The app's lifespan runs in a task of its own, started without a task group: test fixtures
    (pytest-asyncio's, anyio's) enter and leave the client in different tasks, which a cancel
    scope would refuse. The messages go through anyio streams, so asyncio and trio both work.
    """
    to_app, app_receive = anyio.create_memory_object_stream[Message](4)
    app_send, from_app = anyio.create_memory_object_stream[Message](4)
    scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
    failures: list[Exception] = []

    async def run() -> None:
        try:
            await app(scope, app_receive.receive, app_send.send)
        except Exception as exc:  # reported by the app as lifespan.startup.failed first
            failures.append(exc)
        finally:
            app_send.close()

    task = _spawn(run)
    await to_app.send({"type": "lifespan.startup"})
    message = await from_app.receive()
    if message["type"] == "lifespan.startup.failed":
        with contextlib.suppress(anyio.EndOfStream):
            await from_app.receive()  # the app has finished: its stream is closed
        cause = failures[0] if failures else None
        raise RuntimeError(f"application startup failed: {message.get('message', '')}") from cause
    try:
        yield
    finally:
        await to_app.send({"type": "lifespan.shutdown"})
        with contextlib.suppress(anyio.EndOfStream):
            await from_app.receive()
        with contextlib.suppress(anyio.EndOfStream):
            await from_app.receive()  # the app's lifespan has returned
        del task


def _spawn(fn: Callable[[], Awaitable[None]]) -> object:
    """Start `fn()` in the background on the running event loop, outside any task group."""
    trio = sys.modules.get("trio")  # only a trio loop can be running if trio was imported
    if trio is not None:
        try:
            trio.lowlevel.current_task()
        except RuntimeError:  # trio is imported, but this is not its loop
            pass
        else:
            return trio.lowlevel.spawn_system_task(fn)
    import asyncio

    return asyncio.ensure_future(fn())  # the reference is kept until the block ends


class LiveServer:
    """A real Uvicorn server for `app`, on 127.0.0.1 and a free port, in a background thread.

    ```python
    with LiveServer(app) as server:
        httpx.get(server.url + "/")
    ```
    """

    def __init__(
        self, app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0, **config: Any
    ) -> None:
        config.setdefault("log_level", "warning")
        config.setdefault("lifespan", "on")
        if "http" not in config:
            with contextlib.suppress(ImportError):  # httptools is missing on some platforms
                from .server import HttpToolsProtocol

                config["http"] = HttpToolsProtocol
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host, self.port = self._sock.getsockname()[:2]
        self.config = uvicorn.Config(app, host=self.host, port=self.port, **config)
        self.server = uvicorn.Server(self.config)
        self._thread: threading.Thread | None = None
        #: Uvicorn's exit code when it stopped by itself (3: the app's startup failed).
        self.exit_code: Any = None

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`."""
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        """`ws://127.0.0.1:PORT`."""
        return f"ws://{self.host}:{self.port}"

    def _run(self) -> None:
        try:
            self.server.run(sockets=[self._sock])
        except SystemExit as exc:  # Uvicorn exits with 3 when the app's startup fails
            self.exit_code = exc.code

    def start(self) -> None:
        self.exit_code = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError(
                    f"the live server failed to start (exit code {self.exit_code}; see the log)"
                )
            self._thread.join(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._sock.close()

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
