"""The showcase app that `make run` serves, over a real server."""

from __future__ import annotations

import httpx

from boca.core.testing import LiveServer
from showcase.app import ITEMS, app


def test_showcase_api_and_page() -> None:
    ITEMS.clear()
    with LiveServer(app) as server, httpx.Client(base_url=server.url) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert "<h1>Boca showcase</h1>" in page.text
        created = client.post("/api/items", json={"name": "<b>tea</b>"})
        assert created.status_code == 201
        item = created.json()
        assert created.headers["location"] == f"/api/items/{item['id']}"
        assert client.get("/api/items").json() == [item]
        assert "&lt;b&gt;tea&lt;/b&gt;" in client.get("/").text
        renamed = client.put(f"/api/items/{item['id']}", json={"name": "coffee"})
        assert renamed.json() == {"id": item["id"], "name": "coffee"}
        bad = client.post("/api/items", json={"name": "  "})
        assert bad.status_code == 422
        assert bad.json()["detail"] == {"name": "between 1 and 200 characters"}
        assert client.post("/api/items", json=["x"]).status_code == 422
        assert client.delete(f"/api/items/{item['id']}").status_code == 204
        missing = client.get(f"/api/items/{item['id']}")
        assert missing.status_code == 404
        assert missing.json()["detail"] == f"no item {item['id']}"
