"""Tests marked `anyio` run on asyncio and on trio, through anyio's pytest plugin.

The root configuration puts pytest-asyncio in auto mode, which claims every async test
and would run it on asyncio only. A test (or module, via `pytestmark = pytest.mark.anyio`)
that carries the `anyio` marker is handed back to anyio's plugin instead, and the
`anyio_backend` fixture below runs it once per event loop. Unmarked tests are untouched.
"""

from __future__ import annotations

import inspect
from collections.abc import Generator, Sequence
from typing import Any

import pytest


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _anyio_marked(node: pytest.Item) -> bool:
    return node.get_closest_marker("anyio") is not None


@pytest.hookimpl(hookwrapper=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> Generator[None, Any, None]:
    outcome = yield
    result = outcome.get_result()
    if not result:
        return
    items: Sequence[Any] = result if isinstance(result, Sequence) else [result]
    converted: list[Any] = []
    changed = False
    for item in items:
        if (
            isinstance(item, pytest.Function)
            and type(item) is not pytest.Function
            and _anyio_marked(item)
            and inspect.iscoroutinefunction(item.obj)
        ):
            # pytest-asyncio's own item class: rebuild the plain item anyio's plugin runs.
            plain = pytest.Function.from_parent(
                item.parent,
                name=item.name,
                callspec=getattr(item, "callspec", None),
                callobj=item.obj,
                fixtureinfo=item._fixtureinfo,
                keywords=item.keywords,
                originalname=item.originalname,
            )
            plain.own_markers = [m for m in item.own_markers if m.name != "asyncio"]
            converted.append(plain)
            changed = True
        else:
            converted.append(item)
    if changed:
        outcome.force_result(converted)


# Property-based tests (hypothesis): `ci`, the default, is bounded and derandomized (a fixed seed),
# so a run of `make test` is repeatable; HYPOTHESIS_PROFILE=dev explores more and at random, and
# `fuzz` (used by `make fuzz`) much more. Deadlines are off: no test asserts on timing.
try:
    from hypothesis import HealthCheck, settings
except ImportError:  # the package test suites run installed alone, some without hypothesis
    pass
else:
    _slow = [HealthCheck.too_slow, HealthCheck.differing_executors]
    settings.register_profile(
        "ci", max_examples=25, derandomize=True, deadline=None, suppress_health_check=_slow
    )
    settings.register_profile("dev", max_examples=200, deadline=None, suppress_health_check=_slow)
    settings.register_profile(
        "fuzz", max_examples=20_000, deadline=None, suppress_health_check=_slow
    )
    import os as _os

    settings.load_profile(_os.environ.get("HYPOTHESIS_PROFILE", "ci"))
