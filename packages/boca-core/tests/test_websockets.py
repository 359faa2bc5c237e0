"""WebSockets through a real Uvicorn (`LiveServer`) and the `websockets` client library.

Close codes and handshake statuses are what a real client sees on the wire. Server-side facts
(did the view run, did its `finally` run, with which code did it end) are recorded by the views
in `EVENTS` and waited for.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket as StarletteWebSocket
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from boca.core import (
    App,
    RouteDeclarationError,
    Router,
    ViewDeclarationError,
    WebSocket,
    WebSocketDisconnect,
)
from boca.core.testing import LiveServer
from boca.core.websockets import origin_allowed

EVENTS: list[tuple[Any, ...]] = []
_LOCK = threading.Lock()


def record(*event: Any) -> None:
    with _LOCK:
        EVENTS.append(event)


def wait_for(name: str, timeout: float = 10.0) -> tuple[Any, ...]:
    """The first recorded event called `name`, waiting for the server thread to record it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _LOCK:
            for event in EVENTS:
                if event[0] == name:
                    return event
        time.sleep(0.01)
    raise AssertionError(f"no event {name!r} in {EVENTS}")


def events(name: str) -> list[tuple[Any, ...]]:
    with _LOCK:
        return [e for e in EVENTS if e[0] == name]


