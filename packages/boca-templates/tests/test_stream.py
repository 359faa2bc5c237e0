from __future__ import annotations

import gc
from pathlib import Path

import anyio
import pytest

from boca.templates import Templates

pytestmark = pytest.mark.anyio


async def test_stream_yields_the_page_in_chunks(template_dir: Path) -> None:
    templates = Templates(template_dir, stream_chunk_size=10)
    items = [f"<{i}>" for i in range(50)]
    chunks = [chunk async for chunk in templates.stream("list.html", items=items)]
    assert "".join(chunks) == await templates.render("list.html", items=items)
    assert len(chunks) > 10
    assert all(len(chunk) >= 10 for chunk in chunks[:-1])
    assert "&lt;0&gt;" in chunks[0]


async def test_default_chunk_size_groups_small_pieces(template_dir: Path) -> None:
    templates = Templates(template_dir)
    items = list(range(2000))
    chunks = [chunk async for chunk in templates.stream("list.html", items=items)]
    assert "".join(chunks) == await templates.render("list.html", items=items)
    assert 1 < len(chunks) < 10
    assert all(len(chunk) >= 4096 for chunk in chunks[:-1])


async def test_chunk_size_zero_yields_every_piece(template_dir: Path) -> None:
    templates = Templates(template_dir, stream_chunk_size=0)
    chunks = [chunk async for chunk in templates.stream("list.html", {"items": [1, 2]})]
    assert chunks == ["<li>", "1", "</li>", "<li>", "2", "</li>"]


async def test_stream_uses_the_global_context(template_dir: Path) -> None:
    templates = Templates(template_dir, context={"name": "g"})
    assert [c async for c in templates.stream("hello.html")] == ["Hello g!"]


async def test_closing_the_stream_closes_the_template_generator(template_dir: Path) -> None:
    templates = Templates(template_dir, stream_chunk_size=0)
    closed = anyio.Event()
    produced: list[int] = []

    async def rows() -> object:
        try:
            for i in range(1000):
                produced.append(i)
                yield i
        finally:
            closed.set()

    (template_dir / "rows.html").write_text("{% for r in rows() %}{{ r }}{% endfor %}")
    stream = templates.stream("rows.html", rows=rows)
    assert await stream.__anext__() == "0"
    await stream.aclose()  # type: ignore[attr-defined]
    with pytest.raises(StopAsyncIteration):
        await stream.__anext__()
    del stream
    gc.collect()
    with anyio.fail_after(5):
        await closed.wait()  # the user's generator is finalized too
    assert produced == [0]


async def test_errors_while_streaming_propagate(template_dir: Path) -> None:
    templates = Templates(template_dir, stream_chunk_size=0)

    def boom() -> str:
        raise LookupError("db down")

    (template_dir / "fail.html").write_text("start {{ boom() }}")
    stream = templates.stream("fail.html", boom=boom)
    assert await stream.__anext__() == "start "
    with pytest.raises(LookupError, match="db down"):
        await stream.__anext__()
