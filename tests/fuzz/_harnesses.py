"""Fuzzing harnesses: each takes the fuzzer's bytes and raises when an invariant breaks.

`make fuzz` runs them under atheris (tests/fuzz/run.py); test_fuzz_corpus.py replays every input
saved under tests/fuzz/corpus/<harness>/ through the same function, so a crash found once stays
fixed. The invariants: no 5xx and no exception escaping for any input, a request head answered
with a well-formed status line, and no template name reading outside its directory.
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

_loop: asyncio.AbstractEventLoop | None = None
_state: dict[str, Any] = {}


def loop() -> asyncio.AbstractEventLoop:
    global _loop
    if _loop is None:
        _loop = asyncio.new_event_loop()
    return _loop


def text(data: bytes) -> str:
    """Any bytes as a str the way a server decodes a header: latin-1, so nothing is lost."""
    return data.decode("latin-1")


def _app() -> Any:
    if "app" in _state:
        return _state["app"]
    from boca.core import App

    directory = Path(tempfile.mkdtemp(prefix="boca-fuzz-"))
    (directory / "data.bin").write_bytes(bytes(range(256)) * 4)
    app = App()

    @app.route("/s/{v}")
    async def string(req: Any, res: Any, v: str) -> None:
        res.text = v

    @app.route("/i/{v:int}/{w:float}")
    async def numbers(req: Any, res: Any, v: int, w: float) -> None:
        res.text = f"{v} {w!r}"  # not res.json: orjson refuses ints past 64 bits (a 500)

    @app.route("/u/{v:uuid}/{p:path}")
    async def uuid_path(req: Any, res: Any, v: Any, p: str) -> None:
        res.text = p

    @app.route("/cookies")
    async def cookies(req: Any, res: Any) -> None:
        res.json = dict(req.cookies)

    @app.route("/set-cookie")
    async def set_cookie(req: Any, res: Any) -> None:
        try:
            res.set_cookie(req.headers["x-name"], req.headers["x-value"])
        except ValueError:  # refused when set: the documented answer to a bad name or value
            res.status_code = 422

    @app.route("/form", methods=["POST"])
    async def form(req: Any, res: Any) -> None:
        data = await req.form()
        res.json = {key: str(value) for key, value in data.multi_items()}

    @app.route("/file")
    async def file(req: Any, res: Any) -> None:
        res.file(directory / "data.bin")

    _state["app"] = app
    return app


def call(
    method: str, path: bytes, headers: list[tuple[bytes, bytes]], body: bytes = b""
) -> tuple[int, bytes]:
    """One request through the app in-process, as Uvicorn would hand it over."""
    from urllib.parse import unquote_to_bytes

    raw_path, _, query = path.partition(b"?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote_to_bytes(raw_path).decode("utf-8", "replace"),
        "raw_path": raw_path,
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"fuzz"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    sent: list[dict[str, Any]] = []
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        if chunks:
            return chunks.pop()
        await asyncio.Event().wait()  # the client stays until the answer is complete
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    loop().run_until_complete(_app()(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    _state["headers"] = next(m for m in sent if m["type"] == "http.response.start")["headers"]
    return status, content


def no_5xx(status: int, body: bytes) -> None:
    if status >= 500:
        raise AssertionError(f"{status}: {body[:300]!r}")


def router(data: bytes) -> None:
    """Any request target: routed or refused, never a 5xx."""
    path = b"/" + data.replace(b"\r", b"").replace(b"\n", b"")
    no_5xx(*call("GET", path, []))


def cookies(data: bytes) -> None:
    """Any Cookie header parses; any name and value set with set_cookie is refused or exact."""
    no_5xx(*call("GET", b"/cookies", [(b"cookie", data)]))
    name, _, value = data.partition(b"=")
    status, body = call("GET", b"/set-cookie", [(b"x-name", name), (b"x-value", value)])
    no_5xx(status, body)
    if status == 422:
        return
    [header] = [text(v) for k, v in _state["headers"] if k == b"set-cookie"]
    if re.search(r"[\x00-\x1f\x7f]", header):
        raise AssertionError(f"control character in {header!r}")
    # What a browser sends back is the first `name=value`: Boca must read the same cookie.
    pair = header.split(";", 1)[0].encode("latin-1")
    status, body = call("GET", b"/cookies", [(b"cookie", pair)])
    if json.loads(body) != {text(name): text(value)}:
        raise AssertionError(f"{name!r}={value!r} set as {header!r} came back as {body!r}")


def multipart(data: bytes) -> None:
    """Any multipart body: a form or a 4xx."""
    boundary, _, body = data.partition(b"\n")
    content_type = b"multipart/form-data; boundary=" + boundary[:70]
    no_5xx(*call("POST", b"/form", [(b"content-type", content_type)], body))


def range_(data: bytes) -> None:
    """Any Range header on a file: 200 with the whole file, 206 with the bytes named, 400 or 416."""
    status, body = call("GET", b"/file", [(b"range", data)])
    no_5xx(status, body)
    if status not in (200, 206, 400, 416):
        raise AssertionError(f"{status} for Range {data!r}")
    if status == 200 and body != bytes(range(256)) * 4:
        raise AssertionError("200 without the whole file")


class _Transport:
    """What Boca's protocol needs of an asyncio transport, keeping what it writes."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.closing = False

    def write(self, data: bytes) -> None:
        self.out += data

    def close(self) -> None:
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 5000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def set_protocol(self, protocol: Any) -> None:
        pass


