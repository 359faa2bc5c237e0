"""Route descriptions built by hand: boca-core's `RouteInfo`, `ParamInfo` and `BodyInfo`
with defaults, so a test states only what it is about. The document builder reads nothing else.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from openapi_spec_validator import validate

from boca.core import BodyInfo, ParamInfo, RouteInfo
from boca.openapi import OpenAPI


def Param(
    name: str,
    *,
    source: str = "query",
    annotation: Any = str,
    schema_type: Any = None,
    required: bool = True,
    default: Any = inspect.Parameter.empty,
    alias: str = "",
    **options: Any,
) -> ParamInfo:
    return ParamInfo(
        name=name,
        alias=alias or name,
        source=source,  # type: ignore[arg-type]
        annotation=annotation,
        schema_type=annotation if schema_type is None else schema_type,
        required=required,
        default=default,
        **options,
    )


def Body(
    annotation: Any,
    *,
    media_types: tuple[str, ...] = ("application/json",),
    required: bool = True,
    fields: tuple[ParamInfo, ...] = (),
) -> BodyInfo:
    return BodyInfo(
        annotation=annotation,
        schema_type=annotation,
        media_types=media_types,
        required=required,
        fields=fields,
    )


def Route(
    path: str,
    *,
    methods: tuple[str, ...] = ("GET",),
    name: str | None = None,
    kind: str = "http",
    **options: Any,
) -> RouteInfo:
    return RouteInfo(
        kind=kind,  # type: ignore[arg-type]
        pattern=path,
        path=path,
        methods=methods,
        name=name,
        endpoint=None,
        view=None,
        **options,
    )


class Described:
    """Anything with `describe_routes()`: what `OpenAPI.document()` reads."""

    def __init__(self, *routes: RouteInfo) -> None:
        self.routes = list(routes)

    def describe_routes(self) -> Sequence[RouteInfo]:
        return self.routes


def build(*routes: RouteInfo, **options: Any) -> dict[str, Any]:
    """The document of `routes`, checked against the OpenAPI 3.1 schema."""
    options.setdefault("title", "Test API")
    options.setdefault("version", "1.0.0")
    document = OpenAPI(**options).document(Described(*routes))
    validate(document)
    return document
