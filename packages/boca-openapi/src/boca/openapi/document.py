"""The OpenAPI 3.1 document of an app, from its route descriptions.

Two passes over `app.describe_routes()`: the first collects every type into one `SchemaSet`
(documented together, so names are consistent), the second writes the operations.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import msgspec

from ._errors import error_models
from ._host import BodyInfo, ParamInfo, RouteInfo
from .schemas import OpenAPIError, SchemaSet
from .security import SecurityRequirement, SecurityScheme, requirements

__all__ = ["DocumentSettings", "build_document"]

OPENAPI_VERSION = "3.1.0"
_PATH_PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_BINARY = {"type": "string", "format": "binary"}


@dataclass
class DocumentSettings:
    """Everything the document says beyond the routes (the battery's options)."""

    info: dict[str, Any]
    servers: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)
    security_schemes: Mapping[str, SecurityScheme] = field(default_factory=dict)
    security: Sequence[SecurityRequirement] = ()
    route_security: Mapping[str, Sequence[SecurityRequirement]] = field(default_factory=dict)


def _operations(routes: Sequence[RouteInfo]) -> list[tuple[RouteInfo, str]]:
    """(route, method) pairs the document shows, first declaration of a path and method wins."""
    seen: set[tuple[str, str]] = set()
    out = []
    for route in routes:
        if route.kind != "http" or not route.include_in_schema:
            continue
        for method in route.methods:
            method = method.upper()
            if method == "HEAD" and "GET" in route.methods:
                continue
            if (route.path, method) not in seen:
                seen.add((route.path, method))
                out.append((route, method))
    return out


def _is_upload(tp: Any) -> bool:
    return isinstance(tp, type) and any(c.__name__ == "UploadFile" for c in tp.__mro__)


def _upload_schema(tp: Any) -> dict[str, Any] | None:
    """The schema of an `UploadFile` field (or a list of them), None for other types."""
    if _is_upload(tp):
        return dict(_BINARY)
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (list, tuple, Sequence) and args and _is_upload(args[0]):
        return {"type": "array", "items": dict(_BINARY)}
    if len(args) == 1 and _upload_schema(args[0]) is not None:  # UploadFile | None
        return _upload_schema(args[0])
    return None


def _is_raw_response(tp: Any) -> bool:
    """A response object returned as is (Boca's or Starlette's): nothing to document."""
    return isinstance(tp, type) and any(
        c.__name__ == "Response" and c.__module__.split(".")[0] in ("boca", "starlette")
        for c in tp.__mro__
    )


def _declared(value: Any) -> tuple[Any, str | None, Mapping[str, Any] | None]:
    """A `responses=` value as (type or None, description, verbatim response object)."""
    if isinstance(value, Mapping):
        return None, None, value
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str):
        return value[0], value[1], None
    return value, None, None


def _phrase(status: int | str) -> str:
    try:
        return HTTPStatus(int(status)).phrase
    except ValueError:
        return "Response"


def _has_content(status: int) -> bool:
    return not (100 <= status < 200 or status in (204, 304))


def _collect_inputs(schemas: SchemaSet, route: RouteInfo) -> None:
    where = f"route {route.name or route.path!r}"
    for param in route.params:
        schemas.add_input(param.schema_type, f"{where}, parameter {param.name!r}")
    if route.body is not None:
        if _form(route.body):
            for f in route.body.fields:
                if _upload_schema(f.annotation) is None:
                    schemas.add_input(f.schema_type, f"{where}, form field {f.name!r}")
        else:
            schemas.add_input(route.body.schema_type, f"{where}, request body")


def _collect_outputs(schemas: SchemaSet, route: RouteInfo) -> None:
    where = f"route {route.name or route.path!r}"
    if route.returns is not None and not _is_raw_response(route.returns):
        schemas.add(route.returns, f"{where}, return annotation")
    for status, value in route.responses.items():
        tp = _declared(value)[0]
        if tp is not None:
            schemas.add(tp, f"{where}, responses[{status!r}]")


def _form(body: BodyInfo) -> bool:
    return any(media in _FORM_TYPES for media in body.media_types)


def _parameter(schemas: SchemaSet, param: ParamInfo) -> dict[str, Any]:
    schema = schemas.schema(param.schema_type)
    default = param.default
    if not param.required and default is not None and default is not inspect.Parameter.empty:
        try:
            schema["default"] = msgspec.to_builtins(default)
        except (TypeError, ValueError):
            pass
    out: dict[str, Any] = {
        "name": param.alias,
        "in": param.source,
        "required": True if param.source == "path" else param.required,
        "schema": schema,
    }
    if param.description:
        out["description"] = param.description
    if param.deprecated:
        out["deprecated"] = True
    return out


def _request_body(schemas: SchemaSet, body: BodyInfo) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if _form(body):
        properties: dict[str, Any] = {}
        required: list[str] = []
        uploads = False
        for f in body.fields:
            upload = _upload_schema(f.annotation)
            uploads = uploads or upload is not None
            properties[f.alias] = upload if upload is not None else schemas.schema(f.schema_type)
            if f.description:
                properties[f.alias]["description"] = f.description
            if f.required:
                required.append(f.alias)
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        for media in body.media_types:
            # Files travel only in multipart bodies: a urlencoded form cannot carry them.
            if not (uploads and media == "application/x-www-form-urlencoded"):
                content[media] = {"schema": schema}
    else:
        for media in body.media_types:
            content[media] = {"schema": schemas.schema(body.schema_type)}
    return {"required": body.required, "content": content}


