"""The `boca` command, driven in-process with click's CliRunner."""

from __future__ import annotations

import importlib.metadata
import os
import stat
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from boca.core import cli as cli_module
from boca.core.cli import cli, main

BARE_FILES = [
    ".env",
    ".env.example",
    ".gitignore",
    "README.md",
    "demo/__init__.py",
    "demo/app.py",
    "demo/settings.py",
    "pyproject.toml",
    "tests/test_app.py",
]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh current directory; modules imported from it are forgotten afterwards."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield tmp_path
    for name, module in list(sys.modules.items()):
        where = getattr(module, "__file__", None) or str(
            list(getattr(module, "__path__", [""]))[:1]
        )
        if str(tmp_path) in where:
            del sys.modules[name]


def invoke(*args: str, input: str | None = None, color: bool = False) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, color=color)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


# -- boca new -----------------------------------------------------------------------------------


def test_new_writes_a_project_with_boca_core_only(workdir: Path) -> None:
    result = invoke("new", "demo")
    assert result.exit_code == 0, result.output
    project = workdir / "demo"
    assert files_under(project) == BARE_FILES
    pyproject = (project / "pyproject.toml").read_text()
    assert 'dependencies = [\n    "boca-core>=0.1",\n]' in pyproject
    assert 'dev = ["pytest>=8", "boca-core[testing]>=0.1"]' in pyproject
    assert "asyncio_mode" not in pyproject  # anyio's plugin runs the async tests
    assert (
        "[tool.boca]\n# What `boca run` and `boca routes` serve when no APP is given.\n"
        'app = "demo.app:app"' in pyproject
    )
    app = (project / "demo" / "app.py").read_text()
    assert "app = App(debug=settings.DEBUG)" in app
    assert "boca.templates" not in app
    assert "boca.static" not in app
    assert "boca.middleware" not in app
    env = (project / ".env").read_text()
    secret = env.split("SECRET_KEY=")[1].strip()
    assert len(secret) >= 40
    assert stat.S_IMODE((project / ".env").stat().st_mode) == 0o600
    assert "DEBUG=false\nSECRET_KEY=change-me\n" in (project / ".env.example").read_text()
    assert "DEBUG=false\n" in env  # the same as the example: no debug warning at every run
    assert "Created demo (boca-core)." in result.output
    assert "  cd demo\n" in result.output
    assert [p.name for p in workdir.iterdir()] == ["demo"]  # no staging directory left behind


def test_two_projects_get_different_secrets(workdir: Path) -> None:
    assert invoke("new", "one").exit_code == 0
    assert invoke("new", "two").exit_code == 0
    assert (workdir / "one" / ".env").read_text() != (workdir / "two" / ".env").read_text()


def test_new_with_every_battery(workdir: Path) -> None:
    result = invoke("new", "shop", "--with", "templates,static", "--with", "middleware")
    assert result.exit_code == 0, result.output
    project = workdir / "shop"
    assert "shop/templates/index.html" in files_under(project)
    assert "shop/static/style.css" in files_under(project)
    pyproject = (project / "pyproject.toml").read_text()
    assert (
        'dependencies = [\n    "boca-core>=0.1",\n    "boca-templates>=0.1",\n'
        '    "boca-static>=0.1",\n    "boca-middleware>=0.1",\n]'
    ) in pyproject
    app = (project / "shop" / "app.py").read_text()
    assert 'app.use(Templates(directory=HERE / "templates"))' in app
    assert 'app.use(StaticFiles(directory=HERE / "static"))' in app
    assert "app.add_middleware(RequestIDMiddleware)" in app
    assert 'res.render("index.html", title="shop")' in app
    assert "static_url('style.css')" in (project / "shop" / "templates" / "index.html").read_text()
    tests = (project / "tests" / "test_app.py").read_text()
    assert "def test_stylesheet(client: TestClient)" in tests
    assert "x-request-id" in tests
    assert (
        "Created shop (boca-core, boca-templates, boca-static, boca-middleware)." in result.output
    )