def make_app() -> App:
    app = App()

    @app.provider
    async def greeting() -> Any:
        try:
            yield "hi"
        finally:
            record("greeting-teardown")

    @app.websocket_route("/echo")
    async def echo(ws: WebSocket) -> None:
        async for message in ws:
            await ws.send(message)
        record("echo-ended")

    @app.websocket_route("/bytes", value_type="bytes")
    async def reverse(ws: WebSocket) -> None:
        async for message in ws:
            await ws.send(message[::-1])

    @app.websocket_route("/json", value_type="json")
    async def json_echo(ws: WebSocket) -> None:
        async for message in ws:
            await ws.send({"got": message})

    @app.websocket_route("/percall")
    async def percall(ws: WebSocket) -> None:
        data = await ws.receive("bytes")
        await ws.send({"type": type(data).__name__, "len": len(data)}, "json")
        obj = await ws.receive("json")
        await ws.send(obj["text"], "bytes")
        await ws.send(b"raw")
        await ws.send([1, 2])
        try:
            await ws.send({"a": 1}, "bytes")
        except TypeError as exc:
            await ws.send(str(exc))

    @app.websocket_route("/manual", auto_accept=False)
    async def manual(ws: WebSocket, token: str = "") -> None:
        if token != "s3cret":
            await ws.reject()
            record("manual-rejected")
            return
        await ws.accept()
        await ws.send("welcome")
        await ws.close(4000, "bye")

    @app.websocket_route("/early", auto_accept=False)
    async def early(ws: WebSocket) -> None:
        try:
            await ws.receive()
        except RuntimeError as exc:
            record("early", str(exc))
            raise

    @app.websocket_route("/codes", normal_close_codes={1000, 4001})
    async def codes(ws: WebSocket) -> None:
        try:
            async for _ in ws:
                pass
        except WebSocketDisconnect as exc:
            record("codes", "raised", exc.code)
            raise
        record("codes", "quiet", ws.close_code)

    @app.websocket_route("/rooms/{room}")
    async def room(ws: WebSocket, room: int, limit: int = 10, tag: str = "none") -> None:
        record("room-view", room)
        await ws.send({"room": room, "limit": limit, "tag": tag})

    @app.websocket_route("/boom")
    async def boom(ws: WebSocket) -> None:
        await ws.receive()
        raise RuntimeError("kaboom")

    @app.websocket_route("/small", max_message_size=10)
    async def small(ws: WebSocket) -> None:
        try:
            async for message in ws:
                await ws.send(message)
        except WebSocketDisconnect as exc:
            record("small", exc.code)
            raise

    @app.websocket_route("/provided")
    async def provided(ws: WebSocket, greeting: str) -> None:
        await ws.send(greeting)
        await ws.receive()

    @app.websocket_route("/vanish")
    async def vanish(ws: WebSocket) -> None:
        try:
            await ws.send("ready")
            try:
                await ws.receive()
            except WebSocketDisconnect as exc:
                record("vanish-receive", exc.code)
            try:
                await ws.send("too late")
            except BaseException as exc:
                record("vanish-send", type(exc), getattr(exc, "code", None))
        finally:
            record("vanish-finally")

    @app.websocket_route("/ticker")
    async def ticker(ws: WebSocket) -> None:
        try:
            while True:
                await ws.send("tick")
                await asyncio.sleep(0.01)
        except BaseException as exc:
            record("ticker-send", type(exc), getattr(exc, "code", None))
            raise
        finally:
            record("ticker-finally")

    @app.websocket_route("/class")
    class Counter:
        async def on_connect(self, ws: WebSocket) -> None:
            self.count = 0
            await ws.send("hello")

        async def on_receive(self, ws: WebSocket, data: str) -> None:
            self.count += 1
            if data == "fail":
                raise ValueError("bad message")
            await ws.send(f"{self.count}:{data}")

        async def on_disconnect(self, ws: WebSocket, code: int) -> None:
            record("class", code, self.count)

    @app.websocket_route("/class-receive-only", value_type="json")
    class OnlyReceive:
        async def on_receive(self, ws: WebSocket, data: Any) -> None:
            await ws.send({"echo": data})

    @app.websocket_route("/class-connect-only")
    class Greeter:
        async def on_connect(self, ws: WebSocket) -> None:
            await ws.send("greetings")

        async def on_disconnect(self, ws: WebSocket, code: int) -> None:
            record("greeter", code)

    @app.websocket_route("/class-manual", auto_accept=False)
    class Manual:
        async def on_connect(self, ws: WebSocket) -> None:
            await ws.accept(subprotocol="chat.v1")
            await ws.send("accepted")
            await ws.close(1000)

    api = Router()

    @api.websocket_route("/ws/{name}", name="api-ws")
    async def api_ws(ws: WebSocket, name: str) -> None:
        await ws.send(f"{name}|{ws.url.path}")

    app.include(api, prefix="/api")

    async def legacy(websocket: StarletteWebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(f"{websocket.url.path}|{websocket.scope['root_path']}")
        await websocket.close()

    app.mount("/legacy", Starlette(routes=[WebSocketRoute("/feed", legacy)]))

    @app.route("/http-only")
    async def http_only(req: Any, res: Any) -> None:
        res.text = "http"

    return app


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    with LiveServer(make_app()) as server:
        yield server


@pytest.fixture(autouse=True)
def _clear_events() -> None:
    with _LOCK:
        EVENTS.clear()


def client(url: str, **options: Any) -> connect:
    options.setdefault("proxy", None)
    options.setdefault("open_timeout", 10)
    return connect(url, **options)


async def closed_with(ws: ClientConnection) -> tuple[int, str]:
    """Wait for the server to close `ws`; its close code and reason."""
    try:
        while True:
            await ws.recv()
    except ConnectionClosed as exc:
        info = exc
    assert info.rcvd is not None
    return info.rcvd.code, info.rcvd.reason


async def refused(url: str, **options: Any) -> int:
    """The HTTP status of a refused handshake."""
    with pytest.raises(InvalidStatus) as info:
        async with client(url, **options):
            pass  # pragma: no cover - the handshake fails
    return info.value.response.status_code


# -- accepting, messages ----------------------------------------------------------------------


async def test_text_echo_and_async_for_ends_quietly_on_1000(live: LiveServer) -> None:
    async with client(live.ws_url + "/echo") as ws:
        await ws.send("hello")
        assert await ws.recv() == "hello"
        await ws.send("wörld")
        assert await ws.recv() == "wörld"
    assert wait_for("echo-ended") == ("echo-ended",)


async def test_async_for_ends_quietly_on_1001(live: LiveServer) -> None:
    async with client(live.ws_url + "/echo") as ws:
        await ws.close(1001)
    assert wait_for("echo-ended") == ("echo-ended",)


async def test_bytes_route(live: LiveServer) -> None:
    async with client(live.ws_url + "/bytes") as ws:
        await ws.send(b"\x00\x01\x02")
        assert await ws.recv() == b"\x02\x01\x00"
        # A text message on a bytes route is given to the view as its UTF-8 bytes.
        await ws.send("abc")
        assert await ws.recv() == b"cba"


async def test_json_route_and_malformed_json_closes_1007(live: LiveServer) -> None:
    async with client(live.ws_url + "/json") as ws:
        await ws.send(json.dumps({"n": [1, 2]}))
        assert json.loads(await ws.recv()) == {"got": {"n": [1, 2]}}
        await ws.send(b'{"bytes": true}')
        assert json.loads(await ws.recv()) == {"got": {"bytes": True}}
        await ws.send("{not json")
        assert await closed_with(ws) == (1007, "malformed JSON")


async def test_value_type_per_call(live: LiveServer) -> None:
    async with client(live.ws_url + "/percall") as ws:
        await ws.send("abc")
        assert json.loads(await ws.recv()) == {"type": "bytes", "len": 3}
        await ws.send(json.dumps({"text": "héllo"}))
        assert await ws.recv() == "héllo".encode()
        assert await ws.recv() == b"raw"
        assert await ws.recv() == "[1,2]"
        assert await ws.recv() == "cannot send dict as bytes: send bytes or str"
        assert await closed_with(ws) == (1000, "")


async def test_binary_message_on_text_route_closes_1003(live: LiveServer) -> None:
    async with client(live.ws_url + "/echo") as ws:
        await ws.send(b"\x00")
        assert await closed_with(ws) == (1003, "expected a text message")


async def test_close_with_code_and_reason(live: LiveServer) -> None:
    async with client(live.ws_url + "/manual?token=s3cret") as ws:
        assert await ws.recv() == "welcome"
        assert await closed_with(ws) == (4000, "bye")


async def test_reject_before_accept_is_403(live: LiveServer) -> None:
    assert await refused(live.ws_url + "/manual?token=wrong") == 403
    assert wait_for("manual-rejected") == ("manual-rejected",)


async def test_receive_before_accept_is_an_error(live: LiveServer) -> None:
    assert await refused(live.ws_url + "/early") == 403
    assert wait_for("early") == ("early", "accept() the websocket before receiving messages")


async def test_custom_normal_close_codes(live: LiveServer) -> None:
    async with client(live.ws_url + "/codes") as ws:
        await ws.close(4001)
    assert wait_for("codes") == ("codes", "quiet", 4001)
    with _LOCK:
        EVENTS.clear()
    # 1001 is no longer a normal code on this route: the loop raises.
    async with client(live.ws_url + "/codes") as ws:
        await ws.close(1001)
    assert wait_for("codes") == ("codes", "raised", 1001)


# -- parameters and routing -------------------------------------------------------------------


async def test_path_and_query_parameters_converted(live: LiveServer) -> None:
    async with client(live.ws_url + "/rooms/7?limit=3") as ws:
        assert json.loads(await ws.recv()) == {"room": 7, "limit": 3, "tag": "none"}
    async with client(live.ws_url + "/rooms/8?tag=x") as ws:
        assert json.loads(await ws.recv()) == {"room": 8, "limit": 10, "tag": "x"}


async def test_bad_path_or_query_value_is_refused_before_accept(live: LiveServer) -> None:
    assert await refused(live.ws_url + "/rooms/lobby") == 403
    assert await refused(live.ws_url + "/rooms/1?limit=many") == 403
    # Give a late view call a chance to show up: it must not.
    async with client(live.ws_url + "/rooms/2") as ws:
        await ws.recv()
    assert [e[1] for e in events("room-view")] == [2]


async def test_unmatched_path_is_403(live: LiveServer) -> None:
    assert await refused(live.ws_url + "/nowhere") == 403
    assert await refused(live.ws_url + "/http-only") == 403


async def test_websocket_route_in_included_router(live: LiveServer) -> None:
    async with client(live.ws_url + "/api/ws/ada") as ws:
        assert await ws.recv() == "ada|/api/ws/ada"
    assert await refused(live.ws_url + "/ws/ada") == 403


def test_websocket_route_url_for() -> None:
    assert make_app().url_for("api-ws", name="bob") == "/api/ws/bob"


async def test_websocket_through_mounted_starlette_app(live: LiveServer) -> None:
    async with client(live.ws_url + "/legacy/feed") as ws:
        assert await ws.recv() == "/legacy/feed|/legacy"
        assert await closed_with(ws) == (1000, "")


async def test_providers_in_websocket_views(live: LiveServer) -> None:
    async with client(live.ws_url + "/provided") as ws:
        assert await ws.recv() == "hi"
        assert events("greeting-teardown") == []
    assert wait_for("greeting-teardown") == ("greeting-teardown",)


# -- errors ---------------------------------------------------------------------------------


async def test_exception_closes_1011_and_logs_once(
    live: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="boca.core")
    async with client(live.ws_url + "/boom") as ws:
        await ws.send("go")
        assert await closed_with(ws) == (1011, "")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name == "boca.core"]
    assert len(errors) == 1
    assert errors[0].getMessage() == "Unhandled exception in websocket '/boom'"
    assert errors[0].exc_info is not None
    assert isinstance(errors[0].exc_info[1], RuntimeError)
    assert str(errors[0].exc_info[1]) == "kaboom"


