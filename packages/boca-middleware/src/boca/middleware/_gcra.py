"""The generic cell rate algorithm (GCRA), over several windows at once.

Each window `limit/period` lets a request through every `period / limit` seconds on
average, with bursts of up to `limit`. One number per window is kept: the theoretical
arrival time (TAT) of the next request. A request passes only if every window lets it
through, and only then are the TATs moved on, so refused requests cost nothing. The
Redis store runs the same steps in one Lua script (`SCRIPT`), on Redis' clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """What one window has left after a request: requests, and seconds until it is full."""

    remaining: int
    reset: float


@dataclass(frozen=True)
class Decision:
    """A rate limit's answer: whether the request passes, when to retry, each window's state."""

    allowed: bool
    retry_after: float
    windows: tuple[Window, ...]


def decide(
    tats: Sequence[int | None], limits: Sequence[tuple[int, float]], now: int
) -> tuple[Decision, list[int]]:
    """The decision for one request at `now`, and the TATs to store (unchanged when refused).

    Times are integer microseconds, as in the Lua script, so that both give the same
    answers exactly: the interval between requests is `period // limit` microseconds.
    """
    current = [now if tat is None or tat < now else tat for tat in tats]
    steps = [
        (round(period * 1_000_000), max(1, round(period * 1_000_000) // limit))
        for limit, period in limits
    ]
    retry = 0
    for tat, (period, interval) in zip(current, steps, strict=True):
        retry = max(retry, (tat - now) - (period - interval))
    allowed = retry <= 0
    windows = []
    stored = []
    for tat, (period, interval) in zip(current, steps, strict=True):
        if allowed:
            tat += interval
        stored.append(tat)
        remaining = max(0, (period - (tat - now)) // interval)
        windows.append(Window(remaining, (tat - now) / 1e6))
    return Decision(allowed, max(retry, 0) / 1e6, tuple(windows)), stored


# KEYS: one per window. ARGV: limit and period (microseconds) for each window.
# Returns: allowed (0/1), retry after (µs), then remaining and reset (µs) per window.
# Every number is an integer of microseconds (exact in Lua's doubles up to 2^53).
SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tats = {}
local retry = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i - 1])
  local period = tonumber(ARGV[2 * i])
  local interval = math.max(1, math.floor(period / limit))
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then tat = now end
  tats[i] = tat
  local wait = (tat - now) - (period - interval)
  if wait > retry then retry = wait end
end
local allowed = 1
if retry > 0 then allowed = 0 end
local out = {allowed, retry}
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i - 1])
  local period = tonumber(ARGV[2 * i])
  local interval = math.max(1, math.floor(period / limit))
  local tat = tats[i]
  if allowed == 1 then
    tat = tat + interval
    local ttl = math.ceil((tat - now) / 1000)
    if ttl < 1 then ttl = 1 end
    redis.call('SET', key, string.format('%.0f', tat), 'PX', ttl)
  end
  local remaining = math.floor((period - (tat - now)) / interval)
  if remaining < 0 then remaining = 0 end
  out[#out + 1] = remaining
  out[#out + 1] = tat - now
end
return out
"""


def from_script(result: Sequence[int]) -> Decision:
    """A `Decision` from the Lua script's flat list of integers (microseconds)."""
    windows = tuple(
        Window(int(result[i]), int(result[i + 1]) / 1e6) for i in range(2, len(result), 2)
    )
    return Decision(bool(result[0]), int(result[1]) / 1e6, windows)
