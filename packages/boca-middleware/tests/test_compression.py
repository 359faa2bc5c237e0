from __future__ import annotations

import gzip
import sys
import zlib

import brotli
import pytest
import zstandard

from boca.middleware import CompressionMiddleware, GZipMiddleware
from boca.middleware._encoders import negotiate

pytestmark = pytest.mark.anyio

BODY = b'{"message": "' + b"hello world " * 100 + b'"}'
JSON = b"application/json"


def accept(scope, value, **kwargs):
    return scope(headers=[("accept-encoding", value)], **kwargs)


def decode(encoding: str | None, data: bytes) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(data)
    if encoding == "br":
        return brotli.decompress(data)
    if encoding == "zstd":
        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    assert encoding is None
    return data


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", "gzip"),
        ("gzip, deflate, br", "br"),
        ("gzip, deflate, br, zstd", "zstd"),
        ("br;q=0.5, gzip", "gzip"),
        ("zstd;q=0.1, br;q=0.2, gzip;q=0.3", "gzip"),
        ("*", "zstd"),
        ("*;q=0.5, gzip;q=1", "gzip"),
        ("*, zstd;q=0, br;q=0", "gzip"),
        ("x-gzip", "gzip"),
        ("GZIP", "gzip"),
    ],
)
async def test_negotiation(call, scope, app_factory, header, expected) -> None:
    mw = CompressionMiddleware(app_factory(BODY, content_type=JSON))
    result = await call(mw, accept(scope, header))
    assert result.status == 200
    assert result.header("content-encoding") == expected
    assert result.header("vary") == "Accept-Encoding"
    assert result.header("content-length") == str(len(result.body))
    assert decode(expected, result.body) == BODY


@pytest.mark.parametrize(
    "header",
    [
        "identity",
        "",
        "gzip;q=0",
        "deflate",
        "gzip;q=0.5, identity",
        "*;q=0",
        "gzip;q=abc",
        "gzip;q=2",
    ],
)
async def test_identity_when_nothing_acceptable(call, scope, app_factory, header) -> None:
    mw = CompressionMiddleware(app_factory(BODY, content_type=JSON))
    result = await call(mw, accept(scope, header))
    assert result.header("content-encoding") is None
    assert result.body == BODY
    assert result.header("content-length") == str(len(BODY))
    # The answer depended on Accept-Encoding, so caches must know.
    assert result.header("vary") == "Accept-Encoding"


async def test_no_accept_encoding_header(call, scope, app_factory) -> None:
    mw = CompressionMiddleware(app_factory(BODY, content_type=JSON))
    result = await call(mw, scope())
    assert result.header("content-encoding") is None
    assert result.body == BODY
    assert result.header("vary") == "Accept-Encoding"


def test_negotiate_edge_cases() -> None:
    assert negotiate(b"gzip;level=1;q=0.8, br;q=0.9", ("gzip", "br")) == "br"
    assert negotiate(b" , gzip", ("gzip",)) == "gzip"
    assert negotiate(b"gzip;q=0.2, gzip;q=0.9", ("gzip",)) == "gzip"
    assert negotiate(b"br", ("gzip",)) is None


async def test_repeated_accept_encoding_lines_are_joined(call, scope, app_factory) -> None:
    mw = CompressionMiddleware(app_factory(BODY, content_type=JSON), encodings=["br", "gzip"])
    request = scope(headers=[("accept-encoding", "gzip;q=0.5"), ("accept-encoding", "br")])
    result = await call(mw, request)
    assert result.header("content-encoding") == "br"


async def test_negotiation_cache_is_bounded(call, scope, app_factory) -> None:
    mw = CompressionMiddleware(app_factory(BODY, content_type=JSON), encodings=["gzip"])
    for i in range(600):
        result = await call(mw, accept(scope, f"gzip;q=0.{i % 9 + 1}, x-{i}"))
        assert result.header("content-encoding") == "gzip"
    assert len(mw._negotiated) <= 512


async def test_small_bodies_are_untouched(call, scope, app_factory) -> None:
    mw = CompressionMiddleware(app_factory(b"tiny", content_type=JSON), minimum_size=500)
    result = await call(mw, accept(scope, "gzip"))
    assert result.body == b"tiny"
    assert result.header("content-encoding") is None
    assert result.header("vary") is None
    assert result.header("content-length") == "4"


