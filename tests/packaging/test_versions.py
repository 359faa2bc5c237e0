"""scripts/check_versions.py and scripts/release.py, run on temporary copies of the packages."""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
PACKAGES = (
    "boca-core",
    "boca-templates",
    "boca-static",
    "boca-middleware",
    "boca-openapi",
    "boca-channels",
)
TODAY = datetime.date.today().isoformat()

CHANGELOG = """\
# Changelog

Notes about the format.

## [Unreleased]

### Added

- A thing.
- Another thing,
  on two lines.

### Fixed

- A bug.

## [0.1.0] - 2026-11-25

### Added

- First release.
"""


def script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / name), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of what the scripts read and poetry needs, for every package."""
    for package in PACKAGES:
        source, copy = ROOT / "packages" / package, tmp_path / "packages" / package
        init = Path("src", "boca", package.removeprefix("boca-"), "__init__.py")
        for rel in (Path("pyproject.toml"), Path("README.md"), Path("LICENSE"), init):
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / rel, copy / rel)
        # Every copy at 0.1.0, whatever the real packages are at, so the cases below hold.
        version = _version(package)
        set_version_line(copy / "pyproject.toml", f'version = "{version}"', 'version = "0.1.0"')
        set_version_line(copy / init, f'__version__ = "{version}"', '__version__ = "0.1.0"')
        (copy / "CHANGELOG.md").write_text(CHANGELOG)
    return tmp_path


def _version(package: str) -> str:
    text = (ROOT / "packages" / package / "pyproject.toml").read_text()
    return text.split('\nversion = "', 1)[1].split('"', 1)[0]


def core(repo: Path) -> Path:
    return repo / "packages" / "boca-core"


def snapshot(package: Path) -> dict[str, str]:
    return {str(p): p.read_text() for p in package.rglob("*") if p.is_file()}


def set_version_line(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


# -- check_versions.py --------------------------------------------------------------------------


def test_the_repository_versions_agree() -> None:
    result = script("check_versions.py")
    assert result.returncode == 0, result.stderr
    assert [line.split()[0] for line in result.stdout.splitlines()] == sorted(PACKAGES)


def test_a_copy_agrees(repo: Path) -> None:
    result = script("check_versions.py", "--root", str(repo))
    assert result.returncode == 0, result.stderr
    assert "boca-core 0.1.0: ok" in result.stdout.splitlines()


def test_pyproject_ahead_of_the_changelog(repo: Path) -> None:
    set_version_line(core(repo) / "pyproject.toml", 'version = "0.1.0"', 'version = "0.2.0"')
    result = script("check_versions.py", "--root", str(repo))
    assert result.returncode == 1
    assert result.stderr == (
        "boca-core: pyproject.toml says 0.2.0, CHANGELOG.md says 0.1.0, __init__.py says 0.1.0\n"
    )
    assert "boca-static 0.1.0: ok" in result.stdout


def test_dunder_version_behind(repo: Path) -> None:
    set_version_line(
        core(repo) / "src/boca/core/__init__.py", '__version__ = "0.1.0"', "__version__ = '0.0.9'"
    )
    result = script("check_versions.py", "--root", str(repo))
    assert result.returncode == 1
    assert "__init__.py says 0.0.9" in result.stderr


def test_newest_released_heading_counts_not_unreleased(repo: Path) -> None:
    changelog = core(repo) / "CHANGELOG.md"
    changelog.write_text(
        CHANGELOG.replace("## [0.1.0]", "## [0.1.1] - 2026-12-01\n\n- Fix.\n\n## [0.1.0]")
    )
    result = script("check_versions.py", "--root", str(repo))
    assert result.returncode == 1
    assert "boca-core: pyproject.toml says 0.1.0, CHANGELOG.md says 0.1.1" in result.stderr


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("CHANGELOG.md", "CHANGELOG.md has no released version heading"),
        ("src/boca/core/__init__.py", "__init__.py has no __version__"),
    ],
)
def test_missing_versions_are_named(repo: Path, broken: str, message: str) -> None:
    (core(repo) / broken).write_text("## [Unreleased]\n\n- Something.\n")
    result = script("check_versions.py", "--root", str(repo))
    assert result.returncode == 1
    assert f"boca-core: {message}" in result.stderr


def test_missing_files_are_named(repo: Path) -> None:
    (core(repo) / "CHANGELOG.md").unlink()
    (core(repo) / "src/boca/core/__init__.py").unlink()
    set_version_line(core(repo) / "pyproject.toml", 'version = "0.1.0"\n', "")
    result = script("check_versions.py", "--root", str(repo))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "boca-core: pyproject.toml has no [project] version",
        "boca-core: CHANGELOG.md has no released version heading like '## [0.1.0] - 2026-01-31'",
        "boca-core: __init__.py has no __version__",
    ]


def test_no_packages(tmp_path: Path) -> None:
    result = script("check_versions.py", "--root", str(tmp_path))
    assert result.returncode == 1
    assert "no packages under" in result.stderr


# -- release.py ---------------------------------------------------------------------------------


def test_release_bumps_and_dates_the_changelog(repo: Path) -> None:
    result = script("release.py", "core", "minor", "--root", str(repo))
    assert result.returncode == 0, result.stderr
    assert 'version = "0.2.0"' in (core(repo) / "pyproject.toml").read_text()
    assert '__version__ = "0.2.0"' in (core(repo) / "src/boca/core/__init__.py").read_text()
    assert (core(repo) / "CHANGELOG.md").read_text() == CHANGELOG.replace(
        "## [Unreleased]\n", f"## [Unreleased]\n\n## [0.2.0] - {TODAY}\n"
    )
    assert "git tag -a boca-core/v0.2.0" in result.stdout
    assert script("check_versions.py", "--root", str(repo)).returncode == 0


def test_release_with_an_explicit_version_and_full_name(repo: Path) -> None:
    result = script("release.py", "boca-static", "1.0.0", "--root", str(repo))
    assert result.returncode == 0, result.stderr
    text = (repo / "packages/boca-static/CHANGELOG.md").read_text()
    assert text.startswith(
        textwrap.dedent(
            f"""\
            # Changelog

            Notes about the format.

            ## [Unreleased]

            ## [1.0.0] - {TODAY}

            ### Added

            - A thing.
            """
        )
    )
    assert script("check_versions.py", "--root", str(repo)).returncode == 0


@pytest.mark.parametrize(
    "unreleased",
    ["## [Unreleased]\n\n", "## [Unreleased]\n\n### Added\n\n### Fixed\n\n"],
)
def test_release_refuses_an_empty_unreleased(repo: Path, unreleased: str) -> None:
    changelog = core(repo) / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n" + unreleased + "## [0.1.0] - 2026-11-25\n\n- First.\n")
    before = snapshot(core(repo))
    result = script("release.py", "core", "patch", "--root", str(repo))
    assert result.returncode == 1
    assert "release: nothing under '## [Unreleased]' in CHANGELOG.md" in result.stderr
    assert snapshot(core(repo)) == before


def test_release_refuses_a_changelog_without_unreleased(repo: Path) -> None:
    (core(repo) / "CHANGELOG.md").write_text("# Changelog\n\n## [0.1.0] - 2026-11-25\n\n- First.\n")
    result = script("release.py", "core", "patch", "--root", str(repo))
    assert result.returncode == 1
    assert "no '## [Unreleased]' heading" in result.stderr


def test_release_refuses_when_versions_already_disagree(repo: Path) -> None:
    set_version_line(core(repo) / "pyproject.toml", 'version = "0.1.0"', 'version = "0.3.0"')
    result = script("release.py", "core", "patch", "--root", str(repo))
    assert result.returncode == 1
    assert "versions disagree before the release: pyproject.toml says 0.3.0" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["nope", "minor"],
            "no package 'nope' (known: channels, core, middleware, openapi, static, templates)",
        ),
        (["core", "bigger"], "PART must be one of major, minor, patch"),
    ],
)
def test_release_refuses_bad_arguments(repo: Path, args: list[str], message: str) -> None:
    result = script("release.py", *args, "--root", str(repo))
    assert result.returncode == 1
    assert message in result.stderr


def fake_poetry(tmp_path: Path, body: str) -> str:
    path = tmp_path / "fake-poetry"
    path.write_text(f"#!{sys.executable}\nimport pathlib, sys\n{textwrap.dedent(body)}")
    path.chmod(0o755)
    return str(path)


def test_a_failing_poetry_changes_nothing(repo: Path, tmp_path: Path) -> None:
    poetry = fake_poetry(tmp_path, "print('no such command', file=sys.stderr)\nsys.exit(1)\n")
    before = snapshot(core(repo))
    result = script("release.py", "core", "minor", "--root", str(repo), "--poetry", poetry)
    assert result.returncode == 1
    assert "poetry version minor failed: no such command" in result.stderr
    assert snapshot(core(repo)) == before


def test_a_poetry_that_does_not_bump_is_caught(repo: Path, tmp_path: Path) -> None:
    poetry = fake_poetry(tmp_path, "pass\n")
    result = script("release.py", "core", "minor", "--root", str(repo), "--poetry", poetry)
    assert result.returncode == 1
    assert "left the version at 0.1.0" in result.stderr


def test_an_existing_heading_for_the_new_version_is_refused(repo: Path, tmp_path: Path) -> None:
    poetry = fake_poetry(
        tmp_path,
        """
        p = pathlib.Path("pyproject.toml")
        p.write_text(p.read_text().replace('version = "0.1.0"', 'version = "0.0.1"', 1))
        """,
    )
    changelog = core(repo) / "CHANGELOG.md"
    changelog.write_text(CHANGELOG + "\n## [0.0.1] - 2026-01-01\n\n- Older.\n")
    before = snapshot(core(repo))
    result = script("release.py", "core", "0.0.1", "--root", str(repo), "--poetry", poetry)
    assert result.returncode == 1
    assert "CHANGELOG.md already has a heading for 0.0.1" in result.stderr
    assert snapshot(core(repo)) == before
