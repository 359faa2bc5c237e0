"""Testing the users app: each test runs in a transaction that is rolled back at its end.

Run it after the migrations: `aerich upgrade && pytest test_users.py`.
"""

import os

import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from boca.core.testing import TestClient
from tortoise_users.app import create_app
from tortoise_users.models import User
from tortoise_users.settings import tortoise_config

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite://users.sqlite3")


class Rollback(Exception):
    """Raised at the end of a test to undo its transaction."""


@pytest.fixture
async def transaction():
    await Tortoise.init(config=tortoise_config(DATABASE_URL))
    try:
        async with in_transaction() as transaction:
            yield transaction
            raise Rollback
    except Rollback:
        pass
    finally:
        await Tortoise.close_connections()


@pytest.fixture
async def client(transaction):
    app = create_app(DATABASE_URL)

    async def orm():  # the test already set the ORM up
        return None

    async def db():
        # The request's transaction is a savepoint inside the test's transaction.
        async with in_transaction() as savepoint:
            yield savepoint

    with app.providers.override("orm", orm), app.providers.override("db", db):
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
    assert (await client.get("/users")).json()["total"] == 1


async def test_each_test_starts_empty(client, transaction):
    # The rows of the tests above were rolled back.
    assert await User.all().using_db(transaction).count() == 0
