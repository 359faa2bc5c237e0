from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from boca.templates import TemplateNotFound, TemplateResponse, Templates

pytestmark = pytest.mark.anyio


async def call(app: Any, method: str = "GET", scope_type: str = "http") -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:  # pragma: no cover - never read
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": scope_type, "method": method, "path": "/", "headers": []}
    await app(scope, receive, send)
    return sent


async def test_response_renders_and_sends(template_dir: Path) -> None:
    templates = Templates(template_dir)
    response = templates.response("hello.html", {"name": "<ana>"})
    assert isinstance(response, TemplateResponse)
    start, body = await call(response)
    body_bytes = b"Hello &lt;ana&gt;!"
    assert start == {
        "type": "http.response.start",
        "status": 200,
        "headers": [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(body_bytes)).encode()),
        ],
    }
    assert body == {"type": "http.response.body", "body": body_bytes}


async def test_response_is_utf8(template_dir: Path) -> None:
    templates = Templates(template_dir)
    _, body = await call(templates.response("hello.html", {"name": "名前 ☃"}))
    assert body["body"] == "Hello 名前 ☃!".encode()


async def test_status_headers_and_media_type(template_dir: Path) -> None:
    templates = Templates(template_dir)
    response = templates.response(
        "feed.xml",
        {"name": "x"},
        status_code=201,
        headers={"X-Trace": "abc", "Cache-Control": "no-store"},
        media_type="application/xml",
    )
    start, body = await call(response)
    assert start["status"] == 201
    assert start["headers"] == [
        (b"x-trace", b"abc"),
        (b"cache-control", b"no-store"),
        (b"content-type", b"application/xml"),
        (b"content-length", b"16"),
    ]
    assert body["body"] == b"<title>x</title>"


async def test_content_type_header_wins_over_media_type(template_dir: Path) -> None:
    templates = Templates(template_dir)
    response = templates.response(
        "email.txt", headers={"Content-Type": "text/plain; charset=utf-8"}
    )
    start, _ = await call(response)
    assert start["headers"][0] == (b"content-type", b"text/plain; charset=utf-8")
    assert [name for name, _ in start["headers"]].count(b"content-type") == 1


async def test_text_media_types_get_a_charset(template_dir: Path) -> None:
    templates = Templates(template_dir)
    start, _ = await call(templates.response("email.txt", media_type="text/plain"))
    assert (b"content-type", b"text/plain; charset=utf-8") in start["headers"]
    start, _ = await call(templates.response("email.txt", media_type="text/plain; charset=UTF-8"))
    assert (b"content-type", b"text/plain; charset=UTF-8") in start["headers"]


async def test_head_sends_headers_without_body(template_dir: Path) -> None:
    templates = Templates(template_dir)
    start, body = await call(templates.response("hello.html", {"name": "x"}), method="HEAD")
    assert (b"content-length", b"8") in start["headers"]
    assert body == {"type": "http.response.body", "body": b""}


@pytest.mark.parametrize(
    "headers",
    [
        {"X-A": "a\r\nSet-Cookie: x=1"},
        {"X-A": "a\nb"},
        {"X-A": "a\x00"},
        {"X-A\r\nB": "a"},
        {"X A": "a"},
        {"": "a"},
    ],
)
def test_header_injection_is_refused(template_dir: Path, headers: dict[str, str]) -> None:
    templates = Templates(template_dir)
    with pytest.raises(ValueError, match="Invalid response header"):
        templates.response("hello.html", headers=headers)


def test_bad_media_type_is_refused(template_dir: Path) -> None:
    with pytest.raises(ValueError, match="Invalid media type"):
        Templates(template_dir).response("hello.html", media_type="text/html\r\nX: y")


def test_content_length_cannot_be_set(template_dir: Path) -> None:
    with pytest.raises(ValueError, match="content-length: it is computed"):
        Templates(template_dir).response("hello.html", headers={"Content-Length": "1"})


@pytest.mark.parametrize("status", [99, 600, "200", 200.0])
def test_bad_status_code(template_dir: Path, status: Any) -> None:
    with pytest.raises(ValueError, match="Invalid HTTP status code"):
        Templates(template_dir).response("hello.html", status_code=status)


async def test_websocket_scope_is_refused(template_dir: Path) -> None:
    response = Templates(template_dir).response("hello.html")
    with pytest.raises(RuntimeError, match="not 'websocket'"):
        await call(response, scope_type="websocket")


async def test_missing_template_raises_before_anything_is_sent(template_dir: Path) -> None:
    response = Templates(template_dir).response("nope.html")
    sent: list[Any] = []

    async def send(message: Any) -> None:  # pragma: no cover - must not be called
        sent.append(message)

    with pytest.raises(TemplateNotFound, match=r"nope\.html"):
        await response({"type": "http", "method": "GET"}, None, send)
    assert sent == []


async def test_a_bare_asgi_app(template_dir: Path) -> None:
    templates = Templates(template_dir)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        response = templates.response("page.html", {"title": scope["path"], "body": "b"})
        await response(scope, receive, send)

    start, body = await call(app)
    assert start["status"] == 200
    assert body["body"] == b"<h1>/</h1><p>b</p>"
