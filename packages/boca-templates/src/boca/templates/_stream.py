"""Streaming a render: Jinja2's many small pieces grouped into chunks of a minimum size."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import aclosing
from typing import Any

import jinja2

from .errors import reraise


async def chunks(
    template: jinja2.Template, data: Mapping[str, Any], size: int, searched: Sequence[str]
) -> AsyncIterator[str]:
    """Render `template` in async mode, yielding text in chunks of at least `size` characters.

    Closing the iterator closes Jinja2's generator (and so the user's async generators).
    """
    buffer: list[str] = []
    buffered = 0
    try:
        async with aclosing(template.generate_async(data)) as pieces:
            async for piece in pieces:
                buffer.append(piece)
                buffered += len(piece)
                if buffered >= size:
                    yield "".join(buffer)
                    buffer.clear()
                    buffered = 0
    except jinja2.TemplateError as exc:
        reraise(exc, searched)
    if buffer:
        yield "".join(buffer)
