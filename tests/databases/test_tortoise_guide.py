"""The Tortoise ORM guide's example, run on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from ._postgres import free_port
from .conftest import EXAMPLES, run

# A database server and whole guide suites: run once, not on every Python of the matrix.
pytestmark = pytest.mark.once

PROJECT = EXAMPLES / "tortoise_users"
SCHEMES = {"sqlite": "sqlite", "postgresql": "postgres"}
ADA = {"email": "ada@example.com", "name": "Ada", "password": "correct horse"}


def tortoise_url(database: tuple[str, str]) -> str:
    kind, url = database
    return SCHEMES[kind] + url[url.index(":") :]


def aerich(project: Path, url: str, *command: str) -> str:
    """The guide's Aerich commands, run in a copy of the project (Aerich writes its files there)."""
    return run(
        sys.executable, "-c", "from aerich.cli import main; main()", *command,
        env={"DATABASE_URL": url, "PYTHONPATH": str(project.parent)}, cwd=project.parent,
    )  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "tortoise_users"
    shutil.copytree(PROJECT, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "users"\nversion = "0"\n')
    return copy


@pytest.fixture
def url(database: tuple[str, str], project: Path) -> str:
    """The database with its tables, made by Aerich's `init` and `init-db`."""
    url = tortoise_url(database)
    aerich(project, url, "init", "-t", "tortoise_users.settings.TORTOISE_ORM")
    aerich(project, url, "init-db")
    return url


def test_migrations_after_a_model_change(database: tuple[str, str], project: Path) -> None:
    url = tortoise_url(database)
    aerich(project, url, "init", "-t", "tortoise_users.settings.TORTOISE_ORM")
    assert "Success" in aerich(project, url, "init-db")
    models = project / "models.py"
    models.write_text(
        models.read_text().replace(
            "    password_hash = fields.CharField(max_length=200)\n",
            "    password_hash = fields.CharField(max_length=200)\n"
            "    bio = fields.TextField(default='')\n",
        )
    )
    assert "Success" in aerich(project, url, "migrate", "--name", "add_bio")
    assert "Success" in aerich(project, url, "upgrade")
    history = aerich(project, url, "history")
    assert "add_bio" in history


@contextmanager
def served(url: str, project: Path) -> Iterator[httpx.Client]:
    """The app in a real Uvicorn process of its own: Tortoise keeps one database dialect per
    process, and a server runs the startup and the requests in different tasks, as in
    production."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "--factory", "--port", str(port),
            "tortoise_users.app:app_from_environment",
        ],
        env={**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(project.parent)},
        cwd=project.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    client.get("/users")
                    break
                except httpx.TransportError:
                    assert process.poll() is None, process.communicate()[0]
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.1)
            yield client
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "Traceback" not in output, output


def test_create_read_list_delete(url: str, project: Path) -> None:
    with served(url, project) as client:
        created = client.post("/users", json=ADA)
        assert created.status_code == 201
        user = created.json()
        assert user == {"id": user["id"], "email": "ada@example.com", "name": "Ada"}
        assert (client.get(f"/users/{user['id']}")).json() == user
        for n in range(3):
            body = {"email": f"u{n}@example.com", "name": f"U{n}", "password": "long enough"}
            assert (client.post("/users", json=body)).status_code == 201
        page = (client.get("/users?offset=1&limit=2")).json()
        assert page["total"] == 4
        assert [u["email"] for u in page["items"]] == ["u0@example.com", "u1@example.com"]
        deleted = client.delete(f"/users/{user['id']}")
        assert (deleted.status_code, deleted.content) == (204, b"")
        missing = client.get(f"/users/{user['id']}")
        assert missing.json() == {
            "error": "404 Not Found",
            "status": 404,
            "detail": f"no user {user['id']}",
        }


def test_unique_violation_is_a_409_and_rolls_back(url: str, project: Path) -> None:
    with served(url, project) as client:
        assert (client.post("/users", json=ADA)).status_code == 201
        duplicate = client.post("/users", json={**ADA, "name": "Someone else"})
        assert duplicate.status_code == 409
        assert duplicate.json() == {
            "error": "409 Conflict",
            "status": 409,
            "detail": "a user with this email already exists",
        }
        listed = (client.get("/users")).json()
        assert [(u["email"], u["name"]) for u in listed["items"]] == [("ada@example.com", "Ada")]
        assert all("password_hash" not in u for u in listed["items"])


def test_the_guides_test_suite_passes(url: str, project: Path) -> None:
    output = run(
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "asyncio_mode=auto",
        "--rootdir", str(project.parent), str(project / "test_users.py"),
        env={"DATABASE_URL": url, "PYTHONPATH": str(project.parent)}, cwd=project.parent,
    )  # fmt: skip
    assert "3 passed" in output