def test_new_with_templates_only_links_no_stylesheet(workdir: Path) -> None:
    assert invoke("new", "pages", "--with", "templates").exit_code == 0
    html = (workdir / "pages" / "pages" / "templates" / "index.html").read_text()
    assert "stylesheet" not in html
    pyproject = (workdir / "pages" / "pyproject.toml").read_text()
    assert '"boca-templates>=0.1",\n]' in pyproject
    assert "boca-static" not in pyproject


def test_new_with_static_only_keeps_json_home(workdir: Path) -> None:
    assert invoke("new", "files", "--with", " Static, ,static").exit_code == 0
    app = (workdir / "files" / "files" / "app.py").read_text()
    assert 'res.json = {"message": "Hello from files!"}' in app
    assert "Templates" not in app


def test_new_hyphenated_name_gets_an_importable_package(workdir: Path) -> None:
    result = invoke("new", "My-Shop")
    assert result.exit_code == 0, result.output
    assert (workdir / "My-Shop" / "my_shop" / "app.py").is_file()
    assert 'name = "my-shop"' in (workdir / "My-Shop" / "pyproject.toml").read_text()


def test_new_unknown_battery_is_a_usage_error(workdir: Path) -> None:
    result = invoke("new", "demo", "--with", "templates,redis")
    assert result.exit_code == 2
    assert "unknown battery 'redis': choose from templates, static, middleware" in result.output
    assert list(workdir.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("1demo", "is not a valid project name"),
        ("my app", "is not a valid project name"),
        ("demo-", "is not a valid project name"),
        ("a..b", "is not a valid project name"),
        ("class", "is a Python keyword"),
        ("boca", "clashes with a name Boca projects use"),
        ("boca_thing", "clashes with a name Boca projects use"),
        ("tests", "clashes with a name Boca projects use"),
        ("json", "is the name of a standard library module"),
        ("Asyncio", "is the name of a standard library module"),
        ("click", "is the name of an installed module (click)"),
    ],
)
def test_new_refuses_bad_names_and_writes_nothing(workdir: Path, name: str, reason: str) -> None:
    result = invoke("new", name)
    assert result.exit_code == 2
    assert reason in result.output
    assert "Invalid value for 'NAME'" in result.output
    assert list(workdir.iterdir()) == []


def test_a_local_directory_does_not_count_as_an_installed_module(workdir: Path) -> None:
    (workdir / "demo").mkdir()  # empty: boca new may use it
    result = invoke("new", "demo")
    assert result.exit_code == 0, result.output
    assert files_under(workdir / "demo") == BARE_FILES


def test_dry_run_prints_the_tree_and_writes_nothing(workdir: Path) -> None:
    result = invoke("new", "demo", "--with", "templates", "--dry-run")
    assert result.exit_code == 0, result.output
    assert list(workdir.iterdir()) == []
    assert result.output == (
        "Would create the project 'demo' (package demo, using boca-core, boca-templates):\n"
        "demo/\n"
        "├── demo/\n"
        "│   ├── templates/\n"
        "│   │   └── index.html\n"
        "│   ├── __init__.py\n"
        "│   ├── app.py\n"
        "│   └── settings.py\n"
        "├── tests/\n"
        "│   └── test_app.py\n"
        "├── .env\n"
        "├── .env.example\n"
        "├── .gitignore\n"
        "├── README.md\n"
        "└── pyproject.toml\n"
    )


def test_dry_run_marks_files_that_exist(workdir: Path) -> None:
    write(workdir / "demo" / "README.md", "mine\n")
    result = invoke("new", "demo", "--dry-run", "--no-input")
    assert result.exit_code == 0
    assert "├── README.md  (exists: would ask)\n" in result.output
    assert files_under(workdir) == ["demo/README.md"]


def test_existing_non_empty_directory_with_no_input_is_refused(workdir: Path) -> None:
    write(workdir / "demo" / "notes.txt", "keep me\n")
    result = invoke("new", "demo", "--no-input")
    assert result.exit_code == 1
    assert "Error: demo exists and is not empty; nothing was written." in result.output
    assert files_under(workdir) == ["demo/notes.txt"]


