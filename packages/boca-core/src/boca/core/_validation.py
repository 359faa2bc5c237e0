"""Validation failures: one error format for every source, and every error at once.

The fast path is msgspec's one-pass decoder, which stops at the first error. Only when it
fails does this module look again, decoding the bytes untyped and checking each field, so that
a request with three bad fields hears about all three.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import re
import types
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any

import msgspec

from ._constraints import NotRequired, Required, _is_typeddict, _model_fields, annotated
from .errors import HTTPError

__all__ = ["RequestValidationError", "collect_errors", "detail", "message"]

_AT = re.compile(r" - at `\$[^`]*`$")
_QUOTED = re.compile(r"'([^']{40})[^']+'")
_MAX_MESSAGE = 160
_MAX_ERRORS = 100
_MAX_DEPTH = 64
_CONTAINERS = (list, set, frozenset, tuple)
_SIMPLE = (int, float, str, bool, type(None))
_KINDS: dict[Any, tuple[type[Any], ...]] = {
    int: (int,),
    float: (int, float),
    str: (str,),
    bool: (bool,),
}
_TITLES: dict[int, str] = {}
_BOUNDS = (("gt", operator.gt), ("ge", operator.ge), ("lt", operator.lt), ("le", operator.le))


class RequestValidationError(HTTPError):
    """A request whose parameters or body fail validation.

    Answered as `{"error": "422 Unprocessable Content", "status": 422, "detail": [...]}`, one
    `{"loc": [...], "msg": ..., "type": ...}` per failure; 400 for bad path, query, header and
    cookie values and for malformed bodies. `errors` is that list.
    """

    def __init__(self, status: int, errors: list[dict[str, Any]]) -> None:
        super().__init__(status)
        self.detail = self.errors = errors

    @property
    def title(self) -> str:
        """`"422 Unprocessable Content"` (made once per status: failures can be frequent)."""
        title = _TITLES.get(self.status_code)
        if title is None:
            title = _TITLES[self.status_code] = super().title
        return title

    def __str__(self) -> str:
        return f"{self.title}: {len(self.errors)} error(s), first {self.errors[:1]}"


@functools.lru_cache(maxsize=512)
def message(text: str) -> str:
    """A failure message without its JSON path, and with a short excerpt of any echoed value."""
    text = _AT.sub("", text)
    text = _QUOTED.sub(lambda m: repr(m.group(1) + "..."), text)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


@functools.lru_cache(maxsize=512)
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


Out = list[dict[str, Any]]
Checker = Callable[[Any, list[str | int], Out], None]
_MISSING: Any = object()


def collect_errors(tp: Any, value: Any, loc: list[str | int], out: Out) -> None:
    """Append a failure for each part of `value` (decoded untyped) that `tp` refuses."""
    check = checker(tp)
    # The whole body is known to fail: go straight to its fields.
    (check.walk if isinstance(check, _Model) else check)(value, loc, out)


_CHECKERS: dict[Any, Checker] = {}


def checker(tp: Any) -> Checker:
    """A function listing every failure of a value against `tp`, compiled once per type
    (only when a request fails: the fast path never needs it)."""
    try:
        return _CHECKERS[tp]
    except KeyError:
        pass
    except TypeError:  # pragma: no cover - an unhashable annotation
        return _leaf(tp)
    if len(_CHECKERS) > 4096:  # pragma: no cover - types made per call
        _CHECKERS.clear()
    made = _compile(tp)
    _CHECKERS[tp] = made
    return made


def _predicate(tp: Any) -> Callable[[Any], bool] | None:
    """A plain-Python test that `value` is certainly valid for a simple `tp` (a number, a
    string, a bool or a list of those, with bounds and lengths), or None. Most fields of a
    failing body are fine: this spares them a msgspec call."""
    base, metadata = _unwrap(tp)
    limits: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, msgspec.Meta):
            for name in ("gt", "ge", "lt", "le", "min_length", "max_length", "multiple_of"):
                if getattr(item, name) is not None:
                    limits[name] = getattr(item, name)
            if item.pattern is not None or item.tz is not None:
                return None
    if "multiple_of" in limits:
        return None
    items: Callable[[Any], bool] | None = None
    if base in _KINDS:
        kinds, sized = _KINDS[base], base is str
    elif typing.get_origin(base) is list and typing.get_args(base):
        items = _predicate(typing.get_args(base)[0])
        if items is None:
            return None
        kinds, sized = (list,), True
    else:
        return None
    low: int = limits.get("min_length", 0)
    high: float = limits.get("max_length", float("inf"))
    bounds = [(op, limits[name]) for name, op in _BOUNDS if name in limits and not sized]
    if not limits and items is None:  # the commonest field: only its type to test
        if len(kinds) == 1:
            kind = kinds[0]
            return lambda value: type(value) is kind
        return lambda value: type(value) in kinds

    if items is not None:
        each = items
        return lambda value: (
            type(value) is list and low <= len(value) <= high and all(map(each, value))
        )
    if sized:
        return lambda value: type(value) in kinds and low <= len(value) <= high
    if len(bounds) == 1:
        ((op, limit),) = bounds
        return lambda value: type(value) in kinds and op(value, limit)

    def valid(value: Any) -> bool:
        return type(value) in kinds and all(op(value, limit) for op, limit in bounds)

    return valid


def _leaf(tp: Any) -> Checker:
    """Check a value against `tp` in one msgspec call, reporting the first failure."""
    convert = msgspec.convert
    fast = _predicate(tp)
    if fast is not None:
        box = msgspec.defstruct("Value", [("value", tp)])

        def check_simple(value: Any, loc: list[str | int], out: Out) -> None:
            if fast(value):
                return
            try:
                convert({"value": value}, box)
            except msgspec.ValidationError as exc:
                out.append(detail(loc, str(exc)))

        return check_simple
    if not (isinstance(tp, type) and (issubclass(tp, msgspec.Struct) or tp in _SIMPLE)):
        # msgspec caches what it learns about a Struct, not about `Annotated[...]` or
        # `list[...]`: wrapped in a one-field Struct, the type is inspected once.
        box = msgspec.defstruct("Value", [("value", tp)])

        def check_boxed(value: Any, loc: list[str | int], out: Out) -> None:
            try:
                convert({"value": value}, box)
            except msgspec.ValidationError as exc:
                out.append(detail(loc, str(exc)))

        return check_boxed

    def check(value: Any, loc: list[str | int], out: Out) -> None:
        try:
            convert(value, tp)
        except msgspec.ValidationError as exc:
            out.append(detail(loc, str(exc)))

    return check


class _Model:
    """A model's fields, checked one by one (filled after creation: models may recurse)."""

    def __init__(self, tp: Any) -> None:
        self.whole = _leaf(tp)
        self.tp = tp
        #: `(wire name, required, quick test or None, checker)` per field.
        self.fields: list[tuple[str, bool, Callable[[Any], bool] | None, Checker]] = []
        self.forbid = False

    def __call__(self, value: Any, loc: list[str | int], out: Out) -> None:
        try:  # a nested model is usually fine: one msgspec call says so
            msgspec.convert(value, self.tp)
            return
        except (msgspec.ValidationError, TypeError):
            pass
        self.walk(value, loc, out)

    def walk(self, value: Any, loc: list[str | int], out: Out) -> None:
        """Check each field (the model is known to fail)."""
        if type(value) is not dict or len(loc) > _MAX_DEPTH or len(out) >= _MAX_ERRORS:
            self.whole(value, loc, out)
            return
        before = len(out)
        for wire, required, quick, check in self.fields:
            item = value.get(wire, _MISSING)
            if item is _MISSING:
                if required:
                    out.append(detail([*loc, wire], "Field required", "missing"))
                continue
            if quick is None or not quick(item):
                check(item, [*loc, wire], out)
        if self.forbid:
            known = {wire for wire, _, _, _ in self.fields}
            out.extend(
                detail([*loc, str(key)], "Unknown field", "extra")
                for key in value
                if key not in known
            )
        if len(out) == before:  # every field is fine: the failure is the model's own
            self.whole(value, loc, out)


