"""Invariants of typed bodies, on generated input: a body is accepted exactly when msgspec's
one-pass decoder accepts it, and a refused body always gets a 4xx listing at least one error."""

from dataclasses import dataclass, field
from typing import Annotated, Any

import msgspec
from annotated_types import Ge, Len, MaxLen
from hypothesis import given, settings
from hypothesis import strategies as st

from boca.core import App
from boca.core.testing import TestClient


@dataclass
class Owner:
    id: Annotated[int, Ge(1)]
    email: str


@dataclass
class Item:
    name: Annotated[str, Len(1, 5)]
    tags: Annotated[list[str], MaxLen(2)]
    owner: Owner
    score: float | None = None
    extra: dict[str, int] = field(default_factory=dict)


class OwnerSpec(msgspec.Struct):
    id: Annotated[int, msgspec.Meta(ge=1)]
    email: str


class ItemSpec(msgspec.Struct):
    """The same model written with msgspec.Meta: the reference decoder."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=5)]
    tags: Annotated[list[str], msgspec.Meta(max_length=2)]
    owner: OwnerSpec
    score: float | None = None
    extra: dict[str, int] = {}


app = App()


@app.post("/items")
async def create(req, res, item: Item) -> Item:
    return item


client = TestClient(app)
reference = msgspec.json.Decoder(ItemSpec)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)
owners = st.fixed_dictionaries({}, optional={"id": values | st.integers(-2, 5), "email": values})
items = st.fixed_dictionaries(
    {},
    optional={
        "name": values | st.text(max_size=7),
        "tags": values | st.lists(st.text(max_size=3), max_size=4),
        "owner": values | owners,
        "score": values,
        "extra": values | st.dictionaries(st.text(max_size=3), values, max_size=3),
    },
)


@settings(max_examples=300, deadline=None)
@given(items)
def test_accepted_exactly_when_msgspec_accepts(body: dict[str, Any]) -> None:
    raw = msgspec.json.encode(body)
    response = client.post("/items", content=raw, headers={"content-type": "application/json"})
    try:
        expected = reference.decode(raw)
    except msgspec.ValidationError:
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert detail
        for error in detail:
            assert error["loc"][0] == "body"
            assert error["type"] in {"missing", "type", "constraint", "value", "extra", "enum"}
            assert len(error["msg"]) <= 160
        return
    assert response.status_code == 200, response.text
    assert response.json() == msgspec.to_builtins(expected)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_arbitrary_bytes_are_never_a_server_error(raw: bytes) -> None:
    response = client.post("/items", content=raw, headers={"content-type": "application/json"})
    assert response.status_code in (200, 400, 422)
    assert set(response.json()) >= {"status"}
