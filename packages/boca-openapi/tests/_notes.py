"""The issue's notes API, described by hand as boca-core's `describe_routes()` would."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

import msgspec

from ._routes import Body, Param, Route


@dataclass
class NoteIn:
    title: Annotated[str, msgspec.Meta(max_length=100)]
    tags: list[str] = field(default_factory=list)


@dataclass
class Note:
    id: int
    title: str
    tags: list[str]


CREATE = Route(
    "/notes",
    methods=("POST",),
    name="create",
    summary="Create a note.",
    description="The first line is the summary; the rest is the description in the document.",
    params=(
        Param(
            "x_request_source",
            source="header",
            alias="x-request-source",
            annotation=str | None,
            required=False,
            default=None,
        ),
    ),
    body=Body(NoteIn),
    returns=Note,
    status_code=201,
    tags=("notes",),
)
READ = Route(
    "/notes/{note_id}",
    name="read",
    params=(
        Param(
            "note_id",
            source="path",
            annotation=int,
            schema_type=Annotated[int, msgspec.Meta(gt=0)],
            constraints={"exclusiveMinimum": 0},
        ),
        Param("verbose", annotation=bool, required=False, default=False),
    ),
    returns=Note,
    tags=("notes",),
)
