"""Path converters: how a `{name:type}` segment of a route pattern matches and converts.

A converter that does not match means the route does not match (404), never a 500: the regex is
ASCII only and conversion errors (a 5,000-digit integer, say) are a non-match, not a crash.
"""

from __future__ import annotations

import math
import re
import uuid
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar

T = TypeVar("T")

__all__ = [
    "Converter",
    "FloatConverter",
    "IntConverter",
    "PathConverter",
    "StringConverter",
    "UUIDConverter",
    "get_converters",
    "register_converter",
]

# Python refuses int() of more than 4,300 digits; a path parameter never needs that many.
MAX_INT_DIGITS = 1000


class Converter(Generic[T]):
    """Base class for path converters.

    Subclasses set `regex` (matched against one path segment, or the rest of the path when
    `matches_slashes` is true) and implement `convert` (raise `ValueError` for "no match") and
    `to_url`.
    """

    regex: ClassVar[str] = "[^/]+"
    matches_slashes: ClassVar[bool] = False

    def __init__(self) -> None:
        self._pattern = re.compile(self.regex, re.ASCII)

    def match(self, value: str) -> bool:
        return self._pattern.fullmatch(value) is not None

    def convert(self, value: str) -> T:
        raise NotImplementedError

    def to_url(self, value: T) -> str:
        return str(value)


class StringConverter(Converter[str]):
    regex = "[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        value = str(value)
        if not value or "/" in value:
            raise ValueError(f"a str path parameter cannot be empty or contain '/': {value!r}")
        return value


class PathConverter(Converter[str]):
    regex = ".*"
    matches_slashes = True

    def convert(self, value: str) -> str:
        return value


class IntConverter(Converter[int]):
    regex = "[0-9]+"

    def convert(self, value: str) -> int:
        if len(value) > MAX_INT_DIGITS:
            raise ValueError("too many digits")
        return int(value)

    def to_url(self, value: int) -> str:
        value = int(value)
        if value < 0:
            raise ValueError(f"an int path parameter must not be negative: {value}")
        return str(value)


class FloatConverter(Converter[float]):
    regex = r"[0-9]+(\.[0-9]+)?"

    def convert(self, value: str) -> float:
        if len(value) > MAX_INT_DIGITS:
            raise ValueError("too many digits")
        result = float(value)
        if not math.isfinite(result):
            raise ValueError("not a finite number")
        return result

    def to_url(self, value: float) -> str:
        value = float(value)
        if value < 0 or not math.isfinite(value):
            raise ValueError(f"a float path parameter must be finite and not negative: {value}")
        text = format(Decimal(repr(value)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text


class UUIDConverter(Converter[uuid.UUID]):
    regex = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

    def convert(self, value: str) -> uuid.UUID:
        return uuid.UUID(value)

    def to_url(self, value: uuid.UUID) -> str:
        return str(uuid.UUID(str(value)))


_CONVERTERS: dict[str, Converter[Any]] = {
    "str": StringConverter(),
    "path": PathConverter(),
    "int": IntConverter(),
    "float": FloatConverter(),
    "uuid": UUIDConverter(),
}


def register_converter(name: str, converter: Converter[Any]) -> None:
    """Make `{param:name}` available in every route pattern declared afterwards."""
    if not name.isidentifier():
        raise ValueError(f"converter name {name!r} must be a Python identifier")
    if not isinstance(converter, Converter):
        raise TypeError(f"converter {name!r} must be an instance of boca.core.Converter")
    _CONVERTERS[name] = converter


def get_converters() -> dict[str, Converter[Any]]:
    """The registered converters, by name (a copy)."""
    return dict(_CONVERTERS)
