"""The `boca` console script for real: a new project's tests pass and `boca run` serves it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

BOCA = Path(sys.executable).with_name("boca")


def boca(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert BOCA.is_file(), f"the boca console script is missing next to {sys.executable}"
    return subprocess.run(
        [str(BOCA), *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=_env()
    )


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_CORE_"))}
    env["NO_COLOR"] = "1"
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("projects")
    result = boca("new", "demo", "--no-input", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "Created demo (boca-core)." in result.stdout
    return root / "demo"


def test_a_new_project_passes_its_own_tests(demo: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=demo,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_a_new_project_keeps_passing_with_an_app_provider(demo: Path, tmp_path: Path) -> None:
    """The scaffolded tests enter the client with `with`: app-scoped providers are made."""
    project = tmp_path / "demo"
    shutil.copytree(demo, project, ignore=shutil.ignore_patterns("__pycache__"))
    app = project / "demo" / "app.py"
    health = '@app.route("/health", name="health")\n'
    code = app.read_text().replace(
        health + "async def health(req: Request, res: Response) -> None:",
        '@app.provider(scope="app")\nasync def status() -> str:\n    return "ok"\n\n\n'
        '@app.route("/health", name="health")\n'
        "async def health(req: Request, res: Response, status: str) -> None:",
    )
    code = code.replace('res.json = {"status": "ok"}', 'res.json = {"status": status}')
    assert "status: str" in code
    app.write_text(code)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


@pytest.fixture
def server(demo: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = _free_port()
    process = subprocess.Popen(
        [str(BOCA), "run", "--port", str(port)],
        cwd=demo,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(),
    )
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        process.wait(timeout=30)
        assert process.stdout is not None
        process.stdout.close()


def _wait_for(url: str, process: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            if process.poll() is not None:
                assert process.stdout is not None
                pytest.fail(f"boca run exited with {process.returncode}:\n{process.stdout.read()}")
            if time.monotonic() > deadline:
                pytest.fail(f"boca run did not answer on {url}")
            time.sleep(0.1)


def test_boca_run_serves_a_new_project(server: tuple[str, subprocess.Popen[str]]) -> None:
    base, process = server
    response = _wait_for(base + "/", process)
    assert response.status_code == 200
    assert response.json() == {"message": "Hello from demo!"}
    health = httpx.get(base + "/health", timeout=5)
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert httpx.get(base + "/nope", timeout=5).status_code == 404


def test_boca_routes_of_a_new_project(demo: Path) -> None:
    result = boca("routes", cwd=demo)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "METHODS  PATH     NAME    VIEW             HOOKS",
        "GET      /        home    demo.app.home    -",
        "GET      /health  health  demo.app.health  -",
    ]


def test_a_missing_module_is_reported_without_a_traceback(tmp_path: Path) -> None:
    result = boca("run", "nosuchmodule:app", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("Error: module 'nosuchmodule' not found")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_broken_app_exits_1_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("raise RuntimeError('no database configured')\n")
    result = boca("run", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "Error: importing 'app' raised RuntimeError: no database configured "
        f"(at {tmp_path / 'app.py'}:1)\n"
    )


def test_a_bad_name_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    result = boca("new", "import", cwd=tmp_path)
    assert result.returncode == 2
    assert "'import' is a Python keyword" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_reload_answers_load_errors_until_the_code_is_fixed(tmp_path: Path) -> None:
    """`boca run --reload`: a syntax error saved mid-edit gets a 500 naming it, not a hang."""
    app = tmp_path / "app.py"
    app.write_text(GOOD_APP)
    port = _free_port()
    process = subprocess.Popen(
        [str(BOCA), "run", "--reload", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(),
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        assert _wait_for(base, process).text == "v1"
        broken = GOOD_APP.replace('"v1"', '"v2"') + "def broken(:\n"
        failed = _poll(base, lambda r: r.status_code == 500, lambda: app.write_text(broken))
        assert failed.headers["content-type"] == "text/plain; charset=utf-8"
        assert "app:app could not be loaded: importing 'app' raised SyntaxError" in failed.text
        assert f"{tmp_path / 'app.py'}:7" in failed.text
        page = httpx.get(base, headers={"accept": "text/html"}, timeout=5)
        assert page.status_code == 500
        assert "<h1>The app could not be loaded</h1>" in page.text
        fixed = GOOD_APP.replace('"v1"', '"v3"')
        assert (
            _poll(base, lambda r: r.status_code == 200, lambda: app.write_text(fixed)).text == "v3"
        )
    finally:
        process.terminate()
        process.wait(timeout=30)
        assert process.stdout is not None
        process.stdout.close()


GOOD_APP = """from boca.core import App

app = App()
@app.route("/")
async def home(req, res):
    res.text = "v1"
"""


def _poll(
    url: str, done: Callable[[httpx.Response], bool], change: Callable[[], object]
) -> httpx.Response:
    """Make `change` (again every 2 s: the reloader may start watching after the server
    answers) until the answer is `done`."""
    deadline = time.monotonic() + 60
    changed = 0.0
    while True:
        if time.monotonic() - changed > 2:
            change()
            changed = time.monotonic()
        try:
            response = httpx.get(url, timeout=5)
            if done(response):
                return response
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{url} never answered as expected")
        time.sleep(0.2)
