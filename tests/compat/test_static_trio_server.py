"""boca.static and boca.templates served by a real Hypercorn on trio (127.0.0.1), in a
Starlette app: the event loop that asyncio-only code cannot run on."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from functools import partial

import httpx
import pytest
import trio
from hypercorn.config import Config
from hypercorn.trio import serve
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from boca.static import StaticFiles
from boca.templates import Jinja2Templates

from ._support import free_port

BIG = bytes(range(256)) * 4096  # 1 MiB: streamed from disk, not cached


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("trio")
    (root / "static").mkdir()
    (root / "static" / "hello.txt").write_text("Hello, trio!\n")
    (root / "static" / "big.bin").write_bytes(BIG)
    (root / "templates").mkdir()
    (root / "templates" / "page.html").write_text(
        "<a href=\"{{ url_for('static', path='/hello.txt') }}\">{{ who }}</a>"
    )
    templates = Jinja2Templates(directory=root / "templates")

    async def page(request: Request) -> Response:
        return templates.TemplateResponse(request, "page.html", {"who": "<trio>"})

    async def not_found(request: Request, exc: Exception) -> Response:
        return PlainTextResponse("custom 404", status_code=404)

    app = Starlette(
        routes=[
            Route("/", page),
            Mount("/static", StaticFiles(root / "static", cache_max_file_size=1024), name="static"),
        ],
        exception_handlers={404: not_found},
    )
    port = free_port()
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.loglevel = "WARNING"
    stop = threading.Event()

    async def stopped() -> None:
        while not stop.is_set():
            await trio.sleep(0.02)

    thread = threading.Thread(
        target=trio.run, args=(partial(serve, app, config, shutdown_trigger=stopped),)
    )
    thread.start()
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "hypercorn did not start"
            time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join(10)


def test_cached_and_streamed_files_on_trio(server: str) -> None:
    with httpx.Client(base_url=server) as client:
        r = client.get("/static/hello.txt")
        assert (r.status_code, r.text) == (200, "Hello, trio!\n")
        assert r.headers["content-type"] == "text/plain; charset=utf-8"
        r = client.get("/static/big.bin")
        assert (r.status_code, r.content) == (200, BIG)
        r = client.get("/static/big.bin", headers={"range": "bytes=1000-1999"})
        assert (r.status_code, r.content) == (206, BIG[1000:2000])
        assert r.headers["content-range"] == f"bytes 1000-1999/{len(BIG)}"
        r = client.get("/static/big.bin", headers={"range": "bytes=0-0,10-10"})
        assert r.status_code == 206
        assert r.headers["content-type"].startswith("multipart/byteranges; boundary=")


def test_errors_reach_the_host_app_on_trio(server: str) -> None:
    with httpx.Client(base_url=server) as client:
        r = client.get("/static/missing.txt")
        assert (r.status_code, r.text) == (404, "custom 404")
        r = client.get("/static/%2e%2e/templates/page.html")
        assert (r.status_code, r.text) == (404, "custom 404")


def test_templates_on_trio(server: str) -> None:
    with httpx.Client(base_url=server) as client:
        r = client.get("/")
    assert r.status_code == 200
    assert r.text == f'<a href="{server}/static/hello.txt">&lt;trio&gt;</a>'
