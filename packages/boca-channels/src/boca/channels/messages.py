"""A message on a channel, and the stream ids that order messages and resume streams."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidMessageId

__all__ = ["Message", "parse_id"]

# A Redis stream id: milliseconds and a sequence number. The memory backend makes the same.
_ID = re.compile(r"([0-9]{1,19})-([0-9]{1,19})")


@dataclass(frozen=True)
class Message:
    """One published message, as every subscriber receives it.

    Attributes:
        id: Its id, like `"1764676800000-0"`: ordered within a channel, the same in every
            process, and what an event stream sends as the event id (`Last-Event-ID`).
        channel: The channel it was published on.
        data: The published value, decoded from JSON (shared by the subscribers of a process:
            read it, do not change it).
        raw: The same value as JSON text, sent as is by the event-stream and websocket helpers.
    """

    id: str
    channel: str
    data: Any = field(compare=False)
    raw: str = field(repr=False)


def parse_id(value: str) -> tuple[int, int]:
    """`"1764676800000-3"` -> `(1764676800000, 3)`; `InvalidMessageId` for anything else."""
    match = _ID.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise InvalidMessageId(
            f"{value[:40]!r} is not a message id: message ids look like '1764676800000-0'"
        )
    return int(match[1]), int(match[2])


def encode(channel: str, data: Any) -> str:
    """`data` as compact JSON text; `TypeError` naming the channel when it is not JSON."""
    try:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"cannot publish {type(data).__name__} on channel {channel!r}: messages are JSON "
            f"(dicts, lists, str, int, float, bool, None) ({exc})"
        ) from None


def decode(message_id: str, channel: str, raw: str) -> Message:
    return Message(message_id, channel, json.loads(raw), raw)
