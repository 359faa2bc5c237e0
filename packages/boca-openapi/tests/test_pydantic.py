"""pydantic models are documented by pydantic itself, beside msgspec's components."""

from __future__ import annotations

from dataclasses import dataclass

import pydantic

from ._routes import Body, Route, build


class Tag(pydantic.BaseModel):
    name: str = pydantic.Field(max_length=20)


class Article(pydantic.BaseModel):
    """An article."""

    title: str
    tags: list[Tag] = []


@dataclass
class Tag2:  # a msgspec-documented model whose name pydantic's "Tag" must not take
    label: str


def test_pydantic_models_in_bodies_and_responses() -> None:
    doc = build(
        Route("/articles", methods=("POST",), name="create", body=Body(Article), returns=Article),
        Route("/many", name="many", returns=list[Article]),
    )
    op = doc["paths"]["/articles"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Article"
    }
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Article"
    }
    assert doc["paths"]["/many"]["get"]["responses"]["200"]["content"]["application/json"] == {
        "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Article"}}
    }
    schemas = doc["components"]["schemas"]
    assert schemas["Article"] == {
        "title": "Article",
        "description": "An article.",
        "type": "object",
        "properties": {
            "title": {"title": "Title", "type": "string"},
            "tags": {
                "title": "Tags",
                "type": "array",
                "items": {"$ref": "#/components/schemas/Tag"},
                "default": [],
            },
        },
        "required": ["title"],
    }
    assert schemas["Tag"]["properties"]["name"] == {
        "title": "Name",
        "type": "string",
        "maxLength": 20,
    }


def test_a_pydantic_name_taken_by_another_model_is_renamed() -> None:
    Tag2.__name__ = Tag2.__qualname__ = "Tag"
    try:
        doc = build(
            Route("/labels", name="labels", returns=Tag2),
            Route("/articles", name="articles", returns=Article),
        )
    finally:
        Tag2.__name__ = Tag2.__qualname__ = "Tag2"
    schemas = doc["components"]["schemas"]
    assert schemas["Tag"]["properties"] == {"label": {"type": "string"}}
    assert schemas["Tag_2"]["properties"]["name"]["maxLength"] == 20
    assert schemas["Article"]["properties"]["tags"]["items"] == {
        "$ref": "#/components/schemas/Tag_2"
    }
    labels = doc["paths"]["/labels"]["get"]["responses"]["200"]["content"]["application/json"]
    assert labels == {"schema": {"$ref": "#/components/schemas/Tag"}}
