"""Validation failures: one error format for every source, and every error at once.

The fast path is msgspec's one-pass decoder, which stops at the first error. Only when it
fails does this module look again, decoding the bytes untyped and checking each field, so that
a request with three bad fields hears about all three.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any

import msgspec

from ._constraints import NotRequired, Required, _is_typeddict, _model_fields, annotated, base_type
from .errors import HTTPError

__all__ = ["RequestValidationError", "collect_errors", "detail", "message"]

_AT = re.compile(r" - at `\$[^`]*`$")
_QUOTED = re.compile(r"'([^']{24})[^']+'")
_MAX_MESSAGE = 160
_MAX_ERRORS = 100
_MAX_DEPTH = 64
_CONTAINERS = (list, set, frozenset, tuple)


class RequestValidationError(HTTPError):
    """A request whose parameters or body fail validation.

    Answered as `{"error": "422 Unprocessable Content", "status": 422, "detail": [...]}`, one
    `{"loc": [...], "msg": ..., "type": ...}` per failure; 400 for bad path, query, header and
    cookie values and for malformed bodies. `errors` is that list.
    """

    def __init__(self, status: int, errors: list[dict[str, Any]]) -> None:
        super().__init__(status, detail=errors)
        self.errors = errors


def message(text: str) -> str:
    """A failure message without its JSON path, and with a short excerpt of any echoed value."""
    text = _AT.sub("", text)
    text = _QUOTED.sub(lambda m: repr(m.group(1) + "..."), text)
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def kind(text: str) -> str:
    """The machine-readable type of a msgspec failure message."""
    if text.startswith("Object missing required field"):
        return "missing"
    if text.startswith("Object contains unknown field"):
        return "extra"
    if text.startswith("Expected"):
        return "type" if ", got `" in text else "constraint"
    if text.startswith("Invalid enum value"):
        return "enum"
    return "value"


def detail(loc: list[str | int], text: str, type_: str | None = None) -> dict[str, Any]:
    return {"loc": loc, "msg": message(text), "type": type_ or kind(text)}


def _unwrap(tp: Any) -> tuple[Any, tuple[Any, ...]]:
    """`tp` without `Annotated`/`NotRequired`, and its metadata."""
    metadata: tuple[Any, ...] = ()
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            metadata += tp.__metadata__
            tp = tp.__origin__
        elif origin in (NotRequired, Required):
            tp = typing.get_args(tp)[0]
        else:
            return tp, metadata


def collect_errors(
    tp: Any, value: Any, loc: list[str | int], out: list[dict[str, Any]], depth: int = 0
) -> None:
    """Append a failure for each part of `value` (decoded untyped) that `tp` refuses."""
    if len(out) >= _MAX_ERRORS:
        return
    try:
        msgspec.convert(value, tp)
        return
    except msgspec.ValidationError as exc:
        first = str(exc)
    before = len(out)
    if depth < _MAX_DEPTH:
        _collect_inside(tp, value, loc, out, depth)
    if len(out) == before:  # nothing more precise inside: the failure is this value's own
        out.append(detail(loc, first))


def _collect_inside(
    tp: Any, value: Any, loc: list[str | int], out: list[dict[str, Any]], depth: int
) -> None:
    base, metadata = _unwrap(tp)
    origin = typing.get_origin(base)
    args = typing.get_args(base)
    if metadata and origin in (*_CONTAINERS, dict):
        # The container's own constraints (length), apart from its items.
        loose = list[Any] if origin is not dict else dict[Any, Any]
        try:
            msgspec.convert(value, annotated(loose, *metadata))
        except msgspec.ValidationError as exc:
            out.append(detail(loc, str(exc)))
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if value is not None and len(options) == 1:
            _collect_inside(options[0], value, loc, out, depth)
        return
    if origin in _CONTAINERS and isinstance(value, list) and args:
        item = args[0]
        for index, element in enumerate(value):
            if origin is tuple and len(args) > 1 and args[1] is not ...:
                if index >= len(args):
                    break
                item = args[index]
            collect_errors(item, element, [*loc, index], out, depth + 1)
        return
    if origin is dict and isinstance(value, dict) and len(args) == 2:
        for key, element in value.items():
            collect_errors(args[1], element, [*loc, str(key)], out, depth + 1)
        return
    model = base_type(base if origin is None else origin)
    if isinstance(model, type) and isinstance(value, dict) and _has_fields(model):
        known = set()
        for name, field_type, required, _ in _model_fields(model):
            wire = name[1] if isinstance(name, tuple) else name
            known.add(wire)
            if wire not in value:
                if required:
                    out.append(detail([*loc, wire], "Field required", "missing"))
                continue
            collect_errors(field_type, value[wire], [*loc, wire], out, depth + 1)
        if _forbids_unknown(model):
            for key in value:
                if key not in known:
                    out.append(detail([*loc, str(key)], "Unknown field", "extra"))


def _has_fields(model: type[Any]) -> bool:
    return (
        issubclass(model, msgspec.Struct) or dataclasses.is_dataclass(model) or _is_typeddict(model)
    )


def _forbids_unknown(model: type[Any]) -> bool:
    return issubclass(model, msgspec.Struct) and bool(model.__struct_config__.forbid_unknown_fields)


def from_pydantic(errors: list[Mapping[str, Any]], loc: list[str | int]) -> list[dict[str, Any]]:
    """pydantic's errors in Boca's format (without the input pydantic would echo)."""
    return [
        detail([*loc, *e.get("loc", ())], str(e.get("msg", "")), str(e.get("type", "value")))
        for e in errors[:_MAX_ERRORS]
    ]
