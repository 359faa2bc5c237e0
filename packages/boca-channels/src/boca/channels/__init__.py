"""Publish/subscribe channels for websockets and server-sent events, in memory or through Redis.

```python
from boca.channels import Channels, RedisBackend

channels = Channels(RedisBackend("redis://localhost:6379/0"))  # or Channels(): one process
await channels.publish("items", {"kind": "created", "id": 3})
async with channels.subscribe("items", history=20) as sub:
    async for message in sub: ...
```

It never imports another Boca package: it works in any ASGI app, and joins a Boca app through
the plugin protocol (`app.use(channels)`).
"""

from .backend import Backend
from .channels import Channels
from .errors import ChannelsError, ChannelsUnavailable, InvalidMessageId, SubscriberTooSlow
from .memory import MemoryBackend
from .messages import Message
from .redis import RedisBackend
from .sse import EventStream
from .subscription import Overflow, Subscription
from .websocket import WebSocketStream, relay

__version__ = "0.1.0"

__all__ = [
    "Backend",
    "Channels",
    "ChannelsError",
    "ChannelsUnavailable",
    "EventStream",
    "InvalidMessageId",
    "MemoryBackend",
    "Message",
    "Overflow",
    "RedisBackend",
    "SubscriberTooSlow",
    "Subscription",
    "WebSocketStream",
    "__version__",
    "relay",
]
