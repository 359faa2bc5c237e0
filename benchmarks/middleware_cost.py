"""What one middleware adds to a request: `boca.core.Middleware` vs Starlette's BaseHTTPMiddleware.

GET /plaintext, in-process (no sockets), on four apps: a Boca app without middleware and with one
`Middleware` subclass whose `before_dispatch` and `after_dispatch` do nothing, and a Starlette app
without middleware and with one `BaseHTTPMiddleware` whose `dispatch` only calls `call_next`.
Rounds interleave the four with the order rotated; the table shows the median time per request
and what the middleware adds to it. Compare the numbers of one run, not across runs.

    python benchmarks/middleware_cost.py [--seconds 0.5] [--rounds 7]
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

from run import (  # benchmarks/run.py: the same driver and scope as Boca's benchmark
    SCENARIOS,
    cli,
    rate,
)
from starlette.applications import Starlette
from starlette.middleware import Middleware as StarletteMiddleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request as StarletteRequest
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from boca.core import App, Middleware, Request, ResponseStart
from boca.core import Response as BocaResponse

HELLO = "Hello, World!"
PLAINTEXT = SCENARIOS[0]
assert PLAINTEXT[0] == "plaintext"


class Noop(Middleware):
    async def before_dispatch(self, req: Request, res: BocaResponse) -> Any:
        return None

    async def after_dispatch(self, req: Request, res: ResponseStart) -> None:
        return None


class StarletteNoop(BaseHTTPMiddleware):
    async def dispatch(
        self, request: StarletteRequest, call_next: RequestResponseEndpoint
    ) -> Response:
        return await call_next(request)


def boca(middleware: bool) -> App:
    app = App()

    @app.route("/plaintext")
    async def plaintext(req: Any, res: Any) -> None:
        res.text = HELLO

    if middleware:
        app.add_middleware(Noop)
    return app


def starlette(middleware: bool) -> Starlette:
    async def plaintext(request: StarletteRequest) -> PlainTextResponse:
        return PlainTextResponse(HELLO)

    stack = [StarletteMiddleware(StarletteNoop)] if middleware else []
    return Starlette(routes=[Route("/plaintext", plaintext)], middleware=stack)


async def main(seconds: float, rounds: int) -> None:
    apps: dict[str, Callable[..., Any]] = {
        "boca": boca(False),
        "boca + Middleware": boca(True),
        "starlette": starlette(False),
        "starlette + BaseHTTPMiddleware": starlette(True),
    }
    times: dict[str, list[float]] = {name: [] for name in apps}
    for r in range(rounds):
        order = list(apps.items())
        order = order[r % len(order) :] + order[: r % len(order)]
        for name, app in order:
            times[name].append(1e6 / await rate(app, PLAINTEXT, seconds))
    us = {name: statistics.median(values) for name, values in times.items()}
    boca_cost = us["boca + Middleware"] - us["boca"]
    starlette_cost = us["starlette + BaseHTTPMiddleware"] - us["starlette"]
    print(f"### One no-op middleware, GET /plaintext (median of {rounds} rounds x {seconds}s)\n")
    print("| app | µs / request | added by the middleware |")
    print("|---|---|---|")
    print(f"| boca | {us['boca']:.1f} | |")
    print(
        f"| boca + `Middleware` (before + after) | {us['boca + Middleware']:.1f} | "
        f"{boca_cost:+.1f} µs |"
    )
    print(f"| starlette | {us['starlette']:.1f} | |")
    print(
        f"| starlette + `BaseHTTPMiddleware` | {us['starlette + BaseHTTPMiddleware']:.1f} | "
        f"{starlette_cost:+.1f} µs |"
    )
    print(
        f"\nBoca's added cost / BaseHTTPMiddleware's: {boca_cost / starlette_cost:.2f} "
        "(target: at most 0.33)"
    )


if __name__ == "__main__":
    cli(main, __doc__ or "", rounds=7)
