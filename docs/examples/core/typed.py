"""Typed requests and responses: the notes API of the typed guide."""

from dataclasses import dataclass, field
from typing import Annotated

from annotated_types import Gt, MaxLen

from boca.core import App, ErrorModel, Header, HTTPError

app = App()
NOTES: dict[int, "Note"] = {}


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
    req, res, note: NoteIn, x_request_source: Annotated[str | None, Header()] = None
) -> Note:
    """Create a note.

    The first line is the summary; the rest is the description in the OpenAPI document.
    """
    created = Note(id=len(NOTES) + 1, title=note.title, tags=note.tags)
    NOTES[created.id] = created
    if x_request_source is not None:
        res.headers["x-request-source"] = x_request_source
    return created


@app.get("/notes/{note_id}", tags=["notes"], responses={404: ErrorModel})
async def read(req, res, note_id: Annotated[int, Gt(0)], verbose: bool = False) -> Note:
    """Read one note."""
    if note_id not in NOTES:
        raise HTTPError(404, detail=f"no note {note_id}")
    note = NOTES[note_id]
    return note if verbose else Note(id=note.id, title=note.title, tags=[])
