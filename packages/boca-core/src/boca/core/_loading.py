"""Finding the app of a project and importing it, with errors that say precisely what is wrong."""

from __future__ import annotations

import html
import importlib
import inspect
import os
import re
import sys
import traceback
from pathlib import Path
from typing import IO, Any

import click

__all__ = ["AppImportError", "AppLoadError", "find_app", "load_app"]

_SPEC = re.compile(r"[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*(?::[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)?")


class AppLoadError(click.ClickException):
    """The APP cannot be found or served as given (exit code 2): the message says why."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        click.secho(f"Error: {self.format_message()}", file=file, err=True, fg="red")


class AppImportError(AppLoadError):
    """The APP's own code failed while being imported (exit code 1)."""

    exit_code = 1


def find_app(directory: Path) -> str:
    """The app of the project in `directory`, as `module:attribute`.

    In order: `[tool.boca] app` in pyproject.toml, then `app.py`, `main.py`, and finally a
    package holding an `app.py`.
    """
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        configured = _tool_boca_app(pyproject.read_text(encoding="utf-8"))
        if configured:
            return configured
    for module in ("app", "main"):
        if (directory / f"{module}.py").is_file():
            return f"{module}:app"
    packages = sorted(
        p.parent.name
        for p in directory.glob("*/app.py")
        if (p.parent / "__init__.py").is_file() and p.parent.name.isidentifier()
    )
    if len(packages) == 1:
        return f"{packages[0]}.app:app"
    if packages:
        choices = ", ".join(f"{p}.app:app" for p in packages)
        raise AppLoadError(
            f"several apps found ({choices}): say which one, e.g. `boca run {packages[0]}.app`"
        )
    raise AppLoadError(
        f"no app found in {directory}: pass APP as 'module:attribute' (e.g. "
        "`boca run demo.app:app`), run boca from the project's directory, or set `app` "
        "under [tool.boca] in pyproject.toml"
    )


def _tool_boca_app(text: str) -> str | None:
    """`app` from the `[tool.boca]` table (a basic string value), read without a TOML parser."""
    table = None
    for raw in text.splitlines():
        line = raw.strip()
        header = re.match(r"\[+\s*([^\]]*?)\s*\]", line)
        if header:
            table = header.group(1)
            continue
        found = re.fullmatch(r"""app\s*=\s*(["'])([^"']*)\1\s*(#.*)?""", line)
        if table == "tool.boca" and found:
            return found.group(2)
    return None


def load_app(spec: str, directory: Path) -> Any:
    """Import the ASGI app `spec` (`module` or `module:attribute`) with `directory` importable."""
    if not _SPEC.fullmatch(spec):
        raise AppLoadError(
            f"{spec!r} is not an app path: write it as 'module:attribute', like 'demo.app:app' "
            "(the attribute defaults to 'app')"
        )
    module_name, _, attribute = spec.partition(":")
    attribute = attribute or "app"
    path = str(directory)
    if path not in sys.path:
        sys.path.insert(0, path)
    importlib.invalidate_caches()
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if module_name == missing or module_name.startswith(missing + "."):
            raise AppLoadError(
                f"module {module_name!r} not found ({exc}); looked in {directory} and the "
                "installed packages: check the name, or run boca from the project's directory"
            ) from None
        raise _import_failed(module_name, exc) from None
    except Exception as exc:
        raise _import_failed(module_name, exc) from None
    app: Any = module
    for index, part in enumerate(attribute.split(".")):
        try:
            app = getattr(app, part)
        except AttributeError:
            where = (
                module_name
                if index == 0
                else f"{module_name}:{'.'.join(attribute.split('.')[:index])}"
            )
            raise AppLoadError(
                f"{where!r} has no attribute {part!r}; {_asgi_hint(module)}"
            ) from None
    if not _is_asgi(app):
        raise AppLoadError(
            f"{module_name}:{attribute} is {_describe(app)}, not an ASGI app; {_asgi_hint(module)}"
        )
    return app


def _import_failed(module_name: str, exc: BaseException) -> AppImportError:
    """The app's own code failed while importing: name the error and where it was raised."""
    if isinstance(exc, SyntaxError):
        where = f"{exc.filename}:{exc.lineno}"
    else:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{frame.filename}:{frame.lineno}"
    return AppImportError(
        f"importing {module_name!r} raised {type(exc).__name__}: {exc} (at {where})"
    )


