"""Conversion of path and query values to the types a view's annotations ask for."""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import types
import typing
import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from .converters import MAX_INT_DIGITS

Parser = Callable[[str], Any]

_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_FLOAT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)
_TRUE = frozenset({"1", "true", "yes", "on", "t", "y"})
_FALSE = frozenset({"0", "false", "no", "off", "f", "n"})


def _parse_int(value: str) -> int:
    if len(value) > MAX_INT_DIGITS or not _INT.fullmatch(value):
        raise ValueError("expected an integer")
    return int(value)


def _parse_float(value: str) -> float:
    if len(value) > MAX_INT_DIGITS or not _FLOAT.fullmatch(value):
        raise ValueError("expected a number")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError("expected a finite number")
    return result


def _parse_decimal(value: str) -> Decimal:
    if len(value) > MAX_INT_DIGITS or not _FLOAT.fullmatch(value):
        raise ValueError("expected a decimal number")
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
        raise ValueError("expected a decimal number") from None


def _parse_bool(value: str) -> bool:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("expected a boolean (true/false, 1/0, yes/no, on/off)")


def _parse_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValueError("expected a UUID") from None


def _parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("expected an ISO 8601 date (YYYY-MM-DD)") from None


def _parse_datetime(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("expected an ISO 8601 date and time") from None


def _enum_parser(cls: type[enum.Enum]) -> Parser:
    by_text = {str(member.value): member for member in cls}
    choices = ", ".join(by_text)

    def parse(value: str) -> enum.Enum:
        try:
            return by_text[value]
        except KeyError:
            raise ValueError(f"expected one of: {choices}") from None

    return parse


_PARSERS: dict[Any, Parser] = {
    int: _parse_int,
    float: _parse_float,
    bool: _parse_bool,
    Decimal: _parse_decimal,
    uuid.UUID: _parse_uuid,
    dt.date: _parse_date,
    dt.datetime: _parse_datetime,
}


def strip_optional(annotation: Any) -> Any:
    """`T` for `T | None` (and `Optional[T]`), else the annotation as it is."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _literal_parser(choices: tuple[Any, ...]) -> Parser:
    by_text = {str(c).lower() if isinstance(c, bool) else str(c): c for c in choices}
    listed = ", ".join(by_text)

    def parse(value: str) -> Any:
        try:
            return by_text[value]
        except KeyError:
            raise ValueError(f"expected one of: {listed}") from None

    return parse


def _bare(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = annotation.__origin__
    return strip_optional(annotation)


def parser_for(annotation: Any) -> tuple[Parser | None, bool]:
    """The parser for one annotation, and whether the parameter collects every value (list[X]).

    `None` means "leave the string as it is". Raises `TypeError` for annotations Boca cannot
    convert from a URL. `Annotated` metadata is left to the caller (constraints).
    """
    annotation = _bare(annotation)
    many = False
    if annotation in (list, tuple, set, frozenset):  # a bare `list`: every value, as str
        return None, True
    if typing.get_origin(annotation) in (list, tuple, set, frozenset):
        args = typing.get_args(annotation)
        annotation = _bare(args[0]) if args else str
        many = True
    if annotation in (str, Any) or annotation is None:
        return None, many
    if annotation in _PARSERS:
        return _PARSERS[annotation], many
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _enum_parser(annotation), many
    if typing.get_origin(annotation) is typing.Literal:
        return _literal_parser(typing.get_args(annotation)), many
    raise TypeError(
        f"cannot convert URL values to {annotation!r}: use str, int, float, bool, Decimal, UUID, "
        "date, datetime, an Enum, a Literal, or a list of those"
    )
