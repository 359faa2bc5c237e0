"""Finding the file on disk for validated path segments, and refusing what leads outside."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

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
