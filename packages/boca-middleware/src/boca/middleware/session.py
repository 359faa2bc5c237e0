"""The session dict, which remembers whether it was read and changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_MISSING: Any = object()


class SessionTooLarge(ValueError):
    """The session does not fit in a cookie; store less, or keep the data server-side."""


class Session(dict[str, Any]):
    """The session dict: remembers whether it was read (for `Vary: Cookie`) and changed.

    Only calls that change the contents count as writes: `pop()` of a missing key and
    `setdefault()` of a present one are reads.
    """

    accessed: bool = False
    modified: bool = False
    regenerated: bool = False

    def regenerate(self) -> None:
        """Give the session a new id, keeping its contents (call it after a login).

        With a store, the old id stops working at once, so an id planted or seen
        before the login (session fixation) is worth nothing. In cookie-only mode the
        cookie is signed again.
        """
        self.regenerated = True
        self._changed()

    def __getitem__(self, key: str) -> Any:
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.accessed = True
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.accessed = True
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        self.accessed = True
        return super().__iter__()

    def __len__(self) -> int:
        self.accessed = True
        return super().__len__()

    def keys(self) -> Any:
        self.accessed = True
        return super().keys()

    def values(self) -> Any:
        self.accessed = True
        return super().values()

    def items(self) -> Any:
        self.accessed = True
        return super().items()

    def _changed(self) -> None:
        self.accessed = self.modified = True

    def __setitem__(self, key: str, value: Any) -> None:
        self._changed()
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.accessed = True
        super().__delitem__(key)
        self.modified = True

    def clear(self) -> None:
        self._changed()
        super().clear()

    def pop(self, key: str, default: Any = _MISSING) -> Any:
        self.accessed = True
        if super().__contains__(key):
            self.modified = True
            return super().pop(key)
        if default is _MISSING:
            raise KeyError(key)
        return default

    def popitem(self) -> tuple[str, Any]:
        self.accessed = True
        item = super().popitem()
        self.modified = True
        return item

    def setdefault(self, key: str, default: Any = None) -> Any:
        self.accessed = True
        if super().__contains__(key):
            return super().__getitem__(key)
        self.modified = True
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._changed()
        super().update(*args, **kwargs)

    def __ior__(self, other: Any) -> Session:  # type: ignore[override,misc]
        self._changed()
        return super().__ior__(other)
