"""One error format for every validation failure, and a handler that reshapes it."""

from dataclasses import dataclass
from typing import Annotated

from annotated_types import Ge, MaxLen

from boca.core import App, Header, RequestValidationError

app = App()


@dataclass
class Order:
    item: Annotated[str, MaxLen(20)]
    quantity: Annotated[int, Ge(1)]


@app.post("/orders/{shop_id}", status_code=201)
async def order(
    req, res, shop_id: int, order: Order, x_client: Annotated[str, Header()] = "web"
) -> Order:
    return order


legacy = App()


@legacy.error_handler(RequestValidationError)
async def as_legacy(req, res, exc: RequestValidationError) -> None:
    # exc.errors is the list of {"loc", "msg", "type"}; exc.status_code is 400 or 422.
    res.status_code = exc.status_code
    res.json = {"errors": {".".join(map(str, e["loc"][1:])): e["msg"] for e in exc.errors}}


@legacy.post("/orders")
async def legacy_order(req, res, order: Order) -> Order:
    return order
