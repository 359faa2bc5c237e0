"""Typed request bodies: models of every kind, embedded fields, forms, and hostile input."""

import dataclasses
import datetime as dt
import enum
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Generic, Literal, TypedDict, TypeVar

import httpx
import msgspec
import pydantic
import pytest
from annotated_types import Ge, Gt, Le, Len, Lt, MaxLen, MinLen, MultipleOf

from boca.core import App, Body, Form, UploadFile
from boca.core.testing import LiveServer, TestClient
from boca.core.views import ViewDeclarationError

T = TypeVar("T")


@dataclass
class Owner:
    id: Annotated[int, Ge(1)]
    email: str


@dataclass
class Item:
    name: Annotated[str, Len(1, 50)]
    price: Annotated[float, Gt(0)]
    tags: Annotated[list[str], MaxLen(3)]
    owner: Owner


@dataclass
class Plain:
    a: int
    b: list[str] = field(default_factory=list)


@dataclass
class Node:
    value: Annotated[int, Lt(100)]
    children: "list[Node]" = field(default_factory=list)


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int


class Point(TypedDict):
    x: Annotated[int, Le(10)]
    y: int


class Strict(msgspec.Struct, forbid_unknown_fields=True):
    even: Annotated[int, MultipleOf(2)]
    owners: dict[str, Owner] = {}


class Renamed(msgspec.Struct, rename="camel"):
    first_name: Annotated[str, MinLen(1)]
    last_name: str = "-"


class Level(enum.IntEnum):
    low = 1
    high = 2


@dataclass
class Kinds:
    when: dt.datetime
    day: dt.date
    uid: uuid.UUID
    amount: Decimal
    level: Level
    mode: Literal["a", "b"]
    maybe: int | None = None
    either: int | str = 0


