"""Finding the file on disk for validated path segments, and refusing what leads outside.

Everything here makes blocking calls: it runs in worker threads.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from boca.static._cache import Entry
from boca.static._paths import contained, has_hidden_part

_ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


@dataclass
class Found:
    """A regular file that answers a path, with its usable precompressed siblings."""

    path: str
    stat: os.stat_result
    name: str
    variants: list[tuple[str, str]]
    absent: list[str]


class Redirect:
    """A directory asked for without its trailing slash (html mode)."""


REDIRECT = Redirect()


@dataclass
class Finder:
    """Resolves paths under the roots; runs in a worker thread (it makes blocking calls)."""

    roots: list[str]
    html: bool
    index: str
    precompressed: bool
    follow_symlinks: bool
    allow_dotfiles: bool

    def contain(self, root: str, candidate: str) -> str | None:
        """The path to open for a candidate, or None when it leads somewhere not served."""
        if self.follow_symlinks:
            return candidate
        real = os.path.realpath(candidate)
        if not contained(root, real):
            return None
        if not self.allow_dotfiles and has_hidden_part(root, real):
            return None
        return real

    def find(
        self, parts: tuple[str, ...], trailing: bool, siblings: bool = True
    ) -> Found | Redirect | None:
        """Find the file for validated path segments (runs in a worker thread)."""
        for root in self.roots:
            candidate = self.contain(root, os.path.join(root, *parts))
            if candidate is None:
                continue
            try:
                st = os.stat(candidate)
            except OSError:
                continue
            name = parts[-1] if parts else ""
            if stat.S_ISDIR(st.st_mode):
                if not self.html or not self.index:
                    continue
                candidate = self.contain(root, os.path.join(candidate, self.index))
                if candidate is None:
                    continue
                try:
                    st = os.stat(candidate)
                except OSError:
                    continue
                if not trailing:
                    return REDIRECT
                name = self.index
            elif trailing:
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            variants: list[tuple[str, str]] = []
            absent: list[str] = []
            if self.precompressed and siblings:
                for coding, suffix in _ENCODINGS:
                    sibling = self.contain(root, candidate + suffix)
                    try:
                        if sibling is not None:
                            vst = os.stat(sibling)
                            if stat.S_ISREG(vst.st_mode) and vst.st_mtime_ns >= st.st_mtime_ns:
                                variants.append((coding, sibling))
                                continue
                    except OSError:
                        pass
                    absent.append(candidate + suffix)
            return Found(candidate, st, name, variants, absent)
        return None


def read_file(path: str, limit: int) -> tuple[os.stat_result, bytes | None] | None:
    """One thread hop for open, stat and read; the bytes only for files up to `limit`."""
    try:
        with open(path, "rb") as file:
            st = os.fstat(file.fileno())
            if st.st_size > limit:
                return st, None
            data = file.read(st.st_size + 1)
    except OSError:
        return None
    return st, (data if len(data) == st.st_size else None)


def unchanged(entry: Entry) -> bool:
    """Whether every file of an entry is as cached and no missing sibling has appeared."""
    try:
        for rep in (entry.identity, *entry.variants):
            if not rep.same_file(os.stat(rep.path)):
                return False
        return not any(os.path.exists(p) for p in entry.absent)
    except OSError:
        return False
