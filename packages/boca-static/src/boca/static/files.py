"""`StaticFiles`: an ASGI app that serves files from one or more directories."""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import anyio.to_thread

from boca.static._cache import ENTRY_OVERHEAD, Cache, Entry, Headers, make_representation
from boca.static._directories import check_directories, package_directory
from boca.static._finder import Finder, Found, Redirect, read_file, unchanged
from boca.static._paths import route_path, split_route
from boca.static._responder import Responder
from boca.static.manifest import MANIFEST_NAME, load_manifest

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
PathLike = str | os.PathLike[str]

IMMUTABLE = b"public, max-age=31536000, immutable"
_FALLBACK_KEY = "\x00fallback"
_NOT_FOUND_KEY = "\x00404"


class AppLike(Protocol):
    """The part of a Boca app that `StaticFiles.install` uses."""

    extensions: dict[str, Any]
    debug: bool

    def mount(self, path: str, app: Any, name: str | None = None) -> None: ...


class StaticFiles(Responder):
    """Serve the files under one or more directories, as a plain ASGI app.

    Args:
        directory: A directory, or a list of directories searched in order.
        packages: Packages whose `statics` directory is served after `directory`, as in
            Starlette: a package name, or a `(package, directory)` pair.
        html: Serve `index` for directory paths and `404.html` (when present) for misses.
        index: The file served for a directory in html mode.
        fallback: A file (relative to the directories) served with 200 for any missing path,
            for single-page apps (`fallback="index.html"`).
        max_age: `Cache-Control: public, max-age=N` for ordinary files; None sends none.
            Fingerprinted names from the manifest are always `immutable` for a year.
        precompressed: Serve `.br` / `.gz` siblings to clients that accept them.
        follow_symlinks: Serve symlinks that lead outside the directory. Off by default:
            such links answer 404. `follow_symlink` (Starlette's name) is an alias.
        check_dir: Check at construction that every directory exists and can be read
            (default). False defers to request time: paths under a missing directory
            answer 404.
        allow_dotfiles: Serve names starting with a dot. Off by default: they answer 404.
        cache_max_file_size: Files up to this many bytes are kept in memory.
        cache_budget: Total bytes the in-memory cache may hold (least recently used first out).
        check_interval: Seconds between checks that a cached file is unchanged (its mtime,
            size and inode). None means 1 second, or every request when installed into an
            app in debug mode; 0 checks on every request.
        path: Where `install()` mounts the app, and the prefix `url()` builds on.
        manifest: The manifest's file name in each directory, or None to ignore manifests.
        max_ranges: Range requests with more ranges than this get the whole file.

    Inside a Starlette or FastAPI app (one whose scope carries
    `starlette.exception_handlers`), a 404 or 405 is raised as Starlette's `HTTPException`, so
    the host's exception handlers answer it; standalone it is answered in Boca's JSON format.

    Raises:
        StaticDirectoryError: A directory does not exist, is not a directory or cannot be
            read (a `ValueError` and a `RuntimeError`, as Starlette raises).
        ValueError: The manifest is not valid, or an option is out of range.
    """

    def __init__(
        self,
        directory: PathLike | Sequence[PathLike] | None = None,
        *,
        packages: Sequence[str | tuple[str, str]] | None = None,
        html: bool = False,
        index: str = "index.html",
        fallback: str | None = None,
        max_age: int | None = 3600,
        precompressed: bool = True,
        follow_symlinks: bool = False,
        allow_dotfiles: bool = False,
        cache_max_file_size: int = 512 * 1024,
        cache_budget: int = 32 * 1024 * 1024,
        check_interval: float | None = None,
        path: str = "/static",
        manifest: str | None = MANIFEST_NAME,
        max_ranges: int = 16,
        check_dir: bool = True,
        follow_symlink: bool | None = None,
    ) -> None:
        if directory is None:
            dirs: list[PathLike] = []
        elif isinstance(directory, (str, os.PathLike)):
            dirs = [directory]
        else:
            dirs = list(directory)
        dirs.extend(package_directory(p) for p in packages or ())
        if not dirs:
            raise ValueError("StaticFiles needs at least one directory (or package).")
        if follow_symlink is not None:
            follow_symlinks = follow_symlinks or follow_symlink
        self.directories = [Path(d) for d in dirs]
        if check_dir:
            check_directories(self.directories, manifest)
        self._roots: list[str] = [os.path.realpath(d) for d in self.directories]
        if index and split_route("/" + index, allow_dotfiles=True) != ((index,), False):
            raise ValueError(f"StaticFiles index {index!r} must be a plain file name.")
        if not path.startswith("/"):
            raise ValueError(f"StaticFiles path {path!r} must start with '/', e.g. '/static'.")
        if max_ranges < 1 or cache_budget < 0 or cache_max_file_size < 0:
            raise ValueError("max_ranges must be >= 1, cache sizes >= 0.")
        self.html = html
        self.index = index
        self.max_age = max_age
        self.precompressed = precompressed
        self.follow_symlinks = follow_symlinks
        self.allow_dotfiles = allow_dotfiles
        self.cache_max_file_size = cache_max_file_size
        self.max_ranges = max_ranges
        self.path = path.rstrip("/")
        self._auto_interval = check_interval is None
        self.check_interval = 1.0 if check_interval is None else float(check_interval)
        self._cache_control = None if max_age is None else f"public, max-age={max_age}".encode()
        self._cache = Cache(cache_budget)
        self._manifest: dict[str, str] = {}
        if manifest is not None:
            for d in reversed(self.directories):
                try:
                    present = (d / manifest).is_file()
                except OSError:  # an unreadable directory, allowed by check_dir=False
                    present = False
                if present:
                    self._manifest.update(load_manifest(d / manifest))
        self._hashed = frozenset(self._manifest.values())
        self._finder = Finder(
            roots=self._roots,
            html=html,
            index=index,
            precompressed=precompressed,
            follow_symlinks=follow_symlinks,
            allow_dotfiles=allow_dotfiles,
        )
        self.fallback = fallback
        self._fallback_parts: tuple[str, ...] = ()
        if fallback is not None:
            split = split_route("/" + fallback.lstrip("/"), allow_dotfiles=allow_dotfiles)
            if (
                split is None
                or split[1]
                or (check_dir and self._finder.find(split[0], False) is None)
            ):
                raise ValueError(
                    f"StaticFiles fallback {fallback!r} is not a file in {self._roots!r}."
                )
            self._fallback_parts = split[0]

    # -- the plugin protocol and URLs --------------------------------------------------------

    def install(self, app: AppLike) -> None:
        """Mount at `path` as "static" and register in `app.extensions["static"]`.

        In a debug app (and unless `check_interval` was given) files are re-checked on every
        request, so edits show up at once.
        """
        if self._auto_interval and getattr(app, "debug", False):
            self.check_interval = 0.0
        app.mount(self.path, self, name="static")
        app.extensions["static"] = self

    def url(self, path: str, *, root_path: str = "") -> str:
        """The URL of a static file: fingerprinted when the manifest names it.

        Args:
            path: The file's path relative to the directory, e.g. `"css/app.css"`.
            root_path: The ASGI `root_path` the app is served under (behind a proxy, or when
                the app is itself mounted), e.g. `request.scope["root_path"]`.
        """
        name = path.lstrip("/")
        name = self._manifest.get(name, name)
        return f"{root_path.rstrip('/')}{self.path}/{quote(name)}"

    static_url = url

    def clear_cache(self) -> None:
        """Forget every cached file (they are re-read on their next request)."""
        self._cache.clear()

    # -- ASGI --------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._not_http(scope, receive, send)
            return
        method = scope["method"]
        if method != "GET" and method != "HEAD":
            await self._fail(scope, send, 405, method)
            return
        key = route_path(scope)
        entry = self._cache.get(key)
        if entry is not None and (
            entry.streamed or time.monotonic() - entry.checked >= self.check_interval
        ):
            entry = await self._revalidate(entry)
        if entry is None:
            entry = await self._load(key, scope, receive, send, method)
            if entry is None:
                return
        wanted: dict[bytes, bytes] | None = None
        for name, value in scope["headers"]:
            if name in _WANTED:
                if wanted is None:
                    wanted = {name: value}
                elif name in wanted:
                    wanted[name] += b", " + value
                else:
                    wanted[name] = value
        rep = entry.identity
        if wanted is None and rep.body is not None:
            # The hot path: a cached file, no negotiation, no preconditions, no range.
            await send(
                {"type": "http.response.start", "status": entry.status, "headers": rep.headers[:]}
            )
            await send({"type": "http.response.body", "body": rep.body if method == "GET" else b""})
            return
        if not await self._respond(entry, method, wanted or {}, scope, receive, send):
            self._cache.discard(entry.key)
            entry = await self._load(key, scope, receive, send, method)
            if entry is not None and not await self._respond(
                entry, method, wanted or {}, scope, receive, send
            ):
                await self._fail(scope, send, 404, method)

    async def _not_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1000})

    # -- finding files -----------------------------------------------------------------------

    async def _revalidate(self, entry: Entry) -> Entry | None:
        """The entry if its files are unchanged on disk, checked in a worker thread."""
        if await anyio.to_thread.run_sync(unchanged, entry):
            entry.checked = time.monotonic()
            return entry
        self._cache.discard(entry.key)
        return None

    async def _load(
        self, key: str, scope: Scope, receive: Receive, send: Send, method: str
    ) -> Entry | None:
        """Resolve a path that is not cached; answer the request itself when nothing matches."""
        split = split_route(key, allow_dotfiles=self.allow_dotfiles)
        if split is None:
            await self._not_found(scope, receive, send, method)
            return None
        parts, trailing = split
        found = await anyio.to_thread.run_sync(self._finder.find, parts, trailing)
        if isinstance(found, Redirect):
            location = quote(scope.get("root_path", "") + key + "/", safe="/!$&'()*+,;=@")
            await self._redirect(send, location, method)
            return None
        if found is not None:
            immutable = "/".join(parts) in self._hashed
            entry = await self._entry(key, found, 200, immutable=immutable)
            if entry is not None:
                return entry
        if self.fallback is not None:
            entry = await self._special(_FALLBACK_KEY, self._fallback_parts, 200)
            if entry is not None:
                return entry
        await self._not_found(scope, receive, send, method)
        return None

    async def _special(self, key: str, parts: tuple[str, ...], status: int) -> Entry | None:
        entry = self._cache.get(key)
        if entry is not None:
            entry = await self._revalidate(entry)
            if entry is not None:
                return entry
        found = await anyio.to_thread.run_sync(self._finder.find, parts, False, status == 200)
        if not isinstance(found, Found):
            return None
        return await self._entry(key, found, status, immutable=False)

    async def _not_found(self, scope: Scope, receive: Receive, send: Send, method: str) -> None:
        if self.html:
            page = await self._special(_NOT_FOUND_KEY, ("404.html",), 404)
            if page is not None:
                await self._send_full(page.identity, 404, method, scope, receive, send)
                return
        await self._fail(scope, send, 404, method)

    async def _fail(self, scope: Scope, send: Send, status: int, method: str) -> None:
        """A 404 or 405: the host app's exception handlers answer it when there are any."""
        if "starlette.exception_handlers" in scope:
            from starlette.exceptions import HTTPException

            raise HTTPException(status, headers=_ALLOW if status == 405 else None)
        await self._error(send, status, method, _ALLOW_RAW if status == 405 else None)

    async def _read(self, path: str) -> tuple[os.stat_result, bytes | None] | None:
        """Open a file: its stat and, when small enough to cache, its bytes."""
        return await anyio.to_thread.run_sync(read_file, path, self.cache_max_file_size)

    async def _entry(self, key: str, found: Found, status: int, *, immutable: bool) -> Entry | None:
        error_page = status != 200
        cache_control = IMMUTABLE if immutable else self._cache_control
        read = await self._read(found.path)
        if read is None:
            return None
        st, body = read
        vary = bool(found.variants) and not error_page
        identity = make_representation(
            found.path,
            st,
            body,
            name=found.name,
            encoding=None,
            cache_control=cache_control,
            vary=vary,
            error_page=error_page,
        )
        variants = []
        codings = []
        if not error_page:
            for coding, path in found.variants:
                vread = await self._read(path)
                if vread is None:
                    continue
                vst, vbody = vread
                variants.append(
                    make_representation(
                        path,
                        vst,
                        vbody,
                        name=found.name,
                        encoding=coding,
                        cache_control=cache_control,
                        vary=True,
                    )
                )
                codings.append(coding)
        cost = ENTRY_OVERHEAD + sum(len(r.body or b"") for r in (identity, *variants))
        entry = Entry(
            key=key,
            identity=identity,
            variants=tuple(variants),
            codings=tuple(codings),
            absent=tuple(found.absent),
            status=status,
            checked=time.monotonic(),
            cost=cost,
            streamed=any(r.body is None for r in (identity, *variants)),
        )
        self._cache.put(key, entry)
        return entry


_ALLOW = {"Allow": "GET, HEAD"}
_ALLOW_RAW = [(b"allow", b"GET, HEAD")]
_WANTED = frozenset(
    (
        b"accept-encoding",
        b"range",
        b"if-range",
        b"if-match",
        b"if-none-match",
        b"if-modified-since",
        b"if-unmodified-since",
    )
)

__all__ = ["IMMUTABLE", "AppLike", "Headers", "StaticFiles"]
