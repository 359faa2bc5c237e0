"""Typed path, query, header and cookie parameters: sources, aliases, constraints, errors."""

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
import pytest
from annotated_types import Ge, Gt, Interval, Le, Len, Lt, MaxLen, MinLen, MultipleOf, Predicate

from boca.core import App, Cookie, Header, Path, Query, RequestValidationError, Router
from boca.core.testing import TestClient
from boca.core.views import ViewDeclarationError


class Color(enum.Enum):
    red = "red"
    blue = "blue"


def _app() -> App:
    app = App()

    @app.get("/items/{item_id}")
    async def item(
        req,
        res,
        item_id: Annotated[int, Gt(0)],
        page: Annotated[int, Query(alias="page-size", description="per page"), Ge(1), Le(50)] = 10,
        mode: Literal["short", "long"] = "short",
        tags: Annotated[list[str], MaxLen(2)] = [],  # noqa: B006 - never mutated
    ):
        return {"item_id": item_id, "page": page, "mode": mode, "tags": tags}

    @app.get("/headers")
    async def headers(
        req,
        res,
        x_request_source: Annotated[str | None, Header()] = None,
        token: Annotated[str, Header(alias="X-Api-Token"), MinLen(3)] = "anon",
        accept_language: Annotated[list[str], Header()] = [],  # noqa: B006
        x_count: Annotated[int, Header(), Lt(10)] = 0,
    ):
        return {
            "source": x_request_source,
            "token": token,
            "languages": accept_language,
            "count": x_count,
        }

    @app.get("/needs-header")
    async def needs_header(req, res, x_key: Annotated[str, Header()]):
        return {"key": x_key}

    @app.get("/cookies")
    async def cookies(
        req,
        res,
        session_id: Annotated[str, Cookie()],
        theme: Annotated[Literal["dark", "light"], Cookie(alias="ui-theme")] = "light",
    ):
        return {"session": session_id, "theme": theme}

    @app.get("/numbers")
    async def numbers(
        req,
        res,
        even: Annotated[int, MultipleOf(2)] = 0,
        ratio: Annotated[float, Interval(ge=0, lt=1)] = 0.5,
        code: Annotated[str, Len(2, 3)] = "ab",
        level: Annotated[int, msgspec.Meta(ge=1, le=3)] = 1,
        word: Annotated[str, msgspec.Meta(pattern="^[a-z]+$")] = "a",
    ):
        return {"even": even, "ratio": ratio, "code": code, "level": level, "word": word}

    @app.get("/kinds")
    async def kinds(
        req,
        res,
        when: dt.datetime | None = None,
        day: dt.date | None = None,
        uid: uuid.UUID | None = None,
        amount: Decimal | None = None,
        color: Color = Color.red,
        flag: bool = False,
        ratio: float = 1.0,
    ):
        return {
            "when": when,
            "day": day,
            "uid": uid,
            "amount": amount,
            "color": color,
            "flag": flag,
            "ratio": ratio,
        }

    @app.get("/required")
    async def required(req, res, q: Annotated[int, Query()]):
        return {"q": q}

    @app.get("/path/{name}")
    async def path(req, res, name: Annotated[str, Path(description="a name"), MaxLen(3)]):
        return {"name": name}

    return app


client = TestClient(_app())


def test_path_query_alias_literal_and_list_with_constraints() -> None:
    response = client.get("/items/3?page-size=20&mode=long&tags=a&tags=b")
    assert response.status_code == 200
    assert response.json() == {"item_id": 3, "page": 20, "mode": "long", "tags": ["a", "b"]}
    assert client.get("/items/3").json() == {
        "item_id": 3,
        "page": 10,
        "mode": "short",
        "tags": [],
    }


def test_every_bad_value_at_once_with_a_400() -> None:
    response = client.get("/items/0?page-size=99&mode=medium&tags=a&tags=b&tags=c")
    assert response.status_code == 400
    assert response.json() == {
        "error": "400 Bad Request",
        "status": 400,
        "detail": [
            {"loc": ["path", "item_id"], "msg": "Expected `int` >= 1", "type": "constraint"},
            {"loc": ["query", "page-size"], "msg": "Expected `int` <= 50", "type": "constraint"},
            {"loc": ["query", "mode"], "msg": "expected one of: short, long", "type": "type"},
            {
                "loc": ["query", "tags"],
                "msg": "Expected `array` of length <= 2",
                "type": "constraint",
            },
        ],
    }


