"""In-process micro-benchmark: boca.static vs Starlette's StaticFiles on a 100 KB file.

Drives each ASGI app directly (no sockets), interleaved round by round, the way
`../shared/bench/inproc.py` does, and prints median requests per second and the ratio.

    python benchmarks/static_bench.py --seconds 1 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from typing import Any

from boca.static import StaticFiles

SIZE = 100 * 1024


class _Conn:
    """uvicorn's receive semantics: the body, then block until the response is complete."""

    __slots__ = ("done", "event", "status")

    def __init__(self) -> None:
        self.done = False
        self.event: asyncio.Event | None = None
        self.status = 0

    async def receive(self) -> dict[str, Any]:
        if self.event is None and not self.done:
            self.event = asyncio.Event()
            return {"type": "http.request", "body": b"", "more_body": False}
        if not self.done:
            assert self.event is not None
            await self.event.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif not message.get("more_body", False):
            self.done = True
            if self.event is not None:
                self.event.set()


def _scope(path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 54321),
        "scheme": "http",
        "method": "GET",
        "root_path": "/static",
        "path": "/static" + path,
        "raw_path": ("/static" + path).encode(),
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"static-bench")],
        "state": {},
    }


async def _run(app: Any, seconds: float) -> float:
    base = _scope("/file.bin")
    n = 0
    t0 = time.perf_counter()
    deadline = t0 + seconds
    while True:
        for _ in range(50):
            scope = base.copy()
            scope["headers"] = base["headers"].copy()
            conn = _Conn()
            await app(scope, conn.receive, conn.send)
            assert conn.status == 200, conn.status
        n += 50
        now = time.perf_counter()
        if now >= deadline:
            return n / (now - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    try:
        import uvloop

        loop = uvloop.new_event_loop()
    except ImportError:  # pragma: no cover - uvloop is in the dev environment
        loop = asyncio.new_event_loop()
    from starlette.staticfiles import StaticFiles as StarletteStaticFiles

    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "file.bin"), "wb") as out:
            out.write(os.urandom(SIZE))
        with open(os.path.join(tmp, "file.bin"), "rb") as f:
            data = f.read()

        async def raw_asgi(scope: Any, receive: Any, send: Any) -> None:
            headers = [(b"content-type", b"application/octet-stream")]
            headers.append((b"content-length", str(len(data)).encode()))
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": data})

        apps = {
            "boca.static": StaticFiles(tmp),
            "starlette": StarletteStaticFiles(directory=tmp),
            "raw_asgi (bytes in memory)": raw_asgi,
        }
        rates: dict[str, list[float]] = {name: [] for name in apps}
        for app in apps.values():  # warm up (fills boca's cache)
            loop.run_until_complete(_run(app, 0.1))
        names = list(apps)
        for r in range(args.rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                rates[name].append(loop.run_until_complete(_run(apps[name], args.seconds)))
    med = {name: statistics.median(v) for name, v in rates.items()}
    print(f"| app | req/s (median of {args.rounds} x {args.seconds}s) | ÷ starlette |")
    print("|---|---|---|")
    for name, value in med.items():
        print(f"| {name} | {value:,.0f} | {value / med['starlette']:.1f} |")


if __name__ == "__main__":
    main()