def _compile(tp: Any) -> Checker:
    base, metadata = _unwrap(tp)
    origin = typing.get_origin(base)
    args = typing.get_args(base)
    model = base if origin is None else origin
    if isinstance(model, type) and _has_fields(model):
        made = _Model(tp)
        _CHECKERS[tp] = made
        # A generic model (`Page[Item]`): its type parameters replaced by the arguments.
        bound = dict(zip(getattr(model, "__parameters__", ()), args, strict=False))
        for name, field_type, required, _ in _model_fields(model):
            wire = name[1] if isinstance(name, tuple) else name
            field_type = _substitute(field_type, bound)
            made.fields.append((wire, required, _predicate(field_type), checker(field_type)))
        made.forbid = _forbids_unknown(model)
        return made
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            inner = checker(options[0])

            def optional(value: Any, loc: list[str | int], out: Out) -> None:
                if value is not None:
                    inner(value, loc, out)

            return optional
        return _leaf(tp)
    if origin in _CONTAINERS and args and (origin is not tuple or args[-1] is ...):
        return _items(tp, metadata, checker(args[0]), list, dict_items=False)
    if origin is dict and len(args) == 2:
        return _items(tp, metadata, checker(args[1]), dict, dict_items=True)
    return _leaf(tp)


def _substitute(tp: Any, bound: dict[Any, Any]) -> Any:
    if not bound:
        return tp
    if tp in bound:
        return bound[tp]
    args = typing.get_args(tp)
    origin = typing.get_origin(tp)
    if not args or origin is None or origin is typing.Literal:
        return tp
    new = tuple(a if a is ... else _substitute(a, bound) for a in args)
    if origin is Annotated:
        return annotated(new[0], *tp.__metadata__)
    if origin in (typing.Union, types.UnionType):
        return typing.Union[new]  # noqa: UP007
    return origin[new if len(new) > 1 else new[0]]


