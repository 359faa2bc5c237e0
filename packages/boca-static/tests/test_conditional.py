"""Validators and preconditions (RFC 9110, section 13): ETag, Last-Modified, 304 and 412."""

from __future__ import annotations

import os
from email.utils import formatdate
from pathlib import Path

import pytest
from static_helpers import call

from boca.static import StaticFiles

pytestmark = pytest.mark.anyio


@pytest.fixture
def app(site: Path) -> StaticFiles:
    os.utime(site / "hello.txt", (1_700_000_000, 1_700_000_000))
    return StaticFiles(site)


async def _validators(app: StaticFiles) -> tuple[str, str]:
    r = await call(app, "/hello.txt")
    return r.headers["etag"], r.headers["last-modified"]


async def test_etag_is_strong_and_changes_with_content(site: Path, app: StaticFiles) -> None:
    etag, last_modified = await _validators(app)
    assert last_modified == "Tue, 14 Nov 2023 22:13:20 GMT"
    (site / "hello.txt").write_text("other content")
    app.clear_cache()
    etag2, _ = await _validators(app)
    assert etag2 != etag
    assert not etag2.startswith("W/")


@pytest.mark.parametrize(
    "value",
    ["{etag}", "W/{etag}", '"nope", {etag}', "*", '"a",W/{etag} , "b"'],
)
async def test_if_none_match_gives_304(app: StaticFiles, value: str) -> None:
    etag, last_modified = await _validators(app)
    r = await call(app, "/hello.txt", headers=[("if-none-match", value.format(etag=etag))])
    assert r.status == 304
    assert r.body == b""
    assert r.headers == {
        "etag": etag,
        "last-modified": last_modified,
        "cache-control": "public, max-age=3600",
    }
    head = await call(
        app, "/hello.txt", method="HEAD", headers=[("if-none-match", value.format(etag=etag))]
    )
    assert head.status == 304


async def test_if_none_match_other_tag_gives_200(app: StaticFiles) -> None:
    r = await call(app, "/hello.txt", headers=[("if-none-match", '"other", W/"x"')])
    assert (r.status, r.body) == (200, b"Hello, world!\n")


async def test_repeated_if_none_match_headers_are_combined(app: StaticFiles) -> None:
    etag, _ = await _validators(app)
    r = await call(
        app, "/hello.txt", headers=[("if-none-match", '"other"'), ("if-none-match", etag)]
    )
    assert r.status == 304


@pytest.mark.parametrize(
    ("since", "status"),
    [
        ("Tue, 14 Nov 2023 22:13:20 GMT", 304),
        ("Wed, 15 Nov 2023 00:00:00 GMT", 304),
        ("Tue, 14 Nov 2023 22:13:19 GMT", 200),
        ("not a date", 200),
    ],
)
async def test_if_modified_since(app: StaticFiles, since: str, status: int) -> None:
    r = await call(app, "/hello.txt", headers=[("if-modified-since", since)])
    assert r.status == status


async def test_if_none_match_wins_over_if_modified_since(app: StaticFiles) -> None:
    r = await call(
        app,
        "/hello.txt",
        headers=[
            ("if-none-match", '"other"'),
            ("if-modified-since", "Wed, 15 Nov 2023 00:00:00 GMT"),
        ],
    )
    assert r.status == 200


@pytest.mark.parametrize("value", ['"other"', "W/{etag}", '"a", "b"'])
async def test_if_match_failure_gives_412(app: StaticFiles, value: str) -> None:
    etag, _ = await _validators(app)
    r = await call(app, "/hello.txt", headers=[("if-match", value.format(etag=etag))])
    assert r.status == 412
    assert r.body == (
        b'{"error":"412 Precondition Failed","status":412,'
        b'"detail":"The file does not match the request\'s preconditions."}'
    )


@pytest.mark.parametrize("value", ["{etag}", "*", '"a", {etag}'])
async def test_if_match_success_gives_200(app: StaticFiles, value: str) -> None:
    etag, _ = await _validators(app)
    r = await call(app, "/hello.txt", headers=[("if-match", value.format(etag=etag))])
    assert (r.status, r.body) == (200, b"Hello, world!\n")


async def test_if_match_is_checked_before_if_none_match(app: StaticFiles) -> None:
    etag, _ = await _validators(app)
    r = await call(app, "/hello.txt", headers=[("if-match", '"x"'), ("if-none-match", etag)])
    assert r.status == 412


@pytest.mark.parametrize(
    ("since", "status"),
    [
        ("Tue, 14 Nov 2023 22:13:19 GMT", 412),
        ("Tue, 14 Nov 2023 22:13:20 GMT", 200),
        ("garbage", 200),
    ],
)
async def test_if_unmodified_since(app: StaticFiles, since: str, status: int) -> None:
    r = await call(app, "/hello.txt", headers=[("if-unmodified-since", since)])
    assert r.status == status


async def test_if_match_makes_if_unmodified_since_ignored(app: StaticFiles) -> None:
    etag, _ = await _validators(app)
    r = await call(
        app,
        "/hello.txt",
        headers=[("if-match", etag), ("if-unmodified-since", "Mon, 01 Jan 2001 00:00:00 GMT")],
    )
    assert r.status == 200


async def test_last_modified_matches_file_mtime(site: Path) -> None:
    st = os.stat(site / "style.css")
    r = await call(StaticFiles(site), "/style.css")
    assert r.headers["last-modified"] == formatdate(st.st_mtime, usegmt=True)
