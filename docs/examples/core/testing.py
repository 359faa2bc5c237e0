import httpx

from boca.core import App
from boca.core.testing import LiveServer, TestClient

app = App()


@app.route("/")
async def index(req, res):
    res.json = {"hello": "world"}


def test_in_process():
    with TestClient(app) as client:  # runs startup and shutdown
        response = client.get("/")
    assert response.status_code == 200
    assert response.json() == {"hello": "world"}


async def test_async():
    async with TestClient(app) as client:
        response = await client.get("/")
    assert response.json() == {"hello": "world"}


def test_over_the_network():
    with LiveServer(app) as server:  # a real Uvicorn on 127.0.0.1
        response = httpx.get(server.url + "/")
    assert response.headers["content-type"] == "application/json"
