"""Requests/s over HTTP of a plaintext app without a rate limiter, with RateLimitMiddleware on
MemoryStore, and on RedisStore (a real redis-server started here), and Redis' own count of
round trips (script calls) per request.

The plaintext app is the benchmark contract's `plaintext` scenario served by Boca (`App`, the
limiter switched on by the `RATE_LIMIT` setting), and a bare ASGI callable wrapped in the
middleware (the least work a server can do per request, so the limiter's largest share).
Each variant is one Uvicorn worker (httptools, uvloop when installed, no access log) on
127.0.0.1, loaded by wrk; rounds interleave the variants with the order rotated and the table
shows medians. The limit is high enough that nothing is refused: this measures the cost of
the check. Run it with the repository's environment:

    .venv/bin/python benchmarks/ratelimit_http.py --seconds 3 --rounds 3

Needs `wrk` and `redis-server` (Debian: `apt-get install wrk redis-server`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STORES = ("none", "memory", "redis")
BASES = ("boca", "asgi")
VARIANTS = tuple(f"{base}-{store}" for base in BASES for store in STORES)
HELLO = b"Hello, World!"


async def plaintext(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    headers = [(b"content-type", b"text/plain"), (b"content-length", b"13")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": HELLO})


def boca_plaintext(settings: dict[str, Any]) -> Any:
    from boca.core import App

    app = App(settings=settings)

    @app.route("/")
    async def index(req: Any, res: Any) -> None:
        res.text = "Hello, World!"

    return app


def build_app() -> Any:
    """The app Uvicorn serves in each server process (`ratelimit_http:app`)."""
    base, _, variant = os.environ.get("BENCH_VARIANT", "asgi-none").partition("-")
    limits = ["1000000/second", "100000000/hour"]
    if variant == "none":
        return plaintext if base == "asgi" else boca_plaintext({})
    from boca.middleware import MemoryStore, RateLimitMiddleware, RedisStore

    store = MemoryStore() if variant == "memory" else RedisStore(os.environ["BENCH_REDIS_URL"])
    if base == "boca":
        return boca_plaintext({"RATE_LIMIT": {"limits": limits, "store": store}})
    return RateLimitMiddleware(plaintext, limits, store=store)


if os.environ.get("BENCH_VARIANT"):
    app = build_app()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{what} did not start") from None
            time.sleep(0.05)


def redis_command(port: int, *parts: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(" ".join(parts).encode() + b"\r\n")
        time.sleep(0.05)
        return sock.recv(1 << 20)


def evals(port: int) -> int:
    """How many EVALSHA/EVAL calls Redis served so far: the round trips of the rate limiter
    (the commands the script runs inside Redis are counted apart by Redis, not sent)."""
    info = redis_command(port, "INFO", "commandstats").decode()
    return sum(int(m) for m in re.findall(r"cmdstat_eval(?:sha)?:calls=(\d+)", info))


def cpu_seconds(pid: int) -> float:
    """The user and system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(port: int, seconds: int, connections: int, pin: list[str]) -> tuple[float, int]:
    """Requests/s, and how many requests wrk completed."""
    result = subprocess.run(
        [*pin, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"http://127.0.0.1:{port}/"],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    )
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    done = re.search(r"(\d+) requests in", result.stdout)
    if match is None or done is None or "Non-2xx" in result.stdout:
        raise SystemExit(f"wrk failed or got errors:\n{result.stdout}")
    return float(match[1]), int(done[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    for program in ("wrk", "redis-server"):
        if shutil.which(program) is None:
            raise SystemExit(f"{program} is not installed (apt-get install {program})")
    two_cpus = (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    server_pin = ["taskset", "-c", "0"] if two_cpus else []
    client_pin = ["taskset", "-c", "1"] if two_cpus else []

    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            redis_port = free_port()
            redis = subprocess.Popen(
                [
                    *client_pin, "redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                    "--dir", tmp, "--save", "", "--appendonly", "no",
                ],
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
            processes.append(redis)
            wait_for(redis_port, redis, "redis-server")
            ports, servers = {}, {}
            for variant in VARIANTS:
                port = ports[variant] = free_port()
                env = {
                    **os.environ,
                    "BENCH_VARIANT": variant,
                    "BENCH_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                }
                server = subprocess.Popen(
                    [
                        *server_pin, sys.executable, "-m", "uvicorn", "ratelimit_http:app",
                        "--app-dir", str(Path(__file__).parent), "--port", str(port),
                        "--no-access-log", "--log-level", "warning", "--http", "httptools",
                    ],
                    env=env,
                )  # fmt: skip
                processes.append(server)
                servers[variant] = server.pid
                wait_for(port, server, f"uvicorn ({variant})")
            rates: dict[str, list[float]] = {v: [] for v in VARIANTS}
            # The server's CPU per request: what the limiter costs, even when the machine's
            # other tenants take the core away for a while (throughput drops; this does not).
            cpu: dict[str, list[float]] = {v: [] for v in VARIANTS}
            requests_redis = 0
            before = evals(redis_port)
            for round_ in range(args.rounds):
                shift = round_ % len(VARIANTS)
                for variant in VARIANTS[shift:] + VARIANTS[:shift]:
                    before_cpu = cpu_seconds(servers[variant])
                    rate, done = wrk(ports[variant], args.seconds, args.connections, client_pin)
                    rates[variant].append(rate)
                    cpu[variant].append((cpu_seconds(servers[variant]) - before_cpu) / done * 1e6)
                    if variant.endswith("-redis"):
                        requests_redis += done
            trips = (evals(redis_port) - before) / requests_redis
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(10)

    medians = {v: statistics.median(r) for v, r in rates.items()}
    cpu_us = {v: statistics.median(c) for v, c in cpu.items()}
    if args.json:
        report = {"req_per_s": medians, "cpu_us_per_request": cpu_us}
        print(json.dumps({**report, "redis_round_trips_per_request": trips}))
        return
    labels = {"none": "no rate limiter", "memory": "MemoryStore", "redis": "RedisStore"}
    print(f"{'app':<8}{'variant':<20}{'req/s':>10}{'vs none':>10}{'CPU µs/req':>12}{'vs none':>10}")
    for base in BASES:
        for store in STORES:
            rate, used = medians[f"{base}-{store}"], cpu_us[f"{base}-{store}"]
            ratio = rate / medians[f"{base}-none"]
            # As a throughput: how many requests the same CPU serves, relative to none.
            cpu_ratio = cpu_us[f"{base}-none"] / used
            print(
                f"{base:<8}{labels[store]:<20}{rate:>10.0f}{ratio:>10.2f}{used:>12.1f}{cpu_ratio:>10.2f}"
            )
    print(f"Redis round trips (script calls) per request, RedisStore: {trips:.3f}")


if __name__ == "__main__":
    main()
