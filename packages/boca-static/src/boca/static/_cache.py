"""The in-memory cache: what is known about each served path, with headers prebuilt."""

from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass, field

from boca.static._http import http_date
from boca.static._media import content_type

Headers = list[tuple[bytes, bytes]]

# What an entry costs besides its bytes, so that a flood of distinct paths is bounded too.
ENTRY_OVERHEAD = 1024


@dataclass(eq=False)
class Representation:
    """One file on disk that answers a path: the file itself or a precompressed sibling."""

    path: str
    size: int
    mtime_ns: int
    ino: int
    media: str
    encoding: str | None
    body: bytes | None
    etag: bytes = b""
    last_modified: bytes = b""
    mtime: int = 0
    headers: Headers = field(default_factory=list)
    """Headers of a full 200 answer (with Content-Length)."""
    partial_headers: Headers = field(default_factory=list)
    """Headers shared by 206 answers (without Content-Length and Content-Type)."""
    not_modified_headers: Headers = field(default_factory=list)

    def same_file(self, st: os.stat_result) -> bool:
        return st.st_mtime_ns == self.mtime_ns and st.st_size == self.size and st.st_ino == self.ino


def make_representation(
    path: str,
    st: os.stat_result,
    body: bytes | None,
    *,
    name: str,
    encoding: str | None,
    cache_control: bytes | None,
    vary: bool,
    error_page: bool = False,
) -> Representation:
    """Build a representation and precompute every header list it will be sent with."""
    media = content_type(name)
    rep = Representation(
        path=path,
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        ino=st.st_ino,
        media=media,
        encoding=encoding,
        body=body,
    )
    common: Headers = [(b"content-type", media.encode("latin-1"))]
    validators: Headers = []
    if not error_page:
        rep.mtime = int(st.st_mtime)
        tag = f'"{st.st_mtime_ns:x}-{st.st_size:x}'
        rep.etag = (tag + (f"-{encoding}" if encoding else "") + '"').encode()
        rep.last_modified = http_date(st.st_mtime).encode()
        validators = [(b"etag", rep.etag), (b"last-modified", rep.last_modified)]
        if cache_control is not None:
            validators.append((b"cache-control", cache_control))
    if vary:
        validators.append((b"vary", b"Accept-Encoding"))
    rest: Headers = [(b"x-content-type-options", b"nosniff")]
    if encoding:
        rest.append((b"content-encoding", encoding.encode()))
    if not error_page:
        rest.append((b"accept-ranges", b"bytes"))
    length = [(b"content-length", str(st.st_size).encode())]
    rep.headers = length + common + validators + rest
    rep.partial_headers = validators + rest
    rep.not_modified_headers = validators
    return rep


@dataclass(eq=False)
class Entry:
    """What answers one request path: the file, its encoded siblings, and when it was checked."""

    key: str
    identity: Representation
    variants: tuple[Representation, ...]
    codings: tuple[str, ...]
    absent: tuple[str, ...]
    """Sibling paths (`.br`, `.gz`) that did not exist: one appearing makes the entry stale."""
    status: int
    checked: float
    cost: int
    streamed: bool = False
    """Some representation is read from disk per request: it is re-checked on every request."""


class Cache:
    """A least-recently-used map of entries bounded by a byte budget."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self.entries: OrderedDict[str, Entry] = OrderedDict()

    def get(self, key: str) -> Entry | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key: str, entry: Entry) -> None:
        self.discard(key)
        if entry.cost > self.budget:
            return
        self.entries[key] = entry
        self.used += entry.cost
        while self.used > self.budget:
            _, old = self.entries.popitem(last=False)
            self.used -= old.cost

    def discard(self, key: str) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.used -= old.cost

    def clear(self) -> None:
        self.entries.clear()
        self.used = 0
