"""Publish-to-receive latency through Redis for 1,000 subscribers, and what a publish costs.

A real redis-server is started here (on a free port, no persistence). Subscribers are spread
over `--workers` processes, each with its own `Channels` (one pub/sub connection per process,
as in production); a publisher process sends `--messages` messages, one every `--interval`
seconds, each stamped with the system-wide monotonic clock. Every subscriber records when each
message reached it; the latency is receive time minus publish time, over every delivery.
Then it measures sequential publishes per second from one process, and Redis' own count of
commands per publish. Run it with the repository's environment:

    .venv/bin/python benchmarks/channels_fanout.py --subscribers 1000 --workers 1
    .venv/bin/python benchmarks/channels_fanout.py --subscribers 1000 --workers 4

Needs `redis-server` (Debian: `apt-get install redis-server`).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import statistics
import time
from typing import Any

import anyio

from boca.channels import Channels, RedisBackend
from boca.channels.testing import RedisServer

CHANNEL = "bench"


def now() -> float:
    return time.clock_gettime(time.CLOCK_MONOTONIC)  # the same clock in every process


async def subscribe_and_record(
    url: str, count: int, messages: int, ready: Any, results: Any
) -> None:
    latencies: list[float] = []
    async with Channels(RedisBackend(url), max_history=0, max_pending=messages + 1) as channels:
        subscribed = 0

        async def subscriber() -> None:
            nonlocal subscribed
            async with channels.subscribe(CHANNEL, max_pending=messages + 1) as sub:
                subscribed += 1
                if subscribed == count:
                    ready.set()
                for _ in range(messages):
                    message = await sub.receive()
                    latencies.append(now() - message.data["t"])

        with anyio.fail_after(120):
            async with anyio.create_task_group() as tasks:
                for _ in range(count):
                    tasks.start_soon(subscriber)
    results.put(latencies)


def run(fn: Any, *args: Any) -> Any:
    """On asyncio, with uvloop when it is installed: what Uvicorn uses by default."""
    try:
        import uvloop  # noqa: F401
    except ImportError:  # pragma: no cover - uvicorn[standard] installs it
        return anyio.run(fn, *args)
    return anyio.run(fn, *args, backend_options={"use_uvloop": True})


def worker(url: str, count: int, messages: int, ready: Any, results: Any) -> None:
    run(subscribe_and_record, url, count, messages, ready, results)


async def publish(url: str, messages: int, interval: float) -> None:
    async with Channels(RedisBackend(url), max_history=0) as channels:
        for n in range(messages):
            await channels.publish(CHANNEL, {"n": n, "t": now()})
            await anyio.sleep(interval)


async def publish_rate(url: str, seconds: float, history: int) -> float:
    async with Channels(RedisBackend(url), max_history=history) as channels:
        done, deadline = 0, time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            await channels.publish(CHANNEL, {"n": done})
            done += 1
    return done / seconds


def calls(server: RedisServer, *names: str) -> int:
    """How many times Redis ran these commands (INFO commandstats)."""
    info = server.command("INFO", "commandstats").decode()
    found = dict(re.findall(r"cmdstat_(\w+):calls=(\d+)", info))
    return sum(int(found.get(name, 0)) for name in names)


def round_trips(server: RedisServer, history: int) -> int:
    # With history a publish is one EVALSHA (XADD, PEXPIRE and PUBLISH run inside it);
    # without, one PUBLISH.
    return calls(server, "evalsha", "eval") if history else calls(server, "publish")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1, help="processes the subscribers use")
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.01, help="seconds between publishes")
    parser.add_argument("--seconds", type=float, default=2.0, help="for the publish rate")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    with RedisServer(persistent=False) as server:
        ready = [multiprocessing.Event() for _ in range(args.workers)]
        results: Any = multiprocessing.Queue()
        share = [args.subscribers // args.workers] * args.workers
        share[0] += args.subscribers - sum(share)
        processes = [
            multiprocessing.Process(
                target=worker, args=(server.url, n, args.messages, event, results)
            )
            for n, event in zip(share, ready, strict=True)
        ]
        for process in processes:
            process.start()
        for event in ready:
            if not event.wait(60):
                raise SystemExit("the subscribers did not start")
        run(publish, server.url, args.messages, args.interval)
        latencies = [value for _ in processes for value in results.get(timeout=120)]
        for process in processes:
            process.join(30)

        rates, trips = {}, {}
        for history in (0, 100):
            before = round_trips(server, history)
            rates[history] = run(publish_rate, server.url, args.seconds, history)
            published = rates[history] * args.seconds
            trips[history] = (round_trips(server, history) - before) / published

    report = {
        "load_average_1min": os.getloadavg()[0],
        "subscribers": args.subscribers,
        "workers": args.workers,
        "deliveries": len(latencies),
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": max(latencies) * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000,
        "publishes_per_s_no_history": rates[0],
        "publishes_per_s_history_100": rates[100],
        "round_trips_per_publish_no_history": trips[0],
        "round_trips_per_publish_history_100": trips[100],
    }
    if args.json:
        print(json.dumps(report))
        return
    print(
        f"{args.subscribers} subscribers in {args.workers} process(es), "
        f"{len(latencies)} deliveries of {args.messages} messages, one every {args.interval} s "
        f"(load average {report['load_average_1min']:.1f})"
    )
    print(
        f"publish-to-receive latency: p50 {report['p50_ms']:.2f} ms, "
        f"p99 {report['p99_ms']:.2f} ms, max {report['max_ms']:.2f} ms"
    )
    print(
        f"sequential publishes from one process: {rates[0]:.0f}/s (max_history=0), "
        f"{rates[100]:.0f}/s (max_history=100); Redis round trips per publish: "
        f"{trips[0]:.2f} and {trips[100]:.2f}"
    )


if __name__ == "__main__":
    main()