def test_existing_non_empty_directory_declined_writes_nothing(workdir: Path) -> None:
    write(workdir / "demo" / "notes.txt", "keep me\n")
    result = invoke("new", "demo", input="n\n")
    assert result.exit_code == 1
    assert "demo exists and is not empty. Add the project's files to it? [y/N]: n" in result.output
    assert "Error: nothing was written" in result.output
    assert files_under(workdir) == ["demo/notes.txt"]


def test_existing_files_are_asked_about_one_by_one(workdir: Path) -> None:
    write(workdir / "demo" / "README.md", "my readme\n")
    write(workdir / "demo" / ".gitignore", "mine\n")
    result = invoke("new", "demo", input="y\nn\ny\n")
    assert result.exit_code == 0, result.output
    assert f"{Path('demo/.gitignore')} exists. Overwrite it? [y/N]: n" in result.output
    assert f"{Path('demo/README.md')} exists. Overwrite it? [y/N]: y" in result.output
    assert (workdir / "demo" / ".gitignore").read_text() == "mine\n"
    assert (workdir / "demo" / "README.md").read_text().startswith("# demo\n")
    assert files_under(workdir / "demo") == BARE_FILES
    assert "kept 1 existing file(s)" in result.output
    assert [p.name for p in workdir.iterdir()] == ["demo"]


def test_directory_option_chooses_where(workdir: Path) -> None:
    result = invoke("new", "demo", "--directory", "work/here")
    assert result.exit_code == 0, result.output
    assert files_under(workdir / "work" / "here") == BARE_FILES
    assert "  cd work/here\n" in result.output


def test_target_that_is_a_file_is_refused(workdir: Path) -> None:
    write(workdir / "demo", "a file\n")
    result = invoke("new", "demo")
    assert result.exit_code == 1
    assert "demo exists and is not a directory; nothing was written" in result.output


@pytest.mark.parametrize(
    ("obstacle", "message"),
    [
        ("pyproject.toml/x", "is a directory, where the project needs a file"),
        ("tests", "is a file, where the project needs a directory"),
    ],
)
def test_something_in_the_way_is_refused(workdir: Path, obstacle: str, message: str) -> None:
    write(workdir / "demo" / obstacle, "x\n")
    result = invoke("new", "demo", input="y\n")
    assert result.exit_code == 1
    assert message in result.output
    assert "nothing was written" in result.output
    assert files_under(workdir) == [f"demo/{obstacle}"]


