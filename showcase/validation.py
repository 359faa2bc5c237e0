"""Checking the JSON bodies of the items API: a 422 that names every problem."""

from __future__ import annotations

from typing import Any

from boca.core import HTTPError

MAX_NAME = 200
FIELDS = ("name", "done")


def item_fields(data: Any, *, partial: bool = False) -> dict[str, Any]:
    """The item fields in a JSON body; all of them, or (`partial`) at least one.

    Raises a 422 whose detail maps each bad field to what is wrong with it:
    `{"name": "must not be blank", "colour": "unknown field"}`.
    """
    if not isinstance(data, dict):
        raise HTTPError(422, detail={"body": "expected a JSON object"})
    fields: dict[str, Any] = {}
    errors: dict[str, str] = {key: "unknown field" for key in sorted(data) if key not in FIELDS}
    if "name" in data:
        name = data["name"]
        if not isinstance(name, str):
            errors["name"] = "must be a string"
        elif not name.strip():
            errors["name"] = "must not be blank"
        elif len(name.strip()) > MAX_NAME:
            errors["name"] = f"must be at most {MAX_NAME} characters"
        else:
            fields["name"] = name.strip()
    elif not partial:
        errors["name"] = "is required"
    if "done" in data:
        if isinstance(data["done"], bool):
            fields["done"] = data["done"]
        else:
            errors["done"] = "must be true or false"
    if partial and not data:
        errors["body"] = f"give at least one of: {', '.join(FIELDS)}"
    if errors:
        raise HTTPError(422, detail=errors)
    return fields
