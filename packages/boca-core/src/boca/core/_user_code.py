"""Pointing at the user's code: the `file:line` that declared a route, a view or a provider.

A declaration error raised deep inside Boca would otherwise end its traceback in a Boca file;
the message names the user's line instead, so the fix is one click away.
"""

from __future__ import annotations

import inspect
import linecache
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["caller_location", "declared_at", "definition_location"]

E = TypeVar("E", bound=BaseException)
_MARK = " [declared at "


def _ours(name: str) -> bool:
    return name in ("boca", "contextlib") or name.startswith("boca.")


def caller_location() -> str | None:
    """`file:line` of the innermost frame outside the `boca.*` packages (the user's call)."""
    frame = sys._getframe(1)
    while frame is not None:
        if not _ours(str(frame.f_globals.get("__name__", ""))):
            file = frame.f_code.co_filename
            return f"{file}:{_decorator_line(file, frame.f_lineno)}"
        frame = frame.f_back  # type: ignore[assignment]
    return None  # pragma: no cover - always called from user code


def _decorator_line(file: str, line: int) -> int:
    """The line of the decorator being applied, on every Python.

    While decorators run, Python 3.11 and newer report the decorator's own line; 3.10 reports
    the `def` (or `class`) line below it. From such a line, step up to the first decorator of
    the block: the route decorator, which comes first.
    """
    text = linecache.getline(file, line).lstrip()
    if not text.startswith(("def ", "async def ", "class ")):
        return line
    found = line
    while found > 1 and linecache.getline(file, found - 1).lstrip().startswith("@"):
        found -= 1
    return found


def definition_location(obj: Any) -> str | None:
    """`file:line` where a function or class is defined, when Python knows it."""
    target = inspect.unwrap(obj) if callable(obj) else obj
    code = getattr(getattr(target, "__func__", target), "__code__", None)
    if code is not None:
        return f"{code.co_filename}:{code.co_firstlineno}"
    try:
        file = inspect.getsourcefile(target)
        line = inspect.getsourcelines(target)[1]
    except (OSError, TypeError):
        return None
    return f"{file}:{line}" if file else None


@contextmanager
def declared_at(*kinds: type[BaseException]) -> Iterator[None]:
    """Re-raise declaration errors of `kinds` with the user's `file:line` in the message, and
    without the frames inside Boca (the message already says where Boca noticed)."""
    try:
        yield
    except kinds as exc:
        where = caller_location()
        if where is None or _MARK in str(exc):
            raise
        raise _with_location(exc, where) from exc.__cause__


def _with_location(exc: E, where: str) -> E:
    message = f"{exc}{_MARK}{where}]"
    try:
        located = type(exc)(message)
    except Exception:  # an exception class with another constructor: keep it as it is
        return exc
    located.__suppress_context__ = True
    return located.with_traceback(None)


def located(fn: Callable[..., Any], *kinds: type[BaseException]) -> Callable[..., Any]:
    """`fn`, whose declaration errors of `kinds` name the user's line."""

    def call(*args: Any, **kwargs: Any) -> Any:
        with declared_at(*kinds):
            return fn(*args, **kwargs)

    return call


def bad_status(route: Any, status: object) -> TypeError:
    """The error for a `res.status_code` that is not an int, naming the view that set it."""
    view = getattr(route, "view", None)
    if view is None:
        who = "the response"
    else:
        where = definition_location(view)
        who = f"view {getattr(view, '__qualname__', view)!r}" + (f" ({where})" if where else "")
        who += f" of route {route.pattern!r}"
    return TypeError(
        f"{who} set res.status_code to {status!r} ({type(status).__name__}): a status code is "
        "an int from 100 to 599, like res.status_code = 201 (or HTTPStatus.CREATED)"
    )
