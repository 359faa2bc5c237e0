from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from decimal import Decimal

import pytest

from boca.core import App, Request, Response
from boca.core.testing import TestClient


class Color(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Model:
    def model_dump(self, mode: str) -> dict[str, str]:
        return {"mode": mode}


def make_app() -> App:
    app = App()

    @app.route("/status")
    async def status(req, res):
        res.status_code = 201
        res.headers["X-One"] = "1"
        res.headers.append("x-multi", "a")
        res.headers.append("X-Multi", "b")
        res.headers.setdefault("x-default", "d")
        res.text = "created"

    @app.route("/replace-headers")
    async def replace(req, res):
        res.headers = {"X-A": "1", "content-type": "text/csv"}
        res.text = "a,b"

    @app.route("/last/{which}")
    async def last(req, res, which: str):
        res.json = {"first": True}
        res.text = "text"
        res.html = "<p>html</p>"
        res.content = b"bytes"
        if which == "json":
            res.json = {"last": True}
        elif which == "text":
            res.text = "last text"
        elif which == "html":
            res.html = "<b>last</b>"
        res.headers["x-getters"] = f"{res.text}|{res.html}|{res.json}"
        res.headers["x-content"] = str(len(res.content))

    @app.route("/types")
    async def types(req, res):
        res.json = {
            "dt": dt.datetime(2024, 1, 2, 3, 4, 5),
            "date": dt.date(2024, 1, 2),
            "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
            "decimal": Decimal("1.10"),
            "enum": Color.RED,
            "dataclass": Point(1, 2),
            "set": {1},
            "model": Model(),
            1: "int key",
        }

    @app.route("/unserialisable")
    async def unserialisable(req, res):
        res.json = {"x": object()}

    @app.route("/media")
    async def media(req, res):
        res.text = "x"
        res.media_type = "text/x-custom"

    @app.route("/empty/{code:int}")
    async def empty(req, res, code: int):
        res.status_code = code
        res.headers["content-length"] = "99"
        res.headers["etag"] = '"e"'
        res.text = "never sent"

    @app.route("/cookies")
    async def cookies(req, res):
        res.set_cookie("plain", "v")
        res.set_cookie(
            "full",
            "x",
            max_age=60,
            expires=3600,
            path="/p",
            domain="example.com",
            secure=True,
            httponly=False,
            samesite="strict",
            partitioned=True,
        )
        res.set_cookie("nosite", "y", samesite=None)
        res.delete_cookie("old")

    @app.route("/attachment")
    async def attachment(req, res, name: str = "report.pdf"):
        res.attachment = name
        res.headers["x-attachment"] = res.attachment or ""
        res.content = b"%PDF"

    @app.route("/no-attachment")
    async def no_attachment(req, res):
        res.text = res.attachment or "none"

    @app.route("/render")
    async def render(req, res):
        res.render("page.html", title="x")

    return app


client = TestClient(make_app())


def test_status_and_multi_value_headers() -> None:
    response = client.get("/status")
    assert response.status_code == 201
    assert response.text == "created"
    assert response.headers["x-one"] == "1"
    assert response.headers.get_list("x-multi") == ["a", "b"]
    assert response.headers["x-default"] == "d"


def test_user_content_type_wins() -> None:
    response = client.get("/replace-headers")
    assert response.headers["content-type"] == "text/csv"
    assert response.headers["x-a"] == "1"


@pytest.mark.parametrize(
    ("which", "ctype", "body", "getters"),
    [
        ("json", "application/json", b'{"last":true}', "None|None|{'last': True}"),
        ("text", "text/plain; charset=utf-8", b"last text", "last text|None|None"),
        ("html", "text/html; charset=utf-8", b"<b>last</b>", "None|<b>last</b>|None"),
        ("bytes", "application/octet-stream", b"bytes", "None|None|None"),
    ],
)
def test_last_body_setter_wins(which: str, ctype: str, body: bytes, getters: str) -> None:
    response = client.get(f"/last/{which}")
    assert response.headers["content-type"] == ctype
    assert response.content == body
    assert response.headers["x-getters"] == getters


def test_json_types() -> None:
    assert client.get("/types").json() == {
        "dt": "2024-01-02T03:04:05",
        "date": "2024-01-02",
        "uuid": "12345678-1234-5678-1234-567812345678",
        "decimal": "1.10",
        "enum": "red",
        "dataclass": {"x": 1, "y": 2},
        "set": [1],
        "model": {"mode": "json"},
        "1": "int key",
    }


def test_unserialisable_json_is_500() -> None:
    assert client.get("/unserialisable").status_code == 500


def test_media_type_override() -> None:
    assert client.get("/media").headers["content-type"] == "text/x-custom"


@pytest.mark.parametrize("code", [204, 304])
def test_no_body_statuses(code: int) -> None:
    response = client.get(f"/empty/{code}")
    assert response.status_code == code
    assert response.content == b""
    assert "content-length" not in response.headers
    assert response.headers["etag"] == '"e"'


def test_cookies() -> None:
    response = client.get("/cookies")
    cookies = response.headers.get_list("set-cookie")
    assert cookies[0] == "plain=v; HttpOnly; Path=/; SameSite=Lax"
    full = cookies[1]
    for part in (
        "full=x",
        "Max-Age=60",
        "Path=/p",
        "Domain=example.com",
        "Secure",
        "SameSite=Strict",
        "Partitioned",
        "expires=",
    ):
        assert part in full
    assert "HttpOnly" not in full
    assert cookies[2] == "nosite=y; HttpOnly; Path=/"
    assert cookies[3].startswith('old=""; expires=')
    assert "Max-Age=0" in cookies[3]


def test_cookie_errors() -> None:
    res = Response(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="invalid cookie name"):
        res.set_cookie("a;b", "x")
    with pytest.raises(ValueError, match="invalid path"):
        res.set_cookie("a", "x", path="/;x")
    with pytest.raises(ValueError, match="invalid domain"):
        res.set_cookie("a", "x", domain="a.com\r\n")
    with pytest.raises(ValueError, match="samesite"):
        res.set_cookie("a", "x", samesite="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="invalid expires"):
        res.set_cookie("a", "x", expires="x\r\nSet-Cookie: y=1")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", 'attachment; filename="report.pdf"'),
        ("名前.pdf", "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E5%90%8D%E5%89%8D.pdf"),
        (
            'a";\\" dummy".txt',
            'attachment; filename="a_;__ dummy_.txt"; '
            "filename*=UTF-8''a%22%3B%5C%22%20dummy%22.txt",
        ),
    ],
)
def test_attachment(name: str, expected: str) -> None:
    response = client.get("/attachment", params={"name": name})
    assert response.headers["content-disposition"] == expected
    assert response.headers["x-attachment"] == expected


