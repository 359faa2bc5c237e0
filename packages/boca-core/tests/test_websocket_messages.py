"""Starlette's websocket method names, raw events, `async with ws:`, `caught_close_codes` and
separate receive/send types, through the in-process test client."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect as ClientDisconnect

from boca.core import App, RouteDeclarationError, WebSocket, WebSocketDisconnect
from boca.core.testing import TestClient


def test_starlette_method_names() -> None:
    app = App()

    @app.websocket_route("/echo")
    async def echo(ws: WebSocket) -> None:
        await ws.send_text(await ws.receive_text())
        await ws.send_bytes(await ws.receive_bytes())
        await ws.send_json({"got": await ws.receive_json()})

    with TestClient(app).websocket_connect("/echo") as client:
        client.send_text("hé")
        assert client.receive_text() == "hé"
        client.send_bytes(b"\x00\x01")
        assert client.receive_bytes() == b"\x00\x01"
        client.send_json([1, {"a": None}])
        assert client.receive_json() == {"got": [1, {"a": None}]}
        with pytest.raises(ClientDisconnect) as closed:
            client.receive_text()
    assert closed.value.code == 1000


def test_send_text_refuses_other_types() -> None:
    app = App()
    seen: list[str] = []

    @app.websocket_route("/t")
    async def view(ws: WebSocket) -> None:
        try:
            await ws.send_text(b"raw")  # type: ignore[arg-type]
        except TypeError as exc:
            seen.append(str(exc))
        await ws.send_text("ok")

    with TestClient(app).websocket_connect("/t") as client:
        assert client.receive_text() == "ok"
    assert seen == ["send_text() takes a str, not bytes"]


def test_async_with_accepts_and_closes_and_swallows_normal_closes() -> None:
    app = App()
    ended: list[str] = []

    @app.websocket_route("/chat", auto_accept=False)
    async def chat(ws: WebSocket) -> None:
        async with ws:
            assert ws.accepted
            async for message in ws:
                await ws.send(f"> {message}")
        ended.append("after the block")

    with TestClient(app).websocket_connect("/chat") as client:
        client.send_text("hi")
        assert client.receive_text() == "> hi"
        client.close(1001)
    assert ended == ["after the block"]

    @app.websocket_route("/once", auto_accept=False)
    async def once(ws: WebSocket) -> None:
        async with ws:
            await ws.send("bye")

    with TestClient(app).websocket_connect("/once") as client:
        assert client.receive_text() == "bye"
        with pytest.raises(ClientDisconnect) as closed:
            client.receive_text()
    assert closed.value.code == 1000


def test_async_with_closes_1011_on_error(caplog: pytest.LogCaptureFixture) -> None:
    app = App()

    @app.websocket_route("/boom")
    async def boom(ws: WebSocket) -> None:
        async with ws:
            raise RuntimeError("kaput")

    with (
        caplog.at_level(logging.ERROR, "boca.core"),
        TestClient(app).websocket_connect("/boom") as client,
        pytest.raises(ClientDisconnect) as closed,
    ):
        client.receive_text()
    assert closed.value.code == 1011
    assert "Unhandled exception in websocket '/boom'" in caplog.text


def test_async_with_lets_other_close_codes_through() -> None:
    app = App()
    ended: list[int] = []

    @app.websocket_route("/ws")
    async def view(ws: WebSocket) -> None:
        try:
            async with ws:
                await ws.receive()
        except WebSocketDisconnect as exc:
            ended.append(exc.code)

    with TestClient(app).websocket_connect("/ws") as client:
        client.close(4000)
    assert ended == [4000]


@pytest.mark.parametrize("option", ["caught_close_codes", "normal_close_codes"])
def test_caught_close_codes_all(option: str) -> None:
    app = App()
    ended: list[str] = []

    codes: dict[str, Any] = {option: all}

    @app.websocket_route("/ws", **codes)
    async def view(ws: WebSocket) -> None:
        assert 4999 in ws.normal_close_codes
        async with ws:
            await ws.receive()
        ended.append("swallowed")

    with TestClient(app).websocket_connect("/ws") as client:
        client.close(4321)
    assert ended == ["swallowed"]


def test_caught_close_codes_list() -> None:
    app = App()
    ended: list[Any] = []

    @app.websocket_route("/ws", caught_close_codes=[4000])
    async def view(ws: WebSocket) -> None:
        try:
            async with ws:
                await ws.receive()
            ended.append("swallowed")
        except WebSocketDisconnect as exc:
            ended.append(exc.code)

    for code in (4000, 1000):
        with TestClient(app).websocket_connect("/ws") as client:
            client.close(code)
    assert ended == ["swallowed", 1000]


def test_caught_close_codes_checked_at_declaration() -> None:
    app = App()
    with pytest.raises(RouteDeclarationError, match="close codes are integers"):
        app.websocket_route("/a", caught_close_codes="1000")(_noop)
    with pytest.raises(RouteDeclarationError, match="one option under two names"):
        app.websocket_route("/b", caught_close_codes=all, normal_close_codes={1000})(_noop)


async def _noop(ws: WebSocket) -> None:
    pass


def test_receive_type_and_send_type() -> None:
    app = App()

    @app.websocket_route("/ws", receive_type="json", send_type="bytes")
    async def view(ws: WebSocket) -> None:
        assert (ws.receive_type, ws.send_type) == ("json", "bytes")
        data = await ws.receive()
        await ws.send(str(data["n"] * 2))

    with TestClient(app).websocket_connect("/ws") as client:
        client.send_json({"n": 21})
        assert client.receive_bytes() == b"42"


def test_value_type_is_the_default_of_each_direction() -> None:
    app = App()

    @app.websocket_route("/ws", value_type="json", send_type="text")
    async def view(ws: WebSocket) -> None:
        data = await ws.receive()
        await ws.send(f"n={data['n']}")

    with TestClient(app).websocket_connect("/ws") as client:
        client.send_text('{"n": 1}')
        assert client.receive_text() == "n=1"


def test_bad_receive_type_is_a_declaration_error() -> None:
    app = App()
    with pytest.raises(
        RouteDeclarationError,
        match="'/ws': receive_type must be one of text, bytes, json, event, not 'xml'",
    ):
        app.websocket_route("/ws", receive_type="xml")(_noop)


def test_value_type_event_gives_raw_asgi_messages() -> None:
    app = App()
    seen: list[Any] = []

    @app.websocket_route("/ws", value_type="event")
    async def view(ws: WebSocket) -> None:
        event = await ws.receive()
        seen.append(event)
        await ws.send({"type": "websocket.send", "text": event["text"].upper()})
        seen.append(await ws.receive())
        try:
            await ws.receive()
        except WebSocketDisconnect as exc:
            seen.append(exc.code)

    with TestClient(app).websocket_connect("/ws") as client:
        client.send_text("abc")
        assert client.receive_text() == "ABC"
        client.close(1000)
    assert seen == [
        {"type": "websocket.receive", "text": "abc"},
        {"type": "websocket.disconnect", "code": 1000, "reason": None},
        1000,
    ]


def test_send_event_refuses_what_is_not_a_websocket_message() -> None:
    app = App()
    seen: list[str] = []

    @app.websocket_route("/ws")
    async def view(ws: WebSocket) -> None:
        try:
            await ws.send_event({"type": "http.response.body"})
        except TypeError as exc:
            seen.append(str(exc))
        await ws.send_event({"type": "websocket.close", "code": 4001})

    with (
        TestClient(app).websocket_connect("/ws") as client,
        pytest.raises(ClientDisconnect) as closed,
    ):
        client.receive_text()
    assert closed.value.code == 4001
    assert seen == [
        "send_event() takes an ASGI websocket message, not {'type': 'http.response.body'}"
    ]
