"""Typed settings read from environment variables and an optional `.env` file.

Declare a subclass with annotated attributes; values come from the environment (then the
`.env` file, then the class defaults), cast to the annotated type. Every missing or invalid
value is reported at once, when the settings are loaded.

```python
class Config(Settings):
    DEBUG: bool = False
    DATABASE_URL: str
    WORKERS: int = 4
    ALLOWED_HOSTS: list[str] = ["localhost"]

config = Config()            # or Config(env_file=".env", prefix="MYAPP_")
```
"""

from __future__ import annotations

import os
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from ._params import parser_for

__all__ = ["Settings", "SettingsError", "read_env_file"]


class SettingsError(ValueError):
    """One or more settings are missing or invalid; the message lists every one of them."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {name}: {problem}" for name, problem in problems.items())
        super().__init__(f"invalid settings:\n{lines}")


def read_env_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """Parse a `.env` file: `KEY=value` lines, `#` comments, optional `export`, quoted values."""
    values: dict[str, str] = {}
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise SettingsError({f"{path}:{number}": f"expected KEY=value, got {raw!r}"})
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
            if raw.strip().partition("=")[2].strip()[0] == '"':
                value = value.encode("latin-1", "backslashreplace").decode("unicode_escape")
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


class Settings:
    """Base class for typed settings; see the module docstring."""

    #: Prefix of the environment variables (`"MYAPP_"` reads `MYAPP_DEBUG` for `DEBUG`).
    env_prefix: ClassVar[str] = ""
    #: Default `.env` file; a missing file is not an error.
    env_file: ClassVar[str | None] = ".env"

    def __init__(
        self,
        *,
        env_file: str | os.PathLike[str] | None = None,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> None:
        environ = os.environ if environ is None else environ
        file = env_file if env_file is not None else type(self).env_file
        from_file = read_env_file(file) if file is not None and Path(file).is_file() else {}
        problems: dict[str, str] = {}
        hints = typing.get_type_hints(type(self))
        for name, annotation in hints.items():
            if typing.get_origin(annotation) is ClassVar or name.startswith("_"):
                continue
            if name in overrides:
                setattr(self, name, overrides.pop(name))
                continue
            key = self.env_prefix + name
            text = environ.get(key, from_file.get(key))
            if text is None:
                if not hasattr(type(self), name):
                    problems[key] = "required, but not set"
                continue
            try:
                setattr(self, name, _cast(annotation, text))
            except (ValueError, TypeError) as exc:
                problems[key] = f"{exc} (got {text!r})"
        if overrides:
            problems.update(dict.fromkeys(overrides, "not a declared setting"))
        if problems:
            raise SettingsError(problems)

    def as_dict(self) -> dict[str, Any]:
        """Every declared setting and its value (what `App(settings=...)` reads)."""
        hints = typing.get_type_hints(type(self))
        return {
            name: getattr(self, name)
            for name, annotation in hints.items()
            if typing.get_origin(annotation) is not ClassVar and hasattr(self, name)
        }

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={'***' if _secret(name) else repr(value)}"
            for name, value in self.as_dict().items()
        )
        return f"{type(self).__name__}({shown})"


def _secret(name: str) -> bool:
    upper = name.upper()
    return any(word in upper for word in ("SECRET", "PASSWORD", "TOKEN", "KEY"))


def _cast(annotation: Any, text: str) -> Any:
    parse, many = parser_for(annotation)
    if many:
        items = [item.strip() for item in text.split(",") if item.strip()]
        return [parse(item) for item in items] if parse else items
    return parse(text) if parse else text