# -- class-based views --------------------------------------------------------------------------


async def test_class_based_view(live: LiveServer) -> None:
    async with client(live.ws_url + "/class") as ws:
        assert await ws.recv() == "hello"
        await ws.send("a")
        assert await ws.recv() == "1:a"
        await ws.send("b")
        assert await ws.recv() == "2:b"
        await ws.close(4002, "done")
    assert wait_for("class") == ("class", 4002, 2)


async def test_class_based_view_error_is_1011_and_on_disconnect_sees_it(
    live: LiveServer,
) -> None:
    async with client(live.ws_url + "/class") as ws:
        assert await ws.recv() == "hello"
        await ws.send("fail")
        assert await closed_with(ws) == (1011, "")
    assert wait_for("class") == ("class", 1011, 1)


async def test_class_based_view_with_only_on_receive(live: LiveServer) -> None:
    async with client(live.ws_url + "/class-receive-only") as ws:
        await ws.send('{"x": 1}')
        assert json.loads(await ws.recv()) == {"echo": {"x": 1}}


async def test_class_based_view_without_on_receive_reads_until_close(live: LiveServer) -> None:
    async with client(live.ws_url + "/class-connect-only") as ws:
        assert await ws.recv() == "greetings"
        await ws.send("ignored")
        await ws.send("ignored too")
    assert wait_for("greeter") == ("greeter", 1000)


