"""The SQLAlchemy guide's example, run on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import sys
from pathlib import Path

import anyio
import httpx
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from boca.core import HTTPError
from boca.core.testing import TestClient

from .conftest import EXAMPLES, run

# A database server and whole guide suites: run once, not on every Python of the matrix.
pytestmark = pytest.mark.once

PROJECT = EXAMPLES / "sa_users"
DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
ADA = {"email": "ada@example.com", "name": "Ada", "password": "correct horse"}


def async_url(database: tuple[str, str]) -> str:
    kind, url = database
    return DRIVERS[kind] + url[url.index(":") :]


def migrate(url: str, *command: str) -> str:
    return run(
        sys.executable, "-m", "alembic", "-c", str(PROJECT / "alembic.ini"), *command,
        env={"DATABASE_URL": url},
    )  # fmt: skip


async def tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda c: inspect(c).get_table_names())
    await engine.dispose()
    return set(names)


@pytest.fixture
def url(database: tuple[str, str]) -> str:
    """The database, migrated to the newest revision with the Alembic command of the guide."""
    url = async_url(database)
    migrate(url, "upgrade", "head")
    return url


async def test_migrations_up_and_down(database: tuple[str, str]) -> None:
    url = async_url(database)
    migrate(url, "upgrade", "head")
    assert {"users", "alembic_version"} <= await tables(url)
    assert "0001 (head)" in migrate(url, "current")
    migrate(url, "downgrade", "base")
    assert "users" not in await tables(url)


async def test_create_read_list_delete(url: str) -> None:
    from sa_users.app import create_app

    async with TestClient(create_app(url)) as client:
        created = await client.post("/users", json=ADA)
        assert created.status_code == 201
        user = created.json()
        assert user == {"id": user["id"], "email": "ada@example.com", "name": "Ada"}
        assert (await client.get(f"/users/{user['id']}")).json() == user
        for n in range(3):
            body = {"email": f"u{n}@example.com", "name": f"U{n}", "password": "long enough"}
            assert (await client.post("/users", json=body)).status_code == 201
        page = (await client.get("/users?offset=1&limit=2")).json()
        assert page["total"] == 4
        assert (page["offset"], page["limit"]) == (1, 2)
        assert [u["email"] for u in page["items"]] == ["u0@example.com", "u1@example.com"]
        deleted = await client.delete(f"/users/{user['id']}")
        assert (deleted.status_code, deleted.content) == (204, b"")
        missing = await client.get(f"/users/{user['id']}")
        assert missing.status_code == 404
        assert missing.json() == {
            "error": "404 Not Found",
            "status": 404,
            "detail": f"no user {user['id']}",
        }


async def test_unique_violation_is_a_409_and_the_first_row_stays(url: str) -> None:
    from sa_users.app import create_app

    async with TestClient(create_app(url)) as client:
        assert (await client.post("/users", json=ADA)).status_code == 201
        duplicate = await client.post("/users", json={**ADA, "name": "Someone else"})
        assert duplicate.status_code == 409
        assert duplicate.json() == {
            "error": "409 Conflict",
            "status": 409,
            "detail": "a user with this email already exists",
        }
        page = (await client.get("/users")).json()
        assert [(u["email"], u["name"]) for u in page["items"]] == [("ada@example.com", "Ada")]


async def test_bad_input_is_validated_before_the_database(url: str) -> None:
    from sa_users.app import create_app

    async with TestClient(create_app(url)) as client:
        short = await client.post("/users", json={**ADA, "password": "short"})
        assert short.status_code == 422
        assert [e["loc"] for e in short.json()["detail"]] == [["body", "password"]]
        limit = await client.get("/users?limit=1000")
        assert limit.status_code == 400
        assert [e["loc"] for e in limit.json()["detail"]] == [["query", "limit"]]
        assert (await client.get("/users")).json()["total"] == 0


async def test_the_password_hash_never_leaves(url: str) -> None:
    from sa_users.app import create_app

    async with TestClient(create_app(url)) as client:
        created = (await client.post("/users", json=ADA)).json()
        listed = (await client.get("/users")).json()["items"]
        for body in (created, *listed):
            assert "password_hash" not in body
            assert "password" not in body
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        stored = await connection.scalar(text("SELECT password_hash FROM users"))
    await engine.dispose()
    assert stored.startswith("scrypt$")
    assert "correct horse" not in stored


async def test_the_password_is_hashed_off_the_event_loop(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hash waits until the loop has run another task: on the loop it would wait in vain
    (and the view would fail); in a thread the other task runs and the user is created."""
    import threading

    import sa_users.app as guide

    hashing, loop_ran = threading.Event(), threading.Event()
    real = guide.hash_password

    def hash_that_needs_the_loop(password: str) -> str:
        hashing.set()
        assert loop_ran.wait(10), "the event loop was held while the password was hashed"
        return real(password)

    monkeypatch.setattr(guide, "hash_password", hash_that_needs_the_loop)

    async def run_while_hashing() -> None:
        with anyio.fail_after(10):
            while not hashing.is_set():
                await anyio.sleep(0.01)
        loop_ran.set()

    async with TestClient(guide.create_app(url)) as client, anyio.create_task_group() as tasks:
        tasks.start_soon(run_while_hashing)
        created = await client.post("/users", json=ADA)
    assert created.status_code == 201
    assert created.json()["email"] == ADA["email"]


def test_the_guides_test_suite_passes(database: tuple[str, str], tmp_path: Path) -> None:
    url = async_url(database)
    migrate(url, "upgrade", "head")
    output = run(
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "asyncio_mode=auto",
        "--rootdir", str(tmp_path), str(PROJECT / "test_users.py"),
        env={"DATABASE_URL": url, "PYTHONPATH": str(EXAMPLES)}, cwd=tmp_path,
    )  # fmt: skip
    assert "3 passed" in output


async def test_200_concurrent_requests_on_a_pool_of_5(postgres: str) -> None:
    """Every request gets a connection in turn, none is leaked, and a view that fails midway
    leaves nothing behind."""
    from sa_users.app import create_app

    url = async_url(("postgresql", postgres))
    migrate(url, "upgrade", "head")
    app = create_app(url, pool_size=5)

    @app.post("/users/half-done")
    async def half_done(req, res, db) -> None:
        await db.execute(
            text("INSERT INTO users (email, name, password_hash) VALUES ('x', 'x', 'x')")
        )
        raise HTTPError(503, detail="gave up after writing")

    @app.get("/pool")
    async def pool(req, res, engine: AsyncEngine) -> dict[str, int]:
        return {"checked_out": engine.pool.checkedout(), "size": engine.pool.size()}

    async with TestClient(app) as client:
        results: list[httpx.Response] = []

        async def one(n: int) -> None:
            body = {"email": f"user{n}@example.com", "name": f"user {n}", "password": "12345678"}
            created = await client.post("/users", json=body)
            read = await client.get(f"/users/{created.json()['id']}")
            results.extend([created, read])

        async with anyio.create_task_group() as tasks:
            for n in range(200):
                tasks.start_soon(one, n)
        assert sorted({r.status_code for r in results}) == [200, 201]
        assert len(results) == 400
        failed = await client.post("/users/half-done")
        assert failed.status_code == 503
        assert (await client.get("/users?limit=1")).json()["total"] == 200
        assert (await client.get("/pool")).json() == {"checked_out": 0, "size": 5}
