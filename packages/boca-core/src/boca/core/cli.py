"""The `boca` command: start a project, serve it, list its routes, show what is installed.

Built on click: small, mature, no dependencies of its own, tested through `CliRunner`, and its
colours turn themselves off when the output is not a terminal (or when `NO_COLOR` is set).
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from . import _scaffold
from ._loading import (
    RELOAD_DIR,
    RELOAD_TARGET,
    AppImportError,
    AppLoadError,
    find_app,
    load_app,
)

__all__ = ["AppImportError", "AppLoadError", "cli", "find_app", "load_app", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="boca-core", prog_name="boca")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Boca: start a project, serve it, inspect it."""
    if os.environ.get("NO_COLOR"):
        ctx.color = False


def _split_batteries(
    ctx: click.Context, param: click.Parameter, values: Sequence[str]
) -> list[str]:
    chosen: list[str] = []
    for value in values:
        for item in filter(None, (v.strip().lower() for v in value.split(","))):
            if item not in _scaffold.BATTERIES:
                raise click.BadParameter(
                    f"unknown battery {item!r}: choose from {', '.join(_scaffold.BATTERIES)}"
                )
            if item not in chosen:
                chosen.append(item)
    return chosen


@cli.command()
@click.argument("name")
@click.option(
    "--with",
    "batteries",
    multiple=True,
    callback=_split_batteries,
    metavar="LIST",
    help="Batteries to wire in, comma-separated: templates, static, middleware.",
)
@click.option("--dry-run", is_flag=True, help="Print the files it would write, and write nothing.")
@click.option(
    "--no-input", is_flag=True, help="Never ask: refuse to write into a non-empty directory."
)
@click.option(
    "--directory",
    type=click.Path(path_type=Path, file_okay=False),
    help="The project's directory (default: ./NAME).",
)
def new(
    name: str, batteries: list[str], dry_run: bool, no_input: bool, directory: Path | None
) -> None:
    """Create the project NAME: an app, settings read from .env, tests, README, pyproject.toml."""
    try:
        module = _scaffold.check_name(name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'NAME'") from None
    target = directory if directory is not None else Path(name)
    files = _scaffold.render(name, batteries)
    crowded = target.is_dir() and any(target.iterdir())
    if target.exists() and not target.is_dir():
        raise click.ClickException(f"{target} exists and is not a directory; nothing was written")
    try:
        existing = _scaffold.conflicts(target, files) if crowded else []
    except _scaffold.ProjectError as exc:
        raise click.ClickException(f"{exc}; nothing was written") from None
    uses = ", ".join(["boca-core", *(f"boca-{b}" for b in batteries)])
    if dry_run:
        marks = dict.fromkeys(existing, click.style("  (exists: would ask)", fg="yellow"))
        click.echo(f"Would create the project {name!r} (package {module}, using {uses}):")
        for line in _scaffold.tree(str(target), files, marks):
            click.echo(line)
        return
    if crowded:
        if no_input:
            raise click.ClickException(
                f"{target} exists and is not empty; nothing was written. Choose another name or "
                "--directory, or run without --no-input to decide file by file"
            )
        if not click.confirm(f"{target} exists and is not empty. Add the project's files to it?"):
            raise click.ClickException("nothing was written")

    def replace(rel: str) -> bool:
        return click.confirm(f"{target / rel} exists. Overwrite it?", default=False)

    try:
        written = _scaffold.write(target, files, replace=replace)
    except (OSError, _scaffold.ProjectError) as exc:
        raise click.ClickException(
            f"could not write the project: {exc}; nothing was written"
        ) from None
    for line in _scaffold.tree(str(target), written):
        click.echo(line)
    skipped = len(files) - len(written)
    click.secho(
        f"\nCreated {name} ({uses})"
        + (f", kept {skipped} existing file(s)" if skipped else "")
        + ".",
        fg="green",
        bold=True,
    )
    click.echo("Next:")
    for step in (
        f"cd {target}",
        'python -m pip install -e ".[dev]"',
        "python -m pytest",
        "boca run --reload",
    ):
        click.echo("  " + click.style(step, fg="cyan"))


@cli.command()
@click.argument("app", required=False)
@click.option("--host", default="127.0.0.1", show_default=True, help="The interface to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="The port."
)
@click.option(
    "--reload", is_flag=True, help="Restart when a file of the project changes (development)."
)
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(min=1), help="Worker processes."
)
@click.option(
    "--graceful-timeout",
    default=30,
    show_default=True,
    type=click.IntRange(min=0),
    help="On shutdown, seconds to let running requests and background tasks finish.",
)
def run(
    app: str | None, host: str, port: int, reload: bool, workers: int, graceful_timeout: int
) -> None:
    """Serve APP with Uvicorn. APP is 'module:attribute' (default: found in the project)."""
    if reload and workers > 1:
        raise click.UsageError(
            "--reload runs a single process, so it cannot be used with --workers > 1: use "
            "--reload while developing and --workers in production"
        )
    directory = Path.cwd()
    spec = app or find_app(directory)
    if ":" not in spec:
        spec += ":app"
    load_app(spec, directory)
    import uvicorn

    click.secho(f"Serving {spec} on http://{host}:{port}", fg="green", err=True)
    target, factory = spec, False
    if reload:
        # The server process loads the app through a factory that answers with the load error
        # (a 500) while the code does not import, instead of leaving requests hanging.
        os.environ[RELOAD_TARGET], os.environ[RELOAD_DIR] = spec, str(directory)
        target, factory = "boca.core._loading:reload_target", True
    uvicorn.run(
        target,
        factory=factory,
        host=host,
        port=port,
        reload=reload,
        reload_dirs=[str(directory)] if reload else None,
        workers=workers if workers > 1 else None,
        app_dir=str(directory),
        # Boca's protocol refuses oversized request heads (431) that Uvicorn's would buffer.
        http="boca.core.server:HttpToolsProtocol",
        timeout_graceful_shutdown=graceful_timeout,
        # X-Forwarded-* are read by boca.middleware's ProxyHeadersMiddleware (addresses
        # validated, X-Forwarded-Host too) or not at all: Uvicorn's own reading, on by
        # default, would rewrite scope["client"] first and the two would disagree.
        proxy_headers=False,
    )


