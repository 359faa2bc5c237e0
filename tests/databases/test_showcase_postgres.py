"""The showcase on a real PostgreSQL server: its migration, and its API over the same store."""

from __future__ import annotations

from pathlib import Path

import pytest

from boca.core.testing import TestClient
from showcase.app import create_app
from showcase.config import Config
from showcase.db import migrate

# A database server and whole guide suites: run once, not on every Python of the matrix.
pytestmark = pytest.mark.once


def test_the_showcase_runs_on_postgresql(database: tuple[str, str], tmp_path: Path) -> None:
    kind, url = database
    driver = "postgresql+asyncpg" if kind == "postgresql" else "sqlite+aiosqlite"
    url = driver + url[url.index(":") :]
    migrate(url)
    config = Config(
        environ={"SHOWCASE_DATABASE_URL": url},
        env_file=tmp_path / "missing.env",
        STATIC_BUILD_DIR=str(tmp_path / "static"),
    )
    assert url == config.DATABASE_URL
    with TestClient(create_app(config), base_url="http://127.0.0.1") as client:
        created = client.post("/api/items", json={"name": "tea"})
        assert created.status_code == 201
        assert created.json() == {"id": 1, "name": "tea", "done": False}
        assert client.patch("/api/items/1", json={"done": True}).json()["done"] is True
        assert client.get("/api/items").json() == [{"id": 1, "name": "tea", "done": True}]
        too_big = client.get(f"/api/items/{2**63}")
        assert too_big.status_code == 400
        assert too_big.json()["detail"][0]["loc"] == ["path", "item_id"]
        assert client.delete("/api/items/1").status_code == 204
        assert client.get("/api/items").json() == []
