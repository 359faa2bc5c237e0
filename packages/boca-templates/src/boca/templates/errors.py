"""Errors that name what went wrong and where to look."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

import jinja2

__all__ = ["TemplateDirectoryNotFound", "TemplateNotFound", "TemplateSyntaxError"]


class TemplateNotFound(jinja2.TemplateNotFound):
    """A template does not exist, or its name is not a safe relative path.

    A subclass of `jinja2.TemplateNotFound`, so existing handlers keep working. The message
    names the template and every directory that was searched.

    Attributes:
        name: The template name as it was asked for.
        searched: The absolute directories that were searched (empty for custom loaders).
    """

    def __init__(self, name: str, searched: Sequence[str] = (), reason: str | None = None) -> None:
        self.searched = tuple(searched)
        if reason is None:
            if self.searched:
                reason = f"searched: {', '.join(self.searched)}"
            else:
                reason = "the loader has no such template"
        super().__init__(name, f"Template {name!r} not found ({reason})")


class TemplateSyntaxError(jinja2.TemplateSyntaxError):
    """A template does not parse; the message names the file and the line.

    A subclass of `jinja2.TemplateSyntaxError`. Jinja2 moves the location of a syntax error
    into a synthetic traceback frame and leaves only the bare message in `str(error)`; this
    error keeps the file, the line and the offending source line in the message itself, so
    it survives log formatters that print only the message.
    """

    @classmethod
    def from_jinja(cls, error: jinja2.TemplateSyntaxError) -> TemplateSyntaxError:
        new = cls(error.message or "syntax error", error.lineno, error.name, error.filename)
        new.source = error.source
        return new


class TemplateDirectoryNotFound(FileNotFoundError):
    """A configured template directory does not exist or is not a directory.

    Raised when `Templates` is created, so a typo fails at start-up rather than on the
    first request.
    """

    def __init__(self, directory: str) -> None:
        self.directory = directory
        super().__init__(
            f"Template directory {directory!r} does not exist or is not a directory: "
            "create it, or pass the right path to Templates(directory=...)"
        )


def reraise(exc: jinja2.TemplateError, searched: Sequence[str]) -> NoReturn:
    """Raise Jinja2's errors as ours, which name the template, file, line and paths."""
    if isinstance(exc, (TemplateNotFound, TemplateSyntaxError)):
        raise exc
    if isinstance(exc, jinja2.TemplateSyntaxError):
        raise TemplateSyntaxError.from_jinja(exc) from exc
    if isinstance(exc, jinja2.TemplateNotFound):
        raise TemplateNotFound(str(exc.name), searched) from exc
    raise exc
