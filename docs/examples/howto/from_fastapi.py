"""A FastAPI-style endpoint written with Boca: same models, same constraints."""

from typing import Annotated

import pydantic
from annotated_types import Ge, Le

from boca.core import App, Header, HTTPError, Query

app = App()


class ItemIn(pydantic.BaseModel):  # the FastAPI models keep working as they are
    name: str = pydantic.Field(min_length=1)
    price: float = pydantic.Field(gt=0)


class ItemOut(pydantic.BaseModel):
    id: int
    name: str


ITEMS: dict[int, ItemIn] = {}


# FastAPI: @app.post("/items", status_code=201, response_model=ItemOut)
#          async def create(item: ItemIn, x_token: str = Header()):
@app.post("/items", status_code=201, tags=["items"])
async def create(req, res, item: ItemIn, x_token: Annotated[str, Header()]) -> ItemOut:
    item_id = len(ITEMS) + 1
    ITEMS[item_id] = item
    return ItemOut(id=item_id, name=item.name)


# FastAPI: async def list_items(limit: int = Query(10, ge=1, le=100), q: str | None = None):
@app.get("/items")
async def list_items(
    req, res, limit: Annotated[int, Query(), Ge(1), Le(100)] = 10, q: str | None = None
) -> list[ItemOut]:
    found = [(i, item) for i, item in ITEMS.items() if q is None or q in item.name]
    return [ItemOut(id=i, name=item.name) for i, item in found[:limit]]


# FastAPI: raise HTTPException(404, detail=...)
@app.get("/items/{item_id}")
async def read(req, res, item_id: int) -> ItemOut:
    if item_id not in ITEMS:
        raise HTTPError(404, detail=f"no item {item_id}")
    return ItemOut(id=item_id, name=ITEMS[item_id].name)