def test_huge_and_non_numeric_values_are_400() -> None:
    response = client.get("/items/" + "9" * 5000)
    assert response.status_code == 400
    assert response.json()["detail"] == [
        {"loc": ["path", "item_id"], "msg": "expected an integer", "type": "type"}
    ]
    response = client.get("/items/1?page-size=ten")
    assert response.json()["detail"] == [
        {"loc": ["query", "page-size"], "msg": "expected an integer", "type": "type"}
    ]


def test_headers_by_name_alias_and_repeated() -> None:
    response = client.get(
        "/headers",
        headers=[
            ("X-Request-Source", "mobile"),
            ("X-Api-Token", "secret"),
            ("Accept-Language", "fr"),
            ("Accept-Language", "en"),
            ("X-Count", "4"),
        ],
    )
    assert response.json() == {
        "source": "mobile",
        "token": "secret",
        "languages": ["fr", "en"],
        "count": 4,
    }
    assert client.get("/headers").json() == {
        "source": None,
        "token": "anon",
        "languages": [],
        "count": 0,
    }


def test_bad_and_missing_headers_are_400() -> None:
    response = client.get("/headers", headers={"X-Api-Token": "ab", "X-Count": "12"})
    assert response.status_code == 400
    assert response.json()["detail"] == [
        {
            "loc": ["header", "x-api-token"],
            "msg": "Expected `str` of length >= 3",
            "type": "constraint",
        },
        {"loc": ["header", "x-count"], "msg": "Expected `int` <= 9", "type": "constraint"},
    ]
    missing = client.get("/needs-header")
    assert missing.status_code == 400
    assert missing.json()["detail"] == [
        {"loc": ["header", "x-key"], "msg": "Field required", "type": "missing"}
    ]
    assert client.get("/needs-header", headers={"x-key": "k"}).json() == {"key": "k"}


def test_cookies() -> None:
    ok = TestClient(_app(), cookies={"session_id": "s1", "ui-theme": "dark"})
    assert ok.get("/cookies").json() == {"session": "s1", "theme": "dark"}
    response = TestClient(_app(), cookies={"ui-theme": "pink"}).get("/cookies")
    assert response.status_code == 400
    assert response.json()["detail"] == [
        {"loc": ["cookie", "session_id"], "msg": "Field required", "type": "missing"},
        {"loc": ["cookie", "ui-theme"], "msg": "expected one of: dark, light", "type": "type"},
    ]


@pytest.mark.parametrize(
    ("query", "loc", "msg"),
    [
        ("even=3", "even", "Expected `int` that's a multiple of 2"),
        ("ratio=1", "ratio", "Expected `float` < 1.0"),
        ("ratio=-0.1", "ratio", "Expected `float` >= 0.0"),
        ("code=a", "code", "Expected `str` of length >= 2"),
        ("code=abcd", "code", "Expected `str` of length <= 3"),
        ("level=4", "level", "Expected `int` <= 3"),
        ("word=A1", "word", "Expected `str` matching regex '^[a-z]+$'"),
    ],
)
def test_each_constraint_kind(query: str, loc: str, msg: str) -> None:
    response = client.get("/numbers?" + query)
    assert response.status_code == 400
    assert response.json()["detail"] == [{"loc": ["query", loc], "msg": msg, "type": "constraint"}]


def test_constraints_pass() -> None:
    response = client.get("/numbers?even=4&ratio=0&code=abc&level=3&word=ok")
    assert response.json() == {"even": 4, "ratio": 0.0, "code": "abc", "level": 3, "word": "ok"}


def test_scalar_kinds_from_the_query_string() -> None:
    uid = "12345678-1234-5678-1234-567812345678"
    response = client.get(
        f"/kinds?when=2024-01-02T03:04:05&day=2024-01-02&uid={uid}&amount=1.50&color=blue"
        "&flag=yes&ratio=2.5"
    )
    assert response.json() == {
        "when": "2024-01-02T03:04:05",
        "day": "2024-01-02",
        "uid": uid,
        "amount": "1.50",
        "color": "blue",
        "flag": True,
        "ratio": 2.5,
    }


