"""Properties of `Range` handling in `StaticFiles`, through the package's own ASGI driver
(so the suite runs without Starlette, as it does installed alone).

Invariants: no Range header, however malformed, gets a 5xx; the answer is the whole file (200),
exactly the bytes its `Content-Range` names (206), or a 416 that says the file's length; a
satisfiable single range is always served as asked.
"""

from __future__ import annotations

import re
import tempfile
from functools import partial
from pathlib import Path

import anyio
from hypothesis import given
from hypothesis import strategies as st
from static_helpers import Result, call

from boca.static import StaticFiles

CONTENT = bytes(range(256)) * 8  # 2,048 bytes, each offset recognisable
_root = Path(tempfile.mkdtemp(prefix="boca-static-properties-"))
(_root / "data.bin").write_bytes(CONTENT)
app = StaticFiles(_root)


def get(range_header: str) -> Result:
    return anyio.run(partial(call, app, "/data.bin", headers=[("range", range_header)]))


specs = st.one_of(
    st.builds("{}-{}".format, st.integers(0, 3000), st.integers(0, 3000)),
    st.builds("{}-".format, st.integers(0, 3000)),
    st.builds("-{}".format, st.integers(0, 3000)),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12),
)


@given(st.lists(specs, min_size=1, max_size=3), st.sampled_from(["bytes=", "bytes =", "x=", ""]))
def test_no_range_header_gets_a_5xx(parts: list[str], unit: str) -> None:
    response = get(unit + ",".join(parts))
    assert response.status in (200, 206, 416), response.body
    if response.status == 200:
        assert response.body == CONTENT
    elif response.status == 416:
        assert response.headers["content-range"] == f"bytes */{len(CONTENT)}"
    elif "multipart/byteranges" not in response.headers["content-type"]:
        match = re.fullmatch(r"bytes (\d+)-(\d+)/2048", response.headers["content-range"])
        assert match is not None
        first, last = int(match[1]), int(match[2])
        assert response.body == CONTENT[first : last + 1]


@given(st.integers(0, len(CONTENT) - 1), st.integers(0, 4000))
def test_a_satisfiable_range_gives_exactly_those_bytes(first: int, last: int) -> None:
    last = max(first, last)
    response = get(f"bytes={first}-{last}")
    end = min(last, len(CONTENT) - 1)
    assert response.status == 206
    assert response.headers["content-range"] == f"bytes {first}-{end}/{len(CONTENT)}"
    assert response.body == CONTENT[first : end + 1]
