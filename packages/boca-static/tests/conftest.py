"""Fixtures for boca.static's tests; helpers live in static_helpers.py (importable by name).

Every async test runs twice, on asyncio and on trio, through anyio's pytest plugin: each test
module sets `pytestmark = pytest.mark.anyio`, and `anyio_backend` below lists both loops.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from static_helpers import hand_anyio_tests_to_anyio, make_site


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    hand_anyio_tests_to_anyio(items)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A static directory next to a private sibling that shares its name as a prefix."""
    return make_site(tmp_path)
