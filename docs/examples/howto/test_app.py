"""Testing a Boca app with pytest: in-process, async, and over a real server."""

import httpx
import pytest

from boca.core import App
from boca.core.testing import LiveServer, TestClient

app = App()
NOTES: list[str] = []


@app.route("/notes", methods=["GET", "POST"])
async def notes(req, res):
    if req.method == "POST":
        NOTES.append((await req.json())["text"])
        res.status_code = 201
    res.json = NOTES


@pytest.fixture
def client():
    NOTES.clear()
    with TestClient(app) as client:  # runs startup and shutdown around the test
        yield client


def test_create_and_list(client):
    assert client.post("/notes", json={"text": "buy tea"}).status_code == 201
    assert client.get("/notes").json() == ["buy tea"]


def test_bad_json_is_a_400(client):
    response = client.post("/notes", content=b"{", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Malformed JSON")


async def test_async_client():
    async with TestClient(app) as client:
        response = await client.get("/notes")
    assert response.status_code == 200


def test_over_the_network():
    with LiveServer(app) as server:
        assert httpx.get(f"{server.url}/notes").status_code == 200
