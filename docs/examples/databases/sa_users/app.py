"""Users on SQLAlchemy 2.0 (async): an engine for the app's life, a session per request."""

import hashlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

import anyio.to_thread
from annotated_types import Ge, Le, MaxLen, MinLen
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from boca.core import App, HTTPError

from .models import User


# --8<-- [start:schemas]
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


# --8<-- [end:schemas]


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def create_app(database_url: str, *, pool_size: int = 5) -> App:
    app = App()

    # --8<-- [start:providers]
    @app.provider(scope="app")
    async def engine() -> AsyncIterator[AsyncEngine]:
        # Made at startup, disposed at shutdown: one pool per worker process.
        engine = create_async_engine(database_url, pool_size=pool_size, max_overflow=0)
        yield engine
        await engine.dispose()

    @app.provider(scope="app")
    async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
        yield async_sessionmaker(engine, expire_on_commit=False)

    @app.provider
    async def db(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
        # One session and one transaction per request: committed when the view returns,
        # rolled back when it raises. The connection goes back to the pool either way.
        async with sessions() as session, session.begin():
            yield session

    # --8<-- [end:providers]

    # --8<-- [start:errors]
    @app.error_handler(IntegrityError)
    async def conflict(req, res, exc):
        raise HTTPError(409, detail="a user with this email already exists")

    # --8<-- [end:errors]

    # --8<-- [start:views]
    @app.post("/users", status_code=201, responses={409: "The email is taken"})
    async def create_user(req, res, user: UserIn, db: AsyncSession) -> UserOut:
        # scrypt takes tens of ms of CPU: in a thread, so the other requests go on meanwhile.
        password_hash = await anyio.to_thread.run_sync(hash_password, user.password)
        row = User(email=user.email, name=user.name, password_hash=password_hash)
        db.add(row)
        await db.flush()  # sends the INSERT now: a duplicate email raises here, answered 409
        return row  # filtered through UserOut: the hash stays in the database

    @app.get("/users")
    async def list_users(
        req,
        res,
        db: AsyncSession,
        offset: Annotated[int, Ge(0)] = 0,
        limit: Annotated[int, Ge(1), Le(100)] = 20,
    ) -> UserPage:
        total = await db.scalar(select(func.count()).select_from(User))
        rows = await db.scalars(select(User).order_by(User.id).offset(offset).limit(limit))
        items = [UserOut(id=u.id, email=u.email, name=u.name) for u in rows]
        return UserPage(items=items, total=total or 0, offset=offset, limit=limit)

    @app.get("/users/{user_id}")
    async def read_user(req, res, user_id: int, db: AsyncSession) -> UserOut:
        row = await db.get(User, user_id)
        if row is None:
            raise HTTPError(404, detail=f"no user {user_id}")
        return row

    @app.delete("/users/{user_id}", status_code=204)
    async def delete_user(req, res, user_id: int, db: AsyncSession) -> None:
        row = await db.get(User, user_id)
        if row is None:
            raise HTTPError(404, detail=f"no user {user_id}")
        await db.delete(row)

    # --8<-- [end:views]

    return app
