"""Both event loops for the compatibility tests.

A module marked `pytestmark = pytest.mark.anyio` runs each async test on asyncio and on trio
(anyio's pytest plugin, with `anyio_backend` below). Sync tests that take `anyio_backend`
are parametrised the same way, e.g. to pass it to `TestClient(app, backend=anyio_backend)`.
"""

from __future__ import annotations

import pytest


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Hand tests marked `anyio` back to anyio's plugin, on their `anyio_backend`.

    pytest-asyncio's auto mode (the repository's setting) claims every coroutine test and
    would run the trio variant on asyncio.
    """
    for item in items:
        if (
            isinstance(item, pytest.Function)
            and type(item) is not pytest.Function
            and item.get_closest_marker("anyio") is not None
        ):
            item.__class__ = pytest.Function
            item.own_markers = [m for m in item.own_markers if m.name != "asyncio"]
