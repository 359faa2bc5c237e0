"""The test suite on every Python Boca supports, each in its own environment under .nox/.

`make matrix` (part of `make test`) runs `tests-3.X` for each supported Python except the one
of .venv, whose run with coverage `make unit` already is, one nox process per interpreter in
parallel (scripts/matrix.py). Interpreters are found as `python3.X` on PATH or under pyenv's
versions directory. A missing one is skipped and named on a developer's machine, and fails the
run in CI (`CI` set), where all four must be present.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
ROOT = Path(__file__).parent

# uv builds an environment in seconds where pip takes minutes (the dev group is large);
# virtualenv and pip when uv is not installed.
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = bool(os.environ.get("CI"))
# Test with the interpreters the machine has, never one nox would download.
nox.options.download_python = "never"
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")


def _runs(executable: str) -> bool:
    """A pyenv shim for a version that is not enabled is on PATH but does not run."""
    try:
        return subprocess.run([executable, "-c", ""], capture_output=True).returncode == 0
    except OSError:
        return False


def _pyenv_bin(version: str) -> Path | None:
    """The newest `X.Y.Z` of `version` under pyenv's versions directory."""
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = [p for p in versions.glob(version + ".*") if re.fullmatch(r"\d+\.\d+\.\d+", p.name)]
    found = [p for p in found if (p / "bin" / f"python{version}").exists()]
    if not found:
        return None
    return max(found, key=lambda p: tuple(int(n) for n in p.name.split("."))) / "bin"


def _put_interpreters_on_path() -> None:
    """Put each pyenv interpreter that PATH does not run first on PATH, for nox to find."""
    extra = []
    for version in PYTHONS:
        on_path = shutil.which(f"python{version}")
        if on_path and _runs(on_path):
            continue
        bin_dir = _pyenv_bin(version)
        if bin_dir is not None:
            extra.append(str(bin_dir))
    if extra:
        os.environ["PATH"] = os.pathsep.join([*extra, os.environ.get("PATH", "")])


_put_interpreters_on_path()


def editables() -> list[str]:
    """`-e packages/NAME` for every package of the monorepo, so a new one needs no edit here."""
    packages = sorted(p.parent for p in ROOT.glob("packages/*/pyproject.toml"))
    return [arg for p in packages for arg in ("-e", str(p.relative_to(ROOT)))]


def _requirements_digest() -> str:
    """Changes when any pyproject.toml does: the environment must be installed again."""
    digest = hashlib.sha256()
    for path in [ROOT / "pyproject.toml", *sorted(ROOT.glob("packages/*/pyproject.toml"))]:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite without coverage, lint, types or docs (one run of those is enough).

    Tests marked `once` (a browser, a database server: heavy, and about what the browser or
    the database does rather than the Python) run in `make unit` only.
    """
    # Installing again when nothing changed would cost pip a minute per interpreter.
    stamp = Path(session.virtualenv.location) / ".boca-installed"
    digest = _requirements_digest()
    if not stamp.exists() or stamp.read_text() != digest:
        if session.venv_backend != "uv":
            session.install("pip>=25.1")  # for --group
        session.install("--quiet", "--group", "dev", *editables())
        stamp.write_text(digest)
    session.run(
        "python", "-m", "pytest", "-m", "not packaging and not once", "-q",
        "-p", "no:cacheprovider",
        # A module that fails to import on one Python must not hide the other results.
        "--continue-on-collection-errors",
        *session.posargs,
    )  # fmt: skip
