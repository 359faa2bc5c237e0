"""The items API's models: what a request may send and what it gets back."""

from __future__ import annotations

from typing import Annotated, TypedDict

import msgspec

#: An item's id: a positive 64-bit integer, as the database stores it.
ItemId = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]

#: An item's name: 1 to 200 characters (the view also refuses one made only of spaces).
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, description="What to do.")]


class ItemIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new item. Unknown fields are refused, so a typo (`"don": true`) is not lost silently."""

    name: Name
    done: bool = False


class ItemPatch(msgspec.Struct, forbid_unknown_fields=True):
    """A change to an item: the fields to change, at least one."""

    name: Name | None = None
    done: bool | None = None


class Item(TypedDict):
    """An item, as the API answers it."""

    id: int
    name: str
    done: bool
