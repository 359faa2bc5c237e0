"""The Boca showcase: a live list of items, with a JSON API, an HTML page and server-sent events.

Served by `make run` (`boca run showcase.app:app`) on http://127.0.0.1:8000. The tutorial in
the documentation builds it step by step.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

from boca.core import App, HTTPError, Request, Response, server_event
from boca.static import StaticFiles, build
from boca.templates import Templates

from .config import HERE, Config
from .db import Item, ItemStore
from .validation import item_fields


# --8<-- [start:static]
def build_static(source: Path, target: Path) -> StaticFiles:
    """Copy `source` into `target`, fingerprint the copies there, and serve `target`.

    The sources stay clean, and every file is written atomically, so processes that start at
    the same time (`boca run --workers 4`) never read a half-written one.
    """
    for path in source.rglob("*"):
        if path.is_file():
            copy = target / path.relative_to(source)
            copy.parent.mkdir(parents=True, exist_ok=True)
            data = path.read_bytes()
            if not copy.is_file() or copy.read_bytes() != data:
                partial = copy.with_name(f".{copy.name}.{os.getpid()}")
                partial.write_bytes(data)
                partial.replace(copy)
    build(target)  # app.css -> app.<hash>.css, .gz and .br siblings, boca-manifest.json
    return StaticFiles(target)  # reads the manifest: static_url() gives the hashed names


# --8<-- [end:static]


def create_app(config: Config) -> App:
    """The showcase app for `config` (the tests give each app its own database)."""
    # --8<-- [start:app]
    app = App(settings=config)  # ALLOWED_HOSTS, SESSIONS, GZIP and CORS add the middleware
    app.use(Templates(directory=HERE / "templates"))
    app.use(build_static(HERE / "static", Path(config.STATIC_BUILD_DIR)))

    @app.provider(scope="app")
    async def items() -> AsyncIterator[ItemStore]:
        """One store for the app's life: opened at startup, closed at shutdown."""
        async with ItemStore.open(config.DATABASE) as store:
            yield store

    # --8<-- [end:app]

    # --8<-- [start:api]
    def found(item: Item | None, item_id: int) -> Item:
        if item is None:
            raise HTTPError(404, detail=f"no item {item_id}")
        return item

    @app.route("/api/items", name="items")
    class Items:
        async def get(self, req: Request, res: Response, items: ItemStore) -> None:
            res.json = await items.list()

        async def post(self, req: Request, res: Response, items: ItemStore) -> None:
            item = await items.create(**item_fields(await req.json()))
            res.status_code = 201
            res.headers["Location"] = app.url_for("item", item_id=item["id"])
            res.json = item

    @app.route("/api/items/{item_id:int}", name="item")
    class OneItem:
        async def get(self, req: Request, res: Response, item_id: int, items: ItemStore) -> None:
            res.json = found(await items.get(item_id), item_id)

        async def patch(self, req: Request, res: Response, item_id: int, items: ItemStore) -> None:
            fields = item_fields(await req.json(), partial=True)
            res.json = found(await items.update(item_id, **fields), item_id)

        async def delete(self, req: Request, res: Response, item_id: int, items: ItemStore) -> None:
            if not await items.delete(item_id):
                raise HTTPError(404, detail=f"no item {item_id}")
            res.status_code = 204

    # --8<-- [end:api]

    # --8<-- [start:events]
    @app.route("/api/events", name="events")
    async def events(req: Request, res: Response, items: ItemStore) -> None:
        @res.event_stream(heartbeat=15)
        async def stream() -> AsyncIterator[object]:
            with items.changes.subscribe() as changes:
                # Subscribed first, then the snapshot: nothing can fall in between. A browser
                # that reconnects gets a fresh snapshot, so it never misses a change.
                yield server_event(json=await items.list(), event="snapshot", retry=1000)
                while (change := await changes.get()) is not None:
                    yield server_event(json=change.data, event=change.kind)

    # --8<-- [end:events]

    # --8<-- [start:page]
    @app.route("/", name="index")
    async def index(req: Request, res: Response, items: ItemStore) -> None:
        req.session["views"] = req.session.get("views", 0) + 1
        res.render("index.html", items=await items.list(), views=req.session["views"])

    # --8<-- [end:page]
    return app


app = create_app(Config())
