"""Response compression: gzip, Brotli and zstd, negotiated from Accept-Encoding."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._encoders import ENCODINGS, Codec, StreamEncoder, available, make_codec, negotiate

#: Media types compressed by default. `type/*` covers a whole type, `+json` any
#: `*/*+json` type, and `*` everything; `text/event-stream` is never compressed.
DEFAULT_CONTENT_TYPES = (
    "text/*",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/wasm",
    "application/x-ndjson",
    "image/svg+xml",
    "image/x-icon",
    "font/otf",
    "font/ttf",
    "+json",
    "+xml",
)

_VARY = (b"vary", b"Accept-Encoding")
_CACHE_LIMIT = 512


class CompressionMiddleware:
    """Compresses responses with the best coding the client accepts.

    Responses that are already encoded, partial (206), `text/event-stream`, bodies
    under `minimum_size`, HEAD requests, media types outside `content_types` and
    media types in `exclude_content_types` pass through untouched. Streaming
    responses are compressed chunk by chunk with a flush after each, so a stream
    stays live. Early hints (`http.response.early_hint`, or any message before
    `http.response.start`) are passed on at once and do not stop compression.

    Args:
        app: The ASGI app to wrap.
        minimum_size: Bodies smaller than this many bytes are sent as they are.
        encodings: Codings to offer, in the server's order of preference for ties.
            `None` offers gzip plus Brotli and zstd when their libraries are installed;
            naming `"br"` or `"zstd"` without the library raises ImportError.
        content_types: Media types to compress (see `DEFAULT_CONTENT_TYPES`).
        exclude_content_types: Media types never compressed even when
            `content_types` covers them, as in Starlette's `GZipMiddleware`: exact
            types, `type/*` for a whole type. Parameters (`; charset=...`) are ignored.
        gzip_level: zlib level, 1 (fast) to 9 (small).
        brotli_quality: Brotli quality, 0 to 11.
        zstd_level: zstd level, 1 to 22.
        thread_minimum_size: Bodies and chunks of at least this many bytes are
            compressed in a worker thread, so a large body does not stall the event loop.
    """

    def __init__(
        self,
        app: ASGIApp,
        minimum_size: int = 500,
        encodings: Sequence[str] | None = None,
        content_types: Collection[str] = DEFAULT_CONTENT_TYPES,
        gzip_level: int = 6,
        brotli_quality: int = 4,
        zstd_level: int = 3,
        thread_minimum_size: int = 128 * 1024,
        exclude_content_types: Collection[str] = (),
    ) -> None:
        if encodings is None:
            encodings = [name for name in ENCODINGS if available(name)]
        if isinstance(encodings, str):
            encodings = [encodings]
        if not encodings:
            raise ValueError("CompressionMiddleware needs at least one encoding.")
        if not 0 <= gzip_level <= 9:
            raise ValueError(f"gzip_level must be between 0 and 9, not {gzip_level}.")
        codecs = [make_codec(name, gzip_level, brotli_quality, zstd_level) for name in encodings]
        self.app = app
        self.minimum_size = minimum_size
        self.thread_minimum_size = thread_minimum_size
        self.codecs: dict[str, Codec] = {codec.name: codec for codec in codecs}
        self._offered = tuple(self.codecs)
        self._all_types = "*" in content_types
        self._types = frozenset(t.lower() for t in content_types if "/" in t and "*" not in t)
        self._type_prefixes = tuple(t.lower()[:-1] for t in content_types if t.endswith("/*"))
        self._suffixes = tuple(t.lower() for t in content_types if t.startswith("+"))
        if isinstance(exclude_content_types, str):
            exclude_content_types = [exclude_content_types]
        self._excluded = frozenset(
            t.partition(";")[0].strip().lower() for t in exclude_content_types
        )
        self._negotiated: dict[bytes, Codec | None] = {}
        self._compressible: dict[bytes, bool] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") == "HEAD":
            await self.app(scope, receive, send)
            return

        accept: bytes | None = None
        for key, value in scope["headers"]:
            if key == b"accept-encoding":
                accept = value if accept is None else accept + b"," + value
        codec = self._codec_for(accept) if accept is not None else None
        minimum = self.minimum_size
        start: Message | None = None
        stream: StreamEncoder | None = None
        passthrough = False

        async def send_compressed(message: Message) -> None:
            nonlocal start, stream, passthrough
            if passthrough:
                await send(message)
                return
            kind = message["type"]
            if kind == "http.response.start":
                if self._eligible(message):
                    start = message
                else:
                    passthrough = True
                    await send(message)
                return
            if kind != "http.response.body":
                if start is None and stream is None:
                    # Before the response starts (an early hint): pass it on and
                    # decide about compression when the real start comes.
                    await send(message)
                    return
                # pathsend, trailers...: nothing this middleware can compress.
                passthrough = True
                if start is not None:
                    await send(start)
                    start = None
                await send(message)
                return
            if stream is not None:
                body = message.get("body", b"")
                if message.get("more_body", False):
                    if body:
                        await send(
                            {
                                "type": kind,
                                "body": await self._run(stream.chunk, body),
                                "more_body": True,
                            }
                        )
                    else:
                        await send(message)
                else:
                    await send(
                        {
                            "type": kind,
                            "body": await self._run(stream.finish, body),
                            "more_body": False,
                        }
                    )
                return

            assert start is not None, "http.response.body sent before http.response.start"
            head, start = start, None
            body = message.get("body", b"")
            more = message.get("more_body", False)
            if not more:
                passthrough = True
                if len(body) < minimum:
                    await send(head)
                elif codec is None:
                    await send(_rewrite(head, None, None))
                else:
                    body = await self._run(codec.compress, body)
                    length = None if head.get("trailers", False) else len(body)
                    await send(_rewrite(head, codec.token, length))
                    message = {"type": kind, "body": body, "more_body": False}
                await send(message)
                return

            declared = _content_length(head)
            if declared is not None and declared < minimum:
                passthrough = True
                await send(head)
                await send(message)
            elif codec is None:
                passthrough = True
                await send(_rewrite(head, None, None))
                await send(message)
            else:
                stream = codec.stream()
                await send(_rewrite(head, codec.token, None))
                body = await self._run(stream.chunk, body)
                await send({"type": kind, "body": body, "more_body": True})

        await self.app(scope, receive, send_compressed)
        if start is not None:
            # The app sent headers but no body; let the server see what it sent.
            await send(start)

    async def _run(self, compress: Callable[[bytes], bytes], body: bytes) -> bytes:
        if len(body) >= self.thread_minimum_size:
            return await run_in_threadpool(compress, body)
        return compress(body)

    def _codec_for(self, accept: bytes) -> Codec | None:
        try:
            return self._negotiated[accept]
        except KeyError:
            pass
        name = negotiate(accept, self._offered)
        codec = self.codecs[name] if name is not None else None
        if len(self._negotiated) >= _CACHE_LIMIT:
            self._negotiated.clear()
        self._negotiated[accept] = codec
        return codec

    def _eligible(self, message: Message) -> bool:
        status = message["status"]
        if status < 200 or status in (204, 206, 304):
            return False
        content_type = b""
        for key, value in message.get("headers", ()):
            if key == b"content-type":
                content_type = value
            elif key == b"content-encoding" or (
                key == b"cache-control" and b"no-transform" in value.lower()
            ):
                return False
        try:
            return self._compressible[content_type]
        except KeyError:
            pass
        result = self._type_allowed(content_type)
        if len(self._compressible) >= _CACHE_LIMIT:
            self._compressible.clear()
        self._compressible[content_type] = result
        return result

    def _type_allowed(self, content_type: bytes) -> bool:
        media = content_type.split(b";", 1)[0].strip().lower().decode("latin-1")
        if not media or media == "text/event-stream":
            return False
        excluded = self._excluded
        if excluded and (media in excluded or media.split("/", 1)[0] + "/*" in excluded):
            return False
        return (
            self._all_types
            or media in self._types
            or media.startswith(self._type_prefixes)
            or media.endswith(self._suffixes)
        )


class GZipMiddleware(CompressionMiddleware):
    """gzip-only compression, with the argument names of Starlette's `GZipMiddleware`.

    Args:
        app: The ASGI app to wrap.
        minimum_size: Bodies smaller than this many bytes are sent as they are.
        compresslevel: zlib level, 1 (fast) to 9 (small).
        thread_minimum_size: Bodies of at least this many bytes are compressed in a
            worker thread.
        content_types: Media types to compress.
        exclude_content_types: Media types never compressed (Starlette's deny list).
    """

    def __init__(
        self,
        app: ASGIApp,
        minimum_size: int = 500,
        compresslevel: int = 6,
        thread_minimum_size: int = 128 * 1024,
        content_types: Collection[str] = DEFAULT_CONTENT_TYPES,
        *,
        exclude_content_types: Collection[str] = (),
    ) -> None:
        super().__init__(
            app,
            minimum_size=minimum_size,
            encodings=("gzip",),
            content_types=content_types,
            gzip_level=compresslevel,
            thread_minimum_size=thread_minimum_size,
            exclude_content_types=exclude_content_types,
        )


def _content_length(message: Message) -> int | None:
    for key, value in message.get("headers", ()):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _rewrite(message: Message, encoding: bytes | None, length: int | None) -> Message:
    """A copy of a start message for the compressed (or negotiable) body.

    Adds `Vary: Accept-Encoding`; when compressing, sets Content-Encoding, replaces
    or drops Content-Length, and weakens a strong ETag (the bytes changed).
    """
    headers: list[tuple[bytes, bytes]] = []
    for key, value in message.get("headers", ()):
        if encoding is not None:
            if key == b"content-length":
                continue
            if key == b"etag" and not value.startswith(b"W/"):
                value = b"W/" + value
        headers.append((key, value))
    if encoding is not None:
        headers.append((b"content-encoding", encoding))
        if length is not None:
            headers.append((b"content-length", str(length).encode()))
    headers.append(_VARY)
    new = dict(message)
    new["headers"] = headers
    return new
