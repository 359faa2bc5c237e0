"""Parsing the `Range` request header (RFC 9110, section 14) in linear time."""

from __future__ import annotations

from itertools import pairwise

# A byte position longer than this is larger than any file; it is never passed to int(), which
# would otherwise spend quadratic time (or raise) on a few thousand digits.
_MAX_DIGITS = 18
_HUGE = 1_000_000_000_000_000_000


def _number(text: str) -> int | None:
    if not text or not text.isascii() or not text.isdigit():
        return None
    if len(text) > _MAX_DIGITS:
        return _HUGE
    return int(text)


def parse_range(value: str, size: int, max_ranges: int) -> list[tuple[int, int]] | None:
    """Parse a `Range` header for a representation of `size` bytes.

    Returns:
        None when the header must be ignored (the whole representation is sent with 200): a
        unit other than bytes, a malformed range set, more than `max_ranges` ranges, or
        overlapping ranges (which could amplify a small request into a large response).
        An empty list when no range is satisfiable (416).
        Otherwise the satisfiable ranges as half-open `(start, end)` pairs, in request order.
    """
    unit, sep, spec = value.partition("=")
    if not sep or unit.strip(" \t").lower() != "bytes":
        return None
    if spec.count(",") >= max_ranges:
        return None
    ranges: list[tuple[int, int]] = []
    seen = False
    for raw in spec.split(","):
        item = raw.strip(" \t")
        if not item:
            continue
        seen = True
        first, dash, last = item.partition("-")
        if not dash:
            return None
        if first:
            start = _number(first)
            if start is None:
                return None
            if last:
                end = _number(last)
                if end is None or end < start:
                    return None
            else:
                end = _HUGE
            if start < size:
                ranges.append((start, min(end + 1, size)))
        else:
            suffix = _number(last)
            if suffix is None:
                return None
            if suffix and size:
                ranges.append((max(size - suffix, 0), size))
    if not seen:
        return None
    if len(ranges) > 1:
        ordered = sorted(ranges)
        for (_, prev_end), (start, _) in pairwise(ordered):
            if start < prev_end:
                return None
    return ranges