def test_no_attachment() -> None:
    assert client.get("/no-attachment").text == "none"


def test_render_without_engine_is_500(caplog: pytest.LogCaptureFixture) -> None:
    assert client.get("/render").status_code == 500
    assert "needs a template engine" in caplog.text


def test_render_with_engine() -> None:
    app = make_app()

    class Engine:
        async def render(self, name: str, context: dict[str, object]) -> str:
            return f"<h1>{name} {context['title']} {context['request'] is not None}</h1>"

    app.extensions["templates"] = Engine()
    response = TestClient(app).get("/render")
    assert response.text == "<h1>page.html x True</h1>"
    assert response.headers["content-type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("x-a", "a\r\nb", ValueError),
        ("x-a", "a\nb", ValueError),
        ("x-a", "a\x00b", ValueError),
        ("x a", "v", ValueError),
        ("x:a", "v", ValueError),
        ("x-a", "名前", ValueError),
        ("x-a", 1, TypeError),
    ],
)
def test_header_validation(name: str, value: object, error: type[Exception]) -> None:
    res = Response(None)  # type: ignore[arg-type]
    with pytest.raises(error):
        res.headers[name] = value  # type: ignore[assignment]
    with pytest.raises(error):
        res.headers.append(name, value)  # type: ignore[arg-type]
    with pytest.raises(error):
        res.headers.setdefault(name, value)  # type: ignore[arg-type]
    with pytest.raises(error):
        res.headers = {name: value}  # type: ignore[dict-item]


def test_media_type_with_crlf_is_500() -> None:
    app = App()

    @app.route("/m")
    async def m(req, res):
        res.media_type = "text/plain\r\nx-injected: y"
        res.text = "x"

    response = TestClient(app).get("/m")
    assert response.status_code == 500
    assert "x-injected" not in response.headers


def test_hostile_integers_beyond_64_bits_are_answered_as_json() -> None:
    """A huge integer path value echoed back (orjson refuses them) is JSON, not a 500."""
    app = App()

    @app.route("/echo/{v:int}")
    async def echo(req: Request, res: Response, v: int) -> None:
        res.json = {"v": v, "list": [v, 1], "nested": {"n": -v}}

    huge = 10**30
    response = TestClient(app).get(f"/echo/{huge}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == (b'{"v":%d,"list":[%d,1],"nested":{"n":-%d}}' % (huge, huge, huge))
