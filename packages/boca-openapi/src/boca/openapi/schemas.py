"""JSON Schemas of the app's types, made by the model libraries themselves, in one pass.

Every type the document mentions is collected first, then msgspec documents all of them in a
single `schema_components` call (so one name stands for one model across the document, and two
models with the same name in two modules get module-qualified names), and pydantic documents
its own models. Named models become `$ref`s into `components/schemas`.
"""

from __future__ import annotations

import json
import re
import sys
import typing
from collections.abc import Hashable, Iterator
from typing import Any

import msgspec

__all__ = ["REF_TEMPLATE", "OpenAPIError", "SchemaSet"]

REF_TEMPLATE = "#/components/schemas/{name}"
_REF_PREFIX = "#/components/schemas/"


class OpenAPIError(Exception):
    """The app declares something the OpenAPI document cannot describe."""


def _key(tp: Any) -> Hashable:
    try:
        hash(tp)
    except TypeError:
        return ("id", id(tp))
    return ("type", tp)


def _walk(tp: Any) -> Iterator[Any]:
    yield tp
    for arg in typing.get_args(tp):
        yield from _walk(arg)


def _uses_pydantic(tp: Any) -> bool:
    """True when a pydantic model appears anywhere in `tp` (pydantic loaded, so used)."""
    pydantic = sys.modules.get("pydantic")
    if pydantic is None:
        return False
    base = pydantic.BaseModel
    return any(isinstance(t, type) and issubclass(t, base) for t in _walk(tp))


class SchemaSet:
    """Collect types with `add`, `resolve()` once, then read each one's schema with `schema`."""

    def __init__(self) -> None:
        self._msgspec: dict[Hashable, tuple[int, Any]] = {}
        self._pydantic: dict[Hashable, tuple[int, Any]] = {}
        self._schemas: dict[Hashable, dict[str, Any]] = {}
        self._owners: dict[Hashable, str] = {}
        # (module, qualname) -> the copy of a model that boca-core made for validation.
        self._inputs: dict[tuple[str, str], type] = {}
        #: `components/schemas` once resolved, sorted by name.
        self.components: dict[str, Any] = {}

    def add_input(self, tp: Any, owner: str) -> None:
        """Document a type the app validates (a `schema_type`), constraints included.

        boca-core gives a model whose fields carry constraints as a copy of the class with
        the constraints in msgspec's terms; an output annotated with the original class is
        documented with that copy, so the model is one component, not two.
        """
        if isinstance(tp, type):
            self._inputs.setdefault((tp.__module__, tp.__qualname__), tp)
        self.add(tp, owner)

    def _canonical(self, tp: Any) -> Any:
        if isinstance(tp, type):
            return self._inputs.get((tp.__module__, tp.__qualname__), tp)
        return tp

    def add(self, tp: Any, owner: str) -> None:
        """Document `tp`; `owner` names who uses it, for the error message if it cannot be."""
        tp = self._canonical(tp)
        key = _key(tp)
        table = self._pydantic if _uses_pydantic(tp) else self._msgspec
        if key not in table:
            table[key] = (len(table), tp)
            self._owners.setdefault(key, owner)

    def schema(self, tp: Any) -> dict[str, Any]:
        """The schema of a type given to `add` (a fresh copy, safe to extend)."""
        return dict(self._schemas[_key(self._canonical(tp))])

    def resolve(self) -> None:
        components: dict[str, Any] = {}
        if self._msgspec:
            types = [tp for _, tp in self._msgspec.values()]
            try:
                schemas, found = msgspec.json.schema_components(types, ref_template=REF_TEMPLATE)
            except (TypeError, ValueError):
                self._explain(self._msgspec)
                raise  # pragma: no cover - _explain always raises
            components.update(found)
            for key, schema in zip(self._msgspec, schemas, strict=True):
                self._schemas[key] = schema
        if self._pydantic:
            self._resolve_pydantic(components)
        renames = _merge_duplicates(components)
        if renames:
            for key, schema in self._schemas.items():
                self._schemas[key] = _rename_refs(schema, renames)
        self.components = dict(sorted(components.items()))

    def _explain(self, table: dict[Hashable, tuple[int, Any]]) -> None:
        """Find the first type msgspec cannot document and raise naming its user."""
        for key, (_, tp) in table.items():
            try:
                msgspec.json.schema(tp)
            except (TypeError, ValueError) as exc:
                reason = str(exc).strip().splitlines()[-1]
                raise OpenAPIError(
                    f"{self._owners[key]}: cannot document the type {tp!r} ({reason}). Use a type "
                    "msgspec or pydantic can describe (a dataclass, TypedDict, msgspec.Struct, "
                    "attrs class, pydantic model, or a builtin), or leave it out of the schema "
                    "with include_in_schema=False"
                ) from exc
        raise OpenAPIError("cannot document the app's types")  # pragma: no cover

    def _resolve_pydantic(self, components: dict[str, Any]) -> None:
        from pydantic import TypeAdapter

        inputs = [(key, "validation", TypeAdapter(tp)) for key, (_, tp) in self._pydantic.items()]
        schemas, defs = TypeAdapter.json_schemas(
            inputs,  # type: ignore[arg-type]
            ref_template="#/components/schemas/{model}",
        )
        renames: dict[str, str] = {}
        own: dict[str, Any] = {}
        for name, schema in defs.get("$defs", {}).items():
            target, n = name, 2
            while target in components and components[target] != schema:
                target, n = f"{name}_{n}", n + 1
            if target != name:
                renames[_REF_PREFIX + name] = _REF_PREFIX + target
            own[target] = schema
        for target, schema in own.items():
            components[target] = _rename_refs(schema, renames)
        for (key, _mode), schema in schemas.items():
            self._schemas[key] = _rename_refs(schema, renames)


