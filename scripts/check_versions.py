"""Check that every package's version is the same in its three places.

For each `packages/boca-<name>/`: the `version` in pyproject.toml, the newest released heading
of CHANGELOG.md (`## [X.Y.Z] - YYYY-MM-DD`; `[Unreleased]` is skipped) and `__version__` in
`src/boca/<name>/__init__.py` must be equal. Exits 1 naming every mismatch.

    python scripts/check_versions.py [--root PATH]
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?:\s+-\s+(?P<date>\S+))?\s*$", re.MULTILINE)
DUNDER = re.compile(r"""^__version__\s*=\s*["'](?P<version>[^"']+)["']""", re.MULTILINE)


@dataclass
class Versions:
    package: str
    pyproject: str | None
    changelog: str | None
    dunder: str | None

    def problems(self) -> list[str]:
        found = []
        if self.pyproject is None:
            found.append("pyproject.toml has no [project] version")
        if self.changelog is None:
            found.append(
                "CHANGELOG.md has no released version heading like '## [0.1.0] - 2026-01-31'"
            )
        if self.dunder is None:
            found.append("__init__.py has no __version__")
        if not found and not self.pyproject == self.changelog == self.dunder:
            found.append(
                f"pyproject.toml says {self.pyproject}, CHANGELOG.md says {self.changelog}, "
                f"__init__.py says {self.dunder}"
            )
        return found


def packages(root: Path) -> list[Path]:
    return sorted(p for p in (root / "packages").glob("boca-*") if (p / "pyproject.toml").is_file())


def pyproject_version(package: Path) -> str | None:
    data = tomllib.loads((package / "pyproject.toml").read_text(encoding="utf-8"))
    version = data.get("project", {}).get("version")
    return version if isinstance(version, str) else None


def changelog_version(package: Path) -> str | None:
    """The newest released version in CHANGELOG.md: the first heading that is not Unreleased."""
    path = package / "CHANGELOG.md"
    if not path.is_file():
        return None
    for match in HEADING.finditer(path.read_text(encoding="utf-8")):
        if match["version"].lower() != "unreleased":
            return match["version"]
    return None


def dunder_version(package: Path) -> str | None:
    name = package.name.removeprefix("boca-")
    init = package / "src" / "boca" / name / "__init__.py"
    if not init.is_file():
        return None
    match = DUNDER.search(init.read_text(encoding="utf-8"))
    return match["version"] if match else None


def read(package: Path) -> Versions:
    return Versions(
        package.name,
        pyproject_version(package),
        changelog_version(package),
        dunder_version(package),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the repository (default: this one)"
    )
    args = parser.parse_args(argv)
    found = packages(args.root)
    if not found:
        print(f"no packages under {args.root / 'packages'}", file=sys.stderr)
        return 1
    failed = False
    for package in found:
        versions = read(package)
        problems = versions.problems()
        if problems:
            failed = True
            for problem in problems:
                print(f"{versions.package}: {problem}", file=sys.stderr)
        else:
            print(f"{versions.package} {versions.pyproject}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
