from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal

import pytest

from boca.core import App, Converter, register_converter
from boca.core.testing import TestClient


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class HexConverter(Converter[int]):
    regex = "[0-9a-f]+"

    def convert(self, value: str) -> int:
        return int(value, 16)

    def to_url(self, value: int) -> str:
        return format(value, "x")


class BrokenConverter(Converter[str]):
    regex = "[a-z]+"

    def convert(self, value: str) -> str:
        raise KeyError(value)


register_converter("hex", HexConverter())
register_converter("broken", BrokenConverter())


def make_app() -> App:
    app = App()

    @app.route("/int/{v:int}")
    async def i(req, res, v: int):
        res.json = {"v": v, "type": type(v).__name__}

    @app.route("/float/{v:float}")
    async def f(req, res, v: float):
        res.json = {"v": v, "type": type(v).__name__}

    @app.route("/uuid/{v:uuid}")
    async def u(req, res, v: uuid.UUID):
        res.json = {"v": str(v), "type": type(v).__name__}

    @app.route("/str/{v:str}")
    async def s(req, res, v: str):
        res.json = {"v": v}

    @app.route("/path/{v:path}", name="path")
    async def p(req, res, v: str):
        res.json = {"v": v}

    @app.route("/hex/{v:hex}", name="hex")
    async def h(req, res, v: int):
        res.json = {"v": v}

    @app.route("/broken/{v:broken}")
    async def b(req, res, v):
        pass

    @app.route("/typed/{n}/{x}/{flag}/{d}/{u}/{day}/{at}/{color}/{level}")
    async def typed(
        req,
        res,
        n: int,
        x: float,
        flag: bool,
        d: Decimal,
        u: uuid.UUID,
        day: dt.date,
        at: dt.datetime,
        color: Color,
        level: Level,
    ):
        res.json = {
            "n": n,
            "x": x,
            "flag": flag,
            "d": str(d),
            "u": str(u),
            "day": day.isoformat(),
            "at": at.isoformat(),
            "color": color.value,
            "level": level.value,
        }

    @app.route("/query")
    async def query(
        req,
        res,
        n: int = 1,
        flag: bool = False,
        tags: list[int] = [],  # noqa: B006
        name: str | None = None,
        names: list | None = None,
        color: Color = Color.RED,
        d: Decimal | None = None,
        when: dt.date | None = None,
    ):
        if names is None:
            names = []
        res.json = {
            "n": n,
            "flag": flag,
            "tags": tags,
            "name": name,
            "names": names,
            "color": color.value,
            "d": None if d is None else str(d),
            "when": None if when is None else when.isoformat(),
        }

    return app


client = TestClient(make_app())


def test_builtin_converters() -> None:
    assert client.get("/int/42").json() == {"v": 42, "type": "int"}
    assert client.get("/float/1.5").json() == {"v": 1.5, "type": "float"}
    assert client.get("/float/2").json() == {"v": 2.0, "type": "float"}
    uid = "12345678-1234-5678-1234-567812345678"
    assert client.get(f"/uuid/{uid}").json() == {"v": uid, "type": "UUID"}
    assert client.get("/str/hello%20world").json() == {"v": "hello world"}
    assert client.get("/path/a/b/c").json() == {"v": "a/b/c"}


@pytest.mark.parametrize(
    "path",
    [
        "/int/abc",
        "/int/-1",
        "/int/1.5",
        "/int/%D9%A3",  # Arabic-Indic digit: ASCII only
        "/float/abc",
        "/float/1e5",
        "/float/inf",
        "/float/nan",
        "/float/-1.0",
        "/uuid/not-a-uuid",
        "/uuid/12345678123456781234567812345678",
        "/str/",
        "/hex/xyz",
        "/int/" + "9" * 1001,
        "/float/" + "9" * 1001,
    ],
)
def test_converter_non_match_is_404(path: str) -> None:
    assert client.get(path).status_code == 404


def test_user_converter_and_reverse() -> None:
    app = client.app
    assert client.get("/hex/ff").json() == {"v": 255}
    assert app.url_for("hex", v=255) == "/hex/ff"  # type: ignore[attr-defined]


def test_user_converter_raising_other_error_is_500() -> None:
    response = client.get("/broken/abc")
    assert response.status_code == 500
    assert response.json()["error"] == "500 Internal Server Error"


def test_register_converter_validates() -> None:
    with pytest.raises(ValueError, match="identifier"):
        register_converter("no-dash", HexConverter())
    with pytest.raises(TypeError, match=r"instance of boca\.core\.Converter"):
        register_converter("plain", object())  # type: ignore[arg-type]


def test_base_converter_defaults() -> None:
    converter: Converter[str] = Converter()
    assert converter.match("abc")
    assert not converter.match("a/b")
    assert converter.to_url("x") == "x"
    with pytest.raises(NotImplementedError):
        converter.convert("x")


