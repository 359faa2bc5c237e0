"""Boca's own benchmark: Boca vs Starlette, in-process, interleaved, reported as ratios.

Each round runs every (scenario, framework) pair for a short slice, rotating the order, and the
table reports the median rate over rounds. The machine's absolute speed drifts; the ratios
taken in one run are what to compare.

    python benchmarks/run.py [--seconds 0.5] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from boca.core import App

HELLO = "Hello, World!"
Scope = dict[str, Any]


def boca_app(extra_routes: int) -> App:
    app = App()

    @app.route("/plaintext")
    async def plaintext(req: Any, res: Any) -> None:
        res.text = HELLO

    @app.route("/json")
    async def json_(req: Any, res: Any) -> None:
        res.json = {"message": HELLO}

    for i in range(extra_routes):

        @app.route(f"/r{i}/{{x}}")
        async def extra(req: Any, res: Any, x: str) -> None:
            res.text = x

    @app.route("/users/{id:int}")
    async def user(req: Any, res: Any, id: int) -> None:
        res.json = {"id": id}

    @app.route("/query")
    async def query(req: Any, res: Any) -> None:
        res.json = dict(req.query_params)

    @app.route("/echo", methods=["POST"])
    async def echo(req: Any, res: Any) -> None:
        res.json = await req.json()

    return app


def starlette_app(extra_routes: int) -> Starlette:
    async def plaintext(request: StarletteRequest) -> PlainTextResponse:
        return PlainTextResponse(HELLO)

    async def json_(request: StarletteRequest) -> JSONResponse:
        return JSONResponse({"message": HELLO})

    async def extra(request: StarletteRequest) -> PlainTextResponse:
        return PlainTextResponse(request.path_params["x"])

    async def user(request: StarletteRequest) -> JSONResponse:
        return JSONResponse({"id": request.path_params["id"]})

    async def query(request: StarletteRequest) -> JSONResponse:
        return JSONResponse(dict(request.query_params))

    async def echo(request: StarletteRequest) -> JSONResponse:
        return JSONResponse(await request.json())

    routes = [
        Route("/plaintext", plaintext),
        Route("/json", json_),
        *[Route(f"/r{i}/{{x}}", extra) for i in range(extra_routes)],
        Route("/users/{id:int}", user),
        Route("/query", query),
        Route("/echo", echo, methods=["POST"]),
    ]
    return Starlette(routes=routes)


# (name, method, path, query, body, expected status)
SCENARIOS = [
    ("plaintext", "GET", "/plaintext", b"", b"", 200),
    ("json", "GET", "/json", b"", b"", 200),
    ("users", "GET", "/users/123", b"", b"", 200),
    ("query", "GET", "/query", b"a=1&b=2", b"", 200),
    ("echo", "POST", "/echo", b"", b'{"name":"boca","tags":["fast","async"],"n":42}', 200),
    ("missing", "GET", "/missing", b"", b"", 404),
]


def make_scope(method: str, path: str, query: bytes, body: bytes) -> Scope:
    headers = [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"bench"), (b"accept", b"*/*")]
    if body:
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": method,
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": headers,
        "state": {},
    }


async def one(app: Callable[..., Any], scope: Scope, body: bytes) -> int:
    status = 0
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # pragma: no cover - never reached in these scenarios
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(dict(scope), receive, send)
    return status


async def rate(app: Callable[..., Any], scenario: tuple[Any, ...], seconds: float) -> float:
    _, method, path, query, body, expected = scenario
    scope = make_scope(method, path, query, body)
    status = await one(app, scope, body)
    if status != expected:
        raise SystemExit(f"{scenario[0]}: expected {expected}, got {status}")
    count = 0
    deadline = time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < deadline:
        for _ in range(200):
            await one(app, scope, body)
        count += 200
    return count / (time.perf_counter() - start)


async def main(seconds: float, rounds: int) -> None:
    apps = {"starlette": starlette_app(50), "boca": boca_app(50)}
    scale = {
        "boca (10 routes)": boca_app(10),
        "boca (1000 routes)": boca_app(1000),
        "starlette (10 routes)": starlette_app(10),
        "starlette (1000 routes)": starlette_app(1000),
    }
    for app in [*apps.values(), *scale.values()]:
        await one(app, make_scope("GET", "/json", b"", b""), b"")
    results: dict[tuple[str, str], list[float]] = {}
    for r in range(rounds):
        order = list(apps.items())
        if r % 2:
            order.reverse()
        for scenario in SCENARIOS:
            for name, app in order:
                results.setdefault((scenario[0], name), []).append(
                    await rate(app, scenario, seconds)
                )
        users = SCENARIOS[2]
        for name, app in scale.items():
            results.setdefault(("users", name), []).append(await rate(app, users, seconds))
    med = {key: statistics.median(values) for key, values in results.items()}
    print(f"### Boca vs Starlette, in-process (median of {rounds} rounds x {seconds}s)\n")
    print("| scenario | starlette req/s | boca req/s | boca / starlette |")
    print("|---|---|---|---|")
    for scenario in SCENARIOS:
        s, b = med[(scenario[0], "starlette")], med[(scenario[0], "boca")]
        print(f"| {scenario[0]} | {s:,.0f} | {b:,.0f} | {b / s:.2f}x |")
    print("\n### Routing scale: GET /users/123 behind 10 vs 1000 routes\n")
    print("| framework | 10 routes | 1000 routes | 1000 / 10 |")
    print("|---|---|---|---|")
    for fw in ("boca", "starlette"):
        small, large = med[("users", f"{fw} (10 routes)")], med[("users", f"{fw} (1000 routes)")]
        print(f"| {fw} | {small:,.0f} | {large:,.0f} | {large / small:.2f} |")


def cli(main_fn: Callable[[float, int], Any], doc: str, rounds: int = 3) -> None:
    """Parse `--seconds` and `--rounds`, then run `main_fn` on uvloop when it is installed."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5)
    parser.add_argument("--rounds", type=int, default=rounds)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    asyncio.run(main_fn(args.seconds, args.rounds))


if __name__ == "__main__":
    cli(main, __doc__ or "")
