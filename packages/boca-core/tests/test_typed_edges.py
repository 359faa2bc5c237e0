"""Typed parameters at the edges: optional and generic fields, NotRequired keys, embedded
bodies that are malformed or absent, models inside models of other libraries."""

import sys
from dataclasses import dataclass, field
from typing import Annotated, Generic, Literal, TypeVar

import attrs
import httpx
import msgspec
import pydantic
import pytest
from annotated_types import Ge, Gt, Le, MaxLen

from boca.core import App, Body
from boca.core.testing import TestClient
from boca.core.views import ViewDeclarationError

if sys.version_info >= (3, 11):
    from typing import NotRequired, TypedDict
else:  # pragma: no cover - Python 3.10: its TypedDict does not know NotRequired
    from typing_extensions import NotRequired, TypedDict

T = TypeVar("T")


@dataclass
class Tag:
    name: Annotated[str, MaxLen(5)]


@dataclass
class Post:
    title: str
    score: Annotated[int, Gt(0)] | None = None
    tag: Tag | None = None
    tags: list[Tag] = field(default_factory=list)


class Settings(TypedDict):
    volume: NotRequired[Annotated[int, Le(5)]]
    name: str


@dataclass
class Box(Generic[T]):
    value: T
    values: list[T]
    bounded: Annotated[list[T], msgspec.Meta(max_length=2)]
    maybe: T | None = None


@dataclass
class LooseBox(Generic[T]):
    value: Annotated[list[T], MaxLen(2)]


class Locked(msgspec.Struct, forbid_unknown_fields=True):
    a: int


@dataclass
class Holder:
    locked: Locked
    count: Annotated[int, Ge(0)] = 0


class Profile(pydantic.BaseModel):
    name: str


@dataclass
class Card:
    profile: Profile
    title: str


def _app() -> App:
    app = App()

    @app.post("/post")
    async def post(req, res, post: Post):
        return {
            "score": post.score,
            "tag": None if post.tag is None else post.tag.name,
            "tags": [type(t).__name__ for t in post.tags],
        }

    @app.post("/settings")
    async def settings(req, res, settings: Settings):
        return settings

    @app.post("/box")
    async def box(req, res, box: Box[Annotated[int, Ge(1)]]):
        return {"value": box.value, "values": box.values, "maybe": box.maybe}

    @app.post("/holder")
    async def holder(req, res, holder: Holder):
        return {"a": holder.locked.a}

    @app.post("/maybe")
    async def maybe(
        req,
        res,
        a: Annotated[int, Body(embed=True)] = 1,
        b: Annotated[str, Body(embed=True)] = "b",
    ):
        return {"a": a, "b": b}

    @app.get("/card")
    async def card(req, res):
        return Card(Profile(name="ada"), "t")

    @app.get("/profiles")
    async def profiles(req, res) -> list[Profile]:
        return [Profile(name="ada")]

    @app.get("/profile-rows")
    async def profile_rows(req, res) -> dict[str, Profile]:
        return {"a": Card(Profile(name="ada"), "t").profile}

    return app


client = TestClient(_app())


def _detail(response: httpx.Response, status: int = 422) -> list[dict[str, object]]:
    assert response.status_code == status, response.text
    return response.json()["detail"]  # type: ignore[no-any-return]


def test_optional_fields_with_constraints_and_optional_models() -> None:
    good = {"title": "t", "score": 3, "tag": {"name": "a"}, "tags": [{"name": "b"}]}
    assert client.post("/post", json=good).json() == {"score": 3, "tag": "a", "tags": ["Tag"]}
    assert client.post("/post", json={"title": "t", "score": None}).json() == {
        "score": None,
        "tag": None,
        "tags": [],
    }
    bad = {"title": "t", "score": 0, "tag": {"name": "toolong"}, "tags": [{"name": "x" * 9}]}
    assert _detail(client.post("/post", json=bad)) == [
        {"loc": ["body", "score"], "msg": "Expected `int` >= 1", "type": "constraint"},
        {
            "loc": ["body", "tag", "name"],
            "msg": "Expected `str` of length <= 5",
            "type": "constraint",
        },
        {
            "loc": ["body", "tags", 0, "name"],
            "msg": "Expected `str` of length <= 5",
            "type": "constraint",
        },
    ]


def test_not_required_typeddict_keys() -> None:
    assert client.post("/settings", json={"name": "n"}).json() == {"name": "n"}
    assert client.post("/settings", json={"name": "n", "volume": 2}).json() == {
        "name": "n",
        "volume": 2,
    }
    assert _detail(client.post("/settings", json={"volume": 9})) == [
        {"loc": ["body", "volume"], "msg": "Expected `int` <= 5", "type": "constraint"},
        {"loc": ["body", "name"], "msg": "Field required", "type": "missing"},
    ]