async def test_minimum_size_is_inclusive(call, scope, app_factory) -> None:
    body = b"a" * 100
    mw = CompressionMiddleware(app_factory(body, content_type=JSON), minimum_size=100)
    result = await call(mw, accept(scope, "gzip"))
    assert result.header("content-encoding") == "gzip"
    assert gzip.decompress(result.body) == body


@pytest.mark.parametrize(
    ("content_type", "compressed"),
    [
        (b"text/html; charset=utf-8", True),
        (b"application/json", True),
        (b"application/problem+json", True),
        (b"application/atom+xml", True),
        (b"image/svg+xml", True),
        (b"image/png", False),
        (b"application/octet-stream", False),
        (b"text/event-stream", False),
        (None, False),
    ],
)
async def test_content_type_allow_list(call, scope, app_factory, content_type, compressed) -> None:
    mw = CompressionMiddleware(app_factory(BODY, content_type=content_type))
    result = await call(mw, accept(scope, "gzip"))
    assert (result.header("content-encoding") == "gzip") is compressed
    assert (result.header("vary") == "Accept-Encoding") is compressed


async def test_custom_content_types(call, scope, app_factory) -> None:
    only_csv = CompressionMiddleware(
        app_factory(BODY, content_type=b"text/csv"), content_types=["text/csv"]
    )
    assert (await call(only_csv, accept(scope, "gzip"))).header("content-encoding") == "gzip"
    no_html = CompressionMiddleware(
        app_factory(BODY, content_type=b"text/html"), content_types=["text/csv"]
    )
    assert (await call(no_html, accept(scope, "gzip"))).header("content-encoding") is None
    everything = CompressionMiddleware(
        app_factory(BODY, content_type=b"application/octet-stream"), content_types=["*"]
    )
    assert (await call(everything, accept(scope, "gzip"))).header("content-encoding") == "gzip"


async def test_content_type_cache_is_bounded(call, scope, app_factory) -> None:
    for i in range(520):
        mw_app = app_factory(BODY, content_type=f"text/x-{i}".encode())
        mw = CompressionMiddleware(mw_app)
        await call(mw, accept(scope, "gzip"))
    shared = CompressionMiddleware(app_factory(BODY, content_type=JSON))
    for i in range(520):
        shared._eligible({"status": 200, "headers": [(b"content-type", f"text/x-{i}".encode())]})
    assert len(shared._compressible) <= 512


async def test_hostile_M16(call, scope, app_factory) -> None:
    encoded = brotli.compress(BODY)
    app = app_factory(encoded, content_type=JSON, headers=[(b"content-encoding", b"br")])
    mw = CompressionMiddleware(app)
    result = await call(mw, accept(scope, "gzip, br, zstd"))
    assert result.header_list("content-encoding") == ["br"]
    assert result.body == encoded
    assert result.header("content-length") == str(len(encoded))
    assert result.header("vary") is None


async def test_hostile_M17(call, scope) -> None:
    """Events go out one message per event, unbuffered and uncompressed."""
    events = [b"data: %d\n\n" % i + b"x" * 600 for i in range(3)]
    forwarded: list[int] = []

    async def app(scope, receive, send):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            }
        )
        for i, event in enumerate(events):
            await send({"type": "http.response.body", "body": event, "more_body": i < 2})
            # Each event has already reached the server before the next is produced.
            forwarded.append(len(sent))

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    mw = CompressionMiddleware(app)
    await mw(accept(scope, "gzip"), receive, send)
    assert forwarded == [2, 3, 4]
    assert [m.get("body") for m in sent[1:]] == events
    assert dict(sent[0]["headers"]).get(b"content-encoding") is None


async def test_streaming_is_compressed_incrementally(call, scope, app_factory) -> None:
    chunks = [b"chunk %d " % i * 50 for i in range(4)]
    mw = CompressionMiddleware(app_factory(content_type=JSON, chunks=chunks))
    for encoding in ("gzip", "br", "zstd"):
        result = await call(mw, accept(scope, encoding))
        assert result.header("content-encoding") == encoding
        assert result.header("content-length") is None
        assert result.header("vary") == "Accept-Encoding"
        assert len(result.body_messages) == 4
        # Every flushed prefix decodes to exactly the chunks produced so far.
        if encoding == "gzip":
            d = zlib.decompressobj(31)
        elif encoding == "br":
            d = brotli.Decompressor()
        else:
            d = zstandard.ZstdDecompressor().decompressobj()
        produced = b""
        for i, message in enumerate(result.body_messages):
            produced += (d.decompress if encoding != "br" else d.process)(message["body"])
            assert produced == b"".join(chunks[: i + 1])
        assert result.body_messages[-1]["more_body"] is False


