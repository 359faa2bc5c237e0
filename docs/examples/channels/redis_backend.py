import os

from redis.asyncio.sentinel import Sentinel

from boca.channels import Channels, RedisBackend

# One Redis (or Valkey) server, or a managed one: its URL.
channels = Channels(
    RedisBackend(os.environ.get("REDIS_URL", "redis://localhost:6379/0"), timeout=2.0),
    max_history=100,  # messages kept per channel for Last-Event-ID replay
)

# Sentinel: redis-py finds the current primary, and follows a failover.
sentinel = Sentinel([("sentinel-1", 26379), ("sentinel-2", 26379), ("sentinel-3", 26379)])
ha_channels = Channels(
    RedisBackend("redis://mymaster", client=sentinel.master_for("mymaster", socket_timeout=2))
)