def _items(
    tp: Any, metadata: tuple[Any, ...], item: Checker, kind_: type[Any], *, dict_items: bool
) -> Checker:
    """A list or dict: the container's own constraints (length), then every item."""
    whole = _leaf(tp)
    own = _leaf(annotated(kind_, *metadata)) if metadata else None

    def check(value: Any, loc: list[str | int], out: Out) -> None:
        before = len(out)
        whole(value, loc, out)
        if len(out) == before:
            return
        if type(value) is not kind_ or len(loc) > _MAX_DEPTH:
            return  # the failure of the whole is the one to report
        del out[before:]
        if own is not None:
            own(value, loc, out)
        pairs = value.items() if dict_items else enumerate(value)
        for key, element in pairs:
            if len(out) >= _MAX_ERRORS:
                break
            item(element, [*loc, key if not dict_items else str(key)], out)
        if len(out) == before:  # pragma: no cover - each item passes, the whole fails
            whole(value, loc, out)

    return check


def _has_fields(model: type[Any]) -> bool:
    return (
        issubclass(model, msgspec.Struct)
        or dataclasses.is_dataclass(model)
        or _is_typeddict(model)
        or hasattr(model, "__attrs_attrs__")
    )


def _forbids_unknown(model: type[Any]) -> bool:
    return issubclass(model, msgspec.Struct) and bool(model.__struct_config__.forbid_unknown_fields)


def from_pydantic(errors: list[Mapping[str, Any]], loc: list[str | int]) -> list[dict[str, Any]]:
    """pydantic's errors in Boca's format (without the input pydantic would echo)."""
    return [
        detail([*loc, *e.get("loc", ())], str(e.get("msg", "")), str(e.get("type", "value")))
        for e in errors[:_MAX_ERRORS]
    ]
