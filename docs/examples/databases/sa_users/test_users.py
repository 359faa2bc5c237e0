"""Testing the users app: each test runs in a transaction that is rolled back at its end.

Run it after the migrations: `alembic -c alembic.ini upgrade head && pytest test_users.py`.
"""

import os

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from boca.core.testing import TestClient
from sa_users.app import create_app

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///users.sqlite3")


def make_engine():
    engine = create_async_engine(DATABASE_URL)
    if engine.dialect.name == "sqlite":
        # SQLite's driver starts transactions late, on its own, which breaks the savepoints
        # below: make SQLAlchemy begin them instead (SQLAlchemy's documented recipe).
        @event.listens_for(engine.sync_engine, "connect")
        def no_driver_transactions(dbapi_connection, record):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def begin(connection):
            connection.exec_driver_sql("BEGIN")

    return engine


@pytest.fixture
async def connection():
    engine = make_engine()
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()  # whatever the test wrote is gone
    await engine.dispose()


@pytest.fixture
async def client(connection):
    app = create_app(DATABASE_URL)

    async def db():
        # The request's session joins the test's transaction: its commit only releases a
        # savepoint, and its rollback goes back to it.
        async with (
            AsyncSession(
                bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
            ) as session,
            session.begin(),
        ):
            yield session

    with app.providers.override("db", db):
        async with TestClient(app) as client:
            yield client


async def test_create_then_read(client):
    created = await client.post(
        "/users", json={"email": "ada@example.com", "name": "Ada", "password": "correct horse"}
    )
    assert created.status_code == 201
    user = created.json()
    assert set(user) == {"id", "email", "name"}  # no password hash
    assert (await client.get(f"/users/{user['id']}")).json() == user


async def test_a_duplicate_email_is_409(client):
    body = {"email": "ada@example.com", "name": "Ada", "password": "correct horse"}
    assert (await client.post("/users", json=body)).status_code == 201
    duplicate = await client.post("/users", json=body)
    assert duplicate.status_code == 409
    assert duplicate.json()["detail"] == "a user with this email already exists"


async def test_each_test_starts_empty(client, connection):
    # The rows of the tests above were rolled back.
    assert (await connection.scalar(text("SELECT count(*) FROM users"))) == 0
    assert (await client.get("/users")).json()["total"] == 0