def _responses(schemas: SchemaSet, route: RouteInfo, method: str) -> dict[str, Any]:
    status = route.status_code
    success: dict[str, Any] = {"description": _phrase(status)}
    if (
        route.returns is not None
        and not _is_raw_response(route.returns)
        and _has_content(status)
        and method != "HEAD"
    ):
        success["content"] = {"application/json": {"schema": schemas.schema(route.returns)}}
    out: dict[str, Any] = {str(status): success}
    error, validation = error_models()
    if route.params or route.body is not None:
        out["400"] = _error_response(schemas, validation, "Bad Request: invalid input")
    if route.body is not None:
        out["415"] = _error_response(schemas, error, "Unsupported Media Type")
        out["422"] = _error_response(schemas, validation, "Unprocessable Content: invalid body")
    for code, value in route.responses.items():
        tp, description, verbatim = _declared(value)
        if verbatim is not None:
            out[str(code)] = dict(verbatim)
            continue
        response: dict[str, Any] = {"description": description or _phrase(code)}
        if tp is not None:
            response["content"] = {"application/json": {"schema": schemas.schema(tp)}}
        out[str(code)] = response
    return out


def _error_response(schemas: SchemaSet, model: Any, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schemas.schema(model)}},
    }


def _operation_name(route: RouteInfo, method: str) -> str:
    """The route name; else the view's name (`NoteView.get` -> `NoteView_get`); else the path."""
    if route.name:
        return route.name
    name = getattr(route.endpoint, "__name__", "")
    if isinstance(route.view, type):  # a class-based view's method
        name = f"{route.view.__name__}_{name.lower()}"
    if name.isidentifier():
        return name
    return method.lower() + re.sub(r"\W+", "_", route.path).rstrip("_")


def _operation_ids(operations: list[tuple[RouteInfo, str]]) -> list[str]:
    """One unique `operationId` per operation: the route name, `_<method>` when it has several."""
    bases = [_operation_name(route, method) for route, method in operations]
    counts: dict[str, int] = {}
    for base in bases:
        counts[base] = counts.get(base, 0) + 1
    ids: list[str] = []
    taken: set[str] = set()
    for base, (_, method) in zip(bases, operations, strict=True):
        if counts[base] > 1:  # one name for several methods (a class-based view, say)
            base = f"{base}_{method.lower()}"
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}_{n}", n + 1
        taken.add(candidate)
        ids.append(candidate)
    return ids


def _operation(
    schemas: SchemaSet,
    route: RouteInfo,
    method: str,
    operation_id: str,
    security: Mapping[str, list[dict[str, list[str]]]],
) -> dict[str, Any]:
    op: dict[str, Any] = {}
    if route.tags:
        op["tags"] = list(route.tags)
    if route.summary:
        op["summary"] = route.summary
    if route.description:
        op["description"] = route.description
    op["operationId"] = operation_id
    parameters = [_parameter(schemas, p) for p in route.params if p.source != "body"]
    declared = {p["name"] for p in parameters if p["in"] == "path"}
    for name in _PATH_PARAM.findall(route.path):
        if name not in declared:
            parameters.append(
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            )
    if parameters:
        op["parameters"] = parameters
    if route.body is not None:
        op["requestBody"] = _request_body(schemas, route.body)
    op["responses"] = _responses(schemas, route, method)
    if route.deprecated:
        op["deprecated"] = True
    name = _operation_name(route, method)
    if name in security:
        op["security"] = security[name]
    return op


def build_document(routes: Sequence[RouteInfo], settings: DocumentSettings) -> dict[str, Any]:
    """The OpenAPI 3.1 document (plain JSON-able dicts) for `routes`."""
    schemes = dict(settings.security_schemes)
    operations = _operations(routes)
    names = {_operation_name(route, method) for route, method in operations}
    route_security = {}
    for name, value in settings.route_security.items():
        if name not in names:
            raise OpenAPIError(
                f"route_security names the route {name!r}, which the document does not have "
                f"(routes: {', '.join(sorted(names)) or 'none'})"
            )
        route_security[name] = requirements(value, schemes, f"route_security[{name!r}]")
    global_security = requirements(settings.security, schemes, "security=")

    schemas = SchemaSet()
    error, validation = error_models()
    schemas.add(error, "the error responses")
    schemas.add(validation, "the validation error responses")
    documented = list({id(route): route for route, _ in operations}.values())
    for route in documented:  # inputs first: their models carry the constraints
        _collect_inputs(schemas, route)
    for route in documented:
        _collect_outputs(schemas, route)
    schemas.resolve()

    paths: dict[str, dict[str, Any]] = {}
    used_tags: dict[str, None] = {}
    for (route, method), operation_id in zip(operations, _operation_ids(operations), strict=True):
        op = _operation(schemas, route, method, operation_id, route_security)
        paths.setdefault(route.path, {})[method.lower()] = op
        used_tags.update(dict.fromkeys(route.tags))

    document: dict[str, Any] = {"openapi": OPENAPI_VERSION, "info": dict(settings.info)}
    if settings.servers:
        document["servers"] = [dict(s) for s in settings.servers]
    document["paths"] = paths
    components: dict[str, Any] = {"schemas": schemas.components}
    if schemes:
        components["securitySchemes"] = {name: s.as_dict() for name, s in schemes.items()}
    document["components"] = components
    if global_security:
        document["security"] = global_security
    tags = [dict(tag) for tag in settings.tags]
    declared = {tag["name"] for tag in tags}
    tags += [{"name": name} for name in used_tags if name not in declared]
    if tags:
        document["tags"] = tags
    return document