def feed(data: bytes) -> bytes:
    """`data` into a fresh connection of Boca's protocol, in two reads split at the place the
    first byte says; every request it starts answered; what it wrote."""
    import uvicorn
    from uvicorn.server import ServerState

    from boca.core.server import HttpToolsProtocol

    if "config" not in _state:
        config = uvicorn.Config(_app(), http=HttpToolsProtocol, log_level="critical")
        config.load()
        _state["config"] = config
    state = ServerState()
    protocol = HttpToolsProtocol(
        config=_state["config"], server_state=state, app_state={}, _loop=loop()
    )
    transport = _Transport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    cut = data[0] % (len(data) + 1) if data else 0
    for piece in (data[:cut], data[cut:]):
        if piece and not transport.closing:
            protocol.data_received(piece)
    for _ in range(20):  # pipelined requests start one after the other
        if not state.tasks:
            break
        done, _ = loop().run_until_complete(asyncio.wait(set(state.tasks), timeout=0.2))
        if not done:  # a request waits for a body that will not come: the client leaves
            protocol.connection_lost(None)
    protocol.connection_lost(None)
    return bytes(transport.out)


def request_head(data: bytes) -> None:
    """Any bytes on a connection to Boca's protocol: each answer has a well-formed status line,
    none is a 5xx, and nothing escapes `data_received`."""
    out = feed(data)
    for line in re.findall(rb"HTTP/1\.1 [^\r\n]*", out):
        if not re.fullmatch(rb"HTTP/1\.1 [1-5][0-9]{2} [ -~]*", line):
            raise AssertionError(f"malformed status line {line!r}")
        if line[9:10] == b"5":
            raise AssertionError(f"5xx answer {line!r} to {data[:200]!r}")


def template_names(data: bytes) -> None:
    """Any template name: the page it names or TemplateNotFound, never a file outside the
    directory, and the cache never above its size."""
    from boca.templates import TemplateNotFound, Templates

    if "templates" not in _state:
        root = Path(tempfile.mkdtemp(prefix="boca-fuzz-templates-"))
        (root / "pages").mkdir()
        (root / "pages" / "page.html").write_text("PAGE {{ 1 + 1 }}")
        (root / "secret.txt").write_text("SECRET")
        _state["templates"] = Templates(str(root / "pages"), cache_size=8)
    templates = _state["templates"]
    try:
        page = templates.render_sync(text(data))
    except TemplateNotFound:
        return
    if "SECRET" in page:
        raise AssertionError(f"{data!r} read outside the template directory")
    if page != "PAGE 2":
        raise AssertionError(f"{data!r} rendered {page!r}")


HARNESSES: dict[str, Callable[[bytes], None]] = {
    "router": router,
    "request_head": request_head,
    "multipart": multipart,
    "cookies": cookies,
    "range": range_,
    "template_names": template_names,
}
