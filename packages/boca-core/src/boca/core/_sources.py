"""Where each view parameter comes from, decided once at declaration: the view's plan.

A plan holds, per source, what to read and how to check it. `arguments(req)` then only reads
the parts of the request the view asked for; a failing value is collected, not raised, so the
client hears about every bad value at once.
"""

from __future__ import annotations

import inspect
import typing
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import msgspec

from ._bodies import JSONBody
from ._constraints import (
    ConstraintError,
    SourceError,
    _without_marker,
    base_type,
    is_model,
    json_constraints,
    mentions_model,
    plain_type,
    translate,
)
from ._forms import FormBody
from ._params import Parser, parser_for, strip_optional
from ._validation import RequestValidationError, detail
from .introspection import ParamInfo
from .params import Body, Form, Param, Path, Query

if TYPE_CHECKING:
    from .requests import Request

__all__ = ["Plan", "SourceError", "plan_for"]

_EMPTY = inspect.Parameter.empty
#: What the built-in path converters produce (for the description of unannotated parameters).
_CONVERTED: dict[str, Any] = {"int": int, "float": float, "uuid": uuid.UUID}


@dataclass(frozen=True)
class _Value:
    """One path, query, header or cookie value: how to find, convert and check it."""

    name: str
    alias: str
    parse: Parser | None
    many: bool
    default: Any
    required: bool
    check: Callable[[Any], Any] | None


class Plan:
    """The parameters of one view, by source."""

    def __init__(self) -> None:
        self.path: list[_Value] = []
        self.query: list[_Value] = []
        self.header: list[_Value] = []
        self.cookie: list[_Value] = []
        self.body: JSONBody | FormBody | None = None
        self.provided: list[str] = []
        self.accepts_any = False
        self.infos: list[ParamInfo] = []

    @property
    def simple(self) -> bool:
        """No body: every value is read without awaiting anything."""
        return self.body is None

    @property
    def plain(self) -> bool:
        """Every path parameter as the router converted it, nothing else."""
        return (
            not any(p.parse or p.check for p in self.path)
            and not self.query
            and not self.header
            and not self.cookie
            and self.body is None
        )

    @property
    def empty(self) -> bool:
        """No keyword argument at all comes from the request."""
        return not (
            self.path or self.query or self.header or self.cookie or self.body or self.accepts_any
        )

    def reader(self) -> Callable[[Request], Any]:
        """`async reader(req) -> kwargs`, with only the steps this view needs."""
        body = self.body
        if body is not None and not (
            self.path or self.query or self.header or self.cookie or self.accepts_any
        ):
            return body.read
        if body is None:
            values = self.values

            async def only_values(req: Request) -> dict[str, Any]:
                return values(req)

            return only_values
        return self.arguments

    def values(self, req: Request) -> dict[str, Any]:
        """Path, query, header and cookie values; 400 listing every bad one."""
        path_params = req.path_params
        kwargs = (
            dict(path_params)
            if self.accepts_any
            else {p.name: path_params[p.name] for p in self.path}
        )
        errors: list[dict[str, Any]] = []
        for p in self.path:
            if p.parse is not None or p.check is not None:
                _convert(p, "path", kwargs[p.name], kwargs, errors)
        if self.query:
            _read(self.query, "query", req.query_params, kwargs, errors)
        if self.header:
            _read(self.header, "header", req.headers, kwargs, errors)
        if self.cookie:
            _read(self.cookie, "cookie", req.cookies, kwargs, errors)
        if errors:
            raise RequestValidationError(400, errors)
        return kwargs

    async def arguments(self, req: Request) -> dict[str, Any]:
        kwargs = self.values(req)
        if self.body is not None:
            kwargs.update(await self.body.read(req))
        return kwargs


def _read(
    values: list[_Value], source: str, found: Any, kwargs: dict[str, Any], errors: list[Any]
) -> None:
    for p in values:
        if p.many:
            raw: Any = found.getlist(p.alias) if hasattr(found, "getlist") else []
            if not raw:
                if p.required:
                    errors.append(detail([source, p.alias], "Field required", "missing"))
                else:
                    kwargs[p.name] = p.default
                continue
        else:
            raw = found.get(p.alias)
            if raw is None:
                if p.required:
                    errors.append(detail([source, p.alias], "Field required", "missing"))
                else:
                    kwargs[p.name] = p.default
                continue
        _convert(p, source, raw, kwargs, errors)


def _convert(p: _Value, source: str, raw: Any, kwargs: dict[str, Any], errors: list[Any]) -> None:
    try:
        if p.parse is None:
            value = raw
        elif p.many:
            value = [p.parse(v) for v in raw]
        else:
            value = p.parse(raw)
        if p.check is not None:
            value = p.check(value)
    except ValueError as exc:  # msgspec.ValidationError is a ValueError too
        loc: list[str | int] = [source, p.alias]
        if isinstance(exc, msgspec.ValidationError):
            errors.append(detail(loc, str(exc)))
        else:
            errors.append(detail(loc, str(exc), "type"))
        return
    kwargs[p.name] = value


