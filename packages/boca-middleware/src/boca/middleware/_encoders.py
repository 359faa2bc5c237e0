"""Content codings for CompressionMiddleware: gzip (stdlib), Brotli and zstd (optional extras)."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any, Protocol

ENCODINGS = ("zstd", "br", "gzip")
_EXTRA = {"br": ("brotli", "brotli"), "zstd": ("zstandard", "zstd")}


class StreamEncoder(Protocol):
    """Compresses one response body chunk by chunk."""

    def chunk(self, data: bytes) -> bytes:
        """Compress `data` and flush, so everything sent so far can be decoded."""

    def finish(self, data: bytes) -> bytes:
        """Compress the last `data` and end the stream."""


class Codec:
    """One content coding: a one-shot compressor and a streaming one, at a fixed level."""

    __slots__ = ("compress", "name", "stream", "token")

    def __init__(
        self, name: str, compress: Callable[[bytes], bytes], stream: Callable[[], StreamEncoder]
    ) -> None:
        self.name = name
        self.token = name.encode()
        self.compress = compress
        self.stream = stream


class _GzipStream:
    __slots__ = ("_c",)

    def __init__(self, level: int) -> None:
        self._c = zlib.compressobj(level, zlib.DEFLATED, 31)

    def chunk(self, data: bytes) -> bytes:
        return self._c.compress(data) + self._c.flush(zlib.Z_SYNC_FLUSH)

    def finish(self, data: bytes) -> bytes:
        return self._c.compress(data) + self._c.flush()


class _BrotliStream:
    __slots__ = ("_c",)

    def __init__(self, module: Any, quality: int) -> None:
        self._c = module.Compressor(quality=quality)

    def chunk(self, data: bytes) -> bytes:
        out: bytes = self._c.process(data) + self._c.flush()
        return out

    def finish(self, data: bytes) -> bytes:
        out: bytes = self._c.process(data) + self._c.finish()
        return out


class _ZstdStream:
    __slots__ = ("_c", "_flush_block")

    def __init__(self, module: Any, level: int) -> None:
        self._c = module.ZstdCompressor(level=level).compressobj()
        self._flush_block = module.COMPRESSOBJ_FLUSH_BLOCK

    def chunk(self, data: bytes) -> bytes:
        out: bytes = self._c.compress(data) + self._c.flush(self._flush_block)
        return out

    def finish(self, data: bytes) -> bytes:
        out: bytes = self._c.compress(data) + self._c.flush()
        return out


def _import(name: str) -> Any:
    module, extra = _EXTRA[name]
    try:
        return __import__(module)
    except ImportError:
        raise ImportError(
            f"The {name!r} encoding needs the {module!r} library, which is not installed. "
            f'Install it with: pip install "boca-middleware[{extra}]"'
        ) from None


def available(name: str) -> bool:
    """Whether the library behind an encoding can be imported."""
    if name == "gzip":
        return True
    try:
        _import(name)
    except ImportError:
        return False
    return True


def make_codec(name: str, gzip_level: int, brotli_quality: int, zstd_level: int) -> Codec:
    """Build the codec for `name`, raising a clear ImportError when its extra is missing."""
    if name == "gzip":
        # One code path on every Python: `zlib.compress` only takes `wbits` from 3.11 on.

        def gzip_compress(data: bytes) -> bytes:
            c = zlib.compressobj(gzip_level, zlib.DEFLATED, 31)
            return c.compress(data) + c.flush()

        return Codec(name, gzip_compress, lambda: _GzipStream(gzip_level))
    if name == "br":
        brotli = _import(name)

        def br_compress(data: bytes) -> bytes:
            out: bytes = brotli.compress(data, quality=brotli_quality)
            return out

        return Codec(name, br_compress, lambda: _BrotliStream(brotli, brotli_quality))
    if name == "zstd":
        zstandard = _import(name)

        def zstd_compress(data: bytes) -> bytes:
            # A compressor per call: ZstdCompressor objects must not be shared by threads.
            out: bytes = zstandard.ZstdCompressor(level=zstd_level).compress(data)
            return out

        return Codec(name, zstd_compress, lambda: _ZstdStream(zstandard, zstd_level))
    raise ValueError(f"Unknown encoding {name!r}: choose from {', '.join(ENCODINGS)}.")


def negotiate(accept: bytes, offered: tuple[str, ...]) -> str | None:
    """Pick the coding for an `Accept-Encoding` value, or None for identity.

    Highest q-value wins; ties go to the server's order in `offered`. `*` covers
    every coding not named; `q=0` refuses; an identity preferred over every
    coding (`gzip;q=0.5, identity`) means no compression.
    """
    weights: dict[str, float] = {}
    for item in accept.decode("latin-1").split(","):
        token, _, params = item.partition(";")
        token = token.strip().lower()
        if not token:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0:
                    q = 0.0
        if token == "x-gzip":
            token = "gzip"
        weights[token] = max(q, weights.get(token, 0.0)) if token in weights else q
    star = weights.get("*", 0.0)
    best: str | None = None
    best_q = 0.0
    for name in offered:
        q = weights.get(name, star)
        if q > best_q:
            best, best_q = name, q
    if best is not None and weights.get("identity", 0.0) > best_q:
        return None
    return best
