"""Startup and shutdown: handlers, a lifespan context manager, and its state."""

import contextlib

from boca.core import App

EVENTS: list[str] = []


@contextlib.asynccontextmanager
async def lifespan(app):
    pool = {"size": 4}  # open connections, start clients...
    EVENTS.append("pool opened")
    yield {"pool": pool}  # a mapping: its items become `app.state` attributes
    EVENTS.append("pool closed")


app = App(lifespan=lifespan)


@app.on("startup")
async def warm_cache():
    EVENTS.append(f"cache warmed with a pool of {app.state.pool['size']}")


async def flush_metrics():
    EVENTS.append("metrics flushed")


app.on("shutdown", flush_metrics)


@app.route("/")
async def index(req, res):
    return {
        "pool": req.app.state.pool,
        "same": req.app.lifespan_state["pool"] is req.app.state.pool,
    }
