"""Joining an app: Boca's plugin protocol (structurally), a Starlette lifespan, `async with`."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from boca.channels import Channels, ChannelsUnavailable, InvalidMessageId

pytestmark = pytest.mark.anyio


class FakeApp:
    """The surface of boca-core's App that Channels.install may use."""

    def __init__(self) -> None:
        self.extensions: dict[str, Any] = {}
        self.handlers: dict[str, list[Any]] = {"startup": [], "shutdown": []}
        self.error_handlers: dict[type[BaseException], Any] = {}

    def on(self, event: str, handler: Any, /) -> Any:
        self.handlers[event].append(handler)
        return handler

    def add_error_handler(self, exc_class: type[BaseException], handler: Any) -> None:
        self.error_handlers[exc_class] = handler


class FakeResponse:
    def __init__(self) -> None:
        self.status_code = 200
        self.headers: dict[str, str] = {}
        self.json: Any = None


async def test_install_connects_at_startup_and_closes_at_shutdown(anyio_backend: str) -> None:
    app, channels = FakeApp(), Channels()
    channels.install(app)
    assert app.extensions == {"channels": channels}
    assert app.handlers == {"startup": [channels.connect], "shutdown": [channels.close]}
    for handler in app.handlers["startup"]:
        await handler()
    assert channels.connected
    async with channels.subscribe("items") as sub:
        await channels.publish("items", 1)
        with anyio.fail_after(5):
            assert (await sub.receive()).data == 1
    for handler in app.handlers["shutdown"]:
        await handler()
    assert not channels.connected


async def test_an_outage_that_reaches_boca_is_a_503(anyio_backend: str) -> None:
    app = FakeApp()
    Channels().install(app)
    handler = app.error_handlers[ChannelsUnavailable]
    res = FakeResponse()
    await handler(object(), res, ChannelsUnavailable("Redis at redis://10.0.0.5 is down"))
    assert res.status_code == 503
    assert res.headers == {"Retry-After": "1"}
    assert res.json == {  # the backend's address stays out of the answer
        "error": "503 Service Unavailable",
        "status": 503,
        "detail": "the channels backend is unavailable; try again shortly",
    }


async def test_the_starlette_lifespan(anyio_backend: str) -> None:
    channels = Channels()
    async with channels.lifespan(object()):
        assert channels.connected
        await channels.publish("items", 1)
    assert not channels.connected


async def test_a_failed_connect_leaves_nothing_open(anyio_backend: str) -> None:
    class Broken:
        async def connect(self, *args: Any, **kwargs: Any) -> None:
            raise ChannelsUnavailable("cannot connect")

        async def close(self) -> None:
            raise AssertionError("never connected, never closed")

    channels = Channels(Broken())  # type: ignore[arg-type]
    with pytest.raises(ChannelsUnavailable, match="cannot connect"):
        await channels.connect()
    assert not channels.connected
    await channels.close()


async def test_a_malformed_last_event_id_that_reaches_boca_is_a_400(anyio_backend: str) -> None:
    app, channels = FakeApp(), Channels()
    channels.install(app)
    await channels.connect()
    try:
        with pytest.raises(InvalidMessageId) as caught:
            channels.subscribe("items", history=5, last_id="<script>")
    finally:
        await channels.close()
    res = FakeResponse()
    await app.error_handlers[InvalidMessageId](object(), res, caught.value)
    assert res.status_code == 400
    assert res.json == {
        "error": "400 Bad Request",
        "status": 400,
        "detail": "'<script>' is not a message id: message ids look like '1764676800000-0'",
    }


def test_without_redis_installed_memory_works_and_redis_says_what_to_install() -> None:
    import subprocess
    import sys

    probe = """
import sys
sys.modules["redis"] = None  # as if redis-py were not installed
import anyio
from boca.channels import Channels, RedisBackend

async def main():
    async with Channels() as channels, channels.subscribe("items") as sub:
        await channels.publish("items", 1)
        print((await sub.receive()).data)

anyio.run(main)
try:
    RedisBackend("redis://localhost")
except ImportError as exc:
    print(exc)
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "1",
        "RedisBackend needs redis-py: pip install 'boca-channels[redis]'",
    ]
