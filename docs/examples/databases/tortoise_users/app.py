"""Users on Tortoise ORM: the ORM set up for the app's life, a transaction per request."""

import hashlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

import anyio.to_thread
from annotated_types import Ge, Le, MaxLen, MinLen
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.contrib.starlette import RegisterTortoise
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from boca.core import App, HTTPError

from .models import User
from .settings import tortoise_config


@dataclass
class UserIn:
    email: Annotated[str, MinLen(3), MaxLen(254)]
    name: Annotated[str, MinLen(1), MaxLen(100)]
    password: Annotated[str, MinLen(8), MaxLen(200)]


@dataclass
class UserOut:  # what leaves the API: never the password hash
    id: int
    email: str
    name: str


@dataclass
class UserPage:
    items: list[UserOut]
    total: int
    offset: int
    limit: int


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def create_app(database_url: str) -> App:
    app = App()

    # --8<-- [start:providers]
    @app.provider(scope="app")
    async def orm() -> AsyncIterator[None]:
        # Tortoise's own integration for Starlette-style apps: connections opened at startup
        # and closed at shutdown, and the ORM's state visible to every request, although the
        # app starts in one task and serves requests in others.
        async with RegisterTortoise(app, config=tortoise_config(database_url)):
            yield

    @app.provider
    async def db(orm: None) -> AsyncIterator[BaseDBAsyncClient]:
        # One transaction per request: committed when the view returns, rolled back when
        # it raises.
        async with in_transaction() as connection:
            yield connection

    # --8<-- [end:providers]

    @app.error_handler(IntegrityError)
    async def conflict(req, res, exc):
        raise HTTPError(409, detail="a user with this email already exists")

    # --8<-- [start:views]
    @app.post("/users", status_code=201, responses={409: "The email is taken"})
    async def create_user(req, res, user: UserIn, db: BaseDBAsyncClient) -> UserOut:
        # scrypt takes tens of ms of CPU: in a thread, so the other requests go on meanwhile.
        password_hash = await anyio.to_thread.run_sync(hash_password, user.password)
        return await User.create(
            email=user.email, name=user.name, password_hash=password_hash, using_db=db
        )

    @app.get("/users")
    async def list_users(
        req,
        res,
        db: BaseDBAsyncClient,
        offset: Annotated[int, Ge(0)] = 0,
        limit: Annotated[int, Ge(1), Le(100)] = 20,
    ) -> UserPage:
        users = User.all().using_db(db)
        rows = await users.order_by("id").offset(offset).limit(limit)
        items = [UserOut(id=u.id, email=u.email, name=u.name) for u in rows]
        return UserPage(items=items, total=await users.count(), offset=offset, limit=limit)

    @app.get("/users/{user_id}")
    async def read_user(req, res, user_id: int, db: BaseDBAsyncClient) -> UserOut:
        user = await User.get_or_none(id=user_id, using_db=db)
        if user is None:
            raise HTTPError(404, detail=f"no user {user_id}")
        return user

    @app.delete("/users/{user_id}", status_code=204)
    async def delete_user(req, res, user_id: int, db: BaseDBAsyncClient) -> None:
        deleted = await User.filter(id=user_id).using_db(db).delete()
        if not deleted:
            raise HTTPError(404, detail=f"no user {user_id}")

    # --8<-- [end:views]

    return app


def app_from_environment() -> App:
    """The app, for a server: `uvicorn --factory tortoise_users.app:app_from_environment`."""
    return create_app(os.environ["DATABASE_URL"])
