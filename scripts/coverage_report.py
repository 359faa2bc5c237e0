"""Report line+branch coverage per package and fail any package under its floor."""

from __future__ import annotations

import sys

import coverage

PACKAGES = (
    "boca-core",
    "boca-templates",
    "boca-static",
    "boca-middleware",
    "boca-openapi",
    "boca-channels",
)
FLOOR = 95.0


def main() -> int:
    cov = coverage.Coverage()
    cov.load()
    failed = []
    for package in PACKAGES:
        name = package.split("-", 1)[1]
        print(f"\n== {package} ==")
        percent = cov.report(include=[f"*/packages/{package}/src/boca/{name}/*"], show_missing=True)
        if percent < FLOOR:
            failed.append(f"{package}: {percent:.1f}% < {FLOOR}%")
    if failed:
        print("\nCoverage under the floor:\n  " + "\n  ".join(failed))
        return 1
    print(f"\nEvery package at or above {FLOOR}% line+branch coverage.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
