"""Route introspection: `describe_routes()` per the contract that boca-openapi reads."""

import inspect
from dataclasses import dataclass, field
from typing import Annotated, get_type_hints

import msgspec
from annotated_types import Gt, MaxLen

from boca.core import (
    App,
    Body,
    BodyInfo,
    ErrorDetail,
    ErrorModel,
    Form,
    Header,
    ParamInfo,
    Query,
    RouteInfo,
    Router,
    UploadFile,
    ValidationErrorModel,
    before,
)


@dataclass
class NoteIn:
    title: Annotated[str, MaxLen(100)]
    tags: list[str] = field(default_factory=list)


@dataclass
class Note:
    id: int
    title: str
    tags: list[str]


def _notes_app() -> App:
    app = App()

    @app.post("/notes", status_code=201, tags=["notes"])
    async def create(
        req, res, note: NoteIn, x_request_source: Annotated[str | None, Header()] = None
    ) -> Note:
        """Create a note.

        The first line is the summary; the rest is the description in the OpenAPI document.
        """
        return Note(id=1, title=note.title, tags=note.tags)

    @app.get("/notes/{note_id:int}", name="note", responses={404: ErrorModel})
    async def read(req, res, note_id: Annotated[int, Gt(0)], verbose: bool = False) -> Note:
        return Note(id=note_id, title="t", tags=[])

    return app


def test_the_issue_example() -> None:
    app = _notes_app()
    create, read = app.describe_routes()
    assert create == RouteInfo(
        kind="http",
        pattern="/notes",
        path="/notes",
        methods=("POST",),
        name=None,
        endpoint=create.endpoint,
        view=create.endpoint,
        summary="Create a note.",
        description=(
            "The first line is the summary; the rest is the description in the OpenAPI document."
        ),
        params=(
            ParamInfo(
                name="x_request_source",
                alias="x-request-source",
                source="header",
                annotation=str | None,
                schema_type=str | None,
                required=False,
                default=None,
            ),
        ),
        body=create.body,
        returns=Note,
        status_code=201,
        responses={},
        tags=("notes",),
        deprecated=False,
        include_in_schema=True,
    )
    assert create.endpoint is not None
    assert create.endpoint.__name__ == "create"
    body = create.body
    assert body is not None
    assert body.annotation is NoteIn
    assert body.media_types == ("application/json",)
    assert body.required is True
    assert body.fields == ()
    _, components = msgspec.json.schema_components([body.schema_type])
    assert components["NoteIn"]["properties"]["title"] == {"type": "string", "maxLength": 100}

    assert read.pattern == "/notes/{note_id:int}"
    assert read.path == "/notes/{note_id}"
    assert read.methods == ("GET",)
    assert read.name == "note"
    assert read.summary is None
    assert read.description is None
    assert read.responses == {404: ErrorModel}
    assert read.status_code == 200
    assert read.body is None
    note_id, verbose = read.params
    assert note_id.source == "path"
    assert note_id.required is True
    assert note_id.default is inspect.Parameter.empty
    assert note_id.annotation is int
    assert note_id.constraints == {"exclusiveMinimum": 0}
    assert msgspec.json.schema(note_id.schema_type) == {"type": "integer", "exclusiveMinimum": 0}
    assert (verbose.source, verbose.alias, verbose.default, verbose.required) == (
        "query",
        "verbose",
        False,
        False,
    )