async def test_class_based_view_accepting_itself(live: LiveServer) -> None:
    async with client(live.ws_url + "/class-manual", subprotocols=["chat.v1"]) as ws:
        assert ws.subprotocol == "chat.v1"
        assert await ws.recv() == "accepted"
        assert await closed_with(ws) == (1000, "")


# -- declaration errors -------------------------------------------------------------------------


def test_declaration_errors() -> None:
    app = App()

    async def view(ws: WebSocket) -> None: ...

    with pytest.raises(RouteDeclarationError, match="value_type must be one of text, bytes"):
        app.websocket_route("/a", value_type="xml")(view)
    with pytest.raises(RouteDeclarationError, match="max_message_size must be > 0"):
        app.websocket_route("/a", max_message_size=0)(view)
    origins: Any = "https://x.example"
    with pytest.raises(RouteDeclarationError, match="allowed_origins takes a list"):
        app.websocket_route("/a", allowed_origins=origins)(view)

    class Nothing:
        pass

    with pytest.raises(RouteDeclarationError, match="Nothing defines none of on_connect"):
        app.websocket_route("/a")(Nothing)

    class Sync:
        def on_receive(self, ws: WebSocket, data: str) -> None: ...

    with pytest.raises(RouteDeclarationError, match=r"Sync.on_receive must be an async method"):
        app.websocket_route("/a")(Sync)

    def sync_view(ws: WebSocket) -> None: ...

    with pytest.raises(ViewDeclarationError, match="must be an async function"):
        app.websocket_route("/a")(sync_view)

    async def no_ws() -> None: ...

    with pytest.raises(ViewDeclarationError, match=r"must accept \(ws\)"):
        app.websocket_route("/a")(no_ws)

    async def missing(ws: WebSocket) -> None: ...

    with pytest.raises(ViewDeclarationError, match="does not accept the path parameter"):
        app.websocket_route("/r/{room}")(missing)

    async def unknown(ws: WebSocket, db: Any) -> None: ...

    with pytest.raises(ViewDeclarationError, match=r"route '/a': parameter 'db'.*no provider"):
        app.websocket_route("/a")(unknown)

    app.websocket_route("/chat/{room}")(_room_view)
    with pytest.raises(RouteDeclarationError, match=r"already declared as '/chat/\{room\}'"):
        app.websocket_route("/chat/{other}")(_other_view)