@cli.command()
@click.argument("app", required=False)
def routes(app: str | None) -> None:
    """List the routes and mounts of APP (default: the project's app)."""
    directory = Path.cwd()
    spec = app or find_app(directory)
    target = load_app(spec, directory)
    describe = getattr(target, "describe_routes", None)
    if not callable(describe):
        raise AppLoadError(
            f"{spec} is an ASGI app but not a Boca app: `boca routes` lists the routes of a "
            f"boca.core.App, and this is a {type(target).__module__}.{type(target).__qualname__}"
        )
    infos = describe()
    rows = [
        [
            ", ".join(_sorted_methods(i.methods)),
            i.pattern,
            i.name or "-",
            _qualname(i.view),
            _hooks(i),
        ]
        for i in infos
        if i.kind == "http"
    ]
    rows += [
        ["WEBSOCKET", i.pattern, i.name or "-", _qualname(i.view), "-"]
        for i in infos
        if i.kind == "websocket"
    ]
    _table(["METHODS", "PATH", "NAME", "VIEW", "HOOKS"], rows, "no routes")
    mounts = [i for i in infos if i.kind == "mount"]
    if mounts:
        click.echo()
        _table(
            ["MOUNT", "NAME", "APP"],
            [[m.pattern, m.name or "-", _qualname(type(m.view))] for m in mounts],
            "",
        )


_ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _sorted_methods(methods: tuple[str, ...]) -> list[str]:
    return sorted(methods, key=lambda m: _ORDER.index(m) if m in _ORDER else len(_ORDER))


def _qualname(obj: Any) -> str:
    # An instance of a class-based view has no `__qualname__`: name its class, called.
    name = getattr(obj, "__qualname__", None) or f"{type(obj).__qualname__}()"
    return f"{getattr(obj, '__module__', '?')}.{name}"


def _hooks(info: Any) -> str:
    """The `@before` / `@after` hooks around the endpoint, from the route's description."""
    found = [f"{h.when}: {_name(h.fn)}" for h in info.hooks]
    return ", ".join(found) or "-"


def _name(obj: Any) -> str:
    return str(getattr(obj, "__qualname__", repr(obj)))


def _table(headers: list[str], rows: list[list[str]], empty: str) -> None:
    if not rows:
        click.secho(empty, fg="yellow")
        return
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    click.secho(
        "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(), bold=True
    )
    colours = ["green", "cyan", None, None, None]
    for row in rows:
        padded = [c.ljust(w) for c, w in zip(row[:-1], widths[:-1], strict=True)] + [row[-1]]
        click.echo(
            "  ".join(
                click.style(c, fg=fg) for c, fg in zip(padded, colours[: len(padded)], strict=True)
            )
        )


@cli.command()
def version() -> None:
    """Show every installed boca package and its version."""
    found: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = re.sub(r"[-_.]+", "-", dist.metadata["Name"] or "").lower()
        if name.startswith("boca-"):
            found.setdefault(name, dist.version)
    if not found:
        click.secho("no boca packages installed", fg="yellow")
    width = max((len(n) for n in found), default=0)
    for name in sorted(found):
        click.echo(f"{click.style(name.ljust(width), fg='cyan')}  {found[name]}")
    click.echo(click.style(f"python{' ' * max(width - 6, 0)}  {sys.version.split()[0]}", dim=True))


def main(argv: Sequence[str] | None = None) -> None:
    """The `boca` console script."""
    cli.main(args=argv, prog_name="boca")
