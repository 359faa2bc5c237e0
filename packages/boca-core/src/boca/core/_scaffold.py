"""The project `boca new` writes: its files, and a writer that never leaves half a tree behind."""

from __future__ import annotations

import functools
import keyword
import os
import re
import secrets
import shutil
import string
import sys
import tempfile
from collections.abc import Callable, Iterable
from importlib import resources
from importlib.machinery import PathFinder
from pathlib import Path

__all__ = [
    "BATTERIES",
    "ProjectError",
    "check_name",
    "conflicts",
    "module_name",
    "render",
    "tree",
    "write",
]

#: The batteries `boca new --with` knows, in the order they are wired into the app.
BATTERIES = ("templates", "static", "middleware")

_Tree = dict[str, "_Tree"]
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*")
# Names that would clash with the project's own files or with Boca itself.
_RESERVED = {
    "app",
    "boca",
    "conftest",
    "main",
    "middleware",
    "settings",
    "static",
    "templates",
    "test",
    "tests",
}


class ProjectError(Exception):
    """The project cannot be written as asked; nothing was written."""


def module_name(name: str) -> str:
    """The import name of project `name`: `My-Shop` -> `my_shop`."""
    return name.lower().replace("-", "_")


def check_name(name: str) -> str:
    """Return the project's module name, or raise ValueError saying why `name` cannot be one."""
    if not _NAME.fullmatch(name):
        raise ValueError(
            f"{name!r} is not a valid project name: use letters, digits, '-' and '_', starting "
            "with a letter, like 'demo' or 'my-shop'"
        )
    module = module_name(name)
    if keyword.iskeyword(module):
        raise ValueError(
            f"{name!r} is a Python keyword: it cannot be imported, choose another name"
        )
    if module in _RESERVED or module.startswith("boca_"):
        raise ValueError(f"{name!r} clashes with a name Boca projects use: choose another name")
    if module in sys.stdlib_module_names:
        raise ValueError(
            f"{name!r} is the name of a standard library module: the project would shadow it, "
            "choose another name"
        )
    search = [p for p in sys.path if p and os.path.abspath(p) != os.getcwd()]
    if PathFinder.find_spec(module, search) is not None:
        raise ValueError(
            f"{name!r} is the name of an installed module ({module}): the project would shadow "
            "it, choose another name"
        )
    return module


def render(name: str, batteries: Iterable[str]) -> dict[str, str]:
    """Every file of a new project, by path relative to its directory."""
    chosen = set(batteries)
    pkg = module_name(name)
    files = {
        ".env": _env(secrets.token_urlsafe(32)),
        ".env.example": _env("change-me"),
        ".gitignore": ".env\n.venv/\n__pycache__/\n*.egg-info/\ndist/\n.pytest_cache/\n",
        "README.md": _readme(name, pkg, chosen),
        "pyproject.toml": _pyproject(name, pkg, chosen),
        f"{pkg}/__init__.py": f'"""The {name} app."""\n',
        f"{pkg}/app.py": _app(name, chosen),
        f"{pkg}/settings.py": _template("settings.py.tmpl"),
        "tests/test_app.py": _tests(name, pkg, chosen),
    }
    if "templates" in chosen:
        files[f"{pkg}/templates/index.html"] = _index_html(pkg, "static" in chosen)
    if "static" in chosen:
        files[f"{pkg}/static/style.css"] = _template("style.css")
    return dict(sorted(files.items()))


def tree(root: str, paths: Iterable[str], marks: dict[str, str] | None = None) -> list[str]:
    """Draw `paths` as a tree under `root`, with an optional note after some of them."""
    nested: _Tree = {}
    for path in paths:
        node = nested
        for part in path.split("/"):
            node = node.setdefault(part, {})
    lines = [root.rstrip("/") + "/"]

    def walk(node: _Tree, prefix: str, base: str) -> None:
        items = sorted(node.items(), key=lambda kv: (not kv[1], kv[0]))
        for index, (part, child) in enumerate(items):
            last = index == len(items) - 1
            path = base + part
            note = (marks or {}).get(path, "")
            label = part + "/" if child else part
            lines.append(f"{prefix}{'└── ' if last else '├── '}{label}{note}")
            walk(child, prefix + ("    " if last else "│   "), path + "/")

    walk(nested, "", "")
    return lines


def conflicts(target: Path, files: Iterable[str]) -> list[str]:
    """The files of the project that already exist in `target`.

    Raises ProjectError when something in the way cannot be overwritten (a directory where a
    file goes, or a file where a directory goes).
    """
    found = []
    for rel in files:
        dest = target / rel
        for parent in list(Path(rel).parents)[:-1]:
            if (target / parent).exists() and not (target / parent).is_dir():
                raise ProjectError(
                    f"{target / parent} is a file, where the project needs a directory"
                )
        if dest.is_dir():
            raise ProjectError(f"{dest} is a directory, where the project needs a file")
        if dest.exists():
            found.append(rel)
    return found