async def _room_view(ws: WebSocket, room: str) -> None: ...


async def _other_view(ws: WebSocket, other: str) -> None: ...


# -- the WebSocket object without a server ------------------------------------------------------


def fake(messages: list[dict[str, Any]]) -> tuple[Any, Any, list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    return receive, send, sent


SCOPE = {"type": "websocket", "path": "/", "headers": [], "query_string": b""}


async def test_disconnect_during_handshake() -> None:
    receive, send, sent = fake([{"type": "websocket.disconnect", "code": 1001}])
    ws = WebSocket(dict(SCOPE), receive, send)
    with pytest.raises(WebSocketDisconnect) as info:
        await ws.accept()
    assert info.value.code == 1001
    assert ws.closed
    assert sent == []


async def test_accept_twice_and_reject_after_accept() -> None:
    receive, send, sent = fake([{"type": "websocket.connect"}])
    ws = WebSocket(dict(SCOPE), receive, send)
    await ws.accept(headers=[(b"x-a", b"1")])
    await ws.accept()
    assert sent == [{"type": "websocket.accept", "subprotocol": None, "headers": [(b"x-a", b"1")]}]
    with pytest.raises(RuntimeError, match="reject\\(\\) is for before accept"):
        await ws.reject()


async def test_send_before_accept_is_an_error() -> None:
    receive, send, sent = fake([])
    ws = WebSocket(dict(SCOPE), receive, send)
    with pytest.raises(RuntimeError, match="accept\\(\\) the websocket before sending"):
        await ws.send("x")
    assert sent == []


async def test_receive_and_send_after_close_raise_disconnect() -> None:
    receive, send, sent = fake([{"type": "websocket.connect"}])
    ws = WebSocket(dict(SCOPE), receive, send)
    await ws.accept()
    await ws.close(4005)
    await ws.close(4006)  # no-op
    assert sent[-1] == {"type": "websocket.close", "code": 4005, "reason": ""}
    for action in (ws.receive(), ws.send("x")):
        with pytest.raises(WebSocketDisconnect) as info:
            await action
        assert info.value.code == 4005


async def test_send_and_close_when_the_server_refuses() -> None:
    """A server that closed the connection itself raises RuntimeError or OSError on send."""
    for error in (OSError("gone"), RuntimeError("Unexpected ASGI message")):

        async def receive() -> dict[str, Any]:
            return {"type": "websocket.connect"}

        def failing(error: BaseException) -> Any:
            async def send(message: dict[str, Any]) -> None:
                if message["type"] != "websocket.accept":
                    raise error

            return send

        ws = WebSocket(dict(SCOPE), receive, failing(error))
        await ws.accept()
        with pytest.raises(WebSocketDisconnect) as info:
            await ws.send("x")
        assert info.value.code == 1006
        assert ws.closed
        ws.closed = False
        await ws.close()  # swallowed
        assert ws.close_code == 1000


async def test_message_size_counts_utf8_bytes() -> None:
    receive, send, sent = fake(
        [
            {"type": "websocket.connect"},
            {"type": "websocket.receive", "text": "aaaa"},
            {"type": "websocket.receive", "bytes": b"1234"},
            {"type": "websocket.receive", "text": "ééé"},  # 3 characters, 6 bytes
        ]
    )
    ws = WebSocket(dict(SCOPE), receive, send, max_message_size=5)
    await ws.accept()
    assert await ws.receive() == "aaaa"
    assert await ws.receive("bytes") == b"1234"
    with pytest.raises(WebSocketDisconnect) as info:
        await ws.receive()
    assert info.value.code == 1009
    assert sent[-1] == {"type": "websocket.close", "code": 1009, "reason": "message too big"}


async def test_empty_receive_message_as_bytes_and_json() -> None:
    receive, send, _ = fake(
        [
            {"type": "websocket.connect"},
            {"type": "websocket.receive"},
            {"type": "websocket.receive"},
        ]
    )
    ws = WebSocket(dict(SCOPE), receive, send, value_type="bytes")
    await ws.accept()
    assert await ws.receive() == b""
    with pytest.raises(WebSocketDisconnect) as info:
        await ws.receive("json")
    assert info.value.code == 1007


async def test_unknown_value_type_per_call() -> None:
    receive, send, sent = fake([{"type": "websocket.connect"}])
    ws = WebSocket(dict(SCOPE), receive, send)
    await ws.accept()
    with pytest.raises(ValueError, match="must be one of text, bytes, json, event, not 'xml'"):
        await ws.receive("xml")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="value type must be one of text, bytes, json"):
        await ws.send("x", "xml")  # type: ignore[arg-type]
    assert len(sent) == 1


