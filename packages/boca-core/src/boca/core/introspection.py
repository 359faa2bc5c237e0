"""Route introspection: what each route takes and answers, computed from its declaration.

`app.describe_routes()` is the one public description of an app's routes, read by
`boca routes`, boca-openapi and any other battery, so that nothing reaches into the router.
"""

from __future__ import annotations

import inspect
import itertools
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if sys.version_info >= (3, 11):
    from typing import NotRequired, TypedDict
else:  # pragma: no cover - Python 3.10: its TypedDict does not know NotRequired
    from typing_extensions import NotRequired, TypedDict

if TYPE_CHECKING:
    from .routing import Router

__all__ = [
    "BodyInfo",
    "ErrorDetail",
    "ErrorModel",
    "ParamInfo",
    "RouteInfo",
    "ValidationErrorModel",
    "describe_routes",
]

_CONVERTER = re.compile(r"{([^{}:]*)(?::[^{}]*)?}")


@dataclass(frozen=True)
class ParamInfo:
    """One path, query, header, cookie, embedded body or form parameter."""

    #: The Python parameter name (`x_request_source`).
    name: str
    #: The name on the wire (`x-request-source` for a header, `Query(alias=...)`, a field name).
    alias: str
    source: Literal["path", "query", "header", "cookie", "body", "form"]
    #: The declared type without its `Annotated` metadata (`int`, `list[str]`, `str | None`).
    annotation: Any
    #: A type `msgspec.json.schema()` understands, every constraint as `msgspec.Meta`.
    schema_type: Any
    required: bool
    #: `inspect.Parameter.empty` when required.
    default: Any
    #: JSON Schema keywords of the constraints: `{"exclusiveMinimum": 0, "maxLength": 100}`.
    constraints: Mapping[str, Any] = field(default_factory=dict)
    description: str | None = None
    deprecated: bool = False


@dataclass(frozen=True)
class BodyInfo:
    """The request body a view reads."""

    #: The model type the view receives, or a `msgspec.Struct` made at declaration time for
    #: embedded (`Body(embed=True)`) and form fields, named after the view.
    annotation: Any
    #: What to give `msgspec.json.schema_components()`: the model with its constraints as
    #: `msgspec.Meta`. For a pydantic model, the model itself (its schema is pydantic's
    #: `model_json_schema()`); an embedded pydantic field is a `msgspec.Raw` field of the
    #: synthesised Struct, its `ParamInfo.schema_type` the pydantic model.
    schema_type: Any
    #: `("application/json",)` or the two form media types.
    media_types: tuple[str, ...]
    required: bool
    #: For embedded and form bodies: one `ParamInfo` per field (source "body" or "form").
    fields: tuple[ParamInfo, ...] = ()


