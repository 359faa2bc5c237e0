"""Return values: models encoded as JSON, filtered by the return annotation; status_code=."""

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

import msgspec
import pydantic
import pytest
from starlette.responses import PlainTextResponse

from boca.core import App, after
from boca.core.testing import TestClient


@dataclass
class UserOut:
    id: int
    name: str


class UserDict(TypedDict):
    id: int
    name: str


class UserStruct(msgspec.Struct):
    id: int
    name: str


class UserModel(pydantic.BaseModel):
    id: int
    name: str


class Row:
    """An ORM-like object: attributes, one of them secret."""

    def __init__(self, id: int = 1, name: str = "ada") -> None:
        self.id = id
        self.name = name
        self.password = "secret"


@dataclass
class Secretive:
    id: int
    name: str
    password: str


@dataclass
class Stamped:
    at: dt.datetime
    uid: uuid.UUID
    amount: Decimal


def _app() -> App:
    app = App()

    @app.get("/row")
    async def row(req, res) -> UserOut:
        return Row()  # type: ignore[return-value]

    @app.get("/subclass")
    async def subclass(req, res) -> UserOut:
        return Secretive(1, "ada", "secret")  # type: ignore[return-value]

    @app.get("/rows")
    async def rows(req, res) -> list[UserOut]:
        return [Row(1), {"id": 2, "name": "bob", "password": "x"}]  # type: ignore[list-item]

    @app.get("/typeddict")
    async def typeddict(req, res) -> UserDict:
        return {"id": 1, "name": "ada", "password": "x"}  # type: ignore[typeddict-unknown-key]

    @app.get("/struct")
    async def struct(req, res) -> UserStruct:
        return UserStruct(1, "ada")

    @app.get("/struct-from-row")
    async def struct_from_row(req, res) -> UserStruct:
        return Row()  # type: ignore[return-value]

    @app.get("/pydantic")
    async def with_pydantic(req, res) -> UserModel:
        return UserModel(id=1, name="ada")

    @app.get("/pydantic-from-row")
    async def pydantic_from_row(req, res) -> UserModel:
        return Row()  # type: ignore[return-value]

    @app.get("/pydantic-list")
    async def pydantic_list(req, res) -> list[UserModel]:
        return [Row(), UserModel(id=2, name="bob")]  # type: ignore[list-item]

    @app.get("/pydantic-wrong")
    async def pydantic_wrong(req, res) -> list[UserModel]:
        return [{"id": "x"}]  # type: ignore[list-item]

    @app.get("/mapping")
    async def mapping(req, res) -> dict[str, UserOut]:
        return {"a": Row()}  # type: ignore[dict-item]

    @app.get("/optional")
    async def optional(req, res, empty: bool = False) -> UserOut | None:
        if empty:
            res.text = "nothing"
            return None
        return UserOut(1, "ada")

    @app.post("/created", status_code=201)
    async def created(req, res) -> UserOut:
        return UserOut(2, "new")

    @app.delete("/gone", status_code=204)
    async def gone(req, res) -> None:
        return None

    @app.post("/override", status_code=201)
    async def override(req, res) -> UserOut:
        res.status_code = 200
        return UserOut(3, "same")

    @app.get("/text")
    async def text(req, res) -> UserOut:
        return "plain"  # type: ignore[return-value]

    @app.get("/asgi")
    async def asgi(req, res) -> UserOut:
        return PlainTextResponse("asgi", status_code=202)  # type: ignore[return-value]

    @app.get("/wrong")
    async def wrong(req, res) -> UserOut:
        return {"id": "x"}  # type: ignore[return-value]

    @app.get("/untyped-dataclass")
    async def untyped_dataclass(req, res):
        return Stamped(dt.datetime(2024, 1, 2, 3, 4, 5), uuid.UUID(int=1), Decimal("1.5"))

    @app.get("/untyped-models")
    async def untyped_models(req, res):
        return [UserStruct(1, "a"), UserModel(id=2, name="b"), UserOut(3, "c")]

    @app.get("/no-model")
    async def no_model(req, res) -> dict[str, Any]:
        return {"anything": [1, 2]}

    return app