async def test_send_value_types() -> None:
    receive, send, sent = fake([{"type": "websocket.connect"}])
    ws = WebSocket(dict(SCOPE), receive, send)
    await ws.accept()
    await ws.send(bytearray(b"ab"))
    await ws.send(memoryview(b"cd"), "bytes")
    await ws.send("é", "bytes")
    await ws.send("text", "json")
    assert sent[1:] == [
        {"type": "websocket.send", "bytes": b"ab"},
        {"type": "websocket.send", "bytes": b"cd"},
        {"type": "websocket.send", "bytes": "é".encode()},
        {"type": "websocket.send", "text": '"text"'},
    ]


# -- hostile cases ------------------------------------------------------------------------------


async def test_hostile_W1(live: LiveServer) -> None:
    """A message over the route's `max_message_size` closes with 1009; over the server's
    `ws_max_size`, Uvicorn closes with 1009 before the app gets it."""
    async with client(live.ws_url + "/small") as ws:
        await ws.send("0123456789")
        assert await ws.recv() == "0123456789"
        await ws.send("0123456789+")
        assert await closed_with(ws) == (1009, "message too big")
    assert wait_for("small") == ("small", 1009)

    with LiveServer(make_app(), ws_max_size=1000) as server:
        async with client(server.ws_url + "/echo") as ws:
            await ws.send("x" * 1000)
            assert await ws.recv() == "x" * 1000
            await ws.send(b"y" * 1001)
            code, _ = await closed_with(ws)
        assert code == 1009
        assert events("echo-ended") == []


async def test_hostile_W2() -> None:
    """A permessage-deflate bomb: 10 MB of zeros, compressed to a few KB, against a 1 MB limit.

    The limit applies to the decompressed message: the server closes with 1009.
    """
    payload = b"\0" * 10_000_000
    with LiveServer(make_app(), ws_max_size=1_000_000) as server:
        async with client(server.ws_url + "/bytes", compression="deflate") as ws:
            assert ws.response is not None
            extensions = ws.response.headers["Sec-WebSocket-Extensions"]
            assert extensions.startswith("permessage-deflate")
            await ws.send(b"\0" * 1000)
            assert await ws.recv() == b"\0" * 1000
            await ws.send(payload)
            code, _ = await closed_with(ws)
        assert code == 1009


def origin_app(**options: Any) -> App:
    app = App(**options)

    @app.websocket_route("/feed")
    async def feed(ws: WebSocket) -> None:
        record("feed-ran")
        await ws.send("ok")

    @app.websocket_route("/public", allowed_origins=["*"])
    async def public(ws: WebSocket) -> None:
        await ws.send("public")

    @app.websocket_route("/partner", allowed_origins=["https://partner.example/"])
    async def partner(ws: WebSocket) -> None:
        await ws.send("partner")

    return app


