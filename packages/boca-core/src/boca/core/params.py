"""Markers that say where a view parameter comes from: `Annotated[str, Header()]`.

Without a marker, a parameter named in the route pattern comes from the path, one annotated
with a model type (dataclass, TypedDict, `msgspec.Struct`, pydantic model) from the JSON body,
and any other parameter with a default from the query string.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

__all__ = ["Body", "Cookie", "Form", "Header", "Param", "Path", "Query"]

Source = Literal["path", "query", "header", "cookie", "body", "form"]


@dataclass(frozen=True)
class Param:
    """Where a parameter comes from, and how it is documented.

    Args:
        alias: the name on the wire when it is not the parameter's name (a header name, a
            query parameter spelt `page-size`, a body field).
        description: documents the parameter (in the OpenAPI document).
        deprecated: marks the parameter as deprecated in the documentation.
    """

    source: ClassVar[Source]
    alias: str | None = None
    description: str | None = None
    deprecated: bool = False


@dataclass(frozen=True)
class Path(Param):
    """A path parameter (the default for names in the route pattern)."""

    source: ClassVar[Source] = "path"


@dataclass(frozen=True)
class Query(Param):
    """A query-string parameter; `list[T]` collects every value (`?tag=a&tag=b`)."""

    source: ClassVar[Source] = "query"


@dataclass(frozen=True)
class Header(Param):
    """A request header, named after the parameter with `_` as `-` (`x_request_id` reads
    `X-Request-Id`) unless `alias=` names it; `list[str]` collects repeated headers."""

    source: ClassVar[Source] = "header"


@dataclass(frozen=True)
class Cookie(Param):
    """A request cookie, named after the parameter unless `alias=` names it."""

    source: ClassVar[Source] = "cookie"


@dataclass(frozen=True)
class Body(Param):
    """The JSON body, or with `embed=True` one field of a JSON object body (named after the
    parameter). A view with several body parameters embeds them all; a body parameter whose
    type is not a model (`Annotated[int, Body()]`) is always embedded."""

    source: ClassVar[Source] = "body"
    embed: bool = False


@dataclass(frozen=True)
class Form(Param):
    """One field of an `application/x-www-form-urlencoded` or `multipart/form-data` body;
    annotate it `UploadFile` (or `list[UploadFile]`) for file fields."""

    source: ClassVar[Source] = "form"
