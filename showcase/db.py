"""The items, stored in SQLite through aiosqlite (the queries run in a thread of their own)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TypedDict

import aiosqlite

from .live import Hub

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
)
"""


class Item(TypedDict):
    id: int
    name: str
    done: bool


def _item(row: Any) -> Item:
    return {"id": row["id"], "name": row["name"], "done": bool(row["done"])}


class ItemStore:
    """Create, read, update and delete items; each change is published on `changes`."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db
        self.changes = Hub()

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, path: str | Path) -> AsyncIterator[ItemStore]:
        """Connect (creating the file and the table when missing), and close at the end."""
        # isolation_level=None: every statement commits on its own, so the requests that share
        # this connection never share a transaction.
        async with aiosqlite.connect(path, isolation_level=None) as db:
            db.row_factory = aiosqlite.Row
            await db.execute(SCHEMA)
            store = cls(db)
            try:
                yield store
            finally:
                store.changes.close()

    async def list(self) -> list[Item]:
        async with self.db.execute("SELECT id, name, done FROM items ORDER BY id") as cursor:
            return [_item(row) for row in await cursor.fetchall()]

    async def get(self, item_id: int) -> Item | None:
        query = "SELECT id, name, done FROM items WHERE id = ?"
        async with self.db.execute(query, (item_id,)) as cursor:
            row = await cursor.fetchone()
        return None if row is None else _item(row)

    async def create(self, name: str, done: bool = False) -> Item:
        query = "INSERT INTO items (name, done) VALUES (?, ?) RETURNING id, name, done"
        async with self.db.execute(query, (name, done)) as cursor:
            item = _item(await cursor.fetchone())
        self.changes.publish("created", item)
        return item

    async def update(
        self, item_id: int, *, name: str | None = None, done: bool | None = None
    ) -> Item | None:
        query = (
            "UPDATE items SET name = coalesce(?, name), done = coalesce(?, done) "
            "WHERE id = ? RETURNING id, name, done"
        )
        async with self.db.execute(query, (name, done, item_id)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        item = _item(row)
        self.changes.publish("updated", item)
        return item

    async def delete(self, item_id: int) -> bool:
        async with self.db.execute("DELETE FROM items WHERE id = ?", (item_id,)) as cursor:
            deleted = cursor.rowcount > 0
        if deleted:
            self.changes.publish("deleted", {"id": item_id})
        return deleted
