"""Each package builds with Poetry, ships only `boca/<name>/`, and works installed alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
# What each package's own test suite needs besides the package itself.
TEST_REQUIREMENTS = {
    "boca-core": [
        *["pytest", "pytest-asyncio", "httpx", "httpx2", "websockets", "hypothesis"],
        # Typed bodies are tested with pydantic models and attrs classes (never dependencies).
        *["pydantic", "attrs"],
    ],
    "boca-templates": ["pytest", "pytest-asyncio", "anyio", "trio"],
    "boca-static": ["pytest", "pytest-asyncio", "httpx", "trio", "hypothesis"],
    "boca-middleware": [
        *["pytest", "pytest-asyncio", "httpx", "brotli", "zstandard", "redis[hiredis]", "trio"],
        "hypothesis",
    ],
    # Its scale-out tests run a Starlette app in Uvicorn processes against a real redis-server.
    "boca-channels": [
        *["pytest", "anyio", "trio", "redis[hiredis]", "httpx", "websockets", "starlette"],
        "uvicorn[standard]",
    ],
    # Its tests document real Boca apps, run schemathesis on them and load the docs pages
    # in Chromium; boca-core comes from its wheel (TEST_WHEELS), after the alone check.
    "boca-openapi": [
        *["pytest", "pytest-asyncio", "httpx", "openapi-spec-validator", "schemathesis"],
        *["playwright", "pydantic", "annotated-types", "uvicorn[standard]"],
    ],
}
PACKAGES = sorted(TEST_REQUIREMENTS)
# Other Boca wheels (with extras) a package's tests use, installed once it was checked alone.
TEST_WHEELS = {"boca-openapi": {"boca-core": "[testing]"}}


def _poetry() -> list[str]:
    exe = Path(sys.executable).with_name("poetry")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "poetry"]


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    built = {}
    for package in PACKAGES:
        subprocess.run(
            [*_poetry(), "build", "--format", "wheel", "--output", str(out)],
            cwd=ROOT / "packages" / package,
            check=True,
            capture_output=True,
        )
        (wheel,) = out.glob(package.replace("-", "_") + "-*.whl")
        built[package] = wheel
    return built


@pytest.mark.parametrize("package", PACKAGES)
def test_wheel_holds_only_its_leaf_package(wheels: dict[str, Path], package: str) -> None:
    name = package.split("-", 1)[1]
    with zipfile.ZipFile(wheels[package]) as zf:
        names = zf.namelist()
    assert "boca/__init__.py" not in names
    top = {n.split("/")[0] for n in names}
    assert top == {"boca", f"{package.replace('-', '_')}-{_version(wheels[package])}.dist-info"}
    modules = {n for n in names if n.startswith("boca/")}
    assert all(n.startswith(f"boca/{name}/") for n in modules), modules
    assert f"boca/{name}/py.typed" in names
    assert f"boca/{name}/__init__.py" in names


def _version(wheel: Path) -> str:
    return wheel.name.split("-")[1]


#: uv (in the dev group) builds and fills a venv in seconds where pip takes a minute.
UV = shutil.which("uv", path=str(Path(sys.executable).parent))


def _fresh_venv(tmp_path: Path, *requirements: str) -> Path:
    """A new virtual environment with `requirements` installed; its Python."""
    env_dir = tmp_path / "venv"
    if UV:
        subprocess.run(
            [UV, "venv", "--quiet", "--python", sys.executable, str(env_dir)], check=True
        )
    else:
        venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    _install(python, *requirements)
    return python


def _install(python: Path, *requirements: str) -> None:
    """Install `requirements` into the venv of `python`, with uv when there is one."""
    if UV:
        command = [UV, "pip", "install", "--quiet", "--python", str(python), *requirements]
    else:
        command = [str(python), "-m", "pip", "install", "--quiet", *requirements]
    subprocess.run(command, check=True)


def _run_suite(python: Path, source: Path, tmp_path: Path) -> None:
    """Run a copy of the test folder `source`, so only installed packages can be imported."""
    tests = tmp_path / source.name
    shutil.copytree(source, tests)
    skip = ("PYTHON", "VIRTUAL_ENV", "COV_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    result = subprocess.run(
        [
            str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--import-mode=importlib",
            "-o", "asyncio_mode=auto", "-o", "asyncio_default_fixture_loop_scope=function",
            "--rootdir", str(tmp_path), str(tests),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert " passed" in result.stdout


@pytest.mark.parametrize("package", PACKAGES)
def test_installed_alone_passes_its_own_tests(
    wheels: dict[str, Path], package: str, tmp_path: Path
) -> None:
    python = _fresh_venv(tmp_path, str(wheels[package]), *TEST_REQUIREMENTS[package])
    name = package.split("-", 1)[1]
    others = [p.split("-", 1)[1] for p in PACKAGES if p != package]
    probe = (
        "import importlib.util, boca\n"
        f"import boca.{name}\n"
        "assert getattr(boca, '__file__', None) is None, 'boca must be a namespace'\n"
        f"missing = [n for n in {others!r} if importlib.util.find_spec('boca.' + n) is None]\n"
        f"assert missing == {others!r}, missing\n"
    )
    subprocess.run([str(python), "-c", probe], check=True, cwd=tmp_path)
    wanted = [f"{wheels[p]}{extras}" for p, extras in TEST_WHEELS.get(package, {}).items()]
    if wanted:
        _install(python, *wanted)
    _run_suite(python, ROOT / "packages" / package / "tests", tmp_path)


def test_test_clients_are_an_extra_named_when_missing(
    wheels: dict[str, Path], tmp_path: Path
) -> None:
    python = _fresh_venv(tmp_path, str(wheels["boca-core"]))
    probe = "import boca.core, boca.core.cli\nimport boca.core.testing\n"
    result = subprocess.run(
        [str(python), "-c", probe], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "ImportError: boca.core.testing needs the test clients" in result.stderr
    assert "pip install 'boca-core[testing]'" in result.stderr


def test_compat_suite_passes_without_boca_core(wheels: dict[str, Path], tmp_path: Path) -> None:
    """The batteries work in Starlette and FastAPI apps where boca-core is not installed."""
    batteries = [str(wheels[p]) for p in PACKAGES if p != "boca-core"]
    python = _fresh_venv(
        tmp_path,
        *batteries,
        *["starlette", "fastapi", "uvicorn[standard]", "httpx", "websockets"],
        *["pytest", "pytest-asyncio", "brotli", "zstandard", "redis[hiredis]", "trio"],
        "hypercorn[trio]",
        "python-multipart",  # Starlette's request.form(), in the CSRF form tests
    )
    probe = "import importlib.util; assert importlib.util.find_spec('boca.core') is None"
    subprocess.run([str(python), "-c", probe], check=True, cwd=tmp_path)
    _run_suite(python, ROOT / "tests" / "compat", tmp_path)