def test_a_failed_write_leaves_nothing(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = Path.write_text
    calls = []

    def failing(self: Path, *args: Any, **kwargs: Any) -> int:
        calls.append(self)
        if len(calls) == 4:
            raise OSError(28, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing)
    result = invoke("new", "demo")
    assert result.exit_code == 1
    assert (
        "could not write the project: [Errno 28] No space left on device; nothing was written"
        in result.output
    )
    assert list(workdir.iterdir()) == []


def test_a_failed_merge_puts_everything_back(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(workdir / "demo" / "README.md", "my readme\n")
    real = os.replace
    moves = []

    def failing(src: Any, dst: Any) -> None:
        moves.append(dst)
        if len(moves) == 6:
            raise OSError(13, "Permission denied")
        real(src, dst)

    monkeypatch.setattr("boca.core._scaffold.os.replace", failing)
    result = invoke("new", "demo", input="y\ny\n")
    assert result.exit_code == 1
    assert "Permission denied; nothing was written" in result.output
    assert files_under(workdir) == ["demo/README.md"]
    assert (workdir / "demo" / "README.md").read_text() == "my readme\n"
    assert sorted(p.name for p in (workdir / "demo").iterdir()) == ["README.md"]


# -- finding the app ----------------------------------------------------------------------------


APP_MODULE = """
from boca.core import App

app = App()
api = App()
number = 3


@app.route("/", name="home")
async def home(req, res):
    res.text = "home"


class Items:
    async def get(self, req, res):
        res.json = []

    async def post(self, req, res):
        res.json = {}


app.route("/items", name="items")(Items)


@app.route("/raw/{slug}", methods=["PUT", "DELETE"])
async def raw(req, res, *, slug):
    res.text = slug


async def plain_asgi(scope, receive, send):
    pass


app.mount("/legacy", plain_asgi, name="legacy")


@app.websocket_route("/ws", name="live")
async def live(ws):
    await ws.send("hi")
"""


def test_routes_lists_routes_and_mounts(workdir: Path) -> None:
    write(workdir / "app.py", APP_MODULE)
    result = invoke("routes")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "METHODS      PATH         NAME   VIEW       HOOKS",
        "GET          /            home   app.home   -",
        "GET          /items       items  app.Items  -",
        "POST         /items       items  app.Items  -",
        "PUT, DELETE  /raw/{slug}  -      app.raw    -",
        "WEBSOCKET    /ws          live   app.live   -",
        "",
        "MOUNT    NAME    APP",
        "/legacy  legacy  builtins.function",
    ]


def test_routes_colours_only_when_asked(workdir: Path) -> None:
    write(workdir / "app.py", APP_MODULE)
    coloured = invoke("routes", color=True)
    assert "\x1b[32mGET" in coloured.output
    assert "\x1b[1mMETHODS" in coloured.output
    plain = invoke("routes")
    assert "\x1b[" not in plain.output


def test_no_color_environment_variable_wins(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(workdir / "app.py", APP_MODULE)
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in invoke("routes", color=True).output


def test_routes_of_an_empty_app(workdir: Path) -> None:
    write(workdir / "main.py", "from boca.core import App\napp = App()\n")
    result = invoke("routes")
    assert result.exit_code == 0
    assert result.output == "no routes\n"


def test_routes_of_an_app_given_as_module_and_attribute(workdir: Path) -> None:
    write(workdir / "app.py", APP_MODULE)
    result = invoke("routes", "app:api")
    assert result.exit_code == 0
    assert result.output == "no routes\n"


def test_routes_shows_hooks(workdir: Path) -> None:
    write(
        workdir / "hooked.py",
        """
        from boca.core import App, Router, after, before

        async def auth(req, res, params): ...
        async def log(req, res, params): ...

        app = App()
        admin = Router()
        before(auth)(admin)


        @app.route("/a")
        @before(auth)
        @after(log)
        async def a(req, res): ...


        @admin.route("/b")
        class B:
            async def get(self, req, res): ...

            @after(log)
            async def post(self, req, res): ...


        app.include(admin)
        """,
    )
    result = invoke("routes", "hooked")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        "GET      /a    -     hooked.a  before: auth, after: log",
        "GET      /b    -     hooked.B  before: auth",
        "POST     /b    -     hooked.B  before: auth, after: log",
    ]


def test_routes_of_a_plain_asgi_app_is_refused(workdir: Path) -> None:
    write(workdir / "app.py", "async def app(scope, receive, send): ...\n")
    result = invoke("routes")
    assert result.exit_code == 2
    assert "Error: app:app is an ASGI app but not a Boca app" in result.output
    assert "this is a builtins.function" in result.output


def test_app_is_found_from_pyproject(workdir: Path) -> None:
    write(
        workdir / "pyproject.toml",
        """
        [project]
        name = "x"
        app = "not.this:one"

        [tool.boca]  # the app
        app = 'served:application'  # a comment
        """,
    )
    write(workdir / "served.py", "from boca.core import App\napplication = App()\n")
    write(workdir / "app.py", "raise RuntimeError('not me')\n")
    result = invoke("routes")
    assert result.exit_code == 0, result.output
    assert result.output == "no routes\n"


def test_pyproject_without_tool_boca_falls_back_to_files(workdir: Path) -> None:
    write(workdir / "pyproject.toml", "[project]\nname = 'x'\n")
    write(workdir / "pkg" / "__init__.py", "")
    write(workdir / "pkg" / "app.py", "from boca.core import App\napp = App()\n")
    write(workdir / "notpkg" / "app.py", "raise RuntimeError('not a package')\n")
    result = invoke("routes")
    assert result.exit_code == 0, result.output


def test_several_packages_must_be_chosen_between(workdir: Path) -> None:
    for name in ("one", "two"):
        write(workdir / name / "__init__.py", "")
        write(workdir / name / "app.py", "")
    result = invoke("routes")
    assert result.exit_code == 2
    assert "several apps found (one.app:app, two.app:app): say which one" in result.output


def test_no_app_at_all(workdir: Path) -> None:
    result = invoke("routes")
    assert result.exit_code == 2
    assert f"Error: no app found in {workdir}: pass APP as 'module:attribute'" in result.output


# -- loading errors -----------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["a:b:c", "my-app", "mod:", ":app", "mod:1x"])
def test_malformed_app_path(workdir: Path, spec: str) -> None:
    result = invoke("routes", spec)
    assert result.exit_code == 2
    assert f"Error: {spec!r} is not an app path: write it as 'module:attribute'" in result.output


def test_missing_module(workdir: Path) -> None:
    result = invoke("routes", "nosuchmodule:app")
    assert result.exit_code == 2
    assert (
        "Error: module 'nosuchmodule' not found (No module named 'nosuchmodule');" in result.output
    )
    assert "Traceback" not in result.output


def test_missing_submodule_of_an_existing_package(workdir: Path) -> None:
    write(workdir / "pkg" / "__init__.py", "")
    result = invoke("routes", "pkg.nope")
    assert result.exit_code == 2
    assert "module 'pkg.nope' not found (No module named 'pkg.nope')" in result.output


def test_module_whose_own_import_fails(workdir: Path) -> None:
    write(workdir / "app.py", "import not_installed_dependency\n")
    result = invoke("routes")
    assert result.exit_code == 1
    assert (
        "Error: importing 'app' raised ModuleNotFoundError: No module named "
        f"'not_installed_dependency' (at {workdir / 'app.py'}:1)"
    ) in result.output
    assert "Traceback" not in result.output


def test_module_raising_import_error(workdir: Path) -> None:
    write(workdir / "app.py", "x = 1\nfrom os import no_such_name\n")
    result = invoke("routes")
    assert result.exit_code == 1
    assert "importing 'app' raised ImportError: cannot import name 'no_such_name'" in result.output
    assert f"(at {workdir / 'app.py'}:2)" in result.output


def test_module_with_a_syntax_error(workdir: Path) -> None:
    write(workdir / "app.py", "x = 1\ndef broken(:\n")
    result = invoke("routes")
    assert result.exit_code == 1
    assert "importing 'app' raised SyntaxError:" in result.output
    assert f"(at {workdir / 'app.py'}:2)" in result.output


def test_module_raising_while_importing(workdir: Path) -> None:
    write(
        workdir / "app.py", "from boca.core import App\napp = App()\napp.route('no-slash')(None)\n"
    )
    result = invoke("routes")
    assert result.exit_code == 1
    assert (
        "importing 'app' raised RouteDeclarationError: route 'no-slash': "
        "a pattern must start with '/'" in result.output
    )
    assert "Traceback" not in result.output


def test_missing_attribute_lists_the_asgi_apps(workdir: Path) -> None:
    write(workdir / "app.py", APP_MODULE)
    result = invoke("routes", "app:application")
    assert result.exit_code == 2
    assert (
        "Error: 'app' has no attribute 'application'; ASGI apps in app: api, app, plain_asgi"
        in result.output
    )


def test_missing_nested_attribute(workdir: Path) -> None:
    write(workdir / "app.py", "from types import SimpleNamespace\nns = SimpleNamespace(inner=1)\n")
    result = invoke("routes", "app:ns.nope")
    assert result.exit_code == 2
    assert (
        "Error: 'app:ns' has no attribute 'nope'; app has no ASGI app at its top level"
        in result.output
    )


@pytest.mark.parametrize(
    ("code", "described"),
    [
        ("app = 3\n", "app:app is a builtins.int object, not an ASGI app"),
        (
            "class app: ...\n",
            "app:app is the class app (create an instance: app = app()), not an ASGI app",
        ),
        (
            "def app(scope, receive, send): ...\n",
            "app:app is function app, which is not async, not an ASGI app",
        ),
        ("import json as app\n", "app:app is the module json, not an ASGI app"),
        (
            "async def app(req, res, item_id): ...\n",
            "app:app is the async function app(req, res, item_id), which is not an ASGI app "
            "(a view takes (req, res, ...); an ASGI function takes (scope, receive, send)): "
            "serve the App its routes belong to",
        ),
    ],
)
def test_not_an_asgi_app(workdir: Path, code: str, described: str) -> None:
    write(workdir / "app.py", code)
    result = invoke("routes")
    assert result.exit_code == 2
    assert described in result.output


def test_load_errors_name_the_type_never_the_value(workdir: Path) -> None:
    write(workdir / "app.py", "settings = {'SECRET_KEY': 'hunter2-do-not-print'}\n")
    result = invoke("routes", "app:settings")
    assert result.exit_code == 2
    assert "app:settings is a builtins.dict object, not an ASGI app" in result.output
    assert "hunter2" not in result.output
    assert "SECRET_KEY" not in result.output


def test_views_are_neither_served_nor_suggested(workdir: Path) -> None:
    write(
        workdir / "app.py",
        "from boca.core import App\n\napp = App()\n\n\n"
        "@app.route('/items/{item_id}')\nasync def some_view(req, res, item_id):\n"
        "    res.text = item_id\n\n\n"
        "async def raw(scope, receive, send): ...\n",
    )
    result = invoke("run", "app:some_view")
    assert result.exit_code == 2
    assert "app:some_view is the async function some_view(req, res, item_id)" in result.output
    missing = invoke("run", "app:nothing")
    assert missing.exit_code == 2
    assert "ASGI apps in app: app, raw\n" in missing.output


def test_nested_attribute_that_is_an_app(workdir: Path) -> None:
    write(
        workdir / "app.py",
        "from types import SimpleNamespace\nfrom boca.core import App\n"
        "ns = SimpleNamespace(web=App())\n",
    )
    result = invoke("routes", "app:ns.web")
    assert result.exit_code == 0
    assert result.output == "no routes\n"


def test_errors_are_red_on_a_terminal(workdir: Path) -> None:
    result = invoke("routes", "nosuchmodule", color=True)
    assert result.exit_code == 2
    assert "\x1b[31mError: module 'nosuchmodule' not found" in result.output


# -- boca run -----------------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Replace uvicorn.run: record what it would have served."""
    import uvicorn

    calls: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append((app, kwargs)))
    return calls


