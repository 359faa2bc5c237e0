import os

from boca.channels import Channels, EventStream, MemoryBackend, RedisBackend, relay
from boca.core import App, server_event

# One process: in memory. Several workers or hosts: the same Redis for all of them.
redis_url = os.environ.get("REDIS_URL")
channels = Channels(RedisBackend(redis_url) if redis_url else MemoryBackend())

app = App()
app.use(channels)  # connects at startup, closes at shutdown

# A whole channel as server-sent events, with ids, heartbeats and Last-Event-ID replay.
app.mount("/events/items", EventStream(channels, "items", event=lambda m: m.data["kind"]))


@app.route("/items", methods=["POST"])
async def create_item(req, res):
    item = await req.json()
    # While Redis is down this raises ChannelsUnavailable: the client gets a 503.
    await channels.publish("items", {"kind": "created", "item": item})
    res.status_code = 201
    res.json = item


# --8<-- [start:room_events]
@app.route("/rooms/{room}/events")
async def room_events(req, res, room: str):
    # Made here, so a malformed Last-Event-ID is a 400 before the stream starts.
    sub = channels.subscribe(f"room:{room}", history=50, last_id=req.last_event_id)

    @res.event_stream(heartbeat=15)
    async def stream():
        async with sub:
            async for message in sub:
                yield server_event(json=message.data, event="said", id=message.id)


# --8<-- [end:room_events]


# --8<-- [start:room_socket]
@app.websocket_route("/rooms/{room}/ws")
async def room_socket(ws, room: str):
    async with channels.subscribe(f"room:{room}") as sub:
        await relay(sub, ws)  # until the client leaves


# --8<-- [end:room_socket]


@app.route("/rooms/{room}/messages", methods=["POST"])
async def say(req, res, room: str):
    res.json = {"id": await channels.publish(f"room:{room}", await req.json())}


# --8<-- [start:health]
@app.route("/healthz")
async def health(req, res):
    res.text = "ok"  # for the load balancer: this process serves, whatever Redis does


# --8<-- [end:health]
