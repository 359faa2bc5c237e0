"""`python -m boca.static build DIR`: fingerprint, precompress and write the manifest."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from boca.static.manifest import MANIFEST_NAME, BrotliUnavailable, build


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m boca.static",
        description="Tools for boca.static.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser(
        "build",
        help="write hashed copies, .gz/.br siblings and the manifest for a static directory",
    )
    cmd.add_argument("directory", help="the static directory (processed in place)")
    cmd.add_argument("--no-gzip", action="store_true", help="do not write .gz siblings")
    group = cmd.add_mutually_exclusive_group()
    group.add_argument(
        "--brotli",
        dest="brotli",
        action="store_const",
        const=True,
        default=None,
        help="require .br siblings (needs boca-static[brotli]); default: when installed",
    )
    group.add_argument(
        "--no-brotli", dest="brotli", action="store_const", const=False, help="no .br siblings"
    )
    cmd.add_argument(
        "--min-size", type=int, default=256, help="do not compress files under N bytes (256)"
    )
    cmd.add_argument("--manifest", default=MANIFEST_NAME, help=f"manifest name ({MANIFEST_NAME})")
    args = parser.parse_args(argv)
    try:
        result = build(
            args.directory,
            gzip_level=None if args.no_gzip else 9,
            brotli=args.brotli,
            min_size=args.min_size,
            manifest_name=args.manifest,
        )
    except (BrotliUnavailable, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{result.hashed} files fingerprinted, {result.gzipped} .gz and {result.brotlied} .br "
        f"written; manifest: {result.manifest_path}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