def write(target: Path, files: dict[str, str], *, replace: Callable[[str], bool]) -> list[str]:
    """Write `files` into `target`, all or nothing; return the paths written.

    Files are first written to a temporary directory next to `target`, then moved in. A new
    or empty `target` is one rename; into a non-empty one, files that exist are overwritten
    only when `replace(path)` says so, and every move is undone if a later one fails.
    """
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    existing = conflicts(target, files) if target.exists() else []
    chosen = {rel: text for rel, text in files.items() if rel not in existing or replace(rel)}
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.boca-new-", dir=target.parent))
    try:
        built = stage / "project"
        for rel, text in chosen.items():
            path = built / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            if rel == ".env":
                path.chmod(0o600)
        if not target.exists() or not any(target.iterdir()):
            if target.exists():
                target.rmdir()
            built.rename(target)
        else:
            _merge(built, target, list(chosen), stage / "backup")
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return list(chosen)


def _merge(built: Path, target: Path, paths: list[str], backup: Path) -> None:
    """Move `paths` from `built` into `target`; on any failure, put everything back."""
    undo: list[Callable[[], None]] = []
    try:
        for rel in paths:
            dest = target / rel
            for parent in reversed(Path(rel).parents[:-1]):
                folder = target / parent
                if not folder.exists():
                    folder.mkdir()
                    undo.append(folder.rmdir)
            if dest.exists():
                saved = backup / rel
                saved.parent.mkdir(parents=True, exist_ok=True)
                os.replace(dest, saved)
                undo.append(functools.partial(os.replace, saved, dest))
            os.replace(built / rel, dest)
            undo.append(dest.unlink)
    except BaseException:
        for step in reversed(undo):
            step()
        raise


def _env(secret: str) -> str:
    # The same DEBUG in both files: a project starts quiet and safe, and the developer turns
    # tracebacks on knowingly.
    return (
        "# Read by settings.py; values set in the environment win.\n"
        "# DEBUG=true shows tracebacks to clients: only ever on your own machine.\n"
        "DEBUG=false\n"
        f"SECRET_KEY={secret}\n"
    )


def _app(name: str, chosen: set[str]) -> str:
    imports = ["from __future__ import annotations", ""]
    if chosen & {"templates", "static"}:
        imports += ["from pathlib import Path", ""]
    imports.append("from boca.core import App, Request, Response")
    if "middleware" in chosen:
        imports.append("from boca.middleware import GZipMiddleware, RequestIDMiddleware")
    if "static" in chosen:
        imports.append("from boca.static import StaticFiles")
    if "templates" in chosen:
        imports.append("from boca.templates import Templates")
    lines = [f'"""The {name} app: `boca run` serves it, `python -m pytest` tests it."""', ""]
    lines += [*imports, "", "from . import settings", ""]
    if chosen & {"templates", "static"}:
        lines += ["HERE = Path(__file__).resolve().parent", ""]
    lines += ["app = App(debug=settings.DEBUG)"]
    if "templates" in chosen:
        lines.append('app.use(Templates(directory=HERE / "templates"))')
    if "static" in chosen:
        lines.append('app.use(StaticFiles(directory=HERE / "static"))')
    if "middleware" in chosen:
        lines += ["app.add_middleware(GZipMiddleware)", "app.add_middleware(RequestIDMiddleware)"]
    lines += [
        "",
        "",
        '@app.route("/", name="home")',
        "async def home(req: Request, res: Response) -> None:",
    ]
    if "templates" in chosen:
        lines.append(f'    res.render("index.html", title="{name}")')
    else:
        lines.append(f'    res.json = {{"message": "Hello from {name}!"}}')
    lines += [
        "",
        "",
        '@app.route("/health", name="health")',
        "async def health(req: Request, res: Response) -> None:",
        '    res.json = {"status": "ok"}',
    ]
    return "\n".join(lines) + "\n"


