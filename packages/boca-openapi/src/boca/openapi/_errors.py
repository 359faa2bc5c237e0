"""Boca's error bodies as types, for the document's 400/422 responses.

boca-core defines these (`boca.core.ErrorModel`...); when it is loaded its own types are used,
so a route that declares `responses={404: ErrorModel}` shares the one component. These copies
of the same shape serve apps that are not Boca apps (boca-core is never imported here).
"""

from __future__ import annotations

import sys
from typing import Any, TypedDict


class ErrorDetail(TypedDict):
    """One validation failure: where (`loc`), what (`msg`) and its kind (`type`)."""

    loc: list[str | int]
    msg: str
    type: str


class _Error(TypedDict):
    error: str
    status: int


class ErrorModel(_Error, total=False):
    """Every error Boca answers: `{"error": "404 Not Found", "status": 404, "detail": ...}`."""

    detail: Any


class ValidationErrorModel(TypedDict):
    """A 400/422 validation answer: `detail` lists every failure."""

    error: str
    status: int
    detail: list[ErrorDetail]


def error_models() -> tuple[Any, Any]:
    """`(ErrorModel, ValidationErrorModel)`: boca-core's when it is loaded, else these."""
    core = sys.modules.get("boca.core")
    found = (getattr(core, "ErrorModel", None), getattr(core, "ValidationErrorModel", None))
    if found[0] is not None and found[1] is not None:
        return found
    return ErrorModel, ValidationErrorModel
