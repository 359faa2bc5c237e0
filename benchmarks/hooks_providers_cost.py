"""What hooks and providers cost a request: the same GET view, plain, with one before and one
after no-op hook, and with two request providers. In-process, interleaved.

Each round runs every variant for a short slice, rotating the order; the table shows the median
req/s over rounds and the microseconds each variant adds to a request.

    python benchmarks/hooks_providers_cost.py [--seconds 0.5] [--rounds 7]
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import cli, make_scope, one, rate

from boca.core import App, after, before


async def noop(req: Any, res: Any, params: Any) -> None:
    pass


def plain_app() -> App:
    app = App()

    @app.route("/item")
    async def item(req: Any, res: Any) -> None:
        res.json = {"id": 1}

    return app


def hooked_app() -> App:
    app = App()

    @app.route("/item")
    @before(noop)
    @after(noop)
    async def item(req: Any, res: Any) -> None:
        res.json = {"id": 1}

    return app


def provided_app() -> App:
    app = App()

    @app.provider
    async def user() -> str:
        return "ada"

    @app.provider
    async def session() -> str:
        return "s1"

    @app.route("/item")
    async def item(req: Any, res: Any, user: str, session: str) -> None:
        res.json = {"id": 1}

    return app


VARIANTS = {
    "plain view": plain_app,
    "1 before + 1 after hook": hooked_app,
    "2 request providers": provided_app,
}
SCENARIO = ("item", "GET", "/item", b"", b"", 200)


async def main(seconds: float, rounds: int) -> None:
    apps = {name: build() for name, build in VARIANTS.items()}
    for app in apps.values():
        await one(app, make_scope("GET", "/item", b"", b""), b"")
    results: dict[str, list[float]] = {name: [] for name in apps}
    order = list(apps.items())
    for r in range(rounds):
        rotated = order[r % len(order) :] + order[: r % len(order)]
        for name, app in rotated:
            results[name].append(await rate(app, SCENARIO, seconds))
    med = {name: statistics.median(values) for name, values in results.items()}
    base = med["plain view"]
    print(f"### Hooks and providers, in-process (median of {rounds} rounds x {seconds}s)\n")
    print("| variant | req/s | µs per request | added µs per request |")
    print("|---|---|---|---|")
    for name, value in med.items():
        added = 1e6 / value - 1e6 / base
        print(f"| {name} | {value:,.0f} | {1e6 / value:.2f} | {added:+.2f} |")


if __name__ == "__main__":
    cli(main, __doc__ or "", rounds=7)