async def test_streaming_empty_chunk_and_final_empty(call, scope, app_factory) -> None:
    chunks = [b"a" * 600, b"", b"b" * 10, b""]
    mw = CompressionMiddleware(app_factory(content_type=JSON, chunks=chunks), encodings=["gzip"])
    result = await call(mw, accept(scope, "gzip"))
    assert result.body_messages[1]["body"] == b""
    assert gzip.decompress(result.body) == b"a" * 600 + b"b" * 10


async def test_streaming_with_small_content_length_is_untouched(call, scope) -> None:
    async def app(scope, receive, send):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"6")],
            }
        )
        await send({"type": "http.response.body", "body": b"abc", "more_body": True})
        await send({"type": "http.response.body", "body": b"def"})

    result = await call(CompressionMiddleware(app), accept(scope, "gzip"))
    assert result.body == b"abcdef"
    assert result.header("content-encoding") is None
    assert result.header("content-length") == "6"


async def test_streaming_without_acceptable_encoding(call, scope, app_factory) -> None:
    chunks = [b"a" * 600, b"b"]
    mw = CompressionMiddleware(app_factory(content_type=JSON, chunks=chunks))
    result = await call(mw, scope())
    assert result.body == b"a" * 600 + b"b"
    assert result.header("vary") == "Accept-Encoding"
    assert result.header("content-encoding") is None


async def test_streaming_with_bad_content_length_is_compressed(call, scope) -> None:
    async def app(scope, receive, send):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"x")],
            }
        )
        await send({"type": "http.response.body", "body": b"a" * 10, "more_body": True})
        await send({"type": "http.response.body", "body": b"b" * 10})

    result = await call(CompressionMiddleware(app), accept(scope, "gzip"))
    assert result.header("content-length") is None
    assert gzip.decompress(result.body) == b"a" * 10 + b"b" * 10


@pytest.mark.parametrize("status", [101, 204, 206, 304])
async def test_statuses_without_a_compressible_body(call, scope, app_factory, status) -> None:
    mw = CompressionMiddleware(app_factory(BODY, status=status, content_type=JSON))
    result = await call(mw, accept(scope, "gzip"))
    assert result.body == BODY
    assert result.header("content-encoding") is None


async def test_no_transform_is_respected(call, scope, app_factory) -> None:
    headers = [(b"cache-control", b"public, No-Transform")]
    mw = CompressionMiddleware(app_factory(BODY, content_type=JSON, headers=headers))
    result = await call(mw, accept(scope, "gzip"))
    assert result.header("content-encoding") is None


async def test_head_requests_pass_through(call, scope, app_factory) -> None:
    app = app_factory(BODY, content_type=JSON)
    result = await call(
        CompressionMiddleware(app, minimum_size=0), accept(scope, "gzip", method="HEAD")
    )
    assert result.header("content-encoding") is None
    assert result.header("content-length") == str(len(BODY))


async def test_strong_etag_is_weakened(call, scope, app_factory) -> None:
    headers = [(b"etag", b'"abc"')]
    mw = CompressionMiddleware(app_factory(BODY, content_type=JSON, headers=headers))
    result = await call(mw, accept(scope, "gzip"))
    assert result.header("etag") == 'W/"abc"'
    weak = CompressionMiddleware(
        app_factory(BODY, content_type=JSON, headers=[(b"etag", b'W/"x"')])
    )
    assert (await call(weak, accept(scope, "gzip"))).header("etag") == 'W/"x"'


async def test_existing_vary_is_kept(call, scope, app_factory) -> None:
    headers = [(b"vary", b"Origin")]
    mw = CompressionMiddleware(app_factory(BODY, content_type=JSON, headers=headers))
    result = await call(mw, accept(scope, "gzip"))
    assert result.header("vary") == "Origin, Accept-Encoding"


