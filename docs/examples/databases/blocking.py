"""A blocking database library called from an async view, in a worker thread."""

import sqlite3

import anyio

from boca.core import App

app = App()
DATABASE = "blocking.sqlite3"


def count_rows() -> int:  # blocking: runs in a worker thread, never on the event loop
    with sqlite3.connect(DATABASE) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS items (name TEXT)")
        return connection.execute("SELECT count(*) FROM items").fetchone()[0]


@app.get("/count")
async def count(req, res) -> dict:
    return {"count": await anyio.to_thread.run_sync(count_rows)}
