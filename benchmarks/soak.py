"""`make soak`: a million keep-alive requests against `boca run`, watching memory and descriptors.

    python benchmarks/soak.py [--requests 1000000] [--connections 32] [--warmup 100000]

Serves a small app with `boca run` (Boca's protocol, one worker) and sends it a mix over
keep-alive connections: plaintext, JSON, a 404, a static file (boca-static), and, every 100
requests, an event stream opened, read and dropped, and a websocket echo. The server's RSS and
open file descriptors are printed every few seconds. Passes when RSS at the end is within 10% of
RSS after the warm-up and the descriptors are back where they were: a leak of a few hundred bytes
a request would show as tens of megabytes here. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import websockets

APP = """
from pathlib import Path

from boca.core import App, server_event
from boca.static import StaticFiles

app = App()
app.mount("/static", StaticFiles(Path(__file__).parent / "public"))


@app.route("/plaintext")
async def plaintext(req, res):
    res.text = "Hello, World!"


@app.route("/json")
async def json_(req, res):
    res.json = {"message": "Hello, World!", "n": [1, 2, 3]}


@app.route("/events")
async def events(req, res):
    @res.event_stream(heartbeat=5)
    async def stream():
        n = 0
        while True:  # endless: the client drops it, the server must let it go
            n += 1
            yield server_event(data=f"tick {n}", id=n)


@app.websocket_route("/echo")
async def echo(ws):
    async for message in ws:
        await ws.send(message)
"""

PATHS = [b"/plaintext", b"/json", b"/missing", b"/static/style.css"]
STATUS = {
    b"/plaintext": b"200",
    b"/json": b"200",
    b"/missing": b"404",
    b"/static/style.css": b"200",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class Counter:
    def __init__(self, total: int) -> None:
        self.done = 0
        self.total = total
        self.errors = 0


async def read_response(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = head[9:12]
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length)


async def keep_alive(port: int, counter: Counter, offset: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    n = offset
    try:
        while counter.done < counter.total:
            path = PATHS[n % len(PATHS)]
            n += 1
            writer.write(b"GET " + path + b" HTTP/1.1\r\nHost: soak\r\n\r\n")
            status, _ = await read_response(reader)
            if status != STATUS[path]:
                counter.errors += 1
            counter.done += 1
            if counter.done % 100 == 0:
                await asyncio.gather(event_stream(port, counter), websocket_echo(port, counter))
    finally:
        writer.close()


async def event_stream(port: int, counter: Counter) -> None:
    """Connect to an endless stream, read its first event, drop the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /events HTTP/1.1\r\nHost: soak\r\n\r\n")
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        counter.errors += 1
    await reader.readuntil(b"\n\n")
    writer.close()
    counter.done += 1


async def websocket_echo(port: int, counter: Counter) -> None:
    async with websockets.connect(f"ws://127.0.0.1:{port}/echo") as ws:
        await ws.send("ping")
        if await ws.recv() != "ping":
            counter.errors += 1
    counter.done += 1


async def drive(port: int, pid: int, requests: int, connections: int, warmup: int) -> int:
    counter = Counter(requests)
    started = time.monotonic()
    base_fds = fds(pid)
    warm_rss: int | None = None
    print(f"start: RSS {rss_kib(pid) / 1024:.1f} MiB, {base_fds} fds", flush=True)
    tasks = [asyncio.create_task(keep_alive(port, counter, i)) for i in range(connections)]
    last = 0.0
    while not all(t.done() for t in tasks):
        await asyncio.sleep(0.5)
        now = time.monotonic()
        if warm_rss is None and counter.done >= warmup:
            warm_rss = rss_kib(pid)
            print(f"warmed up after {counter.done} requests: RSS {warm_rss / 1024:.1f} MiB")
        if now - last >= 5:
            last = now
            rate = counter.done / (now - started)
            print(
                f"{now - started:6.0f} s {counter.done:>9} requests ({rate:,.0f}/s) "
                f"RSS {rss_kib(pid) / 1024:6.1f} MiB  fds {fds(pid):4}  errors {counter.errors}",
                flush=True,
            )
    for task in tasks:
        task.result()
    await asyncio.sleep(2)  # let the server see the last closes
    end_rss, end_fds = rss_kib(pid), fds(pid)
    took = time.monotonic() - started
    print(
        f"end: {counter.done} requests in {took:.0f} s ({counter.done / took:,.0f}/s), "
        f"{counter.errors} errors; RSS {end_rss / 1024:.1f} MiB, {end_fds} fds"
    )
    warm_rss = warm_rss or end_rss
    growth = (end_rss - warm_rss) / warm_rss
    print(f"RSS after warm-up {warm_rss / 1024:.1f} MiB, at the end {growth:+.1%}")
    ok = abs(growth) <= 0.10 and end_fds <= base_fds and counter.errors == 0
    print("soak: " + ("passed" if ok else "FAILED (RSS beyond 10%, fds left open or errors)"))
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="boca-soak-") as directory:
        root = Path(directory)
        (root / "soak_app.py").write_text(APP)
        (root / "public").mkdir()
        (root / "public" / "style.css").write_text("body { color: #333; }\n" * 40)
        port = free_port()
        boca = Path(sys.executable).with_name("boca")
        log = (root / "server.log").open("wb")  # its access log: a million lines
        server = subprocess.Popen(
            [str(boca), "run", "soak_app:app", "--port", str(port)],
            cwd=root,
            stdout=log,
            stderr=log,
        )
        code = 1
        try:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                raise RuntimeError("boca run did not start")
            warmup = min(args.warmup, args.requests // 2)
            code = asyncio.run(drive(port, server.pid, args.requests, args.connections, warmup))
        finally:
            server.terminate()
            server.wait(30)
            log.close()
            if code:
                lines = (root / "server.log").read_text(errors="replace").splitlines()
                errors = [line for line in lines if "ERROR" in line or "Traceback" in line]
                print("\n".join(["server errors:", *errors[-20:]] if errors else lines[-20:]))
        return code


if __name__ == "__main__":
    sys.exit(main())