def _tests(name: str, pkg: str, chosen: set[str]) -> str:
    # A `client` fixture entered with `with`: the app's startup and shutdown (and so its
    # app-scoped providers) run around each test. Async tests use anyio's pytest plugin, which
    # comes with anyio (a dependency of boca-core): no other plugin to install.
    lines = [
        f'"""Tests for the {name} app, through Boca\'s test client."""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Iterator",
        "",
        "import pytest",
        "",
        "from boca.core.testing import TestClient",
        "",
        f"from {pkg}.app import app",
        "",
        "",
        "@pytest.fixture",
        "def client() -> Iterator[TestClient]:",
        "    with TestClient(app) as client:  # runs the app's startup and shutdown",
        "        yield client",
        "",
        "",
        "@pytest.fixture",
        "def anyio_backend() -> str:",
        '    return "asyncio"  # the event loop of the async tests; "trio" works too',
        "",
        "",
        "def test_home(client: TestClient) -> None:",
        '    response = client.get("/")',
        "    assert response.status_code == 200",
    ]
    if "templates" in chosen:
        lines += [
            '    assert response.headers["content-type"].startswith("text/html")',
            f'    assert "<h1>{name}</h1>" in response.text',
        ]
    else:
        lines.append(f'    assert response.json() == {{"message": "Hello from {name}!"}}')
    lines += [
        "",
        "",
        "def test_unknown_path_is_a_404(client: TestClient) -> None:",
        '    assert client.get("/no-such-page").status_code == 404',
        "",
        "",
        "@pytest.mark.anyio",
        "async def test_health() -> None:",
        "    async with TestClient(app) as async_client:",
        '        response = await async_client.get("/health")',
        "    assert response.status_code == 200",
        '    assert response.json() == {"status": "ok"}',
    ]
    if "static" in chosen:
        lines += [
            "",
            "",
            "def test_stylesheet(client: TestClient) -> None:",
            '    response = client.get("/static/style.css")',
            "    assert response.status_code == 200",
            '    assert response.headers["content-type"].startswith("text/css")',
        ]
    if "middleware" in chosen:
        lines += [
            "",
            "",
            "def test_every_response_has_a_request_id(client: TestClient) -> None:",
            '    assert client.get("/health").headers["x-request-id"]',
        ]
    return "\n".join(lines) + "\n"


def _index_html(pkg: str, static: bool) -> str:
    link = '  <link rel="stylesheet" href="{{ static_url(\'style.css\') }}">\n' if static else ""
    return string.Template(_template("index.html.tmpl")).substitute(pkg=pkg, link=link)


def _template(name: str) -> str:
    return (resources.files(__package__) / "_project_template" / name).read_text(encoding="utf-8")


def _pyproject(name: str, pkg: str, chosen: set[str]) -> str:
    deps = ['    "boca-core>=0.1",'] + [f'    "boca-{b}>=0.1",' for b in BATTERIES if b in chosen]
    return "\n".join(
        [
            "[project]",
            f'name = "{name.lower()}"',
            'version = "0.1.0"',
            'description = "A web app built with Boca."',
            'readme = "README.md"',
            'requires-python = ">=3.10"',
            "dependencies = [",
            *deps,
            "]",
            "",
            "[project.optional-dependencies]",
            'dev = ["pytest>=8", "boca-core[testing]>=0.1"]',
            "",
            "[tool.boca]",
            "# What `boca run` and `boca routes` serve when no APP is given.",
            f'app = "{pkg}.app:app"',
            "",
            "[tool.pytest.ini_options]",
            'pythonpath = ["."]',
            'testpaths = ["tests"]',
            "",
            "[tool.poetry]",
            f'packages = [{{ include = "{pkg}" }}]',
            "",
            "[build-system]",
            'requires = ["poetry-core>=2.0"]',
            'build-backend = "poetry.core.masonry.api"',
            "",
        ]
    )


def _readme(name: str, pkg: str, chosen: set[str]) -> str:
    with_ = ", ".join(f"boca-{b}" for b in BATTERIES if b in chosen)
    uses = f"boca-core and {with_}" if with_ else "boca-core"
    return (
        f"# {name}\n\n"
        f"A web app built with [Boca](https://github.com/boca-web/boca) ({uses}).\n\n"
        "## Develop\n\n"
        "```console\n"
        "python -m venv .venv && . .venv/bin/activate\n"
        'python -m pip install -e ".[dev]"\n'
        "python -m pytest      # run the tests\n"
        "boca run --reload     # serve on http://127.0.0.1:8000, reloading on changes\n"
        "boca routes           # list the routes\n"
        "```\n\n"
        "## Layout\n\n"
        f"- `{pkg}/app.py`: the app and its routes.\n"
        f"- `{pkg}/settings.py`: settings read from the environment and `.env`"
        " (copy `.env.example`; never commit `.env`).\n"
        + (
            f"- `{pkg}/templates/`: Jinja2 templates, rendered with `res.render()`.\n"
            if "templates" in chosen
            else ""
        )
        + (f"- `{pkg}/static/`: files served under `/static/`.\n" if "static" in chosen else "")
        + "- `tests/`: tests using `boca.core.testing.TestClient`.\n"
    )
