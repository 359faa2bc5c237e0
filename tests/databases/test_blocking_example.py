"""The explanation page's example: a blocking library called from a worker thread."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from boca.core.testing import TestClient

from .conftest import EXAMPLES


def test_blocking_calls_run_in_a_worker_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("blocking_example", EXAMPLES / "blocking.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    database = tmp_path / "items.sqlite3"
    monkeypatch.setattr(module, "DATABASE", str(database))
    threads: list[str] = []
    original = module.count_rows

    def spy() -> int:
        threads.append(threading.current_thread().name)
        return original()

    monkeypatch.setattr(module, "count_rows", spy)
    with TestClient(module.app) as client:
        assert client.get("/count").json() == {"count": 0}
        with sqlite3.connect(database) as connection:
            connection.execute("INSERT INTO items VALUES ('tea')")
        assert client.get("/count").json() == {"count": 1}
    assert len(threads) == 2
    assert threading.main_thread().name not in threads