def test_annotations_convert_path_params() -> None:
    uid = "12345678-1234-5678-1234-567812345678"
    url = f"/typed/7/2.5/yes/1.10/{uid}/2024-02-29/2024-02-29T12:30:00/blue/2"
    assert client.get(url).json() == {
        "n": 7,
        "x": 2.5,
        "flag": True,
        "d": "1.10",
        "u": uid,
        "day": "2024-02-29",
        "at": "2024-02-29T12:30:00",
        "color": "blue",
        "level": 2,
    }


def test_bad_path_annotations_give_400_naming_each() -> None:
    url = "/typed/x/y/maybe/z/u/2024-13-01/yesterday/green/3"
    response = client.get(url)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "400 Bad Request"
    bad = {tuple(e["loc"]): e for e in body["detail"]}
    names = ["n", "x", "flag", "d", "u", "day", "at", "color", "level"]
    assert list(bad) == [("path", name) for name in names]
    assert bad["path", "n"] == {
        "loc": ["path", "n"],
        "msg": "expected an integer",
        "type": "type",
    }
    assert bad["path", "color"]["msg"] == "expected one of: red, blue"


def test_huge_numbers_in_annotations_are_400() -> None:
    uid = "12345678-1234-5678-1234-567812345678"
    url = f"/typed/{'9' * 5000}/{'9' * 5000}/1/{'9' * 5000}/{uid}/2024-01-01/2024-01-01T00:00/red/1"
    bad = client.get(url).json()["detail"]
    assert [e["loc"] for e in bad] == [["path", "n"], ["path", "x"], ["path", "d"]]
    inf = client.get(f"/typed/1/1e400/1/1/{uid}/2024-01-01/2024-01-01T00:00/red/1")
    assert inf.json()["detail"] == [
        {"loc": ["path", "x"], "msg": "expected a finite number", "type": "type"}
    ]


def test_query_defaults_and_conversion() -> None:
    assert client.get("/query").json() == {
        "n": 1,
        "flag": False,
        "tags": [],
        "name": None,
        "names": [],
        "color": "red",
        "d": None,
        "when": None,
    }
    response = client.get(
        "/query?n=5&flag=ON&tags=1&tags=2&name=x&names=a&names=b&color=blue&d=-0.5&when=2020-01-02"
    )
    assert response.json() == {
        "n": 5,
        "flag": True,
        "tags": [1, 2],
        "name": "x",
        "names": ["a", "b"],
        "color": "blue",
        "d": "-0.5",
        "when": "2020-01-02",
    }


def test_bad_query_values_give_400_naming_each() -> None:
    response = client.get("/query?n=abc&flag=perhaps&tags=1&tags=x&color=green&d=1e&when=no")
    assert response.status_code == 400
    assert response.json() == {
        "error": "400 Bad Request",
        "status": 400,
        "detail": [
            {"loc": ["query", name], "msg": msg, "type": "type"}
            for name, msg in [
                ("n", "expected an integer"),
                ("flag", "expected a boolean (true/false, 1/0, yes/no, on/off)"),
                ("tags", "expected an integer"),
                ("color", "expected one of: red, blue"),
                ("d", "expected a decimal number"),
                ("when", "expected an ISO 8601 date (YYYY-MM-DD)"),
            ]
        ],
    }


def test_huge_query_number_is_400() -> None:
    response = client.get("/query?n=" + "1" * 5000)
    assert response.status_code == 400
    assert response.json()["detail"] == [
        {"loc": ["query", "n"], "msg": "expected an integer", "type": "type"}
    ]


def test_false_values() -> None:
    for text in ("0", "false", "No", "off", "f", "n"):
        assert client.get(f"/query?flag={text}").json()["flag"] is False


def test_float_overflowing_to_infinity_is_404() -> None:
    assert client.get("/float/" + "9" * 400).status_code == 404


def test_union_annotation_refused() -> None:
    async def view(req, res, x: int | str = 1):  # type: ignore[no-untyped-def]
        pass

    with pytest.raises(Exception, match="cannot convert URL values"):
        App().route("/u")(view)


def test_tail_converters_tried_in_order() -> None:
    app = App()

    @app.route("/t/{a:int}")
    async def number(req, res, a: int):
        res.text = "int"

    @app.route("/t/{p:path}")
    async def rest(req, res, p: str):
        res.text = "path " + p

    c = TestClient(app)
    assert c.get("/t/1").text == "int"
    assert c.get("/t/x/y").text == "path x/y"
    assert c.get("/t/1/2").text == "path 1/2"


def test_tail_with_suffix_that_does_not_match_is_404() -> None:
    app = App()

    @app.route("/e/{p:path}.txt")
    async def text(req, res, p: str):
        res.text = p

    c = TestClient(app)
    assert c.get("/e/a/b.txt").text == "a/b"
    assert c.get("/e/a/b.pdf").status_code == 404
