"""Fixtures for boca.static's tests; helpers live in static_helpers.py (importable by name)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from static_helpers import make_site


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A static directory next to a private sibling that shares its name as a prefix."""
    return make_site(tmp_path)