client = TestClient(_app())


@pytest.mark.parametrize(
    "path",
    [
        "/row",
        "/subclass",
        "/typeddict",
        "/struct",
        "/struct-from-row",
        "/pydantic",
        "/pydantic-from-row",
    ],
)
def test_the_return_annotation_filters_the_answer(path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == b'{"id":1,"name":"ada"}'


def test_lists_and_mappings_of_models() -> None:
    assert client.get("/rows").json() == [{"id": 1, "name": "ada"}, {"id": 2, "name": "bob"}]
    assert client.get("/pydantic-list").json() == [
        {"id": 1, "name": "ada"},
        {"id": 2, "name": "bob"},
    ]
    assert client.get("/mapping").json() == {"a": {"id": 1, "name": "ada"}}


def test_status_code_option() -> None:
    created = client.post("/created")
    assert created.status_code == 201
    assert created.json() == {"id": 2, "name": "new"}
    gone = client.delete("/gone")
    assert gone.status_code == 204
    assert gone.content == b""
    assert client.post("/override").status_code == 200


def test_none_str_and_asgi_keep_their_meaning() -> None:
    assert client.get("/optional").json() == {"id": 1, "name": "ada"}
    assert client.get("/optional?empty=1").text == "nothing"
    assert client.get("/text").text == "plain"
    asgi = client.get("/asgi")
    assert (asgi.status_code, asgi.text) == (202, "asgi")


def test_a_value_not_matching_the_annotation_is_a_500(caplog: pytest.LogCaptureFixture) -> None:
    response = client.get("/wrong")
    assert response.status_code == 500
    assert set(response.json()) == {"error", "status", "request_id"}
    assert "returned a value that does not match its return annotation UserOut" in caplog.text
    assert client.get("/pydantic-wrong").status_code == 500


def test_untyped_views_may_return_models() -> None:
    assert client.get("/untyped-dataclass").json() == {
        "at": "2024-01-02T03:04:05",
        "uid": "00000000-0000-0000-0000-000000000001",
        "amount": "1.5",
    }
    assert client.get("/untyped-models").json() == [
        {"id": 1, "name": "a"},
        {"id": 2, "name": "b"},
        {"id": 3, "name": "c"},
    ]


def test_annotation_without_a_model_is_answered_as_it_is() -> None:
    assert client.get("/no-model").json() == {"anything": [1, 2]}


def test_after_hooks_see_the_encoded_answer() -> None:
    app = App()
    seen: list[object] = []

    async def record(req, res, params) -> None:
        seen.append(res.json)
        res.headers["x-seen"] = "1"

    @app.post("/u", status_code=201)
    @after(record)
    async def view(req, res) -> UserOut:
        return Row()  # type: ignore[return-value]

    response = TestClient(app).post("/u")
    assert response.status_code == 201
    assert response.headers["x-seen"] == "1"
    assert seen == [{"id": 1, "name": "ada"}]


def test_providers_with_a_return_annotation() -> None:
    app = App()

    @app.provider
    async def current() -> Row:
        return Row(7, "eve")

    @app.get("/me", status_code=203)
    async def me(req, res, current) -> UserOut:
        return current  # type: ignore[no-any-return]

    response = TestClient(app).get("/me")
    assert response.status_code == 203
    assert response.json() == {"id": 7, "name": "eve"}


def test_class_view_methods_have_their_own_return_types() -> None:
    app = App()

    @app.route("/users")
    class Users:
        async def get(self, req, res) -> list[UserOut]:
            return [Row()]  # type: ignore[list-item]

        async def post(self, req, res) -> UserDict:
            return {"id": 9, "name": "new", "password": "p"}  # type: ignore[typeddict-unknown-key]

    c = TestClient(app)
    assert c.get("/users").json() == [{"id": 1, "name": "ada"}]
    assert c.post("/users").json() == {"id": 9, "name": "new"}
    assert dataclasses.is_dataclass(UserOut)
