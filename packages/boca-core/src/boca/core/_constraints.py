"""The types msgspec validates with: annotated-types constraints translated to `msgspec.Meta`.

msgspec reads its own `Meta` but ignores annotated-types metadata (`Annotated[str, MaxLen(3)]`
would decode "abcdef"). At declaration time each type is rewritten once: constraints become
`Meta`, and a model whose fields carry annotated-types constraints gets a shadow
`msgspec.Struct` with the same field names, defaults and wire names, decoded in one pass and
then converted to the user's class. Types without such constraints are used as they are.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import sys
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any

import annotated_types as at
import msgspec
import msgspec.inspect

__all__ = [
    "ConstraintError",
    "NotRequired",
    "Required",
    "SourceError",
    "Translation",
    "annotated",
    "base_type",
    "is_model",
    "is_pydantic_model",
    "json_constraints",
    "mentions_model",
    "plain_type",
    "translate",
    "undecodable",
]

if sys.version_info >= (3, 11):
    from typing import NotRequired, Required, TypedDict
else:  # pragma: no cover - Python 3.10: its TypedDict does not know NotRequired
    from typing_extensions import NotRequired, Required, TypedDict

_SIMPLE: dict[type[Any], tuple[str, str]] = {
    at.Gt: ("gt", "gt"),
    at.Ge: ("ge", "ge"),
    at.Lt: ("lt", "lt"),
    at.Le: ("le", "le"),
    at.MultipleOf: ("multiple_of", "multiple_of"),
    at.MinLen: ("min_length", "min_length"),
    at.MaxLen: ("max_length", "max_length"),
}
_META_FIELDS = (
    "gt",
    "ge",
    "lt",
    "le",
    "multiple_of",
    "pattern",
    "min_length",
    "max_length",
    "tz",
    "title",
    "description",
    "examples",
    "extra_json_schema",
    "extra",
)
_UNION_ORIGINS = (typing.Union, types.UnionType)
_JSON_CONSTRAINTS = frozenset(
    {
        "exclusiveMinimum",
        "minimum",
        "exclusiveMaximum",
        "maximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
        "pattern",
    }
)


class SourceError(TypeError):
    """A parameter Boca cannot read as declared (the caller adds the view and the route)."""


def _without_marker(tp: Any) -> Any:
    """`tp` without Boca's own markers (`Header()`...) in its `Annotated` metadata."""
    from .params import Param

    if typing.get_origin(tp) is not Annotated:
        return tp
    kept = tuple(m for m in tp.__metadata__ if not isinstance(m, Param))
    return annotated(tp.__origin__, *kept) if kept else tp.__origin__


def annotated(tp: Any, *metadata: Any) -> Any:
    """`Annotated[tp, *metadata]`, built at run time."""
    params = (tp, *metadata)
    return Annotated[params]


class ConstraintError(TypeError):
    """A constraint Boca cannot check (annotated-types' `Predicate`, `Timezone`...)."""


def is_pydantic_model(tp: Any) -> bool:
    """A pydantic model class; pydantic is only looked at when something already imported it."""
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(tp, type) and issubclass(tp, pydantic.BaseModel)


def _is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__required_keys__")


def _is_attrs(tp: Any) -> bool:
    return isinstance(tp, type) and hasattr(tp, "__attrs_attrs__")


def is_model(tp: Any) -> bool:
    """A type that comes from a JSON object body: dataclass, TypedDict, Struct, attrs, pydantic."""
    tp = base_type(tp)
    origin = typing.get_origin(tp)
    if isinstance(origin, type):  # a generic model: `Page[Item]`
        tp = origin
    return isinstance(tp, type) and (
        (dataclasses.is_dataclass(tp) and not isinstance(tp, msgspec.Struct))
        or issubclass(tp, msgspec.Struct)
        or _is_typeddict(tp)
        or _is_attrs(tp)
        or is_pydantic_model(tp)
    )


def mentions_model(tp: Any) -> bool:
    """A model, or a container or union with a model inside (`list[Item]`, `Item | None`)."""
    tp = base_type(tp)
    if is_model(tp):
        return True
    return any(mentions_model(arg) for arg in typing.get_args(tp) if arg is not ...)


def plain_type(tp: Any) -> Any:
    """`tp` without any `Annotated` metadata, however deep: `Annotated[int, Gt(0)] | None` ->
    `int | None` (what `ParamInfo.annotation` shows)."""
    tp = base_type(tp)
    args = typing.get_args(tp)
    origin = typing.get_origin(tp)
    if not args or origin is typing.Literal or origin is None:
        return tp
    plain = tuple(a if a is ... else plain_type(a) for a in args)
    if plain == args:
        return tp
    if origin in _UNION_ORIGINS:
        return functools.reduce(operator.or_, plain)
    return origin[plain if len(plain) > 1 else plain[0]]


def base_type(tp: Any) -> Any:
    """`tp` without `Annotated` metadata."""
    while typing.get_origin(tp) is Annotated:
        tp = tp.__origin__
    return tp