def test_required_query_parameter() -> None:
    response = client.get("/required")
    assert response.status_code == 400
    assert response.json()["detail"] == [
        {"loc": ["query", "q"], "msg": "Field required", "type": "missing"}
    ]
    assert client.get("/required?q=2").json() == {"q": 2}


def test_path_marker_with_constraint() -> None:
    assert client.get("/path/abc").json() == {"name": "abc"}
    response = client.get("/path/abcd")
    assert response.json()["detail"] == [
        {"loc": ["path", "name"], "msg": "Expected `str` of length <= 3", "type": "constraint"}
    ]


def test_messages_echo_only_a_short_escaped_excerpt() -> None:
    app = App()

    @app.get("/c")
    async def view(req, res, color: Color = Color.red):
        return {"color": color}

    response = TestClient(app).get("/c?color=" + "<script>" * 100)
    detail = response.json()["detail"][0]
    assert response.status_code == 400
    assert detail["msg"] == "expected one of: red, blue"


def test_validation_error_is_an_http_error_with_its_list() -> None:
    app = App()
    seen: list[object] = []

    @app.error_handler(RequestValidationError)
    async def handle(req, res, exc: RequestValidationError) -> None:
        seen.append(exc.errors)
        res.status_code = exc.status_code
        res.json = {"problems": len(exc.errors)}

    @app.get("/n")
    async def view(req, res, n: int = 0):
        return {"n": n}

    response = TestClient(app).get("/n?n=x")
    assert response.status_code == 400
    assert response.json() == {"problems": 1}
    assert seen == [[{"loc": ["query", "n"], "msg": "expected an integer", "type": "type"}]]
    assert "400 Bad Request: 1 error(s)" in str(RequestValidationError(400, seen[0]))  # type: ignore[arg-type]


def test_declaration_errors_name_the_view_the_parameter_and_the_fix() -> None:
    app = App()
    with pytest.raises(ViewDeclarationError) as info:

        @app.get("/p")
        async def predicate(req, res, n: Annotated[int, Predicate(lambda x: x > 0)] = 1):
            return None

    message = str(info.value)
    assert "route '/p': view " in message
    assert "predicate" in message
    assert "parameter 'n'" in message
    assert "is not supported" in message
    assert (
        "use Gt, Ge, Lt, Le, MultipleOf, MinLen, MaxLen, Len, Interval or msgspec.Meta" in message
    )

    with pytest.raises(ViewDeclarationError, match=r"parameter 'x' \(query\): cannot convert"):

        @app.get("/q")
        async def unknown(req, res, x: complex = 1j):
            return None

    with pytest.raises(ViewDeclarationError, match="marked Path\\(\\) but the pattern has no"):

        @app.get("/r")
        async def not_in_path(req, res, x: Annotated[str, Path()]):
            return None

    with pytest.raises(ViewDeclarationError, match="write Header\\(\\) with parentheses"):

        @app.get("/s")
        async def bare_marker(req, res, x: Annotated[str, Header] = ""):
            return None


def test_router_shortcuts_and_include_keep_typed_params() -> None:
    router = Router()

    @router.get("/r/{n}")
    async def view(req, res, n: Annotated[int, Ge(2)], q: Annotated[str, Header()] = "-"):
        return {"n": n, "q": q}

    app = App()
    app.include(router, prefix="/api")
    c = TestClient(app)
    assert c.get("/api/r/3", headers={"q": "x"}).json() == {"n": 3, "q": "x"}
    assert c.get("/api/r/1").json()["detail"] == [
        {"loc": ["path", "n"], "msg": "Expected `int` >= 2", "type": "constraint"}
    ]


def test_websocket_views_read_typed_query_and_headers() -> None:
    from starlette.websockets import WebSocketDisconnect

    app = App()

    @app.websocket_route("/ws/{room}")
    async def live(
        ws,
        room: int,
        token: Annotated[str, Query(), MinLen(2)],
        x_client: Annotated[str, Header()] = "-",
    ):
        await ws.send(f"{room} {token} {x_client}")

    client = TestClient(app)
    with client.websocket_connect("/ws/3?token=ab", headers={"X-Client": "cli"}) as ws:
        assert ws.receive_text() == "3 ab cli"
    with (
        pytest.raises(WebSocketDisconnect) as info,
        client.websocket_connect("/ws/3?token=a") as ws,
    ):
        ws.receive_text()
    assert info.value.code == 1008
