"""Byte ranges (RFC 9110, section 14): single, multipart, If-Range, 416, and amplification caps."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from static_helpers import DATA, call, ranges_of

from boca.static import StaticFiles
from boca.static._ranges import parse_range

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("bytes=0-9", 100, [(0, 10)]),
        ("bytes=90-", 100, [(90, 100)]),
        ("bytes=-10", 100, [(90, 100)]),
        ("bytes=-1000", 100, [(0, 100)]),
        ("bytes=95-1000", 100, [(95, 100)]),
        ("BYTES = 0-0", 100, [(0, 1)]),
        ("bytes=0-1, 5-6 ,,", 100, [(0, 2), (5, 7)]),
        ("bytes=50-59,0-9", 100, [(50, 60), (0, 10)]),
        ("bytes=0-4,5-9", 100, [(0, 5), (5, 10)]),
        ("bytes=0-" + "9" * 5000, 100, [(0, 100)]),
        ("bytes=" + "9" * 5000 + "-", 100, []),
        ("bytes=100-", 100, []),
        ("bytes=100-200,300-", 100, []),
        ("bytes=-0", 100, []),
        ("bytes=0-0", 0, []),
        ("bytes=-5", 0, []),
        ("bytes=200-300,0-1", 100, [(0, 2)]),
        # Ignored: the whole file is sent.
        ("items=0-1", 100, None),
        ("bytes", 100, None),
        ("bytes=", 100, None),
        ("bytes=,", 100, None),
        ("bytes=5", 100, None),
        ("bytes=9-5", 100, None),
        ("bytes=a-5", 100, None),
        ("bytes=0-b", 100, None),
        ("bytes=-", 100, None),
        ("bytes=--5", 100, None),
        ("bytes=\u0661-\u0662", 100, None),
        ("bytes=+1-2", 100, None),
        # Overlapping ranges could amplify the response: ignored.
        ("bytes=0-50,25-75", 100, None),
        ("bytes=0-,0-", 100, None),
        ("bytes=-50,60-65", 100, None),
    ],
)
def test_parse_range(header: str, size: int, expected: list[tuple[int, int]] | None) -> None:
    assert parse_range(header, size, 16) == expected


def test_parse_range_caps_count() -> None:
    assert parse_range("bytes=" + ",".join(f"{i}-{i}" for i in range(16)), 100, 16) is not None
    assert parse_range("bytes=" + ",".join(f"{i}-{i}" for i in range(17)), 100, 16) is None


@pytest.fixture
def app(site: Path) -> StaticFiles:
    return StaticFiles(site)


@pytest.fixture(params=[True, False], ids=["cached", "streamed"])
def both(site: Path, request: pytest.FixtureRequest) -> StaticFiles:
    return StaticFiles(site, cache_max_file_size=10_000 if request.param else 10)


async def test_single_range(both: StaticFiles) -> None:
    r = await call(both, "/data.bin", headers=[("range", "bytes=10-19")])
    assert r.status == 206
    assert r.body == DATA[10:20]
    assert r.headers["content-range"] == "bytes 10-19/1024"
    assert r.headers["content-length"] == "10"
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["accept-ranges"] == "bytes"
    assert "etag" in r.headers
    assert "last-modified" in r.headers


async def test_suffix_and_open_ranges(both: StaticFiles) -> None:
    r = await call(both, "/data.bin", headers=[("range", "bytes=-4")])
    assert (r.status, r.body, r.headers["content-range"]) == (
        206,
        DATA[-4:],
        "bytes 1020-1023/1024",
    )
    r = await call(both, "/data.bin", headers=[("range", "bytes=1000-")])
    assert (r.body, r.headers["content-range"]) == (DATA[1000:], "bytes 1000-1023/1024")


async def test_multiple_ranges(both: StaticFiles) -> None:
    r = await call(both, "/data.bin", headers=[("range", "bytes=0-3, 500-503,-2")])
    assert r.status == 206
    ctype = r.headers["content-type"]
    assert ctype.startswith("multipart/byteranges; boundary=")
    boundary = ctype.split("boundary=")[1]
    assert int(r.headers["content-length"]) == len(r.body)
    assert ranges_of(r.body, boundary) == [
        ("bytes 0-3/1024", DATA[0:4]),
        ("bytes 500-503/1024", DATA[500:504]),
        ("bytes 1022-1023/1024", DATA[1022:]),
    ]
    assert b"Content-Type: application/octet-stream" in r.body


async def test_multipart_boundary_differs_per_response(app: StaticFiles) -> None:
    h = [("range", "bytes=0-1,3-4")]
    one = (await call(app, "/data.bin", headers=h)).headers["content-type"]
    two = (await call(app, "/data.bin", headers=h)).headers["content-type"]
    assert one != two


async def test_unsatisfiable_range_is_416(both: StaticFiles) -> None:
    r = await call(both, "/data.bin", headers=[("range", "bytes=1024-")])
    assert r.status == 416
    assert r.headers["content-range"] == "bytes */1024"
    assert r.body == (
        b'{"error":"416 Range Not Satisfiable","status":416,'
        b'"detail":"No requested range overlaps the file."}'
    )
    r = await call(both, "/empty.txt", headers=[("range", "bytes=0-")])
    assert (r.status, r.headers["content-range"]) == (416, "bytes */0")


@pytest.mark.parametrize(
    "header",
    ["bytes=5-1", "bytes=abc", "bytes=-", "bytes=1-2-3", "bytes=", "bytes=,", "items=0-1", "0-1"],
)
async def test_malformed_range_sends_whole_file(both: StaticFiles, header: str) -> None:
    # RFC 9110 section 14.2: a server may ignore an invalid Range; boca answers 200, never 400.
    r = await call(both, "/data.bin", headers=[("range", header)])
    assert (r.status, r.body, r.headers["content-length"]) == (200, DATA, "1024")
    assert "content-range" not in r.headers


async def test_head_ignores_range(app: StaticFiles) -> None:
    r = await call(app, "/data.bin", method="HEAD", headers=[("range", "bytes=0-1")])
    assert (r.status, r.headers["content-length"], r.body) == (200, "1024", b"")


async def test_if_range_with_etag(app: StaticFiles) -> None:
    etag = (await call(app, "/data.bin")).headers["etag"]
    r = await call(app, "/data.bin", headers=[("range", "bytes=0-1"), ("if-range", etag)])
    assert (r.status, r.body) == (206, DATA[:2])
    r = await call(app, "/data.bin", headers=[("range", "bytes=0-1"), ("if-range", '"stale"')])
    assert (r.status, r.body) == (200, DATA)
    r = await call(app, "/data.bin", headers=[("range", "bytes=0-1"), ("if-range", "W/" + etag)])
    assert r.status == 200


async def test_if_range_with_date(app: StaticFiles) -> None:
    last_modified = (await call(app, "/data.bin")).headers["last-modified"]
    r = await call(app, "/data.bin", headers=[("range", "bytes=0-1"), ("if-range", last_modified)])
    assert r.status == 206
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    r = await call(app, "/data.bin", headers=[("range", "bytes=0-1"), ("if-range", old)])
    assert r.status == 200
    r = await call(app, "/data.bin", headers=[("range", "bytes=0-1"), ("if-range", "junk")])
    assert r.status == 200


async def test_range_after_failed_if_none_match(app: StaticFiles) -> None:
    etag = (await call(app, "/data.bin")).headers["etag"]
    r = await call(app, "/data.bin", headers=[("range", "bytes=0-1"), ("if-none-match", etag)])
    assert r.status == 304


async def test_too_many_ranges_sends_whole_file(both: StaticFiles) -> None:
    header = "bytes=" + ",".join(f"{i * 2}-{i * 2}" for i in range(17))
    r = await call(both, "/data.bin", headers=[("range", header)])
    assert (r.status, r.body) == (200, DATA)


async def test_overlapping_ranges_send_whole_file(both: StaticFiles) -> None:
    r = await call(both, "/data.bin", headers=[("range", "bytes=0-1023,0-1023,0-1023")])
    assert (r.status, r.body) == (200, DATA)
    assert r.headers["content-length"] == "1024"


async def test_many_ranges_parse_in_linear_time(app: StaticFiles) -> None:
    """The C40 family: 10 000 tiny ranges never cost quadratic time nor amplify the answer."""
    header = "bytes=" + ",".join(f"{i}-{i}" for i in range(10_000))
    start = time.perf_counter()
    r = await call(app, "/data.bin", headers=[("range", header)])
    elapsed = time.perf_counter() - start
    assert (r.status, r.body) == (200, DATA)
    assert elapsed < 1.0
    start = time.perf_counter()
    assert parse_range("bytes=" + "0-0," * 20_000, 100, 30_000) is None
    assert time.perf_counter() - start < 2.0


async def test_custom_max_ranges(site: Path) -> None:
    app = StaticFiles(site, max_ranges=2)
    r = await call(app, "/data.bin", headers=[("range", "bytes=0-0,2-2,4-4")])
    assert r.status == 200
    r = await call(app, "/data.bin", headers=[("range", "bytes=0-0,2-2")])
    assert r.status == 206
