"""A typed notes API documented by boca-openapi: /openapi.json, /docs and /redoc."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from annotated_types import Gt, MaxLen

from boca.core import App, ErrorModel, Header, HTTPError
from boca.openapi import OpenAPI

app = App()
notes: dict[int, Note] = {}


@dataclass
class NoteIn:
    title: Annotated[str, MaxLen(100)]
    tags: list[str] = field(default_factory=list)


@dataclass
class Note:
    id: int
    title: str
    tags: list[str]


@app.post("/notes", status_code=201, tags=["notes"])
async def create(
    req: Any, res: Any, note: NoteIn, x_request_source: Annotated[str | None, Header()] = None
) -> Note:
    """Create a note.

    The first line is the summary; the rest is the description in the OpenAPI document.
    """
    created = Note(id=len(notes) + 1, title=note.title, tags=note.tags)
    notes[created.id] = created
    return created


@app.get("/notes/{note_id}", tags=["notes"], responses={404: ErrorModel})
async def read(req: Any, res: Any, note_id: Annotated[int, Gt(0)], verbose: bool = False) -> Note:
    """Read a note."""
    if note_id not in notes:
        raise HTTPError(404, detail=f"no note {note_id}")
    return notes[note_id]


app.use(OpenAPI(title="Notes API", version="1.0.0"))
