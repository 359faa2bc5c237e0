"""Properties of the rate limiter's algorithm (GCRA) for any arrival times, on MemoryStore."""

from __future__ import annotations

import anyio
from hypothesis import given
from hypothesis import strategies as st

from boca.middleware import MemoryStore

limits = st.lists(
    st.tuples(st.integers(1, 20), st.sampled_from([1.0, 10.0, 60.0])), min_size=1, max_size=3
)
# Gaps between requests in milliseconds (the store counts in microseconds).
gaps = st.lists(st.integers(0, 5000), min_size=1, max_size=60)


def replay(windows: list[tuple[int, float]], arrivals: list[float]) -> list[bool]:
    """Whether each request, arriving at these times, was let through."""
    now = 0.0
    store = MemoryStore(clock=lambda: now)
    keys = [f"w{i}" for i in range(len(windows))]
    allowed = []

    async def run() -> None:
        nonlocal now
        for at in arrivals:
            now = at
            allowed.append((await store.hit(keys, windows)).allowed)

    anyio.run(run)
    return allowed


def times(steps: list[int]) -> list[float]:
    out, now = [], 0
    for step in steps:
        now += step
        out.append(now / 1000)
    return out


@given(limits, gaps)
def test_at_most_a_burst_plus_the_rate(windows, steps) -> None:
    """GCRA's bound: between two requests it let through, `d` seconds apart, it let through
    at most `limit` plus one per interval (`period / limit`) in `d`: a burst, then the rate."""
    arrivals = times(steps)
    allowed = [t for t, ok in zip(arrivals, replay(windows, arrivals), strict=True) if ok]
    for limit, period in windows:
        interval = period / limit
        for i, first in enumerate(allowed):
            for j in range(i, len(allowed)):
                span = allowed[j] - first
                # (+ a microsecond per request: the interval is rounded down to one)
                assert j - i + 1 <= limit + int((span + limit * 1e-6) / interval + 1e-9)


@given(limits, gaps)
def test_a_full_burst_passes_after_a_quiet_period(windows, steps) -> None:
    arrivals = times(steps)
    longest = max(period for _, period in windows)
    burst = min(limit for limit, _ in windows)
    later = arrivals[-1] + longest
    results = replay(windows, [*arrivals, *([later] * (burst + 1))])
    # After a whole period of silence every window is full again: `burst` requests pass at
    # once, and the next one at the same instant is refused by the tightest window.
    assert results[len(arrivals) :] == [True] * burst + [False]


@given(st.integers(1, 20), st.sampled_from([1.0, 60.0]))
def test_a_steady_client_at_the_rate_is_never_refused(limit, period) -> None:
    interval = period / limit
    arrivals = [i * interval for i in range(3 * limit)]
    assert all(replay([(limit, period)], arrivals))