def _meta_kwargs(meta: msgspec.Meta) -> dict[str, Any]:
    return {name: getattr(meta, name) for name in _META_FIELDS if getattr(meta, name) is not None}


def _constraints(metadata: tuple[Any, ...], out: dict[str, Any]) -> None:
    for item in metadata:
        if isinstance(item, msgspec.Meta):
            out.update(_meta_kwargs(item))
        elif type(item) in _SIMPLE:
            key, attr = _SIMPLE[type(item)]
            out[key] = getattr(item, attr)
        elif isinstance(item, at.GroupedMetadata):  # Len, Interval: made of the above
            _constraints(tuple(item), out)
        elif isinstance(item, at.BaseMetadata):
            raise ConstraintError(
                f"the constraint {item!r} is not supported: use Gt, Ge, Lt, Le, MultipleOf, "
                "MinLen, MaxLen, Len, Interval or msgspec.Meta, and check the rest in the view"
            )
        # Anything else (Boca's own markers, documentation) is not a constraint.


class Translation:
    """One declaration's rewrite of types; shadows are shared within it (recursive models)."""

    def __init__(self) -> None:
        self.shadows: dict[Any, Any] = {}
        #: Whether a shadow Struct stands for a user class: values then need converting back.
        self.converts = False
        self._needs: dict[Any, bool] = {}

    def __call__(self, tp: Any) -> Any:
        return self._translate(tp) if self._needs_change(tp) else tp

    # -- does anything inside need translating? ---------------------------------------------

    def _needs_change(self, tp: Any) -> bool:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            found: dict[str, Any] = {}
            meta = tp.__metadata__
            _constraints(meta, found)
            native = all(isinstance(m, msgspec.Meta) for m in meta if _is_constraint(m))
            return not native or self._needs_change(tp.__origin__)
        if origin is typing.Literal:
            return False
        if isinstance(origin, type) and is_model(origin) and self._needs_change(origin):
            raise ConstraintError(
                f"the generic model {origin.__qualname__} has annotated-types constraints in "
                "its fields, which Boca cannot apply to a generic class: write them as "
                "msgspec.Meta (Annotated[int, msgspec.Meta(gt=0)])"
            )
        if origin is not None:
            return any(self._needs_change(arg) for arg in typing.get_args(tp) if arg is not ...)
        if isinstance(tp, type) and is_model(tp) and not is_pydantic_model(tp):
            if tp in self._needs:
                return self._needs[tp]
            self._needs[tp] = False  # in progress: a recursive reference adds nothing
            result = any(self._needs_change(t) for _, t, _, _ in _model_fields(tp))
            self._needs[tp] = result
            return result
        return False

    # -- the rewrite ---------------------------------------------------------------------------

    def _translate(self, tp: Any) -> Any:
        if not self._needs_change(tp):
            return tp
        origin = typing.get_origin(tp)
        if origin is Annotated:
            found: dict[str, Any] = {}
            _constraints(tp.__metadata__, found)
            inner = self._translate(tp.__origin__)
            return Annotated[inner, msgspec.Meta(**found)] if found else inner
        if origin in _UNION_ORIGINS:
            return typing.Union[tuple(self._translate(a) for a in typing.get_args(tp))]  # noqa: UP007
        if origin in (NotRequired, Required):
            return origin[self._translate(typing.get_args(tp)[0])]
        if origin is not None:
            args = tuple(a if a is ... else self._translate(a) for a in typing.get_args(tp))
            return origin[args if len(args) > 1 else args[0]]
        return self._shadow(tp)

    def _shadow(self, cls: type[Any]) -> Any:
        if cls in self.shadows:
            return self.shadows[cls]
        fields = _model_fields(cls)
        if _is_typeddict(cls):
            annotations = {}
            for name, tp, required, _ in fields:
                annotations[name] = tp if required else NotRequired[tp]
            make_typeddict: Any = TypedDict
            shadow: Any = make_typeddict(cls.__name__, annotations)
            self.shadows[cls] = shadow
            for name, tp, required, _ in fields:
                translated = self._translate(tp)
                shadow.__annotations__[name] = translated if required else NotRequired[translated]
            return shadow
        self.converts = True
        config: dict[str, Any] = {}
        if issubclass(cls, msgspec.Struct):
            struct_config = cls.__struct_config__
            config = {
                "forbid_unknown_fields": struct_config.forbid_unknown_fields,
                "tag": struct_config.tag,
                "tag_field": struct_config.tag_field,
                "array_like": struct_config.array_like,
            }
        specs: list[tuple[Any, ...]] = []
        rename = {}
        if any(default is _TAKES_SELF for _, _, _, default in fields):
            raise ConstraintError(
                f"{cls.__qualname__} has a default computed from the instance "
                "(attrs.Factory(takes_self=True)) and annotated-types constraints: write the "
                "constraints as msgspec.Meta"
            )
        for name, _, required, default in fields:
            python_name, wire_name = name if isinstance(name, tuple) else (name, name)
            if wire_name != python_name:
                rename[python_name] = wire_name
            specs.append((python_name, Any) if required else (python_name, Any, default))
        struct: Any = msgspec.defstruct(
            cls.__name__,
            specs,
            kw_only=True,
            module=cls.__module__,
            rename=rename or None,
            **config,
        )
        self.shadows[cls] = struct
        for (_, tp, _, _), spec in zip(fields, specs, strict=True):
            struct.__annotations__[spec[0]] = self._translate(tp)
        return struct


