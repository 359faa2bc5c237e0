"""WebSocket views: a chat room, a guarded feed and a class-based view."""

from boca.core import App, WebSocket, WebSocketDisconnect

# Browsers may only open websockets from these pages (cross-site websocket hijacking).
app = App(websocket_origins=["https://chat.example"])
ROOMS: dict[str, set[WebSocket]] = {}


@app.websocket_route("/chat/{room}", value_type="json", max_message_size=64 * 1024)
async def chat(ws: WebSocket, room: str, name: str = "anonymous"):
    members = ROOMS.setdefault(room, set())
    members.add(ws)
    try:
        # Ends quietly when the client closes normally (1000 or 1001).
        async for message in ws:
            for member in list(members):
                try:
                    await member.send({"from": name, "text": message["text"]})
                except WebSocketDisconnect:
                    members.discard(member)
    finally:
        members.discard(ws)


@app.websocket_route("/feed", auto_accept=False)
async def feed(ws: WebSocket, token: str = ""):
    if token != "s3cret":
        await ws.reject()  # the client's handshake gets HTTP 403
        return
    await ws.accept()
    for tick in range(3):
        await ws.send({"tick": tick})  # not a str: sent as JSON text
    await ws.close(4000, "that's all")


@app.websocket_route("/upload/{upload_id:int}", value_type="bytes")
async def upload(ws: WebSocket, upload_id: int):
    total = 0
    async for chunk in ws:
        total += len(chunk)
        await ws.send({"id": upload_id, "received": total}, "json")


@app.websocket_route("/count")
class Counter:
    """A class-based view: one instance per connection."""

    async def on_connect(self, ws: WebSocket):
        self.count = 0
        await ws.send("hello")

    async def on_receive(self, ws: WebSocket, data: str):
        self.count += 1
        await ws.send(f"{self.count}: {data}")

    async def on_disconnect(self, ws: WebSocket, code: int):
        DISCONNECTS.append((self.count, code))


DISCONNECTS: list[tuple[int, int]] = []
