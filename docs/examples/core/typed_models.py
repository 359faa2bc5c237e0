"""Every kind of model: dataclass, TypedDict, msgspec.Struct and pydantic, returned filtered."""

from dataclasses import dataclass
from typing import Annotated, TypedDict

import msgspec
import pydantic
from annotated_types import Ge, Len

from boca.core import App

app = App()


class Address(TypedDict):
    city: str
    zip: Annotated[str, Len(5, 5)]


class Customer(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    address: Address
    tags: list[str] = []


class Review(pydantic.BaseModel):
    stars: int = pydantic.Field(ge=1, le=5)
    text: str


@dataclass
class UserOut:
    id: int
    name: str


class UserRow:
    """What a database layer might hand back: more attributes than the API shows."""

    def __init__(self, id: int, name: str) -> None:
        self.id, self.name, self.password_hash = id, name, "pbkdf2:..."


@app.post("/customers", status_code=201)
async def add_customer(req, res, customer: Customer) -> Customer:
    return customer


@app.post("/reviews")
async def add_review(req, res, review: Review) -> Review:
    return review


@app.get("/users/{user_id}")
async def user(req, res, user_id: Annotated[int, Ge(1)]) -> UserOut:
    return UserRow(user_id, "ada")  # answered as {"id": ..., "name": ...} only
