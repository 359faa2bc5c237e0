import asyncio
import time

import anyio.to_thread

from boca.core import App

app = App()


async def fetch_user() -> dict:
    await asyncio.sleep(0.05)  # stands for a database query
    return {"name": "Ada"}


async def fetch_orders() -> list:
    await asyncio.sleep(0.05)  # stands for another one
    return [{"id": 1}]


def checksum(data: bytes) -> int:
    time.sleep(0.01)  # stands for blocking work: keep it off the event loop
    return sum(data) % 256


@app.route("/dashboard")
async def dashboard(req, res):
    # Both queries wait at the same time: about 0.05 s, not 0.1 s.
    user, orders = await asyncio.gather(fetch_user(), fetch_orders())
    total = await anyio.to_thread.run_sync(checksum, b"boca")
    res.json = {"user": user, "orders": orders, "checksum": total}
