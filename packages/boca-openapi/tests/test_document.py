"""The document built from route descriptions: paths, parameters, bodies, responses, $refs."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, TypedDict, TypeVar

import msgspec
import pytest

from boca.openapi import OpenAPI, OpenAPIError

from ._notes import CREATE, READ
from ._routes import Body, Described, Param, Route, build

ERROR = {"$ref": "#/components/schemas/ErrorModel"}
VALIDATION = {"$ref": "#/components/schemas/ValidationErrorModel"}


def json_of(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def test_the_notes_api_document() -> None:
    doc = build(CREATE, READ, title="Notes API", version="1.0.0")
    assert doc["openapi"] == "3.1.0"
    assert doc["info"] == {"title": "Notes API", "version": "1.0.0"}
    assert list(doc["paths"]) == ["/notes", "/notes/{note_id}"]
    assert doc["paths"]["/notes"] == {
        "post": {
            "tags": ["notes"],
            "summary": "Create a note.",
            "description": (
                "The first line is the summary; the rest is the description in the document."
            ),
            "operationId": "create",
            "parameters": [
                {
                    "name": "x-request-source",
                    "in": "header",
                    "required": False,
                    "schema": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                }
            ],
            "requestBody": {
                "required": True,
                "content": json_of({"$ref": "#/components/schemas/NoteIn"}),
            },
            "responses": {
                "201": {
                    "description": "Created",
                    "content": json_of({"$ref": "#/components/schemas/Note"}),
                },
                "400": {
                    "description": "Bad Request: invalid input",
                    "content": json_of(VALIDATION),
                },
                "415": {"description": "Unsupported Media Type", "content": json_of(ERROR)},
                "422": {
                    "description": "Unprocessable Content: invalid body",
                    "content": json_of(VALIDATION),
                },
            },
        }
    }
    assert doc["paths"]["/notes/{note_id}"] == {
        "get": {
            "tags": ["notes"],
            "operationId": "read",
            "parameters": [
                {
                    "name": "note_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "exclusiveMinimum": 0},
                },
                {
                    "name": "verbose",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "boolean", "default": False},
                },
            ],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": json_of({"$ref": "#/components/schemas/Note"}),
                },
                "400": {
                    "description": "Bad Request: invalid input",
                    "content": json_of(VALIDATION),
                },
            },
        }
    }
    schemas = doc["components"]["schemas"]
    assert sorted(schemas) == [
        "ErrorDetail",
        "ErrorModel",
        "Note",
        "NoteIn",
        "ValidationErrorModel",
    ]
    assert schemas["NoteIn"] == {
        "title": "NoteIn",
        "type": "object",
        "properties": {
            "title": {"type": "string", "maxLength": 100},
            "tags": {"type": "array", "items": {"type": "string"}, "default": []},
        },
        "required": ["title"],
    }
    assert schemas["Note"]["required"] == ["id", "title", "tags"]
    validation = schemas["ValidationErrorModel"]
    assert validation["properties"]["detail"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/ErrorDetail"},
    }
    assert sorted(validation["required"]) == ["detail", "error", "status"]
    assert schemas["ErrorDetail"]["properties"]["loc"] == {
        "type": "array",
        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
    }
    assert sorted(schemas["ErrorModel"]["required"]) == ["error", "status"]
    assert doc["tags"] == [{"name": "notes"}]


def test_info_servers_and_tag_descriptions() -> None:
    doc = build(
        CREATE,
        Route("/health", name="health", tags=("ops",)),
        title="Notes",
        version="2.0",
        summary="Notes, kept.",
        description="A **notes** API.",
        terms_of_service="https://example.com/terms",
        contact={"name": "API team", "email": "api@example.com"},
        license_info={"name": "MIT", "identifier": "MIT"},
        servers=["https://api.example.com", {"url": "/", "description": "here"}],
        tags={"ops": "Health checks", "notes": "The notes"},
    )
    assert doc["info"] == {
        "title": "Notes",
        "version": "2.0",
        "summary": "Notes, kept.",
        "description": "A **notes** API.",
        "termsOfService": "https://example.com/terms",
        "contact": {"name": "API team", "email": "api@example.com"},
        "license": {"name": "MIT", "identifier": "MIT"},
    }
    assert doc["servers"] == [
        {"url": "https://api.example.com"},
        {"url": "/", "description": "here"},
    ]
    assert doc["tags"] == [
        {"name": "ops", "description": "Health checks"},
        {"name": "notes", "description": "The notes"},
    ]
    assert "tags" not in build(Route("/x", name="x"))
    listed = [{"name": "ops", "externalDocs": {"url": "https://example.com/ops"}}]
    doc = build(Route("/health", name="health", tags=("ops", "extra")), tags=listed)
    assert doc["tags"] == [*listed, {"name": "extra"}]
    with pytest.raises(ValueError, match=r"a tag object needs a 'name'"):
        OpenAPI(title="T", version="1", tags=[{"description": "no name"}])


def test_only_documented_http_routes_are_listed() -> None:
    doc = build(
        Route("/ws", kind="websocket", name="ws"),
        Route("/static", kind="mount", methods=(), name="static"),
        Route("/hidden", name="hidden", include_in_schema=False),
        Route("/page", methods=("GET", "HEAD"), name="page"),
        Route("/page", methods=("GET",), name="shadowed"),  # the first declaration answers
        Route("/ping", methods=("HEAD",), name="ping", returns=str),
    )
    assert list(doc["paths"]) == ["/page", "/ping"]
    assert list(doc["paths"]["/page"]) == ["get"]
    assert doc["paths"]["/page"]["get"]["operationId"] == "page"
    assert doc["paths"]["/page"]["get"]["responses"] == {"200": {"description": "OK"}}
    assert doc["paths"]["/ping"]["head"]["responses"] == {"200": {"description": "OK"}}


def test_operation_ids_are_unique() -> None:
    doc = build(
        Route("/items", methods=("GET", "POST"), name="items"),
        Route("/item", methods=("GET",), name="item"),
        Route("/item", methods=("PUT",), name="item"),  # a class-based view: one info per method
        Route("/a/{x}/b", methods=("GET",)),
        Route("/c", methods=("GET",), name="items_get"),
    )
    ids = {
        (path, method): op["operationId"]
        for path, item in doc["paths"].items()
        for method, op in item.items()
    }
    assert ids == {
        ("/items", "get"): "items_get",
        ("/items", "post"): "items_post",
        ("/item", "get"): "item_get",
        ("/item", "put"): "item_put",
        ("/a/{x}/b", "get"): "get_a_x_b",
        ("/c", "get"): "items_get_2",
    }


def test_path_parameters_are_always_declared_and_required() -> None:
    doc = build(
        Route(
            "/users/{user_id}/files/{name}",
            name="file",
            params=(Param("user_id", source="path", annotation=int, required=False, default=1),),
        )
    )
    assert doc["paths"]["/users/{user_id}/files/{name}"]["get"]["parameters"] == [
        {
            "name": "user_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "default": 1},
        },
        {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
    ]


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


def test_parameter_schemas_constraints_and_metadata() -> None:
    params = (
        Param(
            "limit",
            annotation=int,
            schema_type=Annotated[int, msgspec.Meta(ge=1, le=100)],
            required=False,
            default=10,
            description="Page size",
        ),
        Param("tag", annotation=list[str], required=False, default=[]),
        Param("color", annotation=Color, required=False, default=Color.RED),
        Param("sort", annotation=Literal["asc", "desc"], deprecated=True),
        Param("session", source="cookie", annotation=str, required=False, default=None),
        Param("when", annotation=Any, required=False, default=object()),  # not JSON-able
    )
    doc = build(Route("/search", name="search", params=params))
    got = doc["paths"]["/search"]["get"]["parameters"]
    assert got == [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
            "description": "Page size",
        },
        {
            "name": "tag",
            "in": "query",
            "required": False,
            "schema": {"type": "array", "items": {"type": "string"}, "default": []},
        },
        {
            "name": "color",
            "in": "query",
            "required": False,
            "schema": {"$ref": "#/components/schemas/Color", "default": "red"},
        },
        {
            "name": "sort",
            "in": "query",
            "required": True,
            "schema": {"enum": ["asc", "desc"]},
            "deprecated": True,
        },
        {"name": "session", "in": "cookie", "required": False, "schema": {"type": "string"}},
        {"name": "when", "in": "query", "required": False, "schema": {}},
    ]
    assert doc["components"]["schemas"]["Color"] == {
        "title": "Color",
        "enum": ["blue", "red"],
    }


@dataclass
class Tree:
    name: str
    children: list[Tree] = dataclasses.field(default_factory=list)


T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int


@dataclass
class Item:
    id: int


def _other_item() -> type:
    """A second model called `Item`, from another module."""

    @dataclass
    class Item:
        sku: str

    Item.__module__ = "shop.catalog"
    Item.__qualname__ = "Item"
    return Item


def _ok(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        path: item["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        for path, item in doc["paths"].items()
    }


def test_recursive_and_generic_models_get_refs() -> None:
    doc = build(
        Route("/tree", name="tree", returns=Tree),
        Route("/items", name="items", returns=Page[Item]),
        Route("/counts", name="counts", returns=Page[int]),
    )
    assert _ok(doc) == {
        "/tree": {"$ref": "#/components/schemas/Tree"},
        "/items": {"$ref": "#/components/schemas/Page_Item_"},
        "/counts": {"$ref": "#/components/schemas/Page_int_"},
    }
    schemas = doc["components"]["schemas"]
    assert schemas["Tree"]["properties"]["children"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Tree"},
        "default": [],
    }
    assert schemas["Page_Item_"] == {
        "title": "Page[Item]",
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
            "total": {"type": "integer"},
        },
        "required": ["items", "total"],
    }
    assert schemas["Page_int_"]["properties"]["items"] == {
        "type": "array",
        "items": {"type": "integer"},
    }
    assert schemas["Item"]["properties"] == {"id": {"type": "integer"}}


def test_two_models_with_one_name_are_told_apart_by_module() -> None:
    OtherItem = _other_item()
    routes = [
        Route("/items", name="items", returns=list[Item]),
        Route("/skus", name="skus", returns=OtherItem),
    ]
    mine = f"{Item.__module__}.Item"
    for order in (routes, routes[::-1]):  # the names do not depend on the routes' order
        doc = build(*order)
        assert _ok(doc) == {
            "/items": {"type": "array", "items": {"$ref": f"#/components/schemas/{mine}"}},
            "/skus": {"$ref": "#/components/schemas/shop.catalog.Item"},
        }
        schemas = doc["components"]["schemas"]
        assert schemas[mine]["properties"] == {"id": {"type": "integer"}}
        assert schemas["shop.catalog.Item"]["properties"] == {"sku": {"type": "string"}}
        assert "Item" not in schemas
    # Generic models over the two: distinct components, each pointing at its own Item.
    doc = build(
        Route("/a", name="a", returns=Page[Item]),
        Route("/b", name="b", returns=Page[OtherItem]),  # type: ignore[valid-type]
    )
    refs = _ok(doc)
    assert refs["/a"] != refs["/b"]
    schemas = doc["components"]["schemas"]
    prefix = "#/components/schemas/"
    a = schemas[refs["/a"]["$ref"].removeprefix(prefix)]
    b = schemas[refs["/b"]["$ref"].removeprefix(prefix)]
    assert a["properties"]["items"]["items"] == {"$ref": f"{prefix}{mine}"}
    assert b["properties"]["items"]["items"] == {"$ref": f"{prefix}shop.catalog.Item"}


class UploadFile:
    """Shaped like boca-core's and Starlette's `UploadFile` (recognised by its name)."""


def test_json_form_and_multipart_bodies() -> None:
    form_fields = (
        Param("title", source="form", annotation=str, description="The title"),
        Param("count", source="form", annotation=int, required=False, default=1),
    )
    upload_fields = (
        Param("name", source="form", annotation=str),
        Param("file", source="form", annotation=UploadFile),
        Param("more", source="form", annotation=list[UploadFile], required=False),
        Param("maybe", source="form", annotation=UploadFile | None, required=False),
    )
    both = ("application/x-www-form-urlencoded", "multipart/form-data")
    doc = build(
        Route(
            "/form",
            methods=("POST",),
            name="form",
            body=Body(dict, fields=form_fields, media_types=both),
        ),
        Route(
            "/upload",
            methods=("POST",),
            name="upload",
            body=Body(dict, fields=upload_fields, media_types=both, required=False),
        ),
    )
    form_schema = {
        "type": "object",
        "properties": {
            "title": {"type": "string", "description": "The title"},
            "count": {"type": "integer"},
        },
        "required": ["title"],
    }
    assert doc["paths"]["/form"]["post"]["requestBody"] == {
        "required": True,
        "content": {media: {"schema": form_schema} for media in both},
    }
    binary = {"type": "string", "format": "binary"}
    assert doc["paths"]["/upload"]["post"]["requestBody"] == {
        "required": False,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "file": binary,
                        "more": {"type": "array", "items": binary},
                        "maybe": binary,
                    },
                    "required": ["name", "file"],
                }
            }
        },
    }


class NotFound(TypedDict):
    error: str


def test_declared_responses() -> None:
    from boca.openapi._errors import error_models

    error_model, _ = error_models()
    doc = build(
        Route(
            "/notes/{note_id}",
            methods=("DELETE",),
            name="delete",
            params=(Param("note_id", source="path", annotation=int),),
            status_code=204,
            returns=None,
            responses={
                404: error_model,
                409: (NotFound, "Already deleted"),
                410: None,
                302: {
                    "description": "Moved",
                    "headers": {"Location": {"schema": {"type": "string"}}},
                },
            },
        )
    )
    responses = doc["paths"]["/notes/{note_id}"]["delete"]["responses"]
    assert responses == {
        "204": {"description": "No Content"},
        "400": {"description": "Bad Request: invalid input", "content": json_of(VALIDATION)},
        "404": {"description": "Not Found", "content": json_of(ERROR)},
        "409": {
            "description": "Already deleted",
            "content": json_of({"$ref": "#/components/schemas/NotFound"}),
        },
        "410": {"description": "Gone"},
        "302": {"description": "Moved", "headers": {"Location": {"schema": {"type": "string"}}}},
    }


def test_a_returned_response_object_or_no_body_status_documents_no_content() -> None:
    Response = type("Response", (), {"__module__": "starlette.responses"})
    doc = build(
        Route("/raw", name="raw", returns=Response),
        Route("/gone", methods=("POST",), name="gone", returns=Item, status_code=204),
        Route("/any", name="any", returns=dict[str, Any], status_code=299),
    )
    assert doc["paths"]["/raw"]["get"]["responses"] == {"200": {"description": "OK"}}
    assert doc["paths"]["/gone"]["post"]["responses"] == {"204": {"description": "No Content"}}
    assert doc["paths"]["/any"]["get"]["responses"]["299"] == {
        "description": "Response",
        "content": json_of({"type": "object"}),
    }


def test_deprecated_and_a_route_without_summary() -> None:
    doc = build(Route("/old", name="old", deprecated=True))
    assert doc["paths"]["/old"]["get"] == {
        "operationId": "old",
        "responses": {"200": {"description": "OK"}},
        "deprecated": True,
    }


def test_a_type_that_cannot_be_documented_names_the_route() -> None:
    class Opaque:
        pass

    app = Described(Route("/x", name="things", returns=Opaque))
    with pytest.raises(OpenAPIError, match=r"route 'things', return annotation: cannot document"):
        OpenAPI(title="T", version="1").document(app)
    app = Described(
        Route("/y", params=(Param("q", annotation=Opaque),)),
    )
    with pytest.raises(OpenAPIError, match=r"route '/y', parameter 'q'"):
        OpenAPI(title="T", version="1").document(app)
    app = Described(
        Route("/z", methods=("POST",), name="z", body=Body(Opaque)),
    )
    with pytest.raises(OpenAPIError, match=r"route 'z', request body"):
        OpenAPI(title="T", version="1").document(app)
    form = Body(
        dict,
        fields=(Param("f", source="form", annotation=Opaque),),
        media_types=("multipart/form-data",),
    )
    with pytest.raises(OpenAPIError, match=r"route 'w', form field 'f'"):
        OpenAPI(title="T", version="1").document(
            Described(Route("/w", methods=("POST",), name="w", body=form))
        )
    with pytest.raises(OpenAPIError, match=r"route 'v', responses\[404\]"):
        OpenAPI(title="T", version="1").document(
            Described(Route("/v", name="v", responses={404: Opaque}))
        )


def test_a_large_app_builds() -> None:
    routes = [
        Route(f"/r{i}/{{note_id}}", name=f"r{i}", params=READ.params, returns=Page[Item])
        for i in range(50)
    ]
    doc = build(*routes)
    assert len(doc["paths"]) == 50
    assert sorted(doc["components"]["schemas"])[0] == "ErrorDetail"
