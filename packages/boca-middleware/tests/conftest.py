"""Drive ASGI apps with hand-made scopes and record every message they send."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

Message = dict[str, Any]
App = Callable[..., Awaitable[None]]


@dataclass
class Result:
    messages: list[Message] = field(default_factory=list)

    @property
    def start(self) -> Message:
        return next(m for m in self.messages if m["type"].endswith("response.start"))

    @property
    def status(self) -> int:
        return int(self.start["status"])

    @property
    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        return list(self.start.get("headers", []))

    def header(self, name: str) -> str | None:
        values = self.header_list(name)
        return ", ".join(values) if values else None

    def header_list(self, name: str) -> list[str]:
        key = name.lower().encode()
        return [v.decode("latin-1") for k, v in self.raw_headers if k == key]

    @property
    def body_messages(self) -> list[Message]:
        return [m for m in self.messages if m["type"].endswith("response.body")]

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.body_messages)


def make_scope(
    path: str = "/",
    method: str = "GET",
    headers: list[tuple[str, str]] | None = None,
    scheme: str = "http",
    type: str = "http",
    query: bytes = b"",
    host: str | None = "example.com",
    client: tuple[str, int] | None = ("127.0.0.1", 50000),
    **extra: Any,
) -> dict[str, Any]:
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers or []]
    if host is not None:
        raw.insert(0, (b"host", host.encode("latin-1")))
    scope: dict[str, Any] = {
        "type": type,
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "scheme": scheme,
        "path": path,
        "raw_path": path.encode("utf-8"),
        "query_string": query,
        "root_path": "",
        "headers": raw,
        "client": client,
        "server": ("127.0.0.1", 8000),
        **extra,
    }
    if type == "http":
        scope["method"] = method
    return scope


async def run(app: App, scope: dict[str, Any], body: bytes = b"") -> Result:
    result = Result()
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if scope["type"] == "websocket":
            if not sent:
                sent = True
                return {"type": "websocket.connect"}
            return {"type": "websocket.disconnect", "code": 1000}
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        result.messages.append(message)

    await app(scope, receive, send)
    return result


def respond(
    body: bytes = b"Hello, World!",
    status: int = 200,
    headers: list[tuple[bytes, bytes]] | None = None,
    content_type: bytes | None = b"text/plain; charset=utf-8",
    chunks: list[bytes] | None = None,
) -> App:
    """An ASGI app answering every HTTP request the same way (and recording its scopes)."""
    seen: list[dict[str, Any]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope)
        raw = list(headers or [])
        if content_type is not None:
            raw.insert(0, (b"content-type", content_type))
        if chunks is None:
            raw.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        if chunks is None:
            await send({"type": "http.response.body", "body": body})
        else:
            for i, chunk in enumerate(chunks):
                more = i < len(chunks) - 1
                await send({"type": "http.response.body", "body": chunk, "more_body": more})

    app.seen = seen  # type: ignore[attr-defined]
    return app


@pytest.fixture
def scope() -> Callable[..., dict[str, Any]]:
    return make_scope


@pytest.fixture
def call() -> Callable[..., Awaitable[Result]]:
    return run


@pytest.fixture
def app_factory() -> Callable[..., App]:
    return respond


@pytest.fixture
def recorder() -> Callable[[], tuple[App, list[tuple[dict[str, Any], list[Message]]]]]:
    """An app that records (scope, received messages) and echoes nothing for non-HTTP scopes."""

    def make() -> tuple[App, list[tuple[dict[str, Any], list[Message]]]]:
        calls: list[tuple[dict[str, Any], list[Message]]] = []

        async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
            received: list[Message] = []
            calls.append((scope, received))
            if scope["type"] == "lifespan":
                received.append(await receive())
                await send({"type": "lifespan.startup.complete"})
            elif scope["type"] == "websocket":
                received.append(await receive())
                await send({"type": "websocket.accept"})
            else:
                await send({"type": "http.response.start", "status": 204, "headers": []})
                await send({"type": "http.response.body", "body": b""})

        return app, calls

    return make


# A real redis-server for the store tests (see _redis.py).
from ._redis import own_redis, redis_server, redis_url, store  # noqa: E402, F401