def test_methods_groups_websockets_mounts_options_and_prefixes() -> None:
    app = App()
    router = Router()

    async def audit(req, res, params) -> None: ...

    @router.route("/things", methods=["GET", "POST"], name="things", deprecated=True)
    async def things(req, res, q: Annotated[int, Query(alias="page", description="d")] = 1):
        pass

    @router.route("/things/{thing_id}")
    @before(audit)
    class Thing:
        """A thing."""

        async def get(self, req, res, thing_id: str) -> Note:
            """Read a thing."""
            return Note(id=1, title=thing_id, tags=[])

        async def put(
            self,
            req,
            res,
            thing_id: str,
            title: Annotated[str, Body(embed=True), MaxLen(5)],
            rank: Annotated[int, Body(embed=True, alias="position")] = 0,
        ) -> None:
            pass

    @router.put("/form", include_in_schema=False, summary="S", description="D")
    async def form(req, res, name: Annotated[str, Form()], file: Annotated[UploadFile, Form()]):
        pass

    app.include(router, prefix="/api")

    @app.websocket_route("/ws", name="live")
    async def live(ws):
        """Live updates."""

    app.mount("/static", lambda scope, receive, send: None, name="static")  # type: ignore[arg-type, return-value]

    infos = app.describe_routes()
    assert [(i.kind, i.pattern, i.methods) for i in infos] == [
        ("http", "/api/things", ("GET", "POST")),
        ("http", "/api/things/{thing_id}", ("GET",)),
        ("http", "/api/things/{thing_id}", ("PUT",)),
        ("http", "/api/form", ("PUT",)),
        ("websocket", "/ws", ()),
        ("mount", "/static", ()),
    ]
    things_info, get, put, form_info, ws, mount = infos
    assert things_info.deprecated is True
    assert things_info.name == "things"
    (page,) = things_info.params
    assert (page.name, page.alias, page.description) == ("q", "page", "d")
    assert get.summary == "Read a thing."
    assert get.returns is Note
    assert get.view is not get.endpoint
    assert inspect.isclass(get.view)
    assert [h.fn for h in get.hooks] == [audit]
    assert put.returns is None
    assert put.body is not None
    assert put.body.media_types == ("application/json",)
    assert [(f.name, f.alias, f.source, f.required) for f in put.body.fields] == [
        ("title", "title", "body", True),
        ("rank", "position", "body", False),
    ]
    assert put.body.fields[0].constraints == {"maxLength": 5}
    schema = msgspec.json.schema(put.body.schema_type)
    body_schema = schema["$defs"][put.body.schema_type.__name__]
    assert put.body.schema_type.__name__ == "PutBody"
    assert body_schema["required"] == ["title"]
    assert set(body_schema["properties"]) == {"title", "position"}
    assert form_info.include_in_schema is False
    assert (form_info.summary, form_info.description) == ("S", "D")
    assert form_info.body is not None
    assert form_info.body.media_types == (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    )
    assert [(f.name, f.source, f.annotation) for f in form_info.body.fields] == [
        ("name", "form", str),
        ("file", "form", UploadFile),
    ]
    assert ws.name == "live"
    assert ws.summary == "Live updates."
    assert ws.include_in_schema is False
    assert mount.name == "static"
    assert mount.endpoint is None
    assert mount.params == ()
    assert router.describe_routes()[0].pattern == "/things"


def test_param_annotations_show_no_metadata() -> None:
    app = App()

    @app.get("/m")
    async def view(
        req,
        res,
        a: Annotated[int, Gt(0)] | None = None,
        b: list[Annotated[str, MaxLen(3)]] = [],  # noqa: B006 - never mutated
    ):
        pass

    a, b = app.describe_routes()[0].params
    assert a.annotation == int | None
    assert b.annotation == list[str]
    assert msgspec.json.schema(b.schema_type) == {
        "type": "array",
        "items": {"type": "string", "maxLength": 3},
    }


def test_unannotated_path_parameters_take_the_converters_type() -> None:
    app = App()

    @app.get("/a/{n:int}/{u:uuid}/{s}")
    async def view(req, res, n, u, s):
        pass

    import uuid

    assert [(p.name, p.annotation) for p in app.describe_routes()[0].params] == [
        ("n", int),
        ("u", uuid.UUID),
        ("s", str),
    ]


def test_error_models_document_the_error_format() -> None:
    assert get_type_hints(ErrorDetail) == {"loc": list[str | int], "msg": str, "type": str}
    schema = msgspec.json.schema(ValidationErrorModel)
    model = schema["$defs"]["ValidationErrorModel"]
    assert sorted(model["required"]) == ["detail", "error", "status"]
    assert model["properties"]["detail"]["items"] == {"$ref": "#/$defs/ErrorDetail"}
    error = msgspec.json.schema(ErrorModel)["$defs"]["ErrorModel"]
    assert sorted(error["required"]) == ["error", "status"]
    assert isinstance(BodyInfo.__dataclass_fields__, dict)
