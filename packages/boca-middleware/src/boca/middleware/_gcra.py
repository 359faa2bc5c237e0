"""The generic cell rate algorithm (GCRA), over several windows at once.

Each window `limit/period` lets a request through every `period / limit` seconds on
average, with bursts of up to `limit`. One number per window is kept: the theoretical
arrival time (TAT) of the next request. A request passes only if every window lets it
through, and only then are the TATs moved on, so refused requests cost nothing. The
Redis store runs the same steps in one Lua script (`SCRIPT`), on Redis' clock, for a
batch of checks at a time.

Everything is counted in integer microseconds, here and in the script, so both give the
same answers exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

#: One window, as the algorithm uses it: (period, interval between requests), in µs.
Step = tuple[int, int]


class Window(NamedTuple):
    """What one window has left after a request: requests, and seconds until it is full."""

    remaining: int
    reset: float


class Decision(NamedTuple):
    """A rate limit's answer: whether the request passes, when to retry, each window's state."""

    allowed: bool
    retry_after: float
    windows: tuple[Window, ...]


# The classes' own constructors are Python functions; tuple's is not (these run per request).
_new = tuple.__new__


@lru_cache(maxsize=256)
def steps(limits: tuple[tuple[int, float], ...]) -> tuple[Step, ...]:
    """The `(period, interval)` in microseconds of each `(limit, period in seconds)` window.

    Cached: a middleware passes the same few tuples of limits on every request.
    """
    out = []
    for limit, period in limits:
        period_us = round(period * 1_000_000)
        out.append((period_us, max(1, period_us // limit)))
    return tuple(out)


def decide(
    tats: Sequence[int | None], windows: Sequence[Step], now: int
) -> tuple[Decision, list[int]]:
    """The decision for one request at `now`, and the TATs to store (unchanged when refused).

    Indexed loops rather than strict zips: this runs on every request of a `MemoryStore`.
    """
    current = []
    retry = 0
    for i, (period, interval) in enumerate(windows):
        tat = tats[i]
        if tat is None or tat < now:
            tat = now
        current.append(tat)
        wait = tat - now - period + interval
        if wait > retry:
            retry = wait
    states = []
    if retry > 0:  # refused: nothing moves on
        for i, (period, interval) in enumerate(windows):
            ahead = current[i] - now
            remaining = (period - ahead) // interval
            states.append(_new(Window, (remaining if remaining > 0 else 0, ahead / 1e6)))
        return _new(Decision, (False, retry / 1e6, tuple(states))), current
    # Let through: each TAT moves on by its interval (and stays within a period of now).
    for i, (period, interval) in enumerate(windows):
        tat = current[i] + interval
        current[i] = tat
        ahead = tat - now
        states.append(_new(Window, ((period - ahead) // interval, ahead / 1e6)))
    return _new(Decision, (True, 0.0, tuple(states))), current


# Checks in a batch: KEYS holds each check's keys, one per window, check after check.
# ARGV[1] is the number of distinct rules R; then each rule: its window count W and W pairs
# of limit and period (µs); then, for each check, the number of its rule (1 to R).
# Returns one array per check: allowed (0/1), retry after (µs), then remaining and reset
# (µs) per window. The checks run one after the other, atomically, at Redis' one `now`.
# Every number is an integer of microseconds (exact in Lua's doubles up to 2^53).
SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local rules = {}
local a = 2
for r = 1, tonumber(ARGV[1]) do
  local windows = {}
  for w = 1, tonumber(ARGV[a]) do
    local limit = tonumber(ARGV[a + 2 * w - 1])
    local period = tonumber(ARGV[a + 2 * w])
    windows[w] = {period, math.max(1, math.floor(period / limit))}
  end
  a = a + 1 + 2 * #windows
  rules[r] = windows
end
local out = {}
local k = 0
for c = a, #ARGV do
  local windows = rules[tonumber(ARGV[c])]
  local tats = {}
  local retry = 0
  for w, window in ipairs(windows) do
    local tat = tonumber(redis.call('GET', KEYS[k + w])) or now
    if tat < now then tat = now end
    tats[w] = tat
    local wait = (tat - now) - (window[1] - window[2])
    if wait > retry then retry = wait end
  end
  local allowed = 1
  if retry > 0 then allowed = 0 end
  local result = {allowed, retry}
  for w, window in ipairs(windows) do
    local tat = tats[w]
    if allowed == 1 then
      tat = tat + window[2]
      local ttl = math.ceil((tat - now) / 1000)
      if ttl < 1 then ttl = 1 end
      redis.call('SET', KEYS[k + w], string.format('%.0f', tat), 'PX', ttl)
    end
    local remaining = math.floor((window[1] - (tat - now)) / window[2])
    if remaining < 0 then remaining = 0 end
    result[#result + 1] = remaining
    result[#result + 1] = tat - now
  end
  out[#out + 1] = result
  k = k + #windows
end
return out
"""


def from_script(result: Sequence[int]) -> Decision:
    """A `Decision` from one check's flat list of integers (microseconds) in the script's answer.

    One and two windows (most rules) are read without a loop: this runs per request.
    """
    size = len(result)
    if size == 4:
        windows: tuple[Window, ...] = (_new(Window, (result[2], result[3] / 1e6)),)
    elif size == 6:
        windows = (
            _new(Window, (result[2], result[3] / 1e6)),
            _new(Window, (result[4], result[5] / 1e6)),
        )
    else:
        windows = tuple([_new(Window, (result[i], result[i + 1] / 1e6)) for i in range(2, size, 2)])
    return _new(Decision, (result[0] == 1, result[1] / 1e6, windows))