def _is_constraint(item: Any) -> bool:
    return isinstance(item, (msgspec.Meta, at.BaseMetadata, at.GroupedMetadata))


FieldSpec = tuple[Any, Any, bool, Any]
_FIELDS: dict[Any, list[FieldSpec]] = {}


def _model_fields(cls: type[Any]) -> list[FieldSpec]:
    """`(name, type, required, default)` per field; `name` is `(python, wire)` for renamed
    Struct fields. Defaults are msgspec field defaults (`msgspec.field(default_factory=...)`)."""
    if cls in _FIELDS:
        return _FIELDS[cls]
    hints = typing.get_type_hints(cls, include_extras=True)
    out: list[FieldSpec] = []
    if issubclass(cls, msgspec.Struct):
        for f in msgspec.structs.fields(cls):
            name: Any = f.name if f.encode_name == f.name else (f.name, f.encode_name)
            default: Any = msgspec.NODEFAULT
            if f.default is not msgspec.NODEFAULT:
                default = f.default
            elif f.default_factory is not msgspec.NODEFAULT:
                default = msgspec.field(default_factory=f.default_factory)
            out.append((name, hints.get(f.name, f.type), f.required, default))
    elif _is_typeddict(cls):
        required_keys = cls.__required_keys__
        for key, tp in hints.items():
            while typing.get_origin(tp) in (NotRequired, Required):
                tp = typing.get_args(tp)[0]
            out.append((key, tp, key in required_keys, msgspec.NODEFAULT))
    elif dataclasses.is_dataclass(cls):
        for d in dataclasses.fields(cls):
            if not d.init:
                continue
            if d.default is not dataclasses.MISSING:
                out.append((d.name, hints[d.name], False, d.default))
            elif d.default_factory is not dataclasses.MISSING:
                factory = msgspec.field(default_factory=d.default_factory)
                out.append((d.name, hints[d.name], False, factory))
            else:
                out.append((d.name, hints[d.name], True, msgspec.NODEFAULT))
    else:  # an attrs class
        for a in cls.__attrs_attrs__:
            if not a.init:
                continue
            tp = hints.get(a.name, Any)
            default = a.default
            if default is _attrs_nothing(default):
                out.append((a.name, tp, True, msgspec.NODEFAULT))
            elif hasattr(default, "factory") and hasattr(default, "takes_self"):
                if default.takes_self:  # computed from the instance: only attrs can
                    out.append((a.name, tp, False, _TAKES_SELF))
                else:
                    out.append((a.name, tp, False, msgspec.field(default_factory=default.factory)))
            else:
                out.append((a.name, tp, False, default))
    _FIELDS[cls] = out
    return out


_TAKES_SELF: Any = object()


def _attrs_nothing(default: Any) -> Any:
    """attrs' marker for "no default" (`attrs.NOTHING`), found without importing attrs."""
    return sys.modules["attrs"].NOTHING if "attrs" in sys.modules else object()


def translate(tp: Any) -> tuple[Any, bool]:
    """The type to validate with, and whether decoded values need converting to `tp`."""
    translation = Translation()
    result = translation(tp)
    return result, translation.converts


def undecodable(tp: Any) -> list[Any]:
    """The classes inside `tp` that msgspec would need a decoding hook for (none for the
    types Boca reads: models, builtins, datetimes, UUIDs, Decimals, Enums, Literals)."""
    found: list[Any] = []
    seen: set[int] = set()

    def walk(node: Any) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, msgspec.inspect.CustomType):
            found.append(node.cls)
        elif isinstance(node, msgspec.Struct):
            for name in node.__struct_fields__:
                walk(getattr(node, name))
        elif isinstance(node, tuple):
            for item in node:
                walk(item)

    walk(msgspec.inspect.type_info(tp))
    return found


def json_constraints(schema_type: Any) -> Mapping[str, Any]:
    """The JSON Schema constraint keywords of a (translated) type: `{"maxLength": 100}`."""
    try:
        schema = msgspec.json.schema(schema_type)
    except (TypeError, ValueError):
        return {}
    found = {k: v for k, v in schema.items() if k in _JSON_CONSTRAINTS}
    for option in schema.get("anyOf", ()):
        found.update((k, v) for k, v in option.items() if k in _JSON_CONSTRAINTS)
    return found
