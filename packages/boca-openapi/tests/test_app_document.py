"""The document of real Boca apps, read through `app.describe_routes()`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import pydantic
from annotated_types import MaxLen
from openapi_spec_validator import validate

from boca.core import App, Body, Router
from boca.openapi import OpenAPI

from ._app import create_app

VALIDATION = {"$ref": "#/components/schemas/ValidationErrorModel"}


def document(app: App) -> dict[str, Any]:
    doc = app.extensions["openapi"].document(app)
    validate(doc)
    return doc


def test_the_notes_app() -> None:
    doc = document(create_app())
    create = doc["paths"]["/notes"]["post"]
    assert create["operationId"] == "create"
    assert create["summary"] == "Create a note."
    assert create["description"] == "The first line is the summary; the rest is the description."
    assert create["parameters"] == [
        {
            "name": "x-request-source",
            "in": "header",
            "required": False,
            "schema": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "description": "Who sends it",
        }
    ]
    assert create["requestBody"] == {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NoteIn"}}},
    }
    assert sorted(create["responses"]) == ["201", "400", "415", "422"]
    listing = doc["paths"]["/notes"]["get"]
    assert listing["parameters"][0] == {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
    }
    assert listing["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Note"},
    }
    read = doc["paths"]["/notes/{note_id}"]["get"]
    assert read["responses"]["404"] == {
        "description": "Not Found",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorModel"}}},
    }
    delete = doc["paths"]["/notes/{note_id}"]["delete"]
    assert delete["deprecated"] is True
    assert delete["security"] == [{"bearer": []}]
    assert delete["responses"] == {
        "204": {"description": "No Content"},
        "400": {
            "description": "Bad Request: invalid input",
            "content": {"application/json": {"schema": VALIDATION}},
        },
    }
    upload = doc["paths"]["/uploads"]["post"]["requestBody"]
    assert upload == {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "file": {"type": "string", "format": "binary"},
                    },
                    "required": ["name", "file"],
                }
            }
        },
    }
    schemas = doc["components"]["schemas"]
    assert schemas["NoteIn"] == {
        "title": "NoteIn",
        "type": "object",
        "properties": {
            "title": {"type": "string", "maxLength": 100, "minLength": 1},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 20}, "default": []},
            "color": {"$ref": "#/components/schemas/Color", "default": "yellow"},
        },
        "required": ["title"],
    }
    assert schemas["Color"] == {"title": "Color", "enum": ["blue", "yellow"]}
    assert doc["components"]["securitySchemes"] == {
        "key": {"type": "apiKey", "name": "X-API-Key", "in": "header"},
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    }
    assert doc["tags"] == [{"name": "notes"}, {"name": "files"}]


@dataclass
class Point:
    x: int
    y: int


class Place(pydantic.BaseModel):
    name: str = pydantic.Field(min_length=1)
    where: list[float]


def test_routers_class_views_embedded_bodies_pydantic_and_what_is_skipped() -> None:
    app = App()
    router = Router()

    @router.route("/points/{point_id:int}", name="point")
    class PointView:
        async def get(self, req: Any, res: Any, point_id: int) -> Point:
            """Read a point."""
            return Point(x=point_id, y=0)

        async def put(self, req: Any, res: Any, point_id: int, point: Point) -> Point:
            return point

    @router.post("/move")
    async def move(
        req: Any,
        res: Any,
        dx: Annotated[int, Body(embed=True)],
        dy: Annotated[int, Body(embed=True)],
    ) -> Point:
        return Point(x=dx, y=dy)

    @router.post("/places", name="places")
    async def places(req: Any, res: Any, place: Place) -> Place:
        return place

    @app.websocket_route("/ws")
    async def ws(ws: Any) -> None:
        pass

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        pass

    app.include(router, prefix="/v1")
    app.mount("/legacy", asgi)
    app.use(OpenAPI(title="T", version="1"))
    doc = document(app)
    assert list(doc["paths"]) == ["/v1/points/{point_id}", "/v1/move", "/v1/places"]
    point = doc["paths"]["/v1/points/{point_id}"]
    assert (point["get"]["operationId"], point["put"]["operationId"]) == ("point_get", "point_put")
    assert point["get"]["summary"] == "Read a point."
    assert point["get"]["parameters"] == [
        {"name": "point_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    ]
    move_body = doc["paths"]["/v1/move"]["post"]["requestBody"]["content"]["application/json"]
    ref = move_body["schema"]["$ref"].removeprefix("#/components/schemas/")
    assert doc["components"]["schemas"][ref]["properties"] == {
        "dx": {"type": "integer"},
        "dy": {"type": "integer"},
    }
    assert doc["components"]["schemas"][ref]["required"] == ["dx", "dy"]
    place = doc["paths"]["/v1/places"]["post"]
    assert place["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Place"
    }
    assert doc["components"]["schemas"]["Place"]["properties"]["name"] == {
        "minLength": 1,
        "title": "Name",
        "type": "string",
    }


@dataclass
class Author:
    name: Annotated[str, MaxLen(100)]


@dataclass
class Book:
    title: str
    authors: list[Author]


def test_a_model_validated_by_several_routes_is_one_component() -> None:
    app = App()

    @app.post("/authors")
    async def add_author(req: Any, res: Any, author: Author) -> Author:
        return author

    @app.put("/authors/{n}")
    async def set_author(req: Any, res: Any, n: int, author: Author) -> list[Author]:
        return [author]

    @app.post("/books")
    async def add_book(req: Any, res: Any, book: Book) -> Book:
        return book

    app.use(OpenAPI(title="T", version="1"))
    doc = document(app)
    schemas = doc["components"]["schemas"]
    assert sorted(schemas) == [
        "Author",
        "Book",
        "ErrorDetail",
        "ErrorModel",
        "ValidationErrorModel",
    ]
    assert schemas["Author"]["properties"] == {"name": {"type": "string", "maxLength": 100}}
    assert schemas["Book"]["properties"]["authors"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Author"},
    }
    ref = {"$ref": "#/components/schemas/Author"}
    add, put = doc["paths"]["/authors"]["post"], doc["paths"]["/authors/{n}"]["put"]
    assert add["requestBody"]["content"]["application/json"]["schema"] == ref
    assert add["responses"]["200"]["content"]["application/json"]["schema"] == ref
    assert put["requestBody"]["content"]["application/json"]["schema"] == ref
    assert put["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": ref,
    }
