import os

from boca.core import App
from boca.middleware import (
    CSRF,
    MemoryStore,
    MiddlewareBattery,
    RateLimitMiddleware,
    RedisStore,
    SessionMiddleware,
    csrf_token,
)

redis_url = os.environ.get("REDIS_URL")
store = RedisStore(redis_url) if redis_url else MemoryStore()
secret = os.environ.get("SECRET_KEY", "change-me")

app = App()


@app.route("/me")
async def me(req, res):
    res.json = {"user": req.session.get("user")}


@app.route("/form")
async def form(req, res):
    res.json = {"csrf_token": csrf_token(req)}  # or {{ csrf_input() }} in a template


@app.route("/login", methods=["POST"])
async def login(req, res):
    req.session.regenerate()
    req.session["user"] = "ada"
    res.json = {"ok": True}


# The last one added sees requests first: the rate limit, then CSRF, then the session.
app.use(MiddlewareBattery(SessionMiddleware, secret_key=secret, store=store))
app.use(CSRF(secret_key=secret))  # also app.extensions["csrf"], for templates
app.use(MiddlewareBattery(RateLimitMiddleware, limits="20/second", store=store))
