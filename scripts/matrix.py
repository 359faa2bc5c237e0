"""Run noxfile.py's `tests-3.X` sessions in parallel, one nox process per interpreter.

    python scripts/matrix.py [--versions "3.10 3.12"] [--skip 3.11] [--jobs N] [-- pytest args]

nox runs the sessions of one process one after the other; the suite spends much of its time
waiting on sockets and servers, so several interpreters at once finish sooner even on two cores.
`--skip` names the interpreter already tested elsewhere (`make test` passes .venv's, whose run
with coverage is `make unit`). Each session's output goes to .nox/matrix-<version>.log and is
printed when it fails; a summary says which passed, failed or were skipped (not found).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]


def run(version: str, pytest_args: list[str]) -> tuple[str, str, float]:
    """(version, "success" | "failed" | "skipped", seconds) of one nox session."""
    logs = ROOT / ".nox"
    logs.mkdir(exist_ok=True)
    log, report = logs / f"matrix-{version}.log", logs / f"matrix-{version}.json"
    report.unlink(missing_ok=True)
    command = [sys.executable, "-m", "nox", "--report", str(report), "-s", f"tests-{version}"]
    if pytest_args:
        command += ["--", *pytest_args]
    started = time.monotonic()
    with log.open("wb") as out:
        code = subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT).returncode
    took = time.monotonic() - started
    try:
        [session] = json.loads(report.read_text())["sessions"]
        result = str(session["result"])
    except (OSError, ValueError, KeyError):
        result = "failed"
    if code != 0:
        result = "failed"
    return version, result, took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--versions", default=" ".join(PYTHONS), help="the versions to run (empty: none)"
    )
    parser.add_argument("--skip", action="append", default=[], help="a version not to run")
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("MATRIX_JOBS", "3")))
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args()
    asked = args.versions.split()
    unknown = sorted(set(asked) - set(PYTHONS))
    if unknown:
        parser.error(f"unsupported versions {unknown}: choose from {PYTHONS}")
    versions = [v for v in asked if v not in args.skip]
    for version in sorted(set(asked) & set(args.skip)):
        print(f"matrix: Python {version} skipped here: tested by the main run", flush=True)
    if not versions:
        print("matrix: no other interpreter asked for", flush=True)
        return 0
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda v: run(v, args.pytest_args), versions))
    failed = False
    for version, result, took in results:
        log = ROOT / ".nox" / f"matrix-{version}.log"
        if result == "failed":
            failed = True
            sys.stdout.write(log.read_text(errors="replace")[-20_000:])
        summary = {"success": "passed", "failed": "FAILED", "skipped": "skipped: not found"}
        print(f"matrix: Python {version} {summary.get(result, result)} ({took:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
