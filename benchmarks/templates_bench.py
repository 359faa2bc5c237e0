"""Micro-benchmark: `Templates.render` against plain Jinja2 rendering of the same template.

Renders the harness's `fixtures/templates/page.html` with its shared `TITLE`/`ITEMS` data,
interleaving the contenders round by round (order rotated each round) and reporting the
median time per render and the median of the per-round ratios to plain Jinja2.

    python benchmarks/templates_bench.py [BENCH_DIR] [--rounds 30] [--iterations 500]

BENCH_DIR is the shared benchmark folder (default: ../shared/bench from the repo root).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import jinja2

from boca.templates import Templates

ROOT = Path(__file__).resolve().parents[1]
Contender = Callable[[], Awaitable[Any]]
ASYNC_BASE = "jinja2 template.render_async"
SYNC_BASE = "jinja2 template.render (sync)"


def load_common(bench_dir: Path) -> Any:
    sys.path.insert(0, str(bench_dir / "apps"))
    import _common  # the shared payloads of the benchmark harness

    return _common


def contenders(common: Any) -> dict[str, tuple[str, Contender]]:
    template_dir = str(common.TEMPLATE_DIR)
    title, items = common.TITLE, common.ITEMS
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir), autoescape=True, enable_async=True
    )
    template = env.get_template("page.html")
    templates = Templates(template_dir)
    sync_template = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir), autoescape=True
    ).get_template("page.html")

    async def jinja2_template() -> str:
        return await template.render_async(title=title, items=items)

    async def jinja2_get_template() -> str:
        return await env.get_template("page.html").render_async(title=title, items=items)

    async def boca_render() -> str:
        return await templates.render("page.html", title=title, items=items)

    always_async = Templates(template_dir, async_render=True)

    async def boca_render_always_async() -> str:
        return await always_async.render("page.html", title=title, items=items)

    async def jinja2_sync() -> str:
        return sync_template.render(title=title, items=items)

    async def boca_render_sync() -> str:
        return templates.render_sync("page.html", title=title, items=items)

    # name -> (the plain Jinja2 contender it is compared with, the contender)
    return {
        ASYNC_BASE: (ASYNC_BASE, jinja2_template),
        "jinja2 get_template().render_async": (ASYNC_BASE, jinja2_get_template),
        "boca Templates(async_render=True).render": (ASYNC_BASE, boca_render_always_async),
        SYNC_BASE: (SYNC_BASE, jinja2_sync),
        # The default renders a template that awaits nothing in sync mode.
        "boca Templates.render": (SYNC_BASE, boca_render),
        "boca Templates.render_sync": (SYNC_BASE, boca_render_sync),
    }


async def run(
    bench: dict[str, tuple[str, Contender]], rounds: int, iterations: int
) -> dict[str, list[float]]:
    outputs = {name: await fn() for name, (_, fn) in bench.items()}
    if len(set(outputs.values())) != 1:
        raise SystemExit("contenders render different pages")
    samples: dict[str, list[float]] = {name: [] for name in bench}
    names = list(bench)
    for _ in range(3):  # warm-up
        for _, fn in bench.values():
            await fn()
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            fn = bench[name][1]
            start = time.perf_counter()
            for _ in range(iterations):
                await fn()
            samples[name].append((time.perf_counter() - start) / iterations * 1e6)
        print(f"round {r + 1}/{rounds}", file=sys.stderr)
    return samples


def report(bench: dict[str, tuple[str, Contender]], samples: dict[str, list[float]]) -> str:
    lines = [
        "| contender | median µs/render | median ratio to plain Jinja2 |",
        "|---|---:|---:|",
    ]
    for name, times in samples.items():
        ref = samples[bench[name][0]]
        ratio = statistics.median(t / b for t, b in zip(times, ref, strict=True))
        lines.append(f"| {name} | {statistics.median(times):.1f} | {ratio:.3f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bench_dir", nargs="?", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--iterations", type=int, default=500)
    args = parser.parse_args()
    common = load_common(args.bench_dir.resolve())
    bench = contenders(common)
    samples = asyncio.run(run(bench, args.rounds, args.iterations))
    print(report(bench, samples))


if __name__ == "__main__":
    main()
