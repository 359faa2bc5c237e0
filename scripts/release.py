"""Prepare a release of one package: bump its version and date its CHANGELOG entries.

    python scripts/release.py PKG PART [--root PATH] [--poetry PATH]

PKG is `core`, `templates`, `static`, `middleware` (or `boca-core`...). PART is what
`poetry version` takes: `major`, `minor`, `patch`, a pre-release rule, or an explicit version.

It runs `poetry version PART` in the package, writes the new version into the package's
`__version__`, moves the entries under `## [Unreleased]` of its CHANGELOG.md to a new
`## [X.Y.Z] - <today>` heading (leaving an empty Unreleased), then checks that the three
versions match and that the entries moved unchanged. It refuses when Unreleased is empty, and
puts every file back if any step fails. Commit, then tag `boca-<name>/vX.Y.Z`: the release
workflow builds and publishes on that tag.
"""

from __future__ import annotations

import argparse
import datetime
import re
import shutil
import subprocess
import sys
from pathlib import Path

import check_versions

ROOT = Path(__file__).resolve().parents[1]
UNRELEASED = re.compile(r"^## \[Unreleased\][^\n]*\n", re.MULTILINE | re.IGNORECASE)
NEXT_HEADING = re.compile(r"^## \[", re.MULTILINE)
PARTS = ("major", "minor", "patch", "premajor", "preminor", "prepatch", "prerelease")
VERSION = re.compile(r"\d+(\.\d+)*([-.]?(a|b|rc|alpha|beta|dev|post)\.?\d*)*")


class ReleaseError(Exception):
    """The release cannot be prepared; nothing was changed."""


def split_changelog(text: str) -> tuple[str, str, str]:
    """(everything up to and including the Unreleased heading, its entries, the rest)."""
    heading = UNRELEASED.search(text)
    if heading is None:
        raise ReleaseError("CHANGELOG.md has no '## [Unreleased]' heading")
    following = NEXT_HEADING.search(text, heading.end())
    end = following.start() if following else len(text)
    return text[: heading.end()], text[heading.end() : end], text[end:]


def has_entries(section: str) -> bool:
    """Whether a section holds anything besides blank lines and `### Added`-style headings."""
    return any(
        line.strip() and not line.lstrip().startswith("###") for line in section.splitlines()
    )


def move_unreleased(text: str, version: str, date: str) -> str:
    head, entries, rest = split_changelog(text)
    if not has_entries(entries):
        raise ReleaseError(
            "nothing under '## [Unreleased]' in CHANGELOG.md: describe the changes first"
        )
    return f"{head}\n## [{version}] - {date}\n\n{entries.strip()}\n\n{rest}"


def set_dunder_version(text: str, version: str) -> str:
    new, count = check_versions.DUNDER.subn(f'__version__ = "{version}"', text, count=1)
    if count != 1:
        raise ReleaseError("no __version__ = '...' line in the package's __init__.py")
    return new


def poetry_command(explicit: str | None) -> list[str]:
    if explicit:
        return [explicit]
    beside = Path(sys.executable).with_name("poetry")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("poetry")
    return [found] if found else [sys.executable, "-m", "poetry"]


def release(root: Path, pkg: str, part: str, poetry: list[str], today: str) -> str:
    """Prepare the release and return the new version."""
    name = pkg.removeprefix("boca-")
    package = root / "packages" / f"boca-{name}"
    if not (package / "pyproject.toml").is_file():
        known = ", ".join(p.name.removeprefix("boca-") for p in check_versions.packages(root))
        raise ReleaseError(f"no package {pkg!r} (known: {known})")
    if part not in PARTS and not VERSION.fullmatch(part):
        raise ReleaseError(f"PART must be one of {', '.join(PARTS)} or a version, not {part!r}")
    before = check_versions.read(package)
    if before.problems():
        raise ReleaseError("versions disagree before the release: " + "; ".join(before.problems()))
    changelog = package / "CHANGELOG.md"
    init = package / "src" / "boca" / name / "__init__.py"
    files = [package / "pyproject.toml", changelog, init]
    saved = {path: path.read_text(encoding="utf-8") for path in files}
    _, entries, _ = split_changelog(saved[changelog])
    if not has_entries(entries):
        raise ReleaseError(
            "nothing under '## [Unreleased]' in CHANGELOG.md: describe the changes first"
        )
    try:
        done = subprocess.run(
            [*poetry, "version", part], cwd=package, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise ReleaseError(
                f"poetry version {part} failed: {(done.stderr or done.stdout).strip()}"
            )
        version = check_versions.pyproject_version(package)
        assert version is not None
        if version == before.pyproject:
            raise ReleaseError(f"poetry version {part} left the version at {version}")
        if re.search(rf"^## \[{re.escape(version)}\]", saved[changelog], re.MULTILINE):
            raise ReleaseError(f"CHANGELOG.md already has a heading for {version}")
        changelog.write_text(move_unreleased(saved[changelog], version, today), encoding="utf-8")
        init.write_text(set_dunder_version(saved[init], version), encoding="utf-8")
        verify(package, version, today, entries)
    except BaseException:
        for path, text in saved.items():
            path.write_text(text, encoding="utf-8")
        raise
    return version


def verify(package: Path, version: str, today: str, entries: str) -> None:
    """Check the result: equal versions, an empty Unreleased, the entries moved unchanged."""
    after = check_versions.read(package)
    if after.problems():
        raise ReleaseError("; ".join(after.problems()))
    _, unreleased, rest = split_changelog((package / "CHANGELOG.md").read_text(encoding="utf-8"))
    heading = f"## [{version}] - {today}\n"
    if has_entries(unreleased) or not rest.startswith(heading):
        raise ReleaseError("CHANGELOG.md was not rewritten as expected")
    following = NEXT_HEADING.search(rest, len(heading))
    moved = rest[len(heading) : following.start() if following else len(rest)]
    if moved.strip() != entries.strip():
        raise ReleaseError("the entries under the new version differ from the Unreleased ones")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pkg", metavar="PKG", help="core, templates, static or middleware")
    parser.add_argument("part", metavar="PART", help="major, minor, patch, ... or a version")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the repository (default: this one)"
    )
    parser.add_argument("--poetry", help="the poetry executable (default: the one beside Python)")
    args = parser.parse_args(argv)
    today = datetime.date.today().isoformat()
    try:
        version = release(args.root, args.pkg, args.part, poetry_command(args.poetry), today)
    except ReleaseError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 1
    name = args.pkg.removeprefix("boca-")
    print(f"boca-{name} is now {version}, its CHANGELOG entries are dated {today}. Next:")
    print(f'  git commit -am "Release boca-{name} {version}"')
    print(f'  git tag -a boca-{name}/v{version} -m "boca-{name} {version}"')
    print("  git push --follow-tags")
    return 0


if __name__ == "__main__":
    sys.exit(main())
