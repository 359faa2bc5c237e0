"""Boca implementation of the shared benchmark scenario contract (idiomatic Boca)."""

from __future__ import annotations

from _common import BIG, HELLO, ITEMS, N_EXTRA_ROUTES, STATIC_DIR, TEMPLATE_DIR, TITLE

from boca.core import App
from boca.middleware import CORSMiddleware, GZipMiddleware
from boca.static import StaticFiles
from boca.templates import Templates

SKIP: set[str] = set()


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

    @app.route("/big")
    async def big(req, res):
        res.json = BIG

    @app.route("/template")
    async def template(req, res):
        res.render("page.html", title=TITLE, items=ITEMS)

    return app


app = build()
app_mw = build(middleware=True)