def test_run_serves_the_project_app(
    workdir: Path, served: list[tuple[str, dict[str, Any]]]
) -> None:
    write(workdir / "app.py", APP_MODULE)
    result = invoke("run")
    assert result.exit_code == 0, result.output
    assert served == [
        (
            "app:app",
            {
                "factory": False,
                "host": "127.0.0.1",
                "port": 8000,
                "reload": False,
                "reload_dirs": None,
                "workers": None,
                "app_dir": str(workdir),
                "http": "boca.core.server:HttpToolsProtocol",
                "timeout_graceful_shutdown": 30,
                "proxy_headers": False,
            },
        )
    ]
    assert "Serving app:app on http://127.0.0.1:8000" in result.output


def test_run_with_options(workdir: Path, served: list[tuple[str, dict[str, Any]]]) -> None:
    write(workdir / "svc.py", APP_MODULE)
    result = invoke("run", "svc", "--host", "0.0.0.0", "--port", "9001", "--workers", "3")
    assert result.exit_code == 0, result.output
    assert served[0][0] == "svc:app"
    assert served[0][1]["host"] == "0.0.0.0"
    assert served[0][1]["port"] == 9001
    assert served[0][1]["workers"] == 3
    result = invoke("run", "svc", "--graceful-timeout", "5")
    assert served[1][1]["timeout_graceful_shutdown"] == 5


