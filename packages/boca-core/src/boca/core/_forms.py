"""Form bodies a view declares: `Annotated[str, Form()]` fields of an urlencoded or
multipart body, read with `req.form()` (and its limits) and checked like URL values."""

from __future__ import annotations

import inspect
import typing
from typing import TYPE_CHECKING, Any, cast

import msgspec
from starlette.datastructures import UploadFile

from ._bodies import (
    _FORMS,
    _Body,
    _camel,
    _error,
    _media_type,
    _optional_inner,
    _pydantic_errors,
    _unsupported,
)
from ._constraints import (
    ConstraintError,
    _model_fields,
    _without_marker,
    base_type,
    is_model,
    is_pydantic_model,
    json_constraints,
    plain_type,
    translate,
)
from ._params import parser_for
from ._validation import RequestValidationError, collect_errors, detail
from .introspection import BodyInfo, ParamInfo

if TYPE_CHECKING:
    from .params import Param
    from .requests import Request

__all__ = ["FormBody"]

_EMPTY = inspect.Parameter.empty
_MISSING: Any = object()
Declared = list[tuple[inspect.Parameter, Any, "Param"]]


class FormBody(_Body):
    """Form fields: `application/x-www-form-urlencoded` or `multipart/form-data`."""

    @classmethod
    def declare(cls, forms: Declared, view_name: str) -> FormBody:
        plan: list[tuple[str, str, str, Any, Any, bool, Any]] = []
        infos = []
        fields = []
        for param, annotation, marker in forms:
            alias = marker.alias or param.name
            declared = str if annotation is _EMPTY else _without_marker(annotation)
            bare = _optional_inner(declared)
            args = typing.get_args(bare)
            if is_model(bare):
                model_plan, model_infos, model_fields = _model_form(param, declared, bare)
                plan.append(model_plan)
                infos.extend(model_infos)
                fields.extend(model_fields)
                continue
            if bare is UploadFile or (isinstance(bare, type) and issubclass(bare, UploadFile)):
                kind, parse, schema_type = "file", None, cast(Any, bytes)
            elif (
                typing.get_origin(bare) is list and args and _optional_inner(args[0]) is UploadFile
            ):
                kind, parse, schema_type = "files", None, list[bytes]
            else:
                try:
                    parse, many = parser_for(declared)
                    schema_type, _ = translate(declared)
                except (TypeError, ConstraintError) as exc:
                    raise _error(
                        f"parameter {param.name!r} (form): {exc}; form fields are text, "
                        "scalars or UploadFile"
                    ) from None
                kind = "many" if many else "one"
            has_check = kind in ("one", "many") and schema_type is not declared
            check = (lambda v, t=schema_type: msgspec.convert(v, t)) if has_check else None
            required = param.default is _EMPTY
            plan.append((param.name, alias, kind, parse, check, required, param.default))
            spec: tuple[Any, ...] = (
                (param.name, schema_type)
                if required
                else (
                    param.name,
                    schema_type,
                    param.default
                    if param.default is None or isinstance(param.default, (str, int, float, bool))
                    else None,
                )
            )
            fields.append(spec)
            infos.append(
                ParamInfo(
                    name=param.name,
                    alias=alias,
                    source="form",
                    annotation=plain_type(declared),
                    schema_type=schema_type,
                    required=required,
                    default=param.default,
                    constraints=json_constraints(schema_type),
                    description=marker.description,
                    deprecated=marker.deprecated,
                )
            )
        rename = {i.name: i.alias for i in infos if i.alias != i.name}
        struct = msgspec.defstruct(
            f"{_camel(view_name)}Form",
            fields,
            kw_only=True,
            rename=rename or None,
        )

        async def read(req: Request) -> dict[str, Any]:
            media = _media_type(req)
            if media not in _FORMS:
                raise _unsupported(req, _FORMS)
            form = await req.form()
            kwargs: dict[str, Any] = {}
            errors: list[dict[str, Any]] = []
            for name, alias, kind, parse, check, required, default in plan:
                if kind == "model":  # `parse` reads the model's fields from the whole form
                    value = parse(form, errors)
                    if value is not _MISSING:
                        kwargs[name] = value
                    continue
                values = form.getlist(alias)
                if not values:
                    if required:
                        errors.append(detail(["form", alias], "Field required", "missing"))
                    else:
                        kwargs[name] = default
                    continue
                try:
                    kwargs[name] = _form_value(kind, values, parse, check)
                except ValueError as exc:
                    kind_of = None if isinstance(exc, msgspec.ValidationError) else "type"
                    errors.append(detail(["form", alias], str(exc), kind_of))
            if errors:
                raise RequestValidationError(422, errors)
            return kwargs

        return cls(BodyInfo(struct, struct, _FORMS, any(p[5] for p in plan), tuple(infos)), read)


