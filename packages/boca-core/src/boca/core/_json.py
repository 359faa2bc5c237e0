"""Fast JSON through orjson, with the types web APIs return every day."""

from __future__ import annotations

import dataclasses
import decimal
import enum
from typing import Any

import msgspec
import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def _default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return list(value)
    if isinstance(value, enum.Enum):  # pragma: no cover - orjson handles Enum itself
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # pragma: no cover
        return dataclasses.asdict(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, msgspec.Struct):
        return msgspec.to_builtins(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> bytes:
    """Serialise to compact UTF-8 JSON: datetime, date, UUID, Decimal, Enum, dataclasses,
    msgspec Structs and pydantic models too.

    orjson refuses integers beyond 64 bits (a 30-digit path value echoed back, say): those
    values go through msgspec, which writes integers of any size, instead of becoming a 500.
    """
    try:
        return orjson.dumps(value, default=_default, option=_OPTIONS)
    except TypeError as exc:
        if "Integer exceeds 64-bit range" not in str(exc):
            raise
        return msgspec.json.encode(value, enc_hook=_default)


def loads(data: bytes | str) -> Any:
    """Parse JSON; raises `ValueError` (orjson.JSONDecodeError) on bad or too deep input."""
    return orjson.loads(data)