def _is_asgi(obj: Any) -> bool:
    """An ASGI app: an instance whose class has an async `__call__(scope, receive, send)` (a Boca
    `App`, a Starlette app, a middleware), or an async function whose parameters are named
    `scope, receive, send`.

    The names matter for functions: a view `async def item(req, res, item_id)` takes three
    arguments too, and serving it would answer every request with a 500.
    """
    if inspect.isclass(obj) or inspect.ismodule(obj) or not callable(obj):
        return False
    if inspect.isfunction(obj) or inspect.ismethod(obj):
        if not inspect.iscoroutinefunction(obj):
            return False
        return _positional_names(obj)[:3] == ["scope", "receive", "send"] and _takes_three(obj)
    return inspect.iscoroutinefunction(type(obj).__call__) and _takes_three(obj)


def _positional_names(fn: Any) -> list[str]:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # pragma: no cover - builtins only
        return []
    return [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _takes_three(obj: Any) -> bool:
    try:
        inspect.signature(obj).bind(None, None, None)
    except (TypeError, ValueError):
        return False
    return True


def _describe(obj: Any) -> str:
    """What `obj` is, by its type: never its value, which may be a secret (a settings dict)."""
    if inspect.isclass(obj):
        return f"the class {obj.__qualname__} (create an instance: app = {obj.__qualname__}())"
    if inspect.ismodule(obj):
        return f"the module {obj.__name__}"
    if inspect.isfunction(obj) or inspect.ismethod(obj):
        name = obj.__qualname__
        if not inspect.iscoroutinefunction(obj):
            return f"function {name}, which is not async"
        params = ", ".join(_positional_names(obj)) or "no arguments"
        return (
            f"the async function {name}({params}), which is not an ASGI app (a view takes "
            "(req, res, ...); an ASGI function takes (scope, receive, send)): serve the App "
            "its routes belong to"
        )
    kind = type(obj)
    return f"a {kind.__module__}.{kind.__qualname__} object"


def _asgi_hint(module: Any) -> str:
    names = sorted(n for n, v in vars(module).items() if not n.startswith("_") and _is_asgi(v))
    if names:
        return f"ASGI apps in {module.__name__}: {', '.join(names)}"
    return f"{module.__name__} has no ASGI app at its top level"


#: Where `boca run --reload` tells its server process what to load.
RELOAD_TARGET = "BOCA_RELOAD_TARGET"
RELOAD_DIR = "BOCA_RELOAD_DIR"


def reload_target() -> Any:
    """The app for `boca run --reload`'s server process (an Uvicorn app factory).

    When the code fails to load (a syntax error saved halfway through an edit), requests get a
    `500` naming the error instead of hanging; the next save that fixes it reloads the app.
    """
    spec = os.environ[RELOAD_TARGET]
    try:
        return load_app(spec, Path(os.environ[RELOAD_DIR]))
    except AppLoadError as exc:
        message = exc.format_message()
        sys.stderr.write(f"Error: {message}\n")
        return _LoadFailure(spec, message)


class _LoadFailure:
    """An ASGI app that answers every request with the reason the real app did not load."""

    def __init__(self, spec: str, message: str) -> None:
        text = f"{spec} could not be loaded: {message}\nSave a fix: the app reloads.\n"
        self.text = text.encode()
        self.html = (
            "<!doctype html><title>App not loaded</title><h1>The app could not be loaded</h1>"
            f"<pre>{html.escape(text)}</pre>"
        ).encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                step = "startup" if message["type"] == "lifespan.startup" else "shutdown"
                await send({"type": f"lifespan.{step}.complete"})
                if step == "shutdown":
                    return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1011, "reason": ""})
            return
        accept = dict(scope.get("headers") or []).get(b"accept", b"")
        body, kind = (
            (self.html, b"text/html") if b"text/html" in accept else (self.text, b"text/plain")
        )
        headers = [
            (b"content-type", kind + b"; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": 500, "headers": headers})
        await send({"type": "http.response.body", "body": body})
