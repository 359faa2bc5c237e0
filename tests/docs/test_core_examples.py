"""The boca-core examples of the documentation, run."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from boca.core import SettingsError
from boca.core.testing import TestClient

from .conftest import load_example


def test_quickstart() -> None:
    client = TestClient(load_example("core/quickstart.py").app)
    assert client.get("/").json() == {"hello": "world"}
    response = client.get("/greet/Ada")
    assert response.text == "Hello, Ada!"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


def test_routing() -> None:
    client = TestClient(load_example("core/routing.py").app)
    assert client.get("/users/42").json() == {"id": 42}
    assert client.get("/users/abc").status_code == 404
    uid = "6f1c2b8e-9d4a-4c3e-8b7a-1f2e3d4c5b6a"
    assert client.get(f"/orders/{uid}").json() == {"order": uid}
    assert client.get("/files/a/b/c.txt").text == "a/b/c.txt"
    assert client.get("/paint/red?coats=2&glossy=yes").json() == {
        "color": "red",
        "coats": 2,
        "glossy": True,
    }
    bad = client.get("/paint/green?coats=many")
    assert bad.status_code == 400
    assert [e["loc"] for e in bad.json()["detail"]] == [["path", "color"], ["query", "coats"]]
    assert client.get("/schedule/mon").json() == {"day": "mon", "url": "/users/7?tab=orders"}
    assert client.get("/schedule/someday").status_code == 404


def test_views() -> None:
    client = TestClient(load_example("core/views.py").app)
    assert client.get("/items").json() == [{"id": 1, "name": "tea"}]
    created = client.post("/items", json={"name": "coffee"})
    assert created.status_code == 201
    assert created.json() == {"id": 2, "name": "coffee"}
    assert client.get("/items/2").json() == {"id": 2, "name": "coffee"}
    assert client.delete("/items/2").status_code == 204
    missing = client.get("/items/2")
    assert missing.status_code == 404
    assert missing.json() == {"error": "404 Not Found", "status": 404, "detail": "no item 2"}
    not_allowed = client.put("/items")
    assert not_allowed.status_code == 405
    assert not_allowed.headers["allow"] == "GET, HEAD, POST, OPTIONS"
    assert client.get("/ping").json() == {"pong": True}


def test_requests() -> None:
    client = TestClient(load_example("core/requests.py").app)
    response = client.post(
        "/inspect?x=1",
        json={"a": [1, 2]},
        headers={"user-agent": "docs", "cookie": "theme=dark"},
    )
    assert response.json() == {
        "method": "POST",
        "path": "/inspect",
        "query": {"x": "1"},
        "agent": "docs",
        "cookie": "dark",
        "data": {"a": [1, 2]},
    }
    bad = client.post("/inspect", content=b"{oops", headers={"content-type": "application/json"})
    assert bad.status_code == 400
    assert bad.json()["detail"].startswith("Malformed JSON")
    upload = client.post("/upload", data={"name": "cv"}, files={"file": ("cv.pdf", b"%PDF-1.7")})
    assert upload.json() == {"name": "cv", "filename": "cv.pdf", "size": 8}
    too_big = client.post("/inspect", content=b"x" * (1024 * 1024 + 1))
    assert too_big.status_code == 413
    assert client.post("/count", content=b"y" * 5000).json() == {"bytes": 5000}


def test_responses() -> None:
    client = TestClient(load_example("core/responses.py").app)
    event = client.get("/event")
    assert event.headers["cache-control"] == "no-store"
    assert event.json() == {"name": "launch", "at": "2026-11-25T12:00:00"}
    login = client.post("/login")
    assert (
        login.headers["set-cookie"]
        == "session=s3cr3t; HttpOnly; Max-Age=3600; Path=/; SameSite=Lax"
    )
    assert login.text == "<p>Welcome back!</p>"
    report = client.get("/report")
    assert report.text == "quarterly numbers\n"
    assert report.headers["content-disposition"] == 'attachment; filename="Q3 report.txt"'
    assert report.headers["content-type"] == "text/plain; charset=utf-8"
    again = client.get("/report", headers={"if-none-match": report.headers["etag"]})
    assert again.status_code == 304
    part = client.get("/report", headers={"range": "bytes=0-8"})
    assert part.status_code == 206
    assert part.text == "quarterly"


def test_errors() -> None:
    client = TestClient(load_example("core/errors.py").app)
    assert client.get("/buy/tea").json() == {"bought": "tea"}
    conflict = client.get("/buy/unicorn")
    assert conflict.status_code == 409
    assert conflict.json() == {"error": "out of stock", "item": "unicorn"}
    assert client.get("/buy/nothing").json() == {
        "error": "400 Bad Request",
        "status": 400,
        "detail": "pick something to buy",
    }
    moved = client.get("/old-shop", follow_redirects=False)
    assert (moved.status_code, moved.headers["location"]) == (301, "/buy/tea")
    for target, expected in [
        ("/account", "/account"),
        ("//evil.com", "/"),
        ("https://evil.com", "/"),
    ]:
        response = client.get("/login", params={"next": target}, follow_redirects=False)
        assert response.headers["location"] == expected


async def test_testing_page_examples() -> None:
    module = load_example("core/testing.py")
    module.test_in_process()
    await module.test_async()
    module.test_over_the_network()
    assert inspect.iscoroutinefunction(module.test_async)


def test_settings(tmp_path: Path) -> None:
    module = load_example("core/settings.py")
    env = tmp_path / ".env"
    env.write_text("SHOP_DATABASE_URL=sqlite:///shop.db\nSHOP_PAGE_SIZE=50\n")
    config = module.Config(env_file=env, environ={"SHOP_DEBUG": "false"})
    assert (config.DATABASE_URL, config.PAGE_SIZE, config.DEBUG) == ("sqlite:///shop.db", 50, False)
    client = TestClient(module.create_app(config), base_url="http://localhost")
    response = client.get("/config", headers={"origin": "https://shop.example"})
    assert response.json() == {"page_size": 50}
    assert response.headers["access-control-allow-origin"] == "https://shop.example"
    assert client.get("/config", headers={"host": "evil.com"}).status_code == 400
    with pytest.raises(SettingsError) as info:
        module.Config(env_file=tmp_path / "missing.env", environ={"SHOP_PAGE_SIZE": "lots"})
    assert set(info.value.problems) == {"SHOP_DATABASE_URL", "SHOP_PAGE_SIZE"}


def test_routers_and_mounts() -> None:
    client = TestClient(load_example("core/routers.py").app)
    assert client.get("/shop/cart").json() == {"items": [], "url": "/shop/cart"}
    assert client.get("/legacy/").text == "legacy at /legacy"
