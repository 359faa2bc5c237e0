"""Memory a server keeps after a burst of connections: Boca's protocol vs Uvicorn's stock one.

    python benchmarks/connection_memory.py [--connections 10000] [--rounds 3] [--trace]

For each protocol, a server runs the same Boca app in a subprocess (uvloop, as `boca run`),
under tracemalloc with `--trace`. The client opens `--connections` keep-alive connections at
once, sends a request on each, reads the answer, then closes them all, `--rounds` times. While
they are open and after each burst, the server collects garbage and reports its RSS and what
tracemalloc holds compared with before the first burst, with the biggest allocation sites: what a
connection costs, and what a closed one leaves behind. A measurement, not a test: figures vary
with the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import socket
import subprocess
import sys
import time
from typing import Any

SERVER = r"""
import gc, json, sys, tracemalloc
TRACE = sys.argv[3] == "trace"
if TRACE:
    tracemalloc.start(8)
import uvicorn
from boca.core import App
from boca.core.server import HttpToolsProtocol

app = App()
baseline = []

@app.route("/ping")
async def ping(req, res):
    res.text = "pong"

def _status(top):
    gc.collect()
    with open("/proc/self/status") as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    if not TRACE:
        return {"rss_kib": rss, "traced_kib": 0, "held_kib": 0, "top": []}
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)]
    )
    if not baseline:
        baseline.append(snapshot)
    stats = snapshot.compare_to(baseline[0], "traceback")
    return {
        "rss_kib": rss,
        "traced_kib": tracemalloc.get_traced_memory()[0] // 1024,
        "held_kib": sum(s.size_diff for s in stats) // 1024,
        "top": [
            [s.size_diff // 1024, s.count_diff, s.traceback.format()[-2:]]
            for s in stats[:top] if s.size_diff > 0
        ],
    }

@app.route("/status/{top:int}")
async def status(req, res, top: int):
    res.json = _status(top)

http = HttpToolsProtocol if sys.argv[2] == "boca" else "httptools"
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), http=http, loop="uvloop",
            log_level="warning", lifespan="off", backlog=16384, timeout_keep_alive=60)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def get(port: int, path: str) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    data = await reader.read()
    writer.close()
    return data.partition(b"\r\n\r\n")[2]


async def status(port: int, top: int) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(await get(port, f"/status/{top}"))
    return result


async def burst(port: int, count: int, top: int) -> dict[str, Any]:
    """`count` connections open at once, one keep-alive request each, then all closed.

    Returns the server's status while they are all open."""
    opening = asyncio.Semaphore(500)  # the listen backlog, not the server, is the limit here

    async def open_one() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        async with opening:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        # At once: Boca's protocol closes a connection that sends nothing for 10 s.
        writer.write(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
        return reader, writer

    connections = await asyncio.gather(*(open_one() for _ in range(count)))
    await asyncio.gather(*(reader.readuntil(b"pong") for reader, _ in connections))
    held = await status(port, top)
    for _, writer in connections:
        writer.close()
    await asyncio.sleep(1.0)  # let the server see every close
    return held


async def drive(port: int, count: int, rounds: int, top: int) -> dict[str, Any]:
    for _ in range(600):  # importing under tracemalloc is slow
        try:
            before = await status(port, top)
            break
        except OSError:
            await asyncio.sleep(0.1)
    else:
        raise RuntimeError("the server did not start")
    after, held = [], []
    for _ in range(rounds):
        held.append(await burst(port, count, top))
        after.append(await status(port, top))
    return {"before": before, "after": after, "held": held}


def measure(protocol: str, count: int, rounds: int, top: int, trace: bool) -> dict[str, Any]:
    port = free_port()
    mode = "trace" if trace else "rss"
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), protocol, mode])
    try:
        return asyncio.run(drive(port, count, rounds, top))
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--protocol", choices=["boca", "uvicorn"], action="append")
    parser.add_argument(
        "--trace", action="store_true", help="tracemalloc on (finds what is kept; RSS inflated)"
    )
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the server inherits it
    for protocol in args.protocol or ["uvicorn", "boca"]:
        started = time.monotonic()
        result = measure(protocol, args.connections, args.rounds, args.top, args.trace)
        before = result["before"]
        print(f"\n{protocol}: {args.connections} connections x {args.rounds} bursts")
        print(f"  before: RSS {before['rss_kib'] / 1024:.1f} MiB")
        for n, after in enumerate(result["after"], 1):
            print(
                f"  after burst {n}: RSS {after['rss_kib'] / 1024:.1f} MiB, "
                f"traced {after['traced_kib'] / 1024:.1f} MiB, "
                f"held since start {after['held_kib'] / 1024:.2f} MiB"
            )
        held = result["held"][-1]
        per = (held["held_kib"] - result["after"][-1]["held_kib"]) * 1024 / args.connections
        print(
            f"  while {args.connections} are open: RSS {held['rss_kib'] / 1024:.1f} MiB, "
            f"traced {held['traced_kib'] / 1024:.1f} MiB ({per:.0f} bytes a connection)"
        )
        for size, count, where in held["top"]:
            print(
                f"    open: +{size} KiB in {count} blocks at {' / '.join(w.strip() for w in where)}"
            )
        for size, count, where in result["after"][-1]["top"]:
            print(f"    +{size} KiB in {count} blocks at {' / '.join(w.strip() for w in where)}")
        print(f"  ({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
