"""Fixtures: a real redis-server for the session, and Channels on each backend and event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from boca.channels import Channels, MemoryBackend, RedisBackend
from boca.channels.testing import RedisServer, RedisServerMissing

#: (backend, event loop): the Redis backend runs on asyncio only (redis-py's client).
KINDS = ["memory-asyncio", "memory-trio", "redis-asyncio"]


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One redis-server for the whole run; a test needing Redis fails when it is missing."""
    try:
        server = RedisServer()
    except RedisServerMissing as exc:
        pytest.fail(f"{exc}; `make test` installs it when missing", pytrace=False)
    with server:
        yield server


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