@dataclass(frozen=True)
class RouteInfo:
    """One route and endpoint: a function view answering GET and POST is one info; a
    class-based view gives one info per method it defines."""

    kind: Literal["http", "websocket", "mount"]
    #: The full pattern as declared, prefixes included: `/notes/{note_id:int}`.
    pattern: str
    #: The OpenAPI path template: `/notes/{note_id}`.
    path: str
    #: Upper-case, as declared (GET also answers HEAD; HEAD is listed only when declared).
    methods: tuple[str, ...]
    name: str | None
    #: The view function or class-view method (`None` for mounts).
    endpoint: Callable[..., Any] | None
    #: The object declared (function or class).
    view: Any
    summary: str | None = None
    description: str | None = None
    #: Path, query, header and cookie parameters, in signature order.
    params: tuple[ParamInfo, ...] = ()
    body: BodyInfo | None = None
    #: The return annotation (`None` when absent or `-> None`).
    returns: Any = None
    status_code: int = 200
    #: Extra documented responses: `{404: ErrorModel}` or `{404: (ErrorModel, "description")}`.
    responses: Mapping[int, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    deprecated: bool = False
    include_in_schema: bool = True
    #: The `@before`/`@after` hooks around the endpoint (router's, class's, method's), in order.
    hooks: tuple[Any, ...] = ()


class ErrorDetail(TypedDict):
    """One validation failure."""

    #: Where: `["body", "tags", 0]`, `["query", "limit"]`, `["header", "x-request-source"]`.
    loc: list[str | int]
    msg: str
    #: What kind: "missing", "type", "constraint", "json", "extra", "content_type"...
    type: str


class ErrorModel(TypedDict):
    """Every error Boca answers: `{"error": "404 Not Found", "status": 404, "detail": ...}`."""

    error: str
    status: int
    detail: NotRequired[Any]


class ValidationErrorModel(TypedDict):
    """A 400/422 validation answer: `detail` lists every failure."""

    error: str
    status: int
    detail: list[ErrorDetail]


def openapi_path(pattern: str) -> str:
    """`/notes/{note_id:int}` -> `/notes/{note_id}`; anonymous wildcards (`{}`, `{:path}`)
    get the names `_1`, `_2`... so that the template stays valid OpenAPI."""
    count = itertools.count(1)

    def named(match: re.Match[str]) -> str:
        return "{" + (match.group(1).strip() or f"_{next(count)}") + "}"

    return _CONVERTER.sub(named, pattern)


def _anonymous_params(pattern: str) -> tuple[ParamInfo, ...]:
    """The path parameters an anonymous wildcard stands for: matched, not given to the view."""
    count = sum(1 for m in _CONVERTER.finditer(pattern) if not m.group(1).strip())
    return tuple(
        ParamInfo(
            name=f"_{n}",
            alias=f"_{n}",
            source="path",
            annotation=str,
            schema_type=str,
            required=True,
            default=inspect.Parameter.empty,
            description="Matched by an anonymous wildcard; not passed to the view.",
        )
        for n in range(1, count + 1)
    )


def docstring_parts(obj: Any) -> tuple[str | None, str | None]:
    """The summary (first line) and the description (the rest, dedented) of a docstring."""
    doc = inspect.getdoc(obj)
    if not doc:
        return None, None
    first, _, rest = doc.partition("\n")
    return first.strip() or None, rest.strip() or None


def describe_routes(router: Router) -> list[RouteInfo]:
    """Every route of `router` (HTTP routes, websocket routes, mounts), in declaration order."""
    from .views import endpoint_info

    infos: list[RouteInfo] = []
    for route in router.routes:
        grouped: dict[int, tuple[Any, list[str]]] = {}
        for method, endpoint in route.endpoints.items():
            if method in route.auto:
                continue
            described = endpoint_info(endpoint)
            key = id(described) if described is not None else id(endpoint)
            grouped.setdefault(key, (described, []))[1].append(method)
        for described, methods in grouped.values():
            infos.append(_http_info(route, described, tuple(methods)))
    for route in router.websocket_routes:
        summary, description = docstring_parts(route.view)
        infos.append(
            RouteInfo(
                kind="websocket",
                pattern=route.pattern,
                path=openapi_path(route.pattern),
                methods=(),
                name=route.name,
                endpoint=route.view if not inspect.isclass(route.view) else None,
                view=route.view,
                summary=summary,
                description=description,
                include_in_schema=False,
            )
        )
    for mount in router.mounts:
        infos.append(
            RouteInfo(
                kind="mount",
                pattern=mount.prefix,
                path=mount.prefix,
                methods=(),
                name=mount.name,
                endpoint=None,
                view=mount.app,
                include_in_schema=False,
            )
        )
    return infos


def _http_info(route: Any, described: Any, methods: tuple[str, ...]) -> RouteInfo:
    if described is None:  # pragma: no cover - every endpoint is compiled by views
        return RouteInfo(
            "http",
            route.pattern,
            openapi_path(route.pattern),
            methods,
            route.name,
            None,
            route.view,
        )
    options = described.options
    summary, description = docstring_parts(described.function)
    # An endpoint merged into the route by a later declaration has that declaration's name.
    name, view = route.declared.get(methods[0], (route.name, route.view))
    return RouteInfo(
        kind="http",
        pattern=route.pattern,
        path=openapi_path(route.pattern),
        methods=methods,
        name=name,
        endpoint=described.function,
        view=view,
        summary=options.summary if options.summary is not None else summary,
        description=options.description if options.description is not None else description,
        params=described.params + _anonymous_params(route.pattern),
        body=described.body,
        returns=described.returns,
        status_code=options.status_code or 200,
        responses=dict(options.responses or {}),
        tags=tuple(options.tags or ()),
        deprecated=options.deprecated,
        include_in_schema=options.include_in_schema,
        hooks=described.hooks,
    )
