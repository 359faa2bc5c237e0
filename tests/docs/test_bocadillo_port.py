"""The ported Bocadillo app of the migration guide, run: routes, class views, providers from
PROVIDER_MODULES, settings, templates, static files, a websocket chat and an event stream."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from types import ModuleType

import httpx
import pytest

from boca.core.testing import LiveServer, TestClient

from .conftest import EXAMPLES, load_example

PORT = EXAMPLES / "howto" / "bocadillo_port"


@pytest.fixture
def port(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.syspath_prepend(str(PORT))  # what `boca run app:app` in that directory does
    monkeypatch.chdir(PORT)
    yield load_example("howto/bocadillo_port/app.py")
    for name in ("config", "providerconf"):
        sys.modules.pop(name, None)


def test_routes_class_views_and_providers(port: ModuleType) -> None:
    with TestClient(port.app) as client:
        assert client.get("/greet/Ada").json() == {"message": "Hello, Ada!"}
        assert client.get("/notes").json() == [{"id": 1, "text": "Port the app"}]
        created = client.post("/notes", json={"text": "Test it"})
        assert (created.status_code, created.json()) == (201, {"id": 2, "text": "Test it"})
        assert client.get("/notes/2").json() == {"id": 2, "text": "Test it"}
        missing = client.get("/notes/9")
        assert missing.status_code == 404
        assert missing.json() == {"error": "404 Not Found", "status": 404, "detail": "no note 9"}
        bad = client.get("/notes/x")
        assert bad.status_code == 400
        assert bad.json()["detail"][0]["loc"] == ["path", "pk"]
        deleted = client.delete("/notes/2")
        assert (deleted.status_code, deleted.content) == (204, b"")
        assert [n["id"] for n in client.get("/notes").json()] == [1]
        assert client.get("/notes/").status_code == 200  # 307 to /notes, followed


def test_settings_templates_and_static_files(port: ModuleType) -> None:
    with TestClient(port.app) as client:
        page = client.get("/", headers={"origin": "https://example.com"})
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.headers["access-control-allow-origin"] == "https://example.com"
        assert "<h1>Notes</h1>" in page.text
        assert 'href="/static/app.css"' in page.text
        css = client.get("/static/app.css")
        assert (css.status_code, css.text) == (200, "body { font-family: sans-serif; }\n")
        other = client.get("/", headers={"origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        assert client.get("/", headers={"host": "evil.example"}).status_code == 400


def test_websocket_chat(port: ModuleType) -> None:
    with (
        TestClient(port.app) as client,
        client.websocket_connect("/chat") as ada,
        client.websocket_connect("/chat") as bob,
    ):
        ada.send_json({"name": "ada", "text": "hi"})
        assert ada.receive_json() == {"from": "ada", "text": "hi"}
        assert bob.receive_json() == {"from": "ada", "text": "hi"}


def test_event_stream_over_uvicorn(port: ModuleType) -> None:
    with LiveServer(port.app) as server:
        response = httpx.get(server.url + "/clock", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text == "".join(
        f"event: tick\nid: {n}\ndata: tick {n}\ndata: tock\n\n" for n in range(3)
    )