async def test_trailers_drop_content_length(call, scope) -> None:
    async def app(scope, receive, send):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"600")],
                "trailers": True,
            }
        )
        await send({"type": "http.response.body", "body": b"a" * 600})
        await send({"type": "http.response.trailers", "headers": [(b"x-sum", b"1")]})

    result = await call(CompressionMiddleware(app), accept(scope, "gzip"))
    assert result.header("content-length") is None
    assert result.header("content-encoding") == "gzip"
    assert result.messages[-1] == {"type": "http.response.trailers", "headers": [(b"x-sum", b"1")]}


async def test_pathsend_is_passed_through(call, scope) -> None:
    async def app(scope, receive, send):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.pathsend", "path": "/tmp/x"})

    result = await call(CompressionMiddleware(app), accept(scope, "gzip"))
    assert [m["type"] for m in result.messages] == ["http.response.start", "http.response.pathsend"]
    assert result.header("content-encoding") is None


async def test_start_without_body_is_still_sent(call, scope) -> None:
    async def app(scope, receive, send):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
            }
        )

    result = await call(CompressionMiddleware(app), accept(scope, "gzip"))
    assert [m["type"] for m in result.messages] == ["http.response.start"]


async def test_levels_are_used(call, scope, app_factory) -> None:
    body = bytes(range(256)) * 40
    fast = CompressionMiddleware(app_factory(body, content_type=JSON), gzip_level=1)
    small = CompressionMiddleware(app_factory(body, content_type=JSON), gzip_level=9)
    a = (await call(fast, accept(scope, "gzip"))).body
    b = (await call(small, accept(scope, "gzip"))).body
    assert gzip.decompress(a) == gzip.decompress(b) == body
    assert a != b
    br = CompressionMiddleware(app_factory(BODY, content_type=JSON), brotli_quality=11)
    assert (await call(br, accept(scope, "br"))).body == brotli.compress(BODY, quality=11)
    zs = CompressionMiddleware(app_factory(BODY, content_type=JSON), zstd_level=19)
    assert (await call(zs, accept(scope, "zstd"))).body == zstandard.ZstdCompressor(
        level=19
    ).compress(BODY)


async def test_gzip_middleware(call, scope, app_factory) -> None:
    mw = GZipMiddleware(app_factory(BODY, content_type=JSON), minimum_size=10, compresslevel=9)
    result = await call(mw, accept(scope, "br, zstd, gzip;q=0.1"))
    assert result.header("content-encoding") == "gzip"
    assert gzip.decompress(result.body) == BODY
    only_br = await call(mw, accept(scope, "br"))
    assert only_br.header("content-encoding") is None


def test_configuration_errors(app_factory) -> None:
    with pytest.raises(ValueError, match="Unknown encoding 'deflate'"):
        CompressionMiddleware(app_factory(), encodings=["deflate"])
    with pytest.raises(ValueError, match="at least one encoding"):
        CompressionMiddleware(app_factory(), encodings=[])
    with pytest.raises(ValueError, match="gzip_level must be between 0 and 9"):
        CompressionMiddleware(app_factory(), gzip_level=10)
    assert list(CompressionMiddleware(app_factory(), encodings="gzip").codecs) == ["gzip"]


@pytest.mark.parametrize(
    ("encoding", "module", "extra"), [("br", "brotli", "brotli"), ("zstd", "zstandard", "zstd")]
)
def test_missing_extra_is_named(monkeypatch, app_factory, encoding, module, extra) -> None:
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError, match=rf'pip install "boca-middleware\[{extra}\]"'):
        CompressionMiddleware(app_factory(), encodings=[encoding])
    # Left to the defaults, a missing library just is not offered.
    assert list(CompressionMiddleware(app_factory()).codecs) == [
        e for e in ("zstd", "br", "gzip") if e != encoding
    ]


async def test_streaming_with_trailers(call, scope) -> None:
    async def app(scope, receive, send):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
                "trailers": True,
            }
        )
        await send({"type": "http.response.body", "body": b"a" * 600, "more_body": True})
        await send({"type": "http.response.body", "body": b"b" * 600, "more_body": False})
        await send({"type": "http.response.trailers", "headers": [(b"x-sum", b"1")]})

    result = await call(CompressionMiddleware(app), accept(scope, "gzip"))
    assert result.header("content-encoding") == "gzip"
    assert gzip.decompress(result.body) == b"a" * 600 + b"b" * 600
    assert result.messages[-1]["type"] == "http.response.trailers"


