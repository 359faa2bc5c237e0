"""Fingerprint a static directory from Python (the same as `python -m boca.static build DIR`)."""

from pathlib import Path

from boca.static import StaticFiles, build


def fingerprint(directory: Path) -> StaticFiles:
    result = build(directory)  # hashed copies, .gz (and .br) siblings, boca-manifest.json
    print(f"{result.hashed} files, {result.gzipped} .gz, {result.brotlied} .br")
    # Read the manifest: url() now gives /static/css/app.<hash>.css, served as immutable.
    return StaticFiles(directory)
