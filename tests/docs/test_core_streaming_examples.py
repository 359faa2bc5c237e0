"""The examples of the streaming, server-sent events, background tasks and middleware pages, run."""

from __future__ import annotations

import logging
import re
import time

import httpx
import pytest

from boca.core.testing import LiveServer, TestClient

from .conftest import load_example


def test_streaming() -> None:
    example = load_example("core/streaming.py")
    client = TestClient(example.app)
    numbers = client.get("/numbers")
    assert numbers.status_code == 200
    assert numbers.headers["content-type"] == "text/plain; charset=utf-8"
    assert numbers.text == "0\n1\n2\n"
    export = client.get("/export.csv")
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    assert export.headers["content-disposition"] == 'attachment; filename="export.csv"'
    assert export.text == "id,name\n1,ada\n2,grace\n"


def test_streaming_follow_is_closed_when_the_client_leaves() -> None:
    example = load_example("core/streaming.py")
    with LiveServer(example.app) as server, httpx.Client(base_url=server.url) as client:
        with client.stream("GET", "/follow") as response:
            assert next(response.iter_raw()) == b"still here\n"
        deadline = time.monotonic() + 2
        while not example.CLOSED and time.monotonic() < deadline:
            time.sleep(0.01)
    assert example.CLOSED == ["follow"]


def test_sse() -> None:
    client = TestClient(load_example("core/sse.py").app)
    response = client.get("/events")
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.text == (
        "retry: 5000\n\n"
        "event: tick\nid: 1\ndata: tick 1\ndata: of 3\n\n"
        "event: tick\nid: 2\ndata: tick 2\ndata: of 3\n\n"
        "event: tick\nid: 3\ndata: tick 3\ndata: of 3\n\n"
        'data: {"done":true}\n\n'
    )
    resumed = client.get("/events", headers={"Last-Event-ID": "3"})
    assert re.findall(r"id: (\d+)", resumed.text) == ["4", "5", "6"]
    page = client.get("/page")
    assert 'new EventSource("/events")' in page.text


def test_background(caplog: pytest.LogCaptureFixture) -> None:
    example = load_example("core/background.py")
    client = TestClient(example.app)
    response = client.post("/signup", json={"email": "ada@example.com"})
    assert response.status_code == 201
    assert response.json() == {"ok": True}
    assert example.SENT == [("ada@example.com", "Welcome!")]
    assert example.AUDIT == ["signup ada@example.com"]
    assert client.post("/flaky").text == "accepted"
    assert example.AUDIT == ["signup ada@example.com", "flaky"]
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in failures] == ["background task flaky.<locals>.fails failed"]
    assert str(failures[0].exc_info[1]) == "mail server down"  # type: ignore[index]


def test_middleware() -> None:
    client = TestClient(load_example("core/middleware.py").app)
    refused = client.get("/api/items")
    assert refused.status_code == 401
    assert refused.json() == {"error": "bad or missing API key"}
    assert re.fullmatch(r"app;dur=\d+\.\d", refused.headers["server-timing"])
    allowed = client.get("/api/items", headers={"X-API-Key": "s3cr3t"})
    assert allowed.json() == [{"id": 1}]
    assert re.fullmatch(r"app;dur=\d+\.\d", allowed.headers["server-timing"])
    home = client.get("/")
    assert home.text == "home"
    assert "server-timing" in home.headers