def _marker(annotation: Any) -> Param | None:
    if typing.get_origin(annotation) is Annotated:
        for item in annotation.__metadata__:
            if isinstance(item, Param):
                return item
            if isinstance(item, type) and issubclass(item, Param):
                raise SourceError(f"write {item.__name__}() with parentheses, not {item.__name__}")
    return None


def _checker(schema_type: Any, needed: bool) -> Callable[[Any], Any] | None:
    if not needed:
        return None

    def check(value: Any) -> Any:
        return msgspec.convert(value, schema_type)

    return check


def _has_constraints(annotation: Any) -> bool:
    if typing.get_origin(annotation) is Annotated:
        return any(
            isinstance(m, msgspec.Meta) or type(m).__module__ == "annotated_types"
            for m in annotation.__metadata__
        )
    return any(_has_constraints(a) for a in typing.get_args(annotation) if a is not ...)


def plan_for(
    params: list[inspect.Parameter],
    hints: dict[str, Any],
    path_params: dict[str, str],
    providers: Any,
    *,
    view_name: str,
    body_allowed: bool,
) -> Plan:
    """Decide where each parameter comes from. Raises `SourceError` saying what to change."""
    plan = Plan()
    bodies: list[tuple[inspect.Parameter, Any, Param]] = []
    forms: list[tuple[inspect.Parameter, Any, Param]] = []
    for param in params:
        if param.kind is param.VAR_KEYWORD:
            plan.accepts_any = True
            continue
        if param.kind is param.VAR_POSITIONAL:
            continue
        annotation = hints.get(param.name, _EMPTY)
        marker = _marker(annotation)
        if marker is None and param.name in path_params:
            marker = Path()
        if (
            marker is None
            and annotation is not _EMPTY
            and mentions_model(annotation)
            and not (providers is not None and param.name in providers)
        ):
            marker = Body()
        if marker is None:
            if param.default is _EMPTY:
                plan.provided.append(param.name)  # a provider, by name
                continue
            marker = Query()
        if isinstance(marker, Body):
            bodies.append((param, annotation, marker))
        elif isinstance(marker, Form):
            forms.append((param, annotation, marker))
        else:
            _add_value(plan, param, annotation, marker, path_params)
    if (bodies or forms) and not body_allowed:
        names = ", ".join(repr(p.name) for p, _, _ in [*bodies, *forms])
        raise SourceError(
            f"parameter(s) {names} read the request body, which GET and HEAD requests and "
            "websockets do not have: answer another method (methods=['POST']), or read them "
            "from the query string with Annotated[..., Query()]"
        )
    if bodies and forms:
        raise SourceError(
            "a view reads a JSON body or a form, not both: make every body parameter Form() or none"
        )
    if bodies:
        plan.body = JSONBody.declare(bodies, view_name)
    elif forms:
        plan.body = FormBody.declare(forms, view_name)
    return plan


def _add_value(
    plan: Plan,
    param: inspect.Parameter,
    annotation: Any,
    marker: Param,
    path_params: dict[str, str],
) -> None:
    source = marker.source
    declared = str if annotation is _EMPTY else _without_marker(annotation)
    if annotation is _EMPTY and source == "path":  # the pattern's converter says the type
        declared = _CONVERTED.get(path_params[param.name], str)
    if source == "path" and param.name not in path_params:
        raise SourceError(
            f"parameter {param.name!r} is marked Path() but the pattern has no "
            f"'{{{param.name}}}': add it to the pattern"
        )
    try:
        schema_type, _ = translate(declared)
    except ConstraintError as exc:
        raise SourceError(f"parameter {param.name!r}: {exc}") from None
    bare = base_type(strip_optional(base_type(declared)))
    try:
        parse, many = parser_for(bare)
        if many:
            item = typing.get_args(bare)
            if item and is_model(item[0]):
                raise TypeError("a list of models comes from a JSON body, not from a URL")
    except TypeError as exc:
        raise SourceError(
            f"parameter {param.name!r} ({source}): {exc}. Models come from the JSON body: "
            "annotate a dataclass, TypedDict, msgspec.Struct or pydantic model without a "
            "Query()/Header()/Cookie() marker"
        ) from None
    if source == "path":
        if path_params[param.name] not in ("str", "path"):
            parse = None  # the pattern's converter already produced a typed value
        alias = param.name
    elif marker.alias is not None:
        alias = marker.alias
    elif source == "header":
        alias = param.name.replace("_", "-")
    else:
        alias = param.name
    if source == "header":
        alias = alias.lower()
    required = param.default is _EMPTY and source != "path"
    check = _checker(schema_type, _has_constraints(declared))
    value = _Value(param.name, alias, parse, many, param.default, required, check)
    getattr(plan, source).append(value)
    plan.infos.append(
        ParamInfo(
            name=param.name,
            alias=alias,
            source=source,
            annotation=plain_type(declared),
            schema_type=schema_type,
            required=param.default is _EMPTY,
            default=param.default,
            constraints=json_constraints(schema_type),
            description=marker.description,
            deprecated=marker.deprecated,
        )
    )
