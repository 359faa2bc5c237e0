"""A Bocadillo 0.18 app ported to Boca; each changed line says what it was in Bocadillo."""

from pathlib import Path

from config import Config  # bocadillo: import settings; configure(app, settings)

from boca.core import (  # bocadillo: from bocadillo import ...
    App,
    HTTPError,
    WebSocket,
    server_event,
    useprovider,
)
from boca.templates import Templates  # bocadillo: from bocadillo import Templates

app = App(settings=Config())  # bocadillo: app = App(); configure(app)
app.use(Templates(directory=Path(__file__).parent / "templates"))  # bocadillo: Templates(app)


@app.route("/")
async def index(req, res):
    res.render("index.html", title="Notes")  # bocadillo: res.html = await templates.render(...)


@app.route("/greet/{name}")
async def greet(req, res, name):
    res.json = {"message": f"Hello, {name}!"}


@app.route("/notes")
class Notes:
    async def get(self, req, res, notes):
        res.json = [{"id": pk, "text": text} for pk, text in notes.items()]

    async def post(self, req, res, notes):
        data = await req.json()
        pk = max(notes, default=0) + 1
        notes[pk] = data["text"]
        res.status_code = 201
        res.json = {"id": pk, "text": notes[pk]}


@app.route("/notes/{pk}")
class Note:
    async def get(self, req, res, pk: int, notes):
        if pk not in notes:
            raise HTTPError(404, detail=f"no note {pk}")
        res.json = {"id": pk, "text": notes[pk]}

    @useprovider("clients")  # bocadillo: the same decorator
    async def delete(self, req, res, pk: int, notes):
        notes.pop(pk, None)
        res.status_code = 204


@app.websocket_route("/chat", value_type="json")
async def chat(ws: WebSocket, clients):
    async with ws:  # bocadillo: the same (accepts; closes; normal closes are swallowed)
        clients.add(ws)
        try:
            async for message in ws:
                for client in list(clients):
                    await client.send({"from": message["name"], "text": message["text"]})
        finally:
            clients.discard(ws)


@app.route("/clock")
async def clock(req, res):
    @res.event_stream  # bocadillo: the same decorator
    async def ticks():
        for tick in range(3):
            yield server_event(data=[f"tick {tick}", "tock"], id=tick, event="tick")
        # bocadillo: server_event(name="tick", data=[...], id=tick)
