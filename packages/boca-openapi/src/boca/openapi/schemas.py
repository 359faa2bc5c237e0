"""JSON Schemas of the app's types, made by the model libraries themselves, in one pass.

Every type the document mentions is collected first, then msgspec documents all of them in a
single `schema_components` call (so one name stands for one model across the document, and two
models with the same name in two modules get module-qualified names), and pydantic documents
its own models. Named models become `$ref`s into `components/schemas`.
"""

from __future__ import annotations

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
        #: `components/schemas` once resolved, sorted by name.
        self.components: dict[str, Any] = {}

    def add(self, tp: Any, owner: str) -> None:
        """Document `tp`; `owner` names who uses it, for the error message if it cannot be."""
        key = _key(tp)
        table = self._pydantic if _uses_pydantic(tp) else self._msgspec
        if key not in table:
            table[key] = (len(table), tp)
            self._owners.setdefault(key, owner)

    def schema(self, tp: Any) -> dict[str, Any]:
        """The schema of a type given to `add` (a fresh copy, safe to extend)."""
        return dict(self._schemas[_key(tp)])

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


def _rename_refs(value: Any, renames: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {
            k: (renames.get(v, v) if k == "$ref" else _rename_refs(v, renames))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_rename_refs(v, renames) for v in value]
    return value
