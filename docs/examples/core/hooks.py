"""Hooks on a view, a class, a method and a Router; middleware on a Router."""

from boca.core import App, HTTPError, Middleware, Router, after, before

app = App()
CACHE: dict[str, dict] = {"/articles/welcome": {"title": "Welcome!", "cached": True}}


@app.provider
async def tokens():
    return {"s3cret": "user", "admin-token": "admin"}  # a stand-in for a token store


# `role` comes from the decorator, `tokens` from the provider of that name.
async def require_role(req, res, params, role, tokens):
    if tokens.get(req.headers.get("x-token", "")) != role:
        raise HTTPError(401, detail=f"a valid X-Token header ({role}) is needed")


async def from_cache(req, res, params):
    cached = CACHE.get(req.url.path)
    if cached is not None:
        res.json = cached  # a hook that writes a response answers: the view does not run


async def cache_for(req, res, params, seconds):
    res.headers["Cache-Control"] = f"max-age={seconds}"


async def envelope(req, res, params):
    res.json = {"data": res.json, "params": params}


@app.route("/articles/{slug}")
@before(from_cache)
@after(cache_for, seconds=300)
async def article(req, res, slug: str):
    return {"title": slug.title(), "cached": False}


@app.route("/notes")
@before(require_role, "user")  # every method of the class
class Notes:
    async def get(self, req, res):
        return ["buy tea"]

    @after(envelope)  # this method only
    async def post(self, req, res):
        res.status_code = 201
        return await req.json()


class AdminHeader(Middleware):
    async def after_dispatch(self, req, res):
        res.headers["X-Admin"] = "1"


admin = Router()
before(require_role, "admin")(admin)  # every route of the router
admin.add_middleware(AdminHeader)  # this router's routes only


@admin.route("/stats")
async def stats(req, res):
    return {"users": 3}


app.include(admin, prefix="/admin")
