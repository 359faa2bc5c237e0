"""Route descriptions built by hand, shaped like boca-core's `RouteInfo` (the contract).

The document builder reads only these attributes, so the tests of the document do not need a
web app; the tests of serving use real Boca apps.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openapi_spec_validator import validate

from boca.openapi import OpenAPI


@dataclass(frozen=True)
class Param:
    name: str
    source: str = "query"
    annotation: Any = str
    schema_type: Any = None
    required: bool = True
    default: Any = inspect.Parameter.empty
    alias: str = ""
    constraints: Mapping[str, Any] = field(default_factory=dict)
    description: str | None = None
    deprecated: bool = False

    def __post_init__(self) -> None:
        if not self.alias:
            object.__setattr__(self, "alias", self.name)
        if self.schema_type is None:
            object.__setattr__(self, "schema_type", self.annotation)


@dataclass(frozen=True)
class Body:
    annotation: Any
    schema_type: Any = None
    media_types: tuple[str, ...] = ("application/json",)
    required: bool = True
    fields: tuple[Param, ...] = ()

    def __post_init__(self) -> None:
        if self.schema_type is None:
            object.__setattr__(self, "schema_type", self.annotation)


@dataclass(frozen=True)
class Route:
    path: str
    methods: tuple[str, ...] = ("GET",)
    name: str | None = None
    kind: str = "http"
    pattern: str = ""
    endpoint: Any = None
    view: Any = None
    summary: str | None = None
    description: str | None = None
    params: tuple[Param, ...] = ()
    body: Body | None = None
    returns: Any = None
    status_code: int = 200
    responses: Mapping[int, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    deprecated: bool = False
    include_in_schema: bool = True


class Described:
    """Anything with `describe_routes()`: what `OpenAPI.document()` reads."""

    def __init__(self, *routes: Route) -> None:
        self.routes = list(routes)

    def describe_routes(self) -> Sequence[Route]:
        return self.routes


def build(*routes: Route, **options: Any) -> dict[str, Any]:
    """The document of `routes`, checked against the OpenAPI 3.1 schema."""
    options.setdefault("title", "Test API")
    options.setdefault("version", "1.0.0")
    document = OpenAPI(**options).document(Described(*routes))
    validate(document)
    return document