def test_run_with_reload_watches_the_project(
    workdir: Path, served: list[tuple[str, dict[str, Any]]]
) -> None:
    write(workdir / "svc.py", APP_MODULE)
    result = invoke("run", "svc:api", "--reload")
    assert result.exit_code == 0, result.output
    # The server process loads the app through the factory that survives load errors.
    assert served[0][0] == "boca.core._loading:reload_target"
    assert served[0][1]["factory"] is True
    assert served[0][1]["reload"] is True
    assert served[0][1]["reload_dirs"] == [str(workdir)]
    assert os.environ["BOCA_RELOAD_TARGET"] == "svc:api"
    assert os.environ["BOCA_RELOAD_DIR"] == str(workdir)


def test_run_refuses_reload_with_workers(
    workdir: Path, served: list[tuple[str, dict[str, Any]]]
) -> None:
    result = invoke("run", "--reload", "--workers", "2")
    assert result.exit_code == 2
    assert (
        "--reload runs a single process, so it cannot be used with --workers > 1" in result.output
    )
    assert served == []


def test_run_checks_the_app_before_serving(
    workdir: Path, served: list[tuple[str, dict[str, Any]]]
) -> None:
    result = invoke("run", "nosuchmodule")
    assert result.exit_code == 2
    assert "module 'nosuchmodule' not found" in result.output
    assert served == []


