"""Boca implementation of the shared benchmark scenario contract (idiomatic Boca)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from _common import BIG, HELLO, ITEMS, N_EXTRA_ROUTES, STATIC_DIR, TEMPLATE_DIR, TITLE
from annotated_types import Ge, Gt, Len, MaxLen

from boca.core import App
from boca.middleware import CORSMiddleware, GZipMiddleware
from boca.static import StaticFiles
from boca.templates import Templates

SKIP: set[str] = set()


# The /typed models: dataclasses with annotated-types constraints, as the typed guide writes them.
@dataclass
class Owner:
    id: Annotated[int, Ge(1)]
    email: str


@dataclass
class ItemIn:
    name: Annotated[str, Len(1, 50)]
    price: Annotated[float, Gt(0)]
    tags: Annotated[list[str], MaxLen(10)]
    owner: Owner


@dataclass
class ItemOut:
    name: str
    price: float
    tags: list[str]
    owner_id: int


def build(middleware: bool = False) -> App:
    app = App()
    if middleware:
        app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=6)
        app.add_middleware(CORSMiddleware, allow_origins=["*"])
    app.use(Templates(directory=str(TEMPLATE_DIR)))
    app.use(StaticFiles(directory=str(STATIC_DIR)))

    @app.route("/plaintext")
    async def plaintext(req, res):
        res.text = HELLO

    @app.route("/json")
    async def json_(req, res):
        res.json = {"message": HELLO}

    for i in range(N_EXTRA_ROUTES):

        @app.route(f"/r{i}/{{x}}")
        async def extra(req, res, x: str):
            res.text = x

    @app.route("/users/{id:int}")
    async def user(req, res, id: int):
        res.json = {"id": id}

    @app.route("/query")
    async def query(req, res):
        res.json = dict(req.query_params)

    @app.route("/echo", methods=["POST"])
    async def echo(req, res):
        res.json = await req.json()

    @app.post("/typed")
    async def typed(req, res, item: ItemIn) -> ItemOut:
        return ItemOut(item.name, item.price, item.tags, item.owner.id)

    @app.route("/big")
    async def big(req, res):
        res.json = BIG

    @app.route("/template")
    async def template(req, res):
        res.render("page.html", title=TITLE, items=ITEMS)

    return app


app = build()
app_mw = build(middleware=True)