def _plain_name(title: str) -> str:
    """msgspec's component name for a title (`Page[Item]` -> `Page_Item_`)."""
    return re.sub(r"[^a-zA-Z0-9.\-_]", "_", title)


_CONSTRAINTS = frozenset(
    {
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
    }
)


def _unconstrained(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _unconstrained(v) for k, v in value.items() if k not in _CONSTRAINTS}
    if isinstance(value, list):
        return [_unconstrained(v) for v in value]
    return value


def _merge_duplicates(components: dict[str, Any]) -> dict[str, str]:
    """Merge components that are copies of one model, in place; the `$ref` renames.

    boca-core validates a model whose fields carry constraints through a copy of it, one per
    route; an output annotation names the original class. msgspec names them apart
    (`app.Author`, `app.Author_2`: the same class name, so the same module and qualname).
    Copies whose schemas agree but for their constraints become one component, the one with
    the constraints, under the plain name (`Author`) when no other model has it.
    """
    renames: dict[str, str] = {}
    while True:
        groups: dict[str, list[str]] = {}
        for name, schema in components.items():
            title = schema.get("title") if isinstance(schema, dict) else None
            if isinstance(title, str):
                base = re.sub(r"_\d+$", "", name) if "." in name else name
                shape = json.dumps(_unconstrained(schema), sort_keys=True)
                groups.setdefault(f"{title}\0{base}\0{shape}", []).append(name)
        merged: dict[str, str] = {}
        for names in groups.values():
            if len(names) > 1:
                keep = max(names, key=lambda n: (len(json.dumps(components[n])), -len(n)))
                merged.update({_REF_PREFIX + n: _REF_PREFIX + keep for n in names if n != keep})
        if not merged:
            break
        _apply(components, merged, renames)
    titles: dict[str, list[str]] = {}
    for name, schema in components.items():
        if isinstance(schema, dict) and isinstance(schema.get("title"), str):
            titles.setdefault(schema["title"], []).append(name)
    plain = {
        _REF_PREFIX + names[0]: _REF_PREFIX + _plain_name(title)
        for title, names in titles.items()
        if len(names) == 1
        and names[0] != _plain_name(title)
        and _plain_name(title) not in components
    }
    if plain:
        _apply(components, plain, renames)
    return renames


def _apply(components: dict[str, Any], renames: dict[str, str], done: dict[str, str]) -> None:
    """Rename (or merge away) components and every `$ref` to them; record it in `done`."""
    moved = {old: components.pop(old.removeprefix(_REF_PREFIX)) for old in renames}
    for old, new in renames.items():
        components.setdefault(new.removeprefix(_REF_PREFIX), moved[old])
    for name in list(components):
        components[name] = _rename_refs(components[name], renames)
    for old, new in list(done.items()):
        done[old] = renames.get(new, new)
    done.update(renames)


def _rename_refs(value: Any, renames: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {
            k: (renames.get(v, v) if k == "$ref" else _rename_refs(v, renames))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_rename_refs(v, renames) for v in value]
    return value