async def test_hostile_W3() -> None:
    """A handshake from a disallowed Origin is refused with 403 and the view never runs."""
    with LiveServer(origin_app(websocket_origins=["https://Good.example"])) as server:
        url = server.ws_url
        assert await refused(url + "/feed", origin="https://evil.example") == 403
        assert await refused(url + "/feed") == 403  # no Origin at all
        assert events("feed-ran") == []
        async with client(url + "/feed", origin="https://good.example") as ws:
            assert await ws.recv() == "ok"
        # A route's own list wins over the app's.
        async with client(url + "/public", origin="https://evil.example") as ws:
            assert await ws.recv() == "public"
        async with client(url + "/partner", origin="https://partner.example") as ws:
            assert await ws.recv() == "partner"
        assert await refused(url + "/partner", origin="https://good.example") == 403
    # `["*"]` opts out: every origin is accepted.
    with LiveServer(origin_app(websocket_origins=["*"])) as server:
        async with client(server.ws_url + "/feed", origin="https://evil.example") as ws:
            assert await ws.recv() == "ok"


async def test_websocket_cross_origin_handshake_refused_by_default() -> None:
    """Cross-site websocket hijacking (issue 14): with no list, only the same site may connect."""
    with LiveServer(origin_app()) as server:
        url, port = server.ws_url, server.port
        for origin in ("https://evil.example", "null", "http://127.0.0.1.evil.example"):
            assert await refused(url + "/feed", origin=origin) == 403
        assert await refused(url + "/feed", origin=f"http://localhost:{port}") == 403
        assert events("feed-ran") == []
        for origin in (f"http://127.0.0.1:{port}", "https://127.0.0.1", "http://127.0.0.1:1"):
            async with client(url + "/feed", origin=origin) as ws:  # same host, any port
                assert await ws.recv() == "ok"
        async with client(url + "/feed") as ws:  # no Origin: not a browser
            assert await ws.recv() == "ok"
        async with client(url + "/public", origin="https://evil.example") as ws:
            assert await ws.recv() == "public"  # the route opted out


@pytest.mark.parametrize(
    ("host", "origin", "allowed"),
    [
        (b"Example.com.", b"https://example.COM", True),
        (b"[::1]:8000", b"http://[::1]", True),
        (b"example.com", b"https://www.example.com", False),
        (b"example.com", b"http://[::1", False),  # malformed
        (None, b"https://example.com", False),
    ],
)
def test_websocket_same_origin_compares_host_names(
    host: bytes | None, origin: bytes, allowed: bool
) -> None:
    headers = [(b"origin", origin)] + ([(b"host", host)] if host is not None else [])
    connection = HTTPConnection({"type": "websocket", "headers": headers})
    assert origin_allowed(connection, None) is allowed


async def test_hostile_F14() -> None:
    """The peer vanishes without a close frame (its TCP connection is aborted).

    `receive` raises `WebSocketDisconnect` with the code the server reports for a lost
    connection: 1005 with Uvicorn's default websocket protocol (its deprecated legacy
    protocol reports 1006). `send` afterwards raises `WebSocketDisconnect`, never `OSError`,
    and the view's `finally` runs.
    """
    lost_code = 1005
    with LiveServer(make_app()) as server:
        async with client(server.ws_url + "/vanish") as ws:
            assert await ws.recv() == "ready"
            ws.transport.abort()
        assert wait_for("vanish-finally") == ("vanish-finally",)
        assert events("vanish-receive") == [("vanish-receive", lost_code)]
        assert events("vanish-send") == [("vanish-send", WebSocketDisconnect, lost_code)]

        # A view that only sends learns it from `send`: WebSocketDisconnect(1006), not OSError.
        async with client(server.ws_url + "/ticker") as ws:
            assert await ws.recv() == "tick"
            ws.transport.abort()
        assert wait_for("ticker-finally") == ("ticker-finally",)
        assert events("ticker-send") == [("ticker-send", WebSocketDisconnect, 1006)]