def _model_form(
    param: inspect.Parameter, declared: Any, model: Any
) -> tuple[tuple[str, str, str, Any, Any, bool, Any], list[ParamInfo], list[tuple[Any, ...]]]:
    """A model filled from the form's fields (text and scalars, named as the model's fields)."""
    if is_pydantic_model(model):
        names = list(model.model_fields)
        infos = [
            ParamInfo(
                n,
                f.alias or n,
                "form",
                f.annotation,
                f.annotation,
                f.is_required(),
                _EMPTY if f.is_required() else f.default,
            )
            for n, f in model.model_fields.items()
        ]

        def read_pydantic(form: Any, errors: list[dict[str, Any]]) -> Any:
            data = {n: _one_or_many(form.getlist(n)) for n in names if n in form}
            try:
                return model.model_validate(data)
            except ValueError as exc:  # pydantic.ValidationError
                errors.extend(_pydantic_errors(exc, ["form"]))
                return _MISSING

        required = param.default is _EMPTY
        return (param.name, param.name, "model", read_pydantic, None, required, None), infos, []
    try:
        schema_type, converts = translate(declared)
        parsers = []
        infos = []
        for name, tp, required, default in _model_fields(model):
            wire = name[1] if isinstance(name, tuple) else name
            parse, many = parser_for(tp)
            parsers.append((wire, parse, many))
            infos.append(
                ParamInfo(
                    name=name[0] if isinstance(name, tuple) else name,
                    alias=wire,
                    source="form",
                    annotation=plain_type(tp),
                    schema_type=translate(tp)[0],
                    required=required,
                    default=_EMPTY if required else default,
                    constraints=json_constraints(translate(tp)[0]),
                )
            )
    except (TypeError, ConstraintError) as exc:
        raise _error(
            f"parameter {param.name!r} (form): {exc}; a form model has text and scalar fields"
        ) from None
    target = base_type(declared)

    def read_model(form: Any, errors: list[dict[str, Any]]) -> Any:
        data: dict[str, Any] = {}
        unreadable: dict[str, dict[str, Any]] = {}
        for wire, parse, many in parsers:
            values = form.getlist(wire)
            if not values:
                continue
            try:
                data[wire] = _form_value("many" if many else "one", values, parse, None)
            except ValueError as exc:
                unreadable[wire] = detail(["form", wire], str(exc), "type")
        try:
            value = msgspec.convert(data, schema_type)
        except msgspec.ValidationError:
            found: list[dict[str, Any]] = []
            collect_errors(schema_type, data, ["form"], found)
            # A field that did not convert from text is reported as such, not as missing.
            errors.extend(e for e in found if e["loc"][1] not in unreadable)
            errors.extend(unreadable.values())
            return _MISSING
        if unreadable:
            errors.extend(unreadable.values())
            return _MISSING
        return msgspec.convert(value, target, from_attributes=True) if converts else value

    fields = [(i.name, i.schema_type) for i in infos]
    required = param.default is _EMPTY
    return (param.name, param.name, "model", read_model, None, required, None), infos, fields


def _one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def _form_value(kind: str, values: list[Any], parse: Any, check: Any) -> Any:
    if kind in ("file", "files"):
        if not all(isinstance(v, UploadFile) for v in values):
            raise ValueError("Expected a file upload, got a text field")
        return values[0] if kind == "file" else values
    if any(isinstance(v, UploadFile) for v in values):
        raise ValueError("Expected a text field, got a file upload")
    parsed = [parse(v) if parse is not None else v for v in values]
    value = parsed if kind == "many" else parsed[0]
    return check(value) if check is not None else value
