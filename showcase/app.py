"""The Boca showcase: a live list of items, with a JSON API, an HTML page and server-sent events.

Served by `make run` (`boca run showcase.app:app`) on http://127.0.0.1:8000. The tutorial in
the documentation builds it step by step.
"""

from __future__ import annotations

# --8<-- [start:imports]
import os
from collections.abc import AsyncIterator
from pathlib import Path

from boca.channels import ChannelsUnavailable, SubscriberTooSlow
from boca.core import (
    App,
    ErrorModel,
    HTTPError,
    Request,
    RequestValidationError,
    Response,
    server_event,
)
from boca.middleware import MiddlewareBattery
from boca.openapi import OpenAPI
from boca.static import StaticFiles, build
from boca.templates import Templates

from .config import HERE, Config
from .db import ItemStore
from .live import Changes, make_channels
from .middleware import middleware
from .schemas import Item, ItemId, ItemIn, ItemPatch

# --8<-- [end:imports]


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
    app = App()
    # Hosts, CORS, the write limit, CSRF, sessions and gzip, in that order (middleware.py).
    for cls, options in reversed(middleware(config)):  # the last one added is the outermost
        app.use(MiddlewareBattery(cls, **options))  # listed at app.extensions["middleware"]
    app.use(Templates(directory=HERE / "templates"))
    app.use(build_static(HERE / "static", Path(config.STATIC_BUILD_DIR)))
    # The API's OpenAPI document at /openapi.json, Swagger UI at /docs, ReDoc at /redoc.
    app.use(OpenAPI(title="Showcase items", version="1.0.0"))

    channels = make_channels(config.REDIS_URL)  # in memory, or Redis with SHOWCASE_REDIS_URL
    app.use(channels)  # connected at startup, closed at shutdown (which ends the streams)

    @app.provider(scope="app")
    async def items() -> AsyncIterator[ItemStore]:
        """One store for the app's life: opened at startup, closed at shutdown."""
        async with ItemStore.open(config.DATABASE_URL, Changes(channels)) as store:
            yield store

    # --8<-- [end:app]

    # --8<-- [start:api]
    def found(item: Item | None, item_id: int) -> Item:
        if item is None:
            raise HTTPError(404, detail=f"no item {item_id}")
        return item

    missing = {404: (ErrorModel, "No item has this id")}
    # What the middleware in front of the writes may answer instead of the view.
    guarded = {
        403: (ErrorModel, "A browser's write that did not come from the showcase's page"),
        429: (ErrorModel, "Too many writes from this client: try again after Retry-After"),
    }

    def stripped(name: str) -> str:
        """The name without surrounding spaces; a 422 like the others when nothing is left."""
        if not name.strip():
            problem = {"loc": ["body", "name"], "msg": "must not be blank", "type": "constraint"}
            raise RequestValidationError(422, [problem])
        return name.strip()

    @app.get("/api/items", name="items", tags=["items"])
    async def list_items(req: Request, res: Response, items: ItemStore) -> list[Item]:
        """List every item, oldest first."""
        return await items.list()

    @app.post("/api/items", name="create_item", status_code=201, tags=["items"], responses=guarded)
    async def create_item(req: Request, res: Response, item: ItemIn, items: ItemStore) -> Item:
        """Add an item; its address is in the `Location` header."""
        created = await items.create(stripped(item.name), item.done)
        res.headers["Location"] = app.url_for("item", item_id=created["id"])
        return created

    @app.get("/api/items/{item_id:int}", name="item", tags=["items"], responses=missing)
    async def read_item(req: Request, res: Response, item_id: ItemId, items: ItemStore) -> Item:
        """One item."""
        return found(await items.get(item_id), item_id)

    @app.patch("/api/items/{item_id:int}", tags=["items"], responses=missing | guarded)
    async def update_item(
        req: Request, res: Response, item_id: ItemId, change: ItemPatch, items: ItemStore
    ) -> Item:
        """Rename an item or tick it off: give the fields to change, at least one."""
        if change.name is None and change.done is None:
            problem = {
                "loc": ["body"],
                "msg": "give at least one of: name, done",
                "type": "missing",
            }
            raise RequestValidationError(422, [problem])
        name = None if change.name is None else stripped(change.name)
        return found(await items.update(item_id, name=name, done=change.done), item_id)

    @app.delete(
        "/api/items/{item_id:int}", status_code=204, tags=["items"], responses=missing | guarded
    )
    async def delete_item(req: Request, res: Response, item_id: ItemId, items: ItemStore) -> None:
        """Delete an item."""
        if not await items.delete(item_id):
            raise HTTPError(404, detail=f"no item {item_id}")

    # --8<-- [end:api]

    # --8<-- [start:events]
    @app.route("/api/events", name="events", include_in_schema=False)
    async def events(req: Request, res: Response, items: ItemStore) -> None:
        @res.event_stream(heartbeat=15)
        async def stream() -> AsyncIterator[object]:
            try:
                async with items.changes.subscribe() as changes:
                    # Subscribed first, then the snapshot: nothing can fall in between. A
                    # browser that reconnects gets a fresh snapshot, so it never misses a change.
                    yield server_event(json=await items.list(), event="snapshot", retry=1000)
                    async for change in changes:
                        yield server_event(json=change.data["data"], event=change.data["kind"])
            except (SubscriberTooSlow, ChannelsUnavailable):
                return  # the stream ends: the browser reconnects, and starts from a snapshot

    # --8<-- [end:events]

    # --8<-- [start:page]
    @app.route("/", name="index", include_in_schema=False)
    async def index(req: Request, res: Response, items: ItemStore) -> None:
        req.session["views"] = req.session.get("views", 0) + 1
        res.render("index.html", items=await items.list(), views=req.session["views"])

    # --8<-- [end:page]
    return app


# --8<-- [start:module]
app = create_app(Config())
# --8<-- [end:module]