async def test_large_bodies_are_compressed_in_a_thread(
    call, scope, app_factory, monkeypatch
) -> None:
    import threading

    threads: set[str] = set()
    # gzip goes through zlib.compressobj on every Python version (3.10 included).
    real = zlib.compressobj

    def spy(*args, **kwargs):
        threads.add(threading.current_thread().name)
        return real(*args, **kwargs)

    body = b"x" * 5000
    mw = CompressionMiddleware(
        app_factory(body, content_type=JSON), encodings=["gzip"], thread_minimum_size=4096
    )
    monkeypatch.setattr(zlib, "compressobj", spy)
    result = await call(mw, accept(scope, "gzip"))
    monkeypatch.undo()
    assert gzip.decompress(result.body) == body
    assert threads
    assert threading.main_thread().name not in threads
    streamed = CompressionMiddleware(
        app_factory(content_type=JSON, chunks=[body, body]), thread_minimum_size=4096
    )
    for encoding in ("gzip", "br", "zstd"):
        result = await call(streamed, accept(scope, encoding))
        assert decode(encoding, result.body) == body + body


def early_hint_app(body: bytes, chunks: int = 1):
    async def app(scope, receive, send):
        await send(
            {"type": "http.response.early_hint", "links": [b"</style.css>; rel=preload; as=style"]}
        )
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/html; charset=utf-8")],
            }
        )
        for i in range(chunks):
            more = i < chunks - 1
            await send({"type": "http.response.body", "body": body, "more_body": more})

    return app


@pytest.mark.parametrize("chunks", [1, 2])
async def test_early_hint_is_passed_through_and_the_body_still_compressed(
    call, scope, chunks
) -> None:
    result = await call(CompressionMiddleware(early_hint_app(BODY, chunks)), accept(scope, "gzip"))
    assert [m["type"] for m in result.messages][:2] == [
        "http.response.early_hint",
        "http.response.start",
    ]
    assert result.messages[0]["links"] == [b"</style.css>; rel=preload; as=style"]
    assert result.header("content-encoding") == "gzip"
    assert gzip.decompress(result.body) == BODY * chunks


async def test_early_hint_before_a_small_body(call, scope) -> None:
    result = await call(CompressionMiddleware(early_hint_app(b"tiny")), accept(scope, "gzip"))
    assert [m["type"] for m in result.messages] == [
        "http.response.early_hint",
        "http.response.start",
        "http.response.body",
    ]
    assert result.header("content-encoding") is None
    assert result.body == b"tiny"


@pytest.mark.parametrize(
    ("content_type", "compressed"),
    [
        (b"application/json", False),
        (b"application/json; charset=utf-8", False),
        (b"text/html", False),
        (b"text/plain", False),
        (b"text/csv", True),
        (b"application/problem+json", True),
    ],
)
async def test_exclude_content_types_is_a_deny_list(
    call, scope, app_factory, content_type, compressed
) -> None:
    mw = CompressionMiddleware(
        app_factory(BODY, content_type=content_type),
        exclude_content_types=["Application/JSON; charset=utf-8", "text/html", "text/plain"],
    )
    result = await call(mw, accept(scope, "gzip"))
    assert (result.header("content-encoding") == "gzip") is compressed


async def test_exclude_content_types_whole_type(call, scope, app_factory) -> None:
    mw = GZipMiddleware(
        app_factory(BODY, content_type=b"text/html"), exclude_content_types="text/*"
    )
    result = await call(mw, accept(scope, "gzip"))
    assert result.header("content-encoding") is None
    assert result.body == BODY


async def test_gzip_middleware_takes_starlettes_positional_arguments(
    call, scope, app_factory
) -> None:
    # Starlette's order: minimum_size, compresslevel, thread_minimum_size.
    mw = GZipMiddleware(app_factory(BODY, content_type=JSON), 10, 9, 64)
    assert mw.minimum_size == 10
    assert mw.thread_minimum_size == 64
    result = await call(mw, accept(scope, "gzip"))
    assert gzip.decompress(result.body) == BODY


async def test_scope_without_method_is_compressed(call, app_factory) -> None:
    # Hand-made scopes (as in Starlette's own tests) may leave out "method".
    mw = CompressionMiddleware(app_factory(BODY, content_type=JSON))
    result = await call(mw, {"type": "http", "headers": [(b"accept-encoding", b"gzip")]})
    assert result.header("content-encoding") == "gzip"
    assert gzip.decompress(result.body) == BODY
