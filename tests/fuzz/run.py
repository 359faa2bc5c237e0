"""`make fuzz`: run each harness of _harnesses.py under atheris for FUZZ_SECONDS.

    python tests/fuzz/run.py [--seconds 60] [--only router,cookies]

Each harness runs in its own process, coverage-guided by atheris (libFuzzer), starting from the
inputs under tests/fuzz/corpus/<harness>/ and growing a scratch corpus outside the repository.
An input that breaks an invariant is saved as tests/fuzz/corpus/<harness>/crash-<sha1>: commit
it with the fix, and `make test` (test_fuzz_corpus.py) replays it from then on.

atheris has no wheel for Python 3.10 after 2.3.0 and building it needs clang's libFuzzer; where
it cannot be imported, the same harnesses are driven by hypothesis (random and shrunk inputs, not
coverage-guided) for about as long, and a failure is saved the same way.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"


def save(harness: str, data: bytes) -> Path:
    path = CORPUS / harness / f"crash-{hashlib.sha1(data).hexdigest()}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def child_atheris(harness: str, seconds: int, scratch: Path) -> None:
    """Runs in the child process: instrument Boca, then fuzz one harness."""
    import atheris

    with atheris.instrument_imports(include=["boca"]):
        import boca.core
        import boca.core.server
        import boca.templates  # noqa: F401
    sys.path.insert(0, str(HERE))
    import _harnesses

    seeds = CORPUS / harness
    seeds.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.argv[0],
        f"-max_total_time={seconds}",
        f"-artifact_prefix={seeds}/",
        "-rss_limit_mb=4096",
        "-max_len=4096",
        str(scratch),
        str(seeds),
    ]
    atheris.Setup(argv, _harnesses.HARNESSES[harness])
    atheris.Fuzz()


def child_hypothesis(harness: str, seconds: int) -> None:
    """Without atheris: the harness under hypothesis until the time is up."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    sys.path.insert(0, str(HERE))
    import _harnesses

    target = _harnesses.HARNESSES[harness]
    seeds = [p.read_bytes() for p in sorted((CORPUS / harness).glob("*"))]
    deadline = time.monotonic() + seconds
    inputs = st.binary(max_size=4096)
    if seeds:
        inputs = inputs | st.sampled_from(seeds).flatmap(
            lambda seed: st.binary(max_size=64).map(lambda tail: seed + tail)
        )

    @settings(
        max_examples=10**9,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(inputs)
    def fuzz(data: bytes) -> None:
        if time.monotonic() > deadline:
            return
        try:
            target(data)
        except Exception:
            print(f"saved {save(harness, data)}", flush=True)
            raise

    fuzz()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="for each harness")
    parser.add_argument("--only", default="", help="comma-separated harness names")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        try:
            import atheris
        except ImportError:
            child_hypothesis(args.child, args.seconds)
        else:
            child_atheris(args.child, args.seconds, Path(args.scratch))
        return 0

    sys.path.insert(0, str(HERE))
    import _harnesses

    names = [n for n in args.only.split(",") if n] or list(_harnesses.HARNESSES)
    try:
        import atheris  # noqa: F401

        engine = "atheris"
    except ImportError:
        engine = "hypothesis (atheris cannot be imported on this Python)"
    print(f"fuzz: {', '.join(names)} for {args.seconds} s each with {engine}", flush=True)
    failed = []
    for name in names:
        before = set((CORPUS / name).glob("crash-*"))
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"boca-fuzz-{name}-") as scratch:
            command = [sys.executable, __file__, "--child", name, "--seconds", str(args.seconds)]
            code = subprocess.run([*command, "--scratch", scratch]).returncode
        new = sorted(set((CORPUS / name).glob("crash-*")) - before)
        took = time.monotonic() - started
        print(f"fuzz: {name}: {'crash' if code or new else 'ok'} after {took:.0f} s", flush=True)
        for path in new:
            print(f"fuzz:   regression input saved: {path.relative_to(HERE.parent.parent)}")
        if code or new:
            failed.append(name)
    if failed:
        print(f"fuzz: invariants broken in {', '.join(failed)}: fix, then commit the inputs")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