class PydanticIn(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    n: int = pydantic.Field(gt=0)
    s: str


def _app() -> App:
    app = App()

    @app.post("/item")
    async def item(req, res, item: Item):
        assert type(item) is Item
        assert type(item.owner) is Owner
        return {"item": dataclasses.asdict(item)}

    @app.post("/plain")
    async def plain(req, res, body: Plain):
        assert type(body) is Plain
        return {"a": body.a, "b": body.b}

    @app.post("/optional")
    async def optional(req, res, body: Plain | None = None):
        return {"body": None if body is None else body.a}

    @app.post("/node")
    async def node(req, res, tree: Node):
        depth, here = 0, tree
        while here.children:
            depth, here = depth + 1, here.children[0]
        return {"depth": depth, "type": type(here).__name__}

    @app.post("/page")
    async def page(req, res, page: Page[Owner]):
        return {"ids": [o.id for o in page.items], "type": type(page.items[0]).__name__}

    @app.post("/points")
    async def points(req, res, points: list[Point]):
        return {"points": points}

    @app.post("/point")
    async def point(req, res, point: Point):
        return point

    @app.post("/strict")
    async def strict(req, res, body: Strict):
        return {"even": body.even, "owners": {k: v.id for k, v in body.owners.items()}}

    @app.post("/renamed")
    async def renamed(req, res, body: Renamed):
        return {"first": body.first_name, "last": body.last_name}

    @app.post("/kinds")
    async def kinds(req, res, body: Kinds):
        return body

    @app.post("/pydantic")
    async def with_pydantic(req, res, body: PydanticIn):
        return {"n": body.n, "s": body.s}

    @app.post("/embedded")
    async def embedded(
        req,
        res,
        owner: Annotated[Owner, Body(embed=True)],
        count: Annotated[int, Body(), Gt(0)],
        extra: Annotated[PydanticIn, Body(embed=True, alias="more")],
        note: Annotated[str, Body()] = "none",
    ):
        return {"owner": owner.id, "count": count, "extra": extra.n, "note": note}

    @app.post("/form")
    async def form(
        req,
        res,
        name: Annotated[str, Form(), MaxLen(5)],
        age: Annotated[int, Form(), Ge(0)] = 0,
        tags: Annotated[list[str], Form(alias="tag")] = [],  # noqa: B006 - never mutated
        upload: Annotated[UploadFile | None, Form()] = None,
    ):
        content = (await upload.read()).decode() if upload is not None else None
        return {"name": name, "age": age, "tags": tags, "upload": content}

    @app.post("/files")
    async def files(req, res, files: Annotated[list[UploadFile], Form()]):
        return {"names": [f.filename for f in files]}

    @app.post("/dict")
    async def mapping(req, res, scores: Annotated[dict[str, Annotated[int, Ge(0)]], Body()]):
        return scores

    return app


client = TestClient(_app())
ITEM = {"name": "Widget", "price": 12.5, "tags": ["tools"], "owner": {"id": 42, "email": "a@b"}}


def _detail(response: httpx.Response, status: int = 422) -> list[dict[str, object]]:
    assert response.status_code == status, response.text
    body = response.json()
    phrase = {400: "Bad Request", 415: "Unsupported Media Type", 422: "Unprocessable Content"}
    assert body["error"] == f"{status} {phrase[status]}"
    assert body["status"] == status
    assert set(body) == {"error", "status", "detail"}
    return body["detail"]  # type: ignore[no-any-return]


def test_a_dataclass_body_with_translated_constraints() -> None:
    response = client.post("/item", json=ITEM)
    assert response.status_code == 200
    assert response.json() == {"item": ITEM}


def test_every_body_error_at_once() -> None:
    bad = {"name": "", "price": -1, "tags": ["a", "b", "c", 4], "owner": {"id": 0}, "more": 1}
    assert _detail(client.post("/item", json=bad)) == [
        {"loc": ["body", "name"], "msg": "Expected `str` of length >= 1", "type": "constraint"},
        {"loc": ["body", "price"], "msg": "Expected `float` > 0.0", "type": "constraint"},
        {
            "loc": ["body", "tags"],
            "msg": "Expected `array` of length <= 3",
            "type": "constraint",
        },
        {"loc": ["body", "tags", 3], "msg": "Expected `str`, got `int`", "type": "type"},
        {"loc": ["body", "owner", "id"], "msg": "Expected `int` >= 1", "type": "constraint"},
        {"loc": ["body", "owner", "email"], "msg": "Field required", "type": "missing"},
    ]


def test_wrong_top_level_type_and_missing_fields() -> None:
    assert _detail(client.post("/item", json=[1, 2])) == [
        {"loc": ["body"], "msg": "Expected `object`, got `array`", "type": "type"}
    ]
    assert _detail(client.post("/plain", json={})) == [
        {"loc": ["body", "a"], "msg": "Field required", "type": "missing"}
    ]


def test_a_model_without_constraints_decodes_straight_into_its_type() -> None:
    assert client.post("/plain", json={"a": 1}).json() == {"a": 1, "b": []}
    assert client.post("/plain", json={"a": 1, "ignored": True}).status_code == 200


def test_optional_body() -> None:
    assert client.post("/optional").json() == {"body": None}
    assert client.post("/optional", json=None).json() == {"body": None}
    assert client.post("/optional", json={"a": 3}).json() == {"body": 3}


def test_recursive_model() -> None:
    tree = {"value": 1, "children": [{"value": 2, "children": [{"value": 3}]}]}
    assert client.post("/node", json=tree).json() == {"depth": 2, "type": "Node"}
    bad = {"value": 1, "children": [{"value": 200, "children": [{"value": "x"}]}]}
    assert _detail(client.post("/node", json=bad)) == [
        {
            "loc": ["body", "children", 0, "value"],
            "msg": "Expected `int` <= 99",
            "type": "constraint",
        },
        {
            "loc": ["body", "children", 0, "children", 0, "value"],
            "msg": "Expected `int`, got `str`",
            "type": "type",
        },
    ]


def test_deeply_nested_recursive_model_is_a_400_not_a_crash() -> None:
    depth = 5000
    body = b'{"value":1,"children":[' * depth + b'{"value":1}' + b"]}" * depth
    assert _detail(client.post("/node", content=body), 400) == [
        {"loc": ["body"], "msg": "Malformed JSON: nested too deeply", "type": "json"}
    ]


def test_generic_model() -> None:
    page = {"items": [{"id": 1, "email": "e"}, {"id": 2, "email": "f"}], "total": 2}
    assert client.post("/page", json=page).json() == {"ids": [1, 2], "type": "Owner"}
    page["items"][1]["id"] = 0  # type: ignore[index]
    assert _detail(client.post("/page", json=page)) == [
        {"loc": ["body", "items", 1, "id"], "msg": "Expected `int` >= 1", "type": "constraint"}
    ]


def test_list_of_typeddicts() -> None:
    points = [{"x": 1, "y": 2}, {"x": 3, "y": 4}]
    assert client.post("/points", json=points).json() == {"points": points}
    bad = [{"x": 11, "y": 2}, {"x": 3}]
    assert _detail(client.post("/points", json=bad)) == [
        {"loc": ["body", 0, "x"], "msg": "Expected `int` <= 10", "type": "constraint"},
        {"loc": ["body", 1, "y"], "msg": "Field required", "type": "missing"},
    ]
    assert client.post("/point", json={"x": 1, "y": 2, "z": 3}).json() == {"x": 1, "y": 2}


def test_dict_of_constrained_values_embedded() -> None:
    assert client.post("/dict", json={"scores": {"a": 1}}).json() == {"a": 1}
    bad = {"scores": {"a": 1, "b": -1, "c": "x"}}
    assert _detail(client.post("/dict", json=bad)) == [
        {"loc": ["body", "scores", "b"], "msg": "Expected `int` >= 0", "type": "constraint"},
        {"loc": ["body", "scores", "c"], "msg": "Expected `int`, got `str`", "type": "type"},
    ]


def test_struct_forbidding_unknown_fields_and_dict_of_models() -> None:
    ok = {"even": 2, "owners": {"k": {"id": 3, "email": "e"}}}
    assert client.post("/strict", json=ok).json() == {"even": 2, "owners": {"k": 3}}
    bad = {"even": 3, "owners": {"k": {"id": 0, "email": "e"}}, "odd": 1}
    assert _detail(client.post("/strict", json=bad)) == [
        {
            "loc": ["body", "even"],
            "msg": "Expected `int` that's a multiple of 2",
            "type": "constraint",
        },
        {"loc": ["body", "owners", "k", "id"], "msg": "Expected `int` >= 1", "type": "constraint"},
        {"loc": ["body", "odd"], "msg": "Unknown field", "type": "extra"},
    ]


def test_struct_wire_names() -> None:
    assert client.post("/renamed", json={"firstName": "Ada"}).json() == {
        "first": "Ada",
        "last": "-",
    }
    assert _detail(client.post("/renamed", json={"firstName": ""})) == [
        {"loc": ["body", "firstName"], "msg": "Expected `str` of length >= 1", "type": "constraint"}
    ]


def test_datetime_date_uuid_decimal_enum_literal_union_none() -> None:
    uid = "12345678-1234-5678-1234-567812345678"
    good = {
        "when": "2024-01-02T03:04:05Z",
        "day": "2024-01-02",
        "uid": uid,
        "amount": "1.50",
        "level": 2,
        "mode": "b",
        "maybe": None,
        "either": "text",
    }
    assert client.post("/kinds", json=good).json() == {**good, "when": "2024-01-02T03:04:05Z"}
    bad = {
        "when": "yesterday",
        "day": "2024-13-01",
        "uid": "u",
        "amount": "lots",
        "level": 5,
        "mode": "c",
        "maybe": "s",
        "either": 1.5,
    }
    assert [(e["loc"][1], e["type"]) for e in _detail(client.post("/kinds", json=bad))] == [
        ("when", "value"),
        ("day", "value"),
        ("uid", "value"),
        ("amount", "value"),
        ("level", "enum"),
        ("mode", "enum"),
        ("maybe", "type"),
        ("either", "type"),
    ]


def test_pydantic_model_validated_by_pydantic() -> None:
    assert client.post("/pydantic", json={"n": 1, "s": "x"}).json() == {"n": 1, "s": "x"}
    assert _detail(client.post("/pydantic", json={"n": 0, "s": 1, "z": 2})) == [
        {"loc": ["body", "n"], "msg": "Input should be greater than 0", "type": "greater_than"},
        {"loc": ["body", "s"], "msg": "Input should be a valid string", "type": "string_type"},
        {"loc": ["body", "z"], "msg": "Extra inputs are not permitted", "type": "extra_forbidden"},
    ]
    malformed = _detail(client.post("/pydantic", content=b'{"n": 1'), 400)
    assert malformed[0]["loc"] == ["body"]
    assert malformed[0]["type"] == "json"


def test_embedded_body_fields() -> None:
    body = {"owner": {"id": 1, "email": "e"}, "count": 2, "more": {"n": 3, "s": "x"}}
    assert client.post("/embedded", json=body).json() == {
        "owner": 1,
        "count": 2,
        "extra": 3,
        "note": "none",
    }
    bad = {"owner": {"id": 0, "email": "e"}, "count": 0, "more": {"n": 0, "s": "x"}}
    assert _detail(client.post("/embedded", json=bad)) == [
        {"loc": ["body", "owner", "id"], "msg": "Expected `int` >= 1", "type": "constraint"},
        {"loc": ["body", "count"], "msg": "Expected `int` >= 1", "type": "constraint"},
        {
            "loc": ["body", "more", "n"],
            "msg": "Input should be greater than 0",
            "type": "greater_than",
        },
    ]
    assert _detail(client.post("/embedded", json={"count": 1, "more": {"n": 1, "s": "x"}})) == [
        {"loc": ["body", "owner"], "msg": "Field required", "type": "missing"}
    ]
    good_outer = {"owner": {"id": 1, "email": "e"}, "count": 1, "more": {"n": 0, "s": "x"}}
    assert _detail(client.post("/embedded", json=good_outer)) == [
        {
            "loc": ["body", "more", "n"],
            "msg": "Input should be greater than 0",
            "type": "greater_than",
        }
    ]
    assert _detail(client.post("/embedded", content=b""), 400) == [
        {"loc": ["body"], "msg": "Empty body", "type": "missing"}
    ]


def test_urlencoded_and_multipart_forms() -> None:
    assert client.post("/form", data={"name": "bob", "age": "4", "tag": ["a", "b"]}).json() == {
        "name": "bob",
        "age": 4,
        "tags": ["a", "b"],
        "upload": None,
    }
    response = client.post("/form", data={"name": "ada"}, files={"upload": ("a.txt", b"hello")})
    assert response.json() == {"name": "ada", "age": 0, "tags": [], "upload": "hello"}
    assert _detail(client.post("/form", data={"name": "bobbybob", "age": "-1"})) == [
        {"loc": ["form", "name"], "msg": "Expected `str` of length <= 5", "type": "constraint"},
        {"loc": ["form", "age"], "msg": "Expected `int` >= 0", "type": "constraint"},
    ]
    assert _detail(client.post("/form", data={"age": "x"})) == [
        {"loc": ["form", "name"], "msg": "Field required", "type": "missing"},
        {"loc": ["form", "age"], "msg": "expected an integer", "type": "type"},
    ]
    mixed = client.post("/form", data={"upload": "text"}, files={"name": ("n.txt", b"x")})
    assert _detail(mixed) == [
        {
            "loc": ["form", "name"],
            "msg": "Expected a text field, got a file upload",
            "type": "type",
        },
        {
            "loc": ["form", "upload"],
            "msg": "Expected a file upload, got a text field",
            "type": "type",
        },
    ]


def test_several_files() -> None:
    files = [("files", ("a.txt", b"1")), ("files", ("b.txt", b"2"))]
    assert client.post("/files", files=files).json() == {"names": ["a.txt", "b.txt"]}


def test_wrong_content_type_is_415() -> None:
    assert _detail(
        client.post("/item", content=b"a=1", headers={"content-type": "text/plain"}), 415
    ) == [
        {
            "loc": ["body"],
            "msg": "Unsupported content type 'text/plain': send application/json",
            "type": "content_type",
        }
    ]
    response = client.post("/form", json={"name": "x"})
    assert _detail(response, 415)[0]["msg"] == (
        "Unsupported content type 'application/json': send "
        "application/x-www-form-urlencoded or multipart/form-data"
    )
    vendor = client.post(
        "/plain", content=b'{"a": 1}', headers={"content-type": "application/vnd.api+json"}
    )
    assert vendor.json() == {"a": 1, "b": []}


def test_hostile_C20_typed_body() -> None:
    assert _detail(client.post("/item", content=b'{"a": }'), 400) == [
        {"loc": ["body"], "msg": "Malformed JSON: invalid character (byte 6)", "type": "json"}
    ]


def test_hostile_C21_typed_body() -> None:
    for body in (b"", b"  \n"):
        response = client.post("/item", content=body, headers={"content-type": "application/json"})
        assert _detail(response, 400) == [{"loc": ["body"], "msg": "Empty body", "type": "missing"}]


def test_hostile_C23_typed_body() -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    assert _detail(client.post("/item", content=body), 400) == [
        {"loc": ["body"], "msg": "Malformed JSON: nested too deeply", "type": "json"}
    ]


def test_non_utf8_body_is_400() -> None:
    detail = _detail(client.post("/item", content=b'{"name": "\xff\xfe"}'), 400)
    assert detail[0]["loc"] == ["body"]
    assert detail[0]["type"] == "json"
    assert detail[0]["msg"].startswith("Malformed JSON: ")


def test_huge_numbers() -> None:
    digits = b"9" * 5000
    body = b'{"name":"w","price":1,"tags":[],"owner":{"id":' + digits + b',"email":"e"}}'
    assert _detail(client.post("/item", content=body), 400) == [
        {"loc": ["body"], "msg": "Malformed JSON: Integer value out of range", "type": "json"}
    ]
    huge_float = b'{"name":"w","price":1e400,"tags":[],"owner":{"id":1,"email":"e"}}'
    assert _detail(client.post("/item", content=huge_float), 400) == [
        {"loc": ["body"], "msg": "Malformed JSON: Number out of range", "type": "json"}
    ]


def test_long_values_are_not_echoed() -> None:
    bad = {**ITEM, "owner": {"id": 1, "email": "e"}}
    response = client.post("/kinds", json={**bad, "level": 1, "mode": "<b>" * 1000})
    messages = [e["msg"] for e in response.json()["detail"]]
    assert all(len(m) <= 160 for m in messages)
    assert "Invalid enum value '" + "<b>" * 13 + "<...'" in messages


def test_declaration_errors_for_bodies() -> None:
    app = App()
    with pytest.raises(ViewDeclarationError) as info:

        @app.get("/g")
        async def on_get(req, res, item: Item):
            return None

    assert "route '/g': view " in str(info.value)
    assert "parameter(s) 'item' read the request body, which GET and HEAD" in str(info.value)

    with pytest.raises(ViewDeclarationError, match="websockets do not have"):

        @app.websocket_route("/ws")
        async def socket(ws, item: Item):
            return None

    with pytest.raises(ViewDeclarationError) as info:

        @app.post("/two")
        async def two(req, res, a: Item, b: Owner):
            return None

    assert "parameters 'a', 'b' all read the JSON body" in str(info.value)
    assert "Body(embed=True)" in str(info.value)

    with pytest.raises(ViewDeclarationError, match="a JSON body or a form, not both"):

        @app.post("/mixed")
        async def mixed(req, res, a: Item, b: Annotated[str, Form()]):
            return None

    class Opaque:
        pass

    with pytest.raises(ViewDeclarationError, match="Boca cannot decode a JSON body into"):

        @app.post("/opaque")
        async def opaque(req, res, a: Annotated[Opaque, Body()]):
            return None

    with pytest.raises(ViewDeclarationError, match=r"parameter 'f' \(form\)"):

        @app.post("/form")
        async def form(req, res, f: Annotated[complex, Form()]):
            return None


def test_class_based_views_get_one_plan_per_method() -> None:
    app = App()

    @app.route("/owners")
    class Owners:
        async def get(self, req, res, limit: Annotated[int, Le(10)] = 5):
            return {"limit": limit}

        async def post(self, req, res, owner: Owner):
            res.status_code = 201
            return {"id": owner.id}

    c = TestClient(app)
    assert c.get("/owners?limit=3").json() == {"limit": 3}
    assert c.get("/owners?limit=30").status_code == 400
    assert c.post("/owners", json={"id": 5, "email": "e"}).json() == {"id": 5}
    assert c.post("/owners", json={"id": 0, "email": "e"}).status_code == 422


def test_providers_and_hooks_beside_typed_params() -> None:
    from boca.core import before

    app = App()
    calls: list[str] = []

    @app.provider
    async def db() -> str:
        return "db"

    async def audit(req, res, params) -> None:
        calls.append("before")

    @app.post("/owners/{group}")
    @before(audit)
    async def create(req, res, group: str, owner: Owner, db, dry: bool = False):
        return {"group": group, "id": owner.id, "db": db, "dry": dry}

    c = TestClient(app)
    response = c.post("/owners/g?dry=1", json={"id": 1, "email": "e"})
    assert response.json() == {"group": "g", "id": 1, "db": "db", "dry": True}
    assert calls == ["before"]
    assert c.post("/owners/g", json={"id": 0, "email": "e"}).status_code == 422


def test_body_already_read_by_a_hook_is_reused() -> None:
    from boca.core import before

    app = App()

    async def peek(req, res, params) -> None:
        assert (await req.body()).startswith(b"{")

    @app.post("/p")
    @before(peek)
    async def view(req, res, body: Plain):
        return {"a": body.a}

    assert TestClient(app).post("/p", json={"a": 7}).json() == {"a": 7}


def test_body_limits_still_apply() -> None:
    app = App(max_body_size=10)

    @app.post("/p")
    async def view(req, res, body: Plain):
        return {"a": body.a}

    c = TestClient(app)
    assert c.post("/p", json={"a": 1}).json() == {"a": 1}
    response = c.post("/p", json={"a": 1, "b": ["xxxxxxxxxx"]})
    assert response.status_code == 413


def test_hostile_C34_typed_body() -> None:
    """A Content-Length over the limit is refused before the body is read: no 100 Continue."""
    import socket

    app = App(max_body_size=100)

    @app.post("/p")
    async def view(req, res, body: Plain):
        return {"a": body.a}

    with LiveServer(app) as server, socket.create_connection((server.host, server.port)) as sock:
        sock.sendall(
            b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 20000000\r\nExpect: 100-continue\r\n\r\n"
        )
        sock.settimeout(10)
        head = sock.recv(65536)
    assert head.startswith(b"HTTP/1.1 413 ")
    assert b"100 Continue" not in head


def test_typed_post_through_a_real_server() -> None:
    with LiveServer(_app()) as server:
        response = httpx.post(server.url + "/item", json=ITEM)
        assert response.status_code == 200
        assert response.json() == {"item": ITEM}
        bad = httpx.post(server.url + "/item", json={**ITEM, "price": 0})
        assert bad.status_code == 422
        assert bad.json() == {
            "error": "422 Unprocessable Content",
            "status": 422,
            "detail": [
                {"loc": ["body", "price"], "msg": "Expected `float` > 0.0", "type": "constraint"}
            ],
        }
        # A body sent in pieces is read the usual way.
        chunks = iter([b'{"name":"W","price":1,', b'"tags":[],"owner":{"id":1,"email":"e"}}'])
        streamed = httpx.post(server.url + "/item", content=chunks)
        assert streamed.status_code == 200
        assert streamed.json()["item"]["name"] == "W"


def test_pydantic_is_never_imported_for_other_models() -> None:
    code = (
        "import sys, dataclasses\n"
        "from boca.core import App\n"
        "from boca.core.testing import TestClient\n"
        "@dataclasses.dataclass\n"
        "class M:\n"
        "    a: int\n"
        "app = App()\n"
        "@app.post('/m')\n"
        "async def m(req, res, m: M) -> M:\n"
        "    return m\n"
        "assert TestClient(app).post('/m', json={'a': 1}).json() == {'a': 1}\n"
        "assert 'pydantic' not in sys.modules, 'pydantic imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


async def _call(
    app: App, messages: list[dict[str, object]], wait_first: bool = False
) -> list[dict[str, object]]:
    """Call `app` as a server would, with `messages` as the request body's messages."""
    import asyncio

    sent: list[dict[str, object]] = []
    pending = list(messages)

    async def receive() -> dict[str, object]:
        if wait_first and pending is messages:
            await asyncio.sleep(0)  # the body is not there yet
        if pending:
            return pending.pop(0)
        await asyncio.sleep(3600)  # pragma: no cover - never asked for more
        return {}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    body = b"".join(m.get("body", b"") for m in messages)  # type: ignore[misc]
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/plain",
        "raw_path": b"/plain",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))],
        "http_version": "1.1",
        "scheme": "http",
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    return sent


async def test_bodies_that_are_not_there_yet_or_in_pieces() -> None:
    app = _app()
    one = [{"type": "http.request", "body": b'{"a": 1}', "more_body": False}]
    sent = await _call(app, one, wait_first=True)
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == b'{"a":1,"b":[]}'
    pieces = [
        {"type": "http.request", "body": b'{"a"', "more_body": True},
        {"type": "http.request", "body": b": 2}", "more_body": False},
    ]
    sent = await _call(app, pieces)
    assert sent[1]["body"] == b'{"a":2,"b":[]}'


async def test_a_client_that_disconnects_gets_no_answer() -> None:
    sent = await _call(_app(), [{"type": "http.disconnect"}])
    assert sent == []


def test_hostile_C28_typed_form() -> None:
    """Form() parameters read the form with req.form()'s limits: too many fields is a 400."""
    fields = "&".join(f"f{i}=x" for i in range(1001))
    response = client.post(
        "/form",
        content=("name=a&" + fields).encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "400 Bad Request"
