"""The examples of the features that came over from Bocadillo, run."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import httpx
import pytest
from starlette.websockets import WebSocketDisconnect

from boca.core.testing import LiveServer, TestClient

from .conftest import load_example


def test_websocket_messages() -> None:
    client = TestClient(load_example("core/websocket_messages.py").app)
    with client.websocket_connect("/echo") as ws:
        ws.send_text("ada")
        assert ws.receive_json() == {"hello": "ada"}
        ws.send_text("hi")
        assert ws.receive_bytes() == b"hi"
        ws.close(4000)
    with client.websocket_connect("/sum") as ws:
        ws.send_json([1, 2, 3])
        assert ws.receive_text() == "6"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
        assert closed.value.code == 1000
    with client.websocket_connect("/raw") as ws:
        ws.send_bytes(b"\x00")
        assert ws.receive_text() == "binary"


def test_error_renderers() -> None:
    module = load_example("core/error_renderers.py")
    client = TestClient(module.app)
    teapot = client.get("/teapot")
    assert teapot.status_code == 418
    assert teapot.text == "<h1>418 I&#x27;m a Teapot</h1>\n<p>&lt;short &amp; stout&gt;</p>"
    accepted = client.get("/accepted")
    assert (accepted.status_code, accepted.text) == (202, "<h1>202 Accepted</h1>\n<p>queued</p>")
    api = TestClient(module.api)
    text = api.get("/missing", headers={"accept": "text/plain"})
    assert (text.status_code, text.text) == (404, "404 Not Found\nno such thing")
    assert api.get("/missing").json() == {
        "error": "404 Not Found",
        "status": 404,
        "detail": "no such thing",
    }


def test_routing_more() -> None:
    client = TestClient(load_example("core/routing_more.py").app)
    assert client.get("/blog/2024/hello").text == "hello"
    assert client.get("/legacy/a/b/c").text == "moved"
    assert client.put("/echo").text == "PUT"
    assert client.delete("/echo").text == "DELETE"
    assert client.get("/counter").json() == {"value": 10}
    assert client.post("/counter").json() == {"value": 11}


def test_responses_more() -> None:
    app = load_example("core/responses_more.py").app
    with LiveServer(app) as server:
        report = httpx.get(server.url + "/report")
    assert report.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in report.headers
    assert report.text == "a long report"
    plain = TestClient(app).get("/plain")
    assert plain.text == "no debug header"
    assert "x-debug" not in plain.headers


@pytest.fixture
def providers_module() -> Iterator[list[str]]:
    module = load_example("core/provider_modules.py")
    sys.modules["myapp.providers"] = module
    yield module.AUDIT
    del sys.modules["myapp.providers"]


def test_useprovider_and_provider_modules(providers_module: list[str]) -> None:
    app = load_example("core/useprovider.py").app
    with TestClient(app) as client:
        assert client.get("/users").json() == ["ada"]
    assert providers_module == ["opened", "closed"]


def test_plugins_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    app = load_example("core/plugins_setting.py").app
    assert app.extensions == {"banner": "hello"}
    monkeypatch.setenv("METRICS", "on")
    app = load_example("core/plugins_setting.py").app
    assert app.extensions == {"banner": "hello", "metrics": {"requests": 0}}


def test_typesystem_to_annotations() -> None:
    client = TestClient(load_example("howto/typesystem_to_annotations.py").app)
    created = client.post("/todos", json={"title": "port"})
    assert (created.status_code, created.json()) == (201, {"title": "port", "done": False})
    too_long = client.post("/todos", json={"title": "x" * 101})
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["loc"] == ["body", "title"]
    assert client.get("/todos/3").json() == {"pk": 3}
    zero = client.get("/todos/0")
    assert zero.status_code == 400
    assert zero.json()["detail"][0]["loc"] == ["path", "pk"]
    assert client.post("/import", json=[{"title": "a"}]).json() == {"imported": 1}
    bad = client.post("/import", json=[{"title": "a"}, {"done": True}])
    assert bad.status_code == 422
    assert bad.json() == {
        "error": "422 Unprocessable Content",
        "status": 422,
        "detail": [
            {"loc": ["body", 1], "msg": "Object missing required field `title`", "type": "missing"}
        ],
    }
