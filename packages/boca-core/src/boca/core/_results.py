"""A view's return value, written to the response as JSON, filtered by its return annotation.

With `-> UserOut` the answer has exactly `UserOut`'s fields, whatever object the view returned
(an ORM row with a `password` attribute included): the value is converted to the declared type
before it is encoded. The converter is chosen once, at declaration.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec

from ._constraints import is_pydantic_model, mentions_model, undecodable

if TYPE_CHECKING:
    from .responses import Response

__all__ = ["jsonable", "output_filter"]

Filter = Callable[[Any], Any]


def _encode_hook(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if dump is not None:  # a pydantic model
        return dump(mode="json")
    raise TypeError(f"a view returned an object of type {type(value).__name__}, which is not JSON")


def jsonable(value: Any) -> Any:
    """`value` as JSON-ready builtins: dataclasses, Structs, pydantic models, datetimes..."""
    return msgspec.to_builtins(value, enc_hook=_encode_hook)


def output_filter(returns: Any, where: str) -> Filter | None:
    """How to turn what the view returns into JSON builtins with only the declared fields;
    `None` when the annotation declares no model (the value is answered as it is)."""
    if returns is None or returns is type(None) or not mentions_model(returns):
        return None
    if is_pydantic_model(returns):
        model: Any = returns

        def pydantic_filter(value: Any) -> Any:
            if type(value) is not model:
                value = model.model_validate(value, from_attributes=True)
            return value.model_dump(mode="json")

        return pydantic_filter
    try:
        unknown = undecodable(returns)
    except TypeError:  # pragma: no cover - msgspec knows no such annotation: answered as is
        return None
    if unknown:
        if all(is_pydantic_model(c) for c in unknown):
            return _pydantic_filter(returns, where)  # `list[Model]`, `dict[str, Model]`...
        return None  # not a type msgspec knows: answered as is
    exact = returns if isinstance(returns, type) and not _is_typed_dict(returns) else None

    def convert(value: Any) -> Any:
        if type(value) is not exact:
            try:
                value = msgspec.convert(value, returns, from_attributes=True)
            except msgspec.ValidationError as exc:
                raise TypeError(
                    f"{where} returned a value that does not match its return annotation "
                    f"{getattr(returns, '__name__', returns)!s}: {exc}"
                ) from None
        return msgspec.to_builtins(value, enc_hook=_encode_hook)

    return convert


def _pydantic_filter(returns: Any, where: str) -> Filter:
    """A pydantic `TypeAdapter` for an annotation with pydantic models inside."""
    adapter = sys.modules["pydantic"].TypeAdapter(returns)

    def filter_(value: Any) -> Any:
        try:
            checked = adapter.validate_python(value, from_attributes=True)
        except ValueError as exc:
            raise TypeError(
                f"{where} returned a value that does not match its return annotation: {exc}"
            ) from None
        return adapter.dump_python(checked, mode="json")

    return filter_


def _is_typed_dict(tp: type[Any]) -> bool:
    return issubclass(tp, dict)


def write(res: Response, value: Any, filter_: Filter | None) -> Any:
    """Write a returned value to `res`; give back an ASGI app to send as it is, else None."""
    if (
        filter_ is not None
        and not isinstance(value, (str, bytes, bytearray, memoryview))
        and (not callable(value) or dataclasses.is_dataclass(value))
    ):
        res.json = filter_(value)
        return None
    from .views import apply_result

    return apply_result(res, value)
