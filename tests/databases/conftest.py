"""Databases for the guides' examples: SQLite always, and a real PostgreSQL server."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._postgres import postgres_server

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "databases"
# The examples are small projects (`sa_users`, `tortoise_users`) imported as packages.
sys.path.insert(0, str(EXAMPLES))

_names = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    with postgres_server() as url:
        yield url


def _create_database(server: str, name: str) -> str:
    import asyncpg

    async def create() -> None:
        connection = await asyncpg.connect(server)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(create())
    return server.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """A fresh, empty database for one test: `(kind, plain URL)`.

    The plain URL has no driver: `sqlite:///...` or `postgresql://...`; each test adds the
    driver its library wants.
    """
    if request.param == "sqlite":
        return "sqlite", f"sqlite:///{tmp_path / 'test.sqlite3'}"
    server = request.getfixturevalue("postgres")
    return "postgresql", _create_database(server, f"test_{next(_names)}")


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run a command, failing the test with its output when it fails."""
    import os

    result = subprocess.run(
        list(args),
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout
