"""boca.middleware against Starlette's equivalents, in-process, interleaved.

Each scenario wraps the same tiny plain ASGI app with Boca's middleware and with
Starlette's, built with the same options, and drives it with synthetic
scope/receive/send (no sockets). Rounds interleave the two with the order rotated,
and the table shows the median req/s of each and their ratio: compare ratios taken
in one run, not absolute numbers across runs.

    python benchmarks/middleware_bench.py --seconds 0.4 --rounds 7
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from starlette.middleware.cors import CORSMiddleware as StarletteCORS
from starlette.middleware.gzip import GZipMiddleware as StarletteGZip
from starlette.middleware.httpsredirect import HTTPSRedirectMiddleware as StarletteHTTPSRedirect
from starlette.middleware.sessions import SessionMiddleware as StarletteSession
from starlette.middleware.trustedhost import TrustedHostMiddleware as StarletteTrustedHost

from boca.middleware import (
    CORSMiddleware,
    GZipMiddleware,
    HTTPSRedirectMiddleware,
    SessionMiddleware,
    TrustedHostMiddleware,
)

App = Callable[..., Any]

HELLO = b"Hello, World!"
# The ~10 KB JSON document of the shared harness's `big` scenario, serialised the way
# Starlette's JSONResponse does it.
BIG = json.dumps(
    {
        "users": [
            {
                "id": i,
                "name": f"user{i:03d}",
                "email": f"user{i:03d}@example.com",
                "active": i % 3 != 0,
                "score": round(i * 1.37, 2),
                "tags": ["alpha", "beta"] if i % 2 else ["gamma"],
            }
            for i in range(88)
        ]
    },
    ensure_ascii=False,
    separators=(",", ":"),
).encode()
SECRET = "benchmark-secret-key-0123456789"


def plain_app(body: bytes, content_type: bytes) -> App:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        session = scope.get("session")
        if session is not None:
            if scope["path"] == "/login":
                session["user"] = "alice"
            else:
                session.get("user")
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def scope_for(
    path: str = "/", scheme: str = "https", headers: list[tuple[bytes, bytes]] | None = None
) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": scheme,
        "method": "GET",
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"example.com"), (b"user-agent", b"bench"), *(headers or [])],
        "state": {},
    }


class Recorder:
    def __init__(self) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = message["headers"]
        else:
            self.body += message.get("body", b"")


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def discard(message: dict[str, Any]) -> None:
    return None


async def call(app: App, scope: dict[str, Any]) -> Recorder:
    recorder = Recorder()
    await app(dict(scope), receive, recorder.send)
    return recorder


async def session_cookie(app: App) -> bytes:
    recorder = await call(app, scope_for("/login"))
    value = next(v for k, v in recorder.headers if k == b"set-cookie")
    return value.split(b";", 1)[0]


ORIGIN = (b"origin", b"http://example.com")
GZIP = (b"accept-encoding", b"gzip, deflate")


async def build() -> list[tuple[str, dict[str, tuple[App, dict[str, Any]]]]]:
    small = plain_app(HELLO, b"text/plain; charset=utf-8")
    big = plain_app(BIG, b"application/json")
    hosts = ["example.com", "*.example.com"]
    boca_session = SessionMiddleware(small, secret_key=SECRET)
    starlette_session = StarletteSession(small, secret_key=SECRET)
    boca_cookie = await session_cookie(boca_session)
    starlette_cookie = await session_cookie(starlette_session)

    def cors(cls: Any, app: App) -> App:
        return cls(app, allow_origins=["*"])

    return [
        (
            "CORS (small, allow all)",
            {
                "boca": (cors(CORSMiddleware, small), scope_for(headers=[ORIGIN])),
                "starlette": (cors(StarletteCORS, small), scope_for(headers=[ORIGIN])),
            },
        ),
        (
            "CORS (small, listed origin)",
            {
                "boca": (
                    CORSMiddleware(small, allow_origins=["http://example.com"]),
                    scope_for(headers=[ORIGIN]),
                ),
                "starlette": (
                    StarletteCORS(small, allow_origins=["http://example.com"]),
                    scope_for(headers=[ORIGIN]),
                ),
            },
        ),
        (
            "GZip (small)",
            {
                "boca": (GZipMiddleware(small, 500, 6), scope_for(headers=[GZIP])),
                "starlette": (StarletteGZip(small, 500, 6), scope_for(headers=[GZIP])),
            },
        ),
        (
            "TrustedHost (small)",
            {
                "boca": (TrustedHostMiddleware(small, hosts), scope_for()),
                "starlette": (StarletteTrustedHost(small, hosts), scope_for()),
            },
        ),
        (
            "Session (small, read)",
            {
                "boca": (
                    boca_session,
                    scope_for(headers=[(b"cookie", boca_cookie)]),
                ),
                "starlette": (
                    starlette_session,
                    scope_for(headers=[(b"cookie", starlette_cookie)]),
                ),
            },
        ),
        (
            "HTTPSRedirect (small)",
            {
                "boca": (HTTPSRedirectMiddleware(small), scope_for("/a/b", scheme="http")),
                "starlette": (StarletteHTTPSRedirect(small), scope_for("/a/b", scheme="http")),
            },
        ),
        (
            "CORS + GZip (small)",
            {
                "boca": (
                    cors(CORSMiddleware, GZipMiddleware(small, 500, 6)),
                    scope_for(headers=[ORIGIN, GZIP]),
                ),
                "starlette": (
                    cors(StarletteCORS, StarletteGZip(small, 500, 6)),
                    scope_for(headers=[ORIGIN, GZIP]),
                ),
            },
        ),
        (
            "CORS + GZip (big, 10 KB JSON)",
            {
                "boca": (
                    cors(CORSMiddleware, GZipMiddleware(big, 500, 6)),
                    scope_for(headers=[ORIGIN, GZIP]),
                ),
                "starlette": (
                    cors(StarletteCORS, StarletteGZip(big, 500, 6)),
                    scope_for(headers=[ORIGIN, GZIP]),
                ),
            },
        ),
        (
            "CORS + GZip (big), each at its default level (Boca 6, Starlette 9)",
            {
                "boca": (
                    cors(CORSMiddleware, GZipMiddleware(big)),
                    scope_for(headers=[ORIGIN, GZIP]),
                ),
                "starlette": (
                    cors(StarletteCORS, StarletteGZip(big)),
                    scope_for(headers=[ORIGIN, GZIP]),
                ),
            },
        ),
    ]


async def check(name: str, impls: dict[str, tuple[App, dict[str, Any]]]) -> None:
    """Both sides must give the same status and body before they are timed."""
    results = {key: await call(app, scope) for key, (app, scope) in impls.items()}
    # Same class of answer (Boca redirects with 308 where Starlette uses 307).
    statuses = {r.status // 100 for r in results.values()}
    if len(statuses) != 1:
        raise SystemExit(f"{name}: statuses differ: {statuses}")
    for key, result in results.items():
        if dict(result.headers).get(b"content-encoding") == b"gzip":
            import zlib

            body = zlib.decompress(result.body, 31)
        else:
            body = result.body
        if result.status == 200 and body not in (HELLO, BIG):
            raise SystemExit(f"{name}: {key} sent an unexpected body")


async def rate(app: App, scope: dict[str, Any], seconds: float) -> float:
    done = 0
    began = time.perf_counter()
    deadline = began + seconds
    while True:
        for _ in range(200):
            await app(dict(scope, headers=list(scope["headers"]), state={}), receive, discard)
        done += 200
        now = time.perf_counter()
        if now >= deadline:
            return done / (now - began)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=0.5, help="time slice per run")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    scenarios = await build()
    for name, impls in scenarios:
        await check(name, impls)
    rates: dict[str, dict[str, list[float]]] = {
        n: {"boca": [], "starlette": []} for n, _ in scenarios
    }
    for round_no in range(args.rounds):
        print(f"round {round_no + 1}/{args.rounds}", file=sys.stderr)
        for name, impls in scenarios:
            order = ["boca", "starlette"] if round_no % 2 == 0 else ["starlette", "boca"]
            for key in order:
                app, scope = impls[key]
                gc.collect()
                rates[name][key].append(await rate(app, scope, args.seconds))

    print("| scenario | boca req/s | starlette req/s | boca ÷ starlette |")
    print("|---|---:|---:|---:|")
    for name, _ in scenarios:
        boca = statistics.median(rates[name]["boca"])
        starlette = statistics.median(rates[name]["starlette"])
        print(f"| {name} | {boca:,.0f} | {starlette:,.0f} | {boca / starlette:.2f}x |")


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    asyncio.run(main())
