"""Download the docs UIs' JS/CSS for boca-openapi from npm and record what was vendored.

Each pinned npm package is fetched with `npm pack` into a temporary folder; only the files the
pages need (and the licence files) are copied into packages/boca-openapi/src/boca/openapi/assets/,
and `manifest.json` there records each package's version and every file's sha256.

    python scripts/update_openapi_assets.py                    # the pinned versions below
    python scripts/update_openapi_assets.py --set redoc=2.5.0  # change one pin
    python scripts/update_openapi_assets.py --check            # verify the files
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "packages" / "boca-openapi" / "src" / "boca" / "openapi" / "assets"
MANIFEST = ASSETS / "manifest.json"

# npm package -> (version, {file in the package tarball: file in assets/}).
PINS: dict[str, tuple[str, dict[str, str]]] = {
    "swagger-ui-dist": (
        "5.35.0",
        {
            "swagger-ui-bundle.js": "swagger-ui-bundle.js",
            "swagger-ui.css": "swagger-ui.css",
            "oauth2-redirect.js": "oauth2-redirect.js",
            "LICENSE": "licenses/swagger-ui-dist.LICENSE",
            "NOTICE": "licenses/swagger-ui-dist.NOTICE",
            "swagger-ui-bundle.js.LICENSE.txt": "licenses/swagger-ui-bundle.js.LICENSE.txt",
        },
    ),
    # ReDoc 2: its standalone bundle starts with `Redoc.init(url, options, element)`; ReDoc 3
    # ships a module-only custom element, two and a half times the size.
    "redoc": (
        "2.5.0",
        {
            "bundles/redoc.standalone.js": "redoc.standalone.js",
            "LICENSE": "licenses/redoc.LICENSE",
            "bundles/redoc.standalone.js.LICENSE.txt": "licenses/redoc.standalone.js.LICENSE.txt",
        },
    ),
    "@scalar/api-reference": (
        "1.76.0",
        # The npm package ships no licence file; its package.json says MIT, and
        # licenses/scalar-api-reference.LICENSE (kept in the repository) carries the text.
        {"dist/browser/standalone.js": "scalar.standalone.js", "package.json": ""},
    ),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(package: str, version: str, workdir: Path) -> Path:
    """`npm pack package@version` in `workdir`, extracted; the package folder."""
    done = subprocess.run(
        ["npm", "pack", "--silent", f"{package}@{version}"],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = workdir / done.stdout.strip().splitlines()[-1]
    target = workdir / tarball.stem
    with tarfile.open(tarball) as tar:
        tar.extractall(target, filter="data")
    return target / "package"


def update(pins: dict[str, tuple[str, dict[str, str]]]) -> dict[str, object]:
    manifest: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for package, (version, files) in pins.items():
            folder = fetch(package, version, Path(tmp))
            meta = json.loads((folder / "package.json").read_text(encoding="utf-8"))
            if meta["version"] != version:
                raise SystemExit(f"{package}: npm gave {meta['version']}, expected {version}")
            recorded = {}
            for source, target in files.items():
                if not target:
                    continue
                out = ASSETS / target
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(folder / source, out)
                recorded[target] = sha256(out)
            manifest[package] = {
                "version": version,
                "license": meta.get("license"),
                "files": recorded,
            }
    MANIFEST.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def check() -> list[str]:
    """Every file of the manifest present with its recorded sha256; the problems found."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    problems = []
    for package, entry in manifest.items():
        for name, digest in entry["files"].items():
            path = ASSETS / name
            if not path.is_file():
                problems.append(f"{package}: {name} is missing")
            elif sha256(path) != digest:
                problems.append(f"{package}: {name} does not match its sha256")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], metavar="PACKAGE=VERSION")
    parser.add_argument("--check", action="store_true", help="only verify the vendored files")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    pins = dict(PINS)
    for item in args.set:
        package, _, version = item.rpartition("=")
        if package not in pins:
            parser.error(f"unknown package {package!r}: one of {', '.join(pins)}")
        pins[package] = (version, pins[package][1])
    for package, entry in update(pins).items():
        print(f"{package} {entry['version']}: {len(entry['files'])} files")  # type: ignore[index]
    return 0


if __name__ == "__main__":
    sys.exit(main())
