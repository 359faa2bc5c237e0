"""The `boca` command lines of the documentation (docs/examples/cli), run one by one."""

from __future__ import annotations

import importlib.metadata
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner

from boca.core.cli import cli

from .conftest import EXAMPLES

CLI = EXAMPLES / "cli"


class Session:
    """Runs the lines of an example file: `boca ...` in-process, `cd`, and `python -m pytest`."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.served: list[tuple[str, dict[str, Any]]] = []
        self.outputs: list[str] = []
        monkeypatch.chdir(root)
        monkeypatch.setattr(
            uvicorn, "run", lambda app, **options: self.served.append((app, options))
        )

    def run(self, example: str) -> None:
        for line in (CLI / example).read_text().splitlines():
            words = shlex.split(line, comments=True)
            if not words:
                continue
            if words[0] == "cd":
                self.monkeypatch.chdir(words[1])
            elif words[:3] == ["python", "-m", "pytest"]:
                env = {
                    k: v
                    for k, v in os.environ.items()
                    if not k.startswith(("PYTEST_", "COV_CORE_"))
                }
                done = subprocess.run(
                    [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                    capture_output=True,
                    text=True,
                    timeout=120,
                    env=env,
                )
                assert done.returncode == 0, done.stdout + done.stderr
                self.outputs.append(done.stdout)
            else:
                assert words[0] == "boca", line
                result = CliRunner().invoke(cli, words[1:])
                assert result.exit_code == 0, f"{line}\n{result.output}"
                self.outputs.append(result.output)


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield Session(tmp_path, monkeypatch)
    for name, module in list(sys.modules.items()):
        if str(tmp_path) in (getattr(module, "__file__", None) or ""):
            del sys.modules[name]
    for name in [n for n in sys.modules if n == "demo" or n.startswith("demo.")]:
        del sys.modules[name]


def test_quickstart(session: Session, tmp_path: Path) -> None:
    session.run("quickstart.sh")
    assert "3 passed" in session.outputs[1]
    # Under --reload the server process loads demo.app:app through the factory that turns
    # load errors into 500s.
    assert os.environ["BOCA_RELOAD_TARGET"] == "demo.app:app"
    assert session.served == [
        (
            "boca.core._loading:reload_target",
            {
                "factory": True,
                "host": "127.0.0.1",
                "port": 8000,
                "reload": True,
                "reload_dirs": [str(tmp_path / "demo")],
                "workers": None,
                "app_dir": str(tmp_path / "demo"),
                "http": "boca.core.server:HttpToolsProtocol",
                "timeout_graceful_shutdown": 30,
                "proxy_headers": False,
            },
        )
    ]


def test_batteries(session: Session) -> None:
    session.run("batteries.sh")
    assert (
        "Created shop (boca-core, boca-templates, boca-static, boca-middleware)."
        in (session.outputs[0])
    )
    assert "5 passed" in session.outputs[1]
    assert "/static  static  boca.static.files.StaticFiles" in session.outputs[2]


def test_dry_run(session: Session, tmp_path: Path) -> None:
    session.run("dry_run.sh")
    assert session.outputs == [(CLI / "dry_run.txt").read_text()]
    assert list(tmp_path.iterdir()) == []


def test_routes(session: Session) -> None:
    session.run("routes.sh")
    assert session.outputs[1] == (CLI / "routes.txt").read_text()


def test_run(session: Session, tmp_path: Path) -> None:
    assert CliRunner().invoke(cli, ["new", "demo"]).exit_code == 0
    session.monkeypatch.chdir(tmp_path / "demo")
    session.run("run.sh")
    served = [
        (app, options["host"], options["port"], options["workers"])
        for app, options in session.served
    ]
    assert served == [
        ("demo.app:app", "127.0.0.1", 8000, None),
        ("demo.app:app", "127.0.0.1", 9000, None),
        ("demo.app:app", "127.0.0.1", 8000, 4),
        ("demo.app:app", "0.0.0.0", 8080, None),
    ]


def test_tool_boca_in_pyproject(session: Session, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text((CLI / "pyproject.toml").read_text())
    (tmp_path / "service").mkdir()
    (tmp_path / "service" / "__init__.py").write_text("")
    (tmp_path / "service" / "web.py").write_text(
        "from boca.core import App\napplication = App()\n\n\n"
        "@application.route('/ping')\nasync def ping(req, res):\n    res.text = 'pong'\n"
    )
    result = CliRunner().invoke(cli, ["routes"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1].split() == ["GET", "/ping", "-", "service.web.ping", "-"]


def test_version(session: Session) -> None:
    session.run("version.sh")
    lines = session.outputs[0].splitlines()
    assert ["boca-core", importlib.metadata.version("boca-core")] in [
        line.split() for line in lines
    ]
    for battery in ("templates", "static", "middleware"):
        assert any(line.split()[0] == f"boca-{battery}" for line in lines)