@pytest.mark.parametrize("port", ["-1", "65536", "http"])
def test_run_rejects_bad_ports(workdir: Path, port: str) -> None:
    result = invoke("run", "--port", port)
    assert result.exit_code == 2
    assert "Invalid value for '--port'" in result.output


# -- boca version, help, main ---------------------------------------------------------------------


def test_version_lists_installed_boca_packages(workdir: Path) -> None:
    result = invoke("version")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    core = next(line for line in lines if line.startswith("boca-core"))
    assert core.split() == ["boca-core", importlib.metadata.version("boca-core")]
    assert lines[-1].split() == ["python", sys.version.split()[0]]


class _Dist:
    def __init__(self, name: str | None, version: str) -> None:
        self.metadata = {"Name": name}
        self.version = version


def test_version_normalises_and_dedupes(monkeypatch: pytest.MonkeyPatch) -> None:
    dists = [
        _Dist("boca_extra", "2.0"),
        _Dist("Boca-Core", "1.0"),
        _Dist("boca-core", "0.9"),
        _Dist("httpx", "1"),
        _Dist(None, "0"),
    ]
    monkeypatch.setattr(importlib.metadata, "distributions", lambda: dists)
    result = invoke("version")
    assert result.output.splitlines()[:2] == ["boca-core   1.0", "boca-extra  2.0"]


def test_version_with_nothing_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.metadata, "distributions", list)
    result = invoke("version")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "no boca packages installed"


def test_version_option() -> None:
    result = invoke("--version")
    assert result.output == f"boca, version {importlib.metadata.version('boca-core')}\n"


@pytest.mark.parametrize("command", ["new", "run", "routes", "version"])
def test_every_command_has_help(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: cli {command}")
    assert invoke(command, "-h").output == result.output


def test_main_is_the_console_script(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("Usage: boca [OPTIONS] COMMAND [ARGS]...")
    assert cli_module.main is main


def test_reload_target_serves_the_load_error(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.websockets import WebSocketDisconnect

    from boca.core._loading import reload_target
    from boca.core.testing import TestClient

    write(workdir / "broken.py", "app = undefined_name\n")
    monkeypatch.setenv("BOCA_RELOAD_TARGET", "broken:app")
    monkeypatch.setenv("BOCA_RELOAD_DIR", str(workdir))
    with TestClient(reload_target()) as client:
        response = client.get("/anything")
        assert response.status_code == 500
        assert response.headers["cache-control"] == "no-store"
        assert response.text.startswith(
            "broken:app could not be loaded: importing 'broken' raised NameError: "
            "name 'undefined_name' is not defined"
        )
        assert response.text.endswith("Save a fix: the app reloads.\n")
        page = client.get("/", headers={"accept": "text/html"})
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert "name &#x27;undefined_name&#x27; is not defined" in page.text
        with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/ws"):
            pass  # pragma: no cover - refused
        assert refused.value.code == 1011
    write(workdir / "fixed.py", "from boca.core import App\napp = App()\n")
    monkeypatch.setenv("BOCA_RELOAD_TARGET", "fixed:app")
    assert type(reload_target()).__name__ == "App"
