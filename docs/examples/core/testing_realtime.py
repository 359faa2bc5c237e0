"""Websockets and event streams, tested in-process with TestClient: no server needed."""

from boca.core import App, server_event
from boca.core.testing import TestClient

app = App()


@app.websocket_route("/echo")
async def echo(ws):
    async for message in ws:
        await ws.send(f"echo: {message}")


@app.route("/countdown")
async def countdown(req, res):
    @res.event_stream
    async def events():
        for n in (3, 2, 1):
            yield server_event(data=str(n), event="tick", id=str(n))


def test_websocket():
    with TestClient(app) as client, client.websocket_connect("/echo") as ws:
        ws.send_text("hello")
        assert ws.receive_text() == "echo: hello"


def test_event_stream():
    with TestClient(app) as client, client.stream("GET", "/countdown") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line]
    assert lines == [
        "event: tick", "id: 3", "data: 3",
        "event: tick", "id: 2", "data: 2",
        "event: tick", "id: 1", "data: 1",
    ]  # fmt: skip
