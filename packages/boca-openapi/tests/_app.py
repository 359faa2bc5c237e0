"""A typed notes API with the battery: the app the serving, browser and schemathesis tests use."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Annotated, Any

from annotated_types import Ge, Gt, Le, MaxLen, MinLen

from boca.core import App, ErrorModel, Form, Header, HTTPError, Query, UploadFile
from boca.openapi import APIKey, HTTPBearer, OpenAPI


class Color(enum.Enum):
    YELLOW = "yellow"
    BLUE = "blue"


@dataclass
class NoteIn:
    title: Annotated[str, MinLen(1), MaxLen(100)]
    tags: list[Annotated[str, MaxLen(20)]] = field(default_factory=list)
    color: Color = Color.YELLOW


@dataclass
class Note:
    id: int
    title: str
    tags: list[str]
    color: Color


@dataclass
class Upload:
    name: str
    size: int


def create_app(**options: Any) -> App:
    """A fresh app and its store; `options` go to `OpenAPI(...)`."""
    app = App()
    notes: dict[int, Note] = {}

    @app.post("/notes", status_code=201, tags=["notes"])
    async def create(
        req: Any,
        res: Any,
        note: NoteIn,
        x_request_source: Annotated[str | None, Header(description="Who sends it")] = None,
    ) -> Note:
        """Create a note.

        The first line is the summary; the rest is the description.
        """
        created = Note(id=len(notes) + 1, title=note.title, tags=note.tags, color=note.color)
        notes[created.id] = created
        return created

    @app.get("/notes", tags=["notes"])
    async def list_notes(
        req: Any,
        res: Any,
        limit: Annotated[int, Ge(1), Le(50)] = 10,
        tag: Annotated[list[str] | None, Query()] = None,
    ) -> list[Note]:
        """List notes."""
        found = [n for n in notes.values() if not tag or set(tag) & set(n.tags)]
        return found[:limit]

    @app.get("/notes/{note_id}", tags=["notes"], responses={404: ErrorModel})
    async def read(
        req: Any, res: Any, note_id: Annotated[int, Gt(0)], verbose: bool = False
    ) -> Note:
        """Read one note."""
        if note_id not in notes:
            raise HTTPError(404, detail=f"no note {note_id}")
        return notes[note_id]

    @app.delete("/notes/{note_id}", status_code=204, tags=["notes"], deprecated=True)
    async def delete(req: Any, res: Any, note_id: Annotated[int, Gt(0)]) -> None:
        """Delete a note (deprecated: notes are kept)."""
        notes.pop(note_id, None)

    @app.post("/uploads", status_code=201, tags=["files"])
    async def upload(
        req: Any, res: Any, name: Annotated[str, Form()], file: Annotated[UploadFile, Form()]
    ) -> Upload:
        """Upload a file."""
        return Upload(name=name, size=len(await file.read()))

    @app.get("/health", include_in_schema=False)
    async def health(req: Any, res: Any) -> dict[str, str]:
        return {"status": "ok"}

    options.setdefault("title", "Notes API")
    options.setdefault("version", "1.0.0")
    options.setdefault(
        "security_schemes", {"key": APIKey("X-API-Key"), "bearer": HTTPBearer(bearer_format="JWT")}
    )
    options.setdefault("route_security", {"delete": ["bearer"]})
    app.use(OpenAPI(**options))
    return app
