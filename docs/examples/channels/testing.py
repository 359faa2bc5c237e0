import pytest

from boca.channels import Channels, RedisBackend
from boca.channels.testing import RedisServer


@pytest.fixture(scope="session")
def redis_server():
    with RedisServer() as server:  # a real redis-server on a free port
        yield server


async def test_a_message_goes_through_redis(redis_server):
    channels = Channels(RedisBackend(redis_server.url))
    async with channels, channels.subscribe("items") as sub:
        sent = await channels.publish("items", {"id": 1})
        message = await sub.receive()
    assert (message.id, message.data) == (sent, {"id": 1})
