"""boca-channels in a Boca app: start-up errors and the channels' place in the app."""

from __future__ import annotations

import socket

import pytest

from boca.channels import Channels, ChannelsUnavailable, RedisBackend
from boca.core import App, Request, Response
from boca.core.testing import LiveServer, TestClient


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_hostile_an_unreachable_redis_stops_the_app_at_startup_naming_it() -> None:
    port = unused_port()
    app = App()
    app.use(Channels(RedisBackend(f"redis://127.0.0.1:{port}/0", timeout=1)))
    with pytest.raises(ChannelsUnavailable) as caught, TestClient(app):
        pass  # pragma: no cover - startup fails
    assert str(caught.value).startswith(
        f"boca-channels cannot connect to Redis at redis://127.0.0.1:{port}/0 (Connection"
    )
    # Served, the server never listens and exits with 3, as for any failed startup.
    server = LiveServer(app)
    with pytest.raises(RuntimeError, match="failed to start"):
        server.start()
    server.stop()
    assert server.exit_code == 3


def test_the_channels_are_an_extension_and_close_at_shutdown() -> None:
    app = App()
    channels = Channels()
    app.use(channels)
    app.use(channels)  # once is enough

    @app.route("/publish", methods=["POST"])
    async def publish(req: Request, res: Response) -> None:
        res.json = {"id": await req.app.extensions["channels"].publish("items", 1)}

    with TestClient(app) as client:
        assert channels.connected
        answer = client.post("/publish")
        assert answer.status_code == 200
        assert answer.json()["id"].count("-") == 1
    assert not channels.connected