def test_generic_model_with_constrained_argument() -> None:
    good = {"value": 1, "values": [2, 3], "bounded": [1], "maybe": 4}
    assert client.post("/box", json=good).json() == {"value": 1, "values": [2, 3], "maybe": 4}
    bad = {"value": 0, "values": [1, 0], "bounded": [1, 2, 3], "maybe": 0}
    assert _detail(client.post("/box", json=bad)) == [
        {"loc": ["body", "value"], "msg": "Expected `int` >= 1", "type": "constraint"},
        {"loc": ["body", "values", 1], "msg": "Expected `int` >= 1", "type": "constraint"},
        {
            "loc": ["body", "bounded"],
            "msg": "Expected `array` of length <= 2",
            "type": "constraint",
        },
        {"loc": ["body", "maybe"], "msg": "Expected `int` >= 1", "type": "constraint"},
    ]


def test_annotated_types_inside_a_generic_model_are_refused() -> None:
    app = App()
    with pytest.raises(ViewDeclarationError) as info:

        @app.post("/loose")
        async def loose(req, res, box: LooseBox[int]):
            return None

    assert "the generic model LooseBox has annotated-types constraints" in str(info.value)
    assert "write them as msgspec.Meta" in str(info.value)


def test_a_nested_struct_forbidding_unknown_fields() -> None:
    assert client.post("/holder", json={"locked": {"a": 1}}).json() == {"a": 1}
    assert _detail(client.post("/holder", json={"locked": {"a": 1, "b": 2}, "count": -1})) == [
        {"loc": ["body", "locked", "b"], "msg": "Unknown field", "type": "extra"},
        {"loc": ["body", "count"], "msg": "Expected `int` >= 0", "type": "constraint"},
    ]
    assert _detail(client.post("/holder", json={"locked": {}})) == [
        {"loc": ["body", "locked", "a"], "msg": "Field required", "type": "missing"}
    ]


def test_optional_embedded_fields() -> None:
    assert client.post("/maybe").json() == {"a": 1, "b": "b"}
    assert client.post("/maybe", json={"a": 2}).json() == {"a": 2, "b": "b"}
    assert _detail(client.post("/maybe", content=b'{"a": '), 400) == [
        {"loc": ["body"], "msg": "Malformed JSON: Input data was truncated", "type": "json"}
    ]
    deep = b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert _detail(client.post("/maybe", content=deep), 400) == [
        {"loc": ["body"], "msg": "Malformed JSON: nested too deeply", "type": "json"}
    ]
    assert _detail(client.post("/maybe", json={"a": "x"})) == [
        {"loc": ["body", "a"], "msg": "Expected `int`, got `str`", "type": "type"}
    ]


def test_control_characters_never_reach_a_message() -> None:
    response = client.post("/post", json={"title": "t", "tag": {"name": 5}, "tags": "\x00\x1b[31m"})
    messages = [e["msg"] for e in _detail(response)]
    assert all(m.isprintable() for m in messages)


def test_echoed_control_characters_are_replaced() -> None:
    app = App()

    @app.post("/mode")
    async def mode(req, res, mode: Annotated[Literal["a", "b"], Body()]):
        return {"mode": mode}

    response = TestClient(app).post("/mode", json={"mode": "\x1b[31mred"})
    assert _detail(response) == [
        {"loc": ["body", "mode"], "msg": "Invalid enum value '\\x1b[31mred'", "type": "enum"}
    ]


def test_pydantic_models_inside_other_answers() -> None:
    assert client.get("/card").json() == {"profile": {"name": "ada"}, "title": "t"}
    assert client.get("/profiles").json() == [{"name": "ada"}]
    assert client.get("/profile-rows").json() == {"a": {"name": "ada"}}


@attrs.define
class Pet:
    name: Annotated[str, MaxLen(5)]
    age: Annotated[int, Gt(0)] = 1
    tags: list[str] = attrs.Factory(list)


@attrs.define
class Plain:
    name: str
    size: int = 0


@attrs.define
class Derived:
    name: Annotated[str, MaxLen(5)]
    label: str = attrs.Factory(lambda self: self.name.upper(), takes_self=True)


def test_attrs_classes() -> None:
    app = App()

    @app.post("/pets")
    async def pets(req, res, pet: Pet) -> Pet:
        assert type(pet) is Pet
        return pet

    @app.post("/plain")
    async def plain(req, res, body: Plain) -> Plain:
        return body

    c = TestClient(app)
    assert c.post("/pets", json={"name": "rex"}).json() == {"name": "rex", "age": 1, "tags": []}
    assert _detail(c.post("/pets", json={"name": "rexxxx", "age": 0, "tags": [1]})) == [
        {"loc": ["body", "name"], "msg": "Expected `str` of length <= 5", "type": "constraint"},
        {"loc": ["body", "age"], "msg": "Expected `int` >= 1", "type": "constraint"},
        {"loc": ["body", "tags", 0], "msg": "Expected `str`, got `int`", "type": "type"},
    ]
    assert c.post("/plain", json={"name": "a"}).json() == {"name": "a", "size": 0}
    assert _detail(c.post("/plain", json={"name": 1, "size": "x"})) == [
        {"loc": ["body", "name"], "msg": "Expected `str`, got `int`", "type": "type"},
        {"loc": ["body", "size"], "msg": "Expected `int`, got `str`", "type": "type"},
    ]
    with pytest.raises(ViewDeclarationError, match=r"takes_self=True\)\) and annotated-types"):

        @app.post("/derived")
        async def derived(req, res, body: Derived):
            return None
