"""The items, stored with SQLAlchemy 2.0 (async): SQLite by default, PostgreSQL when configured.

The table is made by the Alembic migrations in `migrations/` (`make run` applies them; so does
`migrate()`, which the tests call), never by the app at startup.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .live import Changes
from .schemas import Item

metadata = sa.MetaData()
items = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false()),
)
COLUMNS = (items.c.id, items.c.name, items.c.done)
MIGRATIONS = Path(__file__).with_name("alembic.ini")


def migrate(url: str) -> None:
    """Bring the database at `url` to the newest migration (`alembic upgrade head`).

    The async migrations run their own event loop, so they run in a thread of their own: this
    works from code that already runs in one (a browser test driver, for instance).
    """
    from alembic import command
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig(str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    with ThreadPoolExecutor(1) as thread:
        thread.submit(command.upgrade, config, "head").result()


def _item(row: Any) -> Item:
    return {"id": row.id, "name": row.name, "done": bool(row.done)}


class ItemStore:
    """Create, read, update and delete items; each change is published on `changes`.

    Each method is one transaction: it commits when it returns and rolls back when it raises,
    and its connection goes back to the engine's pool either way.
    """

    def __init__(self, engine: AsyncEngine, changes: Changes) -> None:
        self.engine = engine
        self.changes = changes

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, url: str, changes: Changes) -> AsyncIterator[ItemStore]:
        """Make the engine (one pool per process), and dispose of it at the end."""
        store = cls(create_async_engine(url), changes)
        try:
            yield store
        finally:
            await store.engine.dispose()

    async def list(self) -> list[Item]:
        async with self.engine.connect() as db:
            rows = await db.execute(sa.select(*COLUMNS).order_by(items.c.id))
            return [_item(row) for row in rows]

    async def get(self, item_id: int) -> Item | None:
        async with self.engine.connect() as db:
            row = (await db.execute(sa.select(*COLUMNS).where(items.c.id == item_id))).first()
        return None if row is None else _item(row)

    async def create(self, name: str, done: bool = False) -> Item:
        insert = sa.insert(items).values(name=name, done=done).returning(*COLUMNS)
        async with self.engine.begin() as db:
            item = _item((await db.execute(insert)).one())
        await self.changes.publish("created", item)
        return item

    async def update(
        self, item_id: int, *, name: str | None = None, done: bool | None = None
    ) -> Item | None:
        values = {k: v for k, v in (("name", name), ("done", done)) if v is not None}
        change = sa.update(items).where(items.c.id == item_id).values(**values)
        async with self.engine.begin() as db:
            row = (await db.execute(change.returning(*COLUMNS))).first()
        if row is None:
            return None
        item = _item(row)
        await self.changes.publish("updated", item)
        return item

    async def delete(self, item_id: int) -> bool:
        async with self.engine.begin() as db:
            result = await db.execute(sa.delete(items).where(items.c.id == item_id))
        deleted = bool(result.rowcount)
        if deleted:
            await self.changes.publish("deleted", {"id": item_id})
        return deleted
