"""Media types: one table, so a file gets the same `Content-Type` on every Python version.

Python's `mimetypes` changes its answers between versions (`.rtf` is `application/rtf` up to
3.12 and `text/rtf` in 3.13; `.js`, `.bmp`, `.webp`, `.avif` moved too) and reads the host's
`/etc/mime.types`. The types a site serves are pinned here, to the IANA-registered name where
there is one; Python's built-in table (never the host's files) answers only for the rest.
"""

from __future__ import annotations

import mimetypes

_WORD = "application/vnd.openxmlformats-officedocument"
_OPEN = "application/vnd.oasis.opendocument"

TYPES: dict[str, str] = {
    # The web
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".cjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".jsonld": "application/ld+json",
    ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm",
    ".xml": "application/xml",
    ".xsl": "application/xslt+xml",
    ".atom": "application/atom+xml",
    ".rss": "application/rss+xml",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".ics": "text/calendar",
    ".vtt": "text/vtt",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    # Fonts
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".ttc": "font/collection",
    ".eot": "application/vnd.ms-fontobject",
    # Images
    ".png": "image/png",
    ".apng": "image/apng",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
    ".ico": "image/vnd.microsoft.icon",
    ".bmp": "image/bmp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".heic": "image/heic",
    ".heif": "image/heif",
    ".jxl": "image/jxl",
    # Audio and video
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".oga": "audio/ogg",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".wav": "audio/wav",
    ".weba": "audio/webm",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".mov": "video/quicktime",
    ".mpeg": "video/mpeg",
    ".mpg": "video/mpeg",
    # Documents
    ".pdf": "application/pdf",
    ".rtf": "application/rtf",
    ".epub": "application/epub+zip",
    ".doc": "application/msword",
    ".docx": f"{_WORD}.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": f"{_WORD}.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": f"{_WORD}.presentationml.presentation",
    ".odt": f"{_OPEN}.text",
    ".ods": f"{_OPEN}.spreadsheet",
    ".odp": f"{_OPEN}.presentation",
    # Archives, and files asked for by their compressed name ("app.css.gz" is a gzip file)
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".tgz": "application/gzip",
    ".br": "application/x-brotli",
    ".zst": "application/zstd",
    ".tar": "application/x-tar",
}
"""Extension (lower case, with the dot) to media type; the same on every Python."""

_PYTHON = mimetypes.MimeTypes(filenames=())
_ENCODED_TYPES = {"gzip": "application/gzip", "br": "application/x-brotli"}
_CHARSET_TYPES = {
    "application/atom+xml",
    "application/rss+xml",
    "application/xhtml+xml",
    "application/xml",
    "application/xslt+xml",
    "image/svg+xml",
}
# Types worth compressing ahead of time (the others are compressed already).
COMPRESSIBLE = {
    "application/json",
    "application/ld+json",
    "application/manifest+json",
    "application/rtf",
    "application/vnd.ms-fontobject",
    "application/wasm",
    "application/yaml",
    "font/collection",
    "font/otf",
    "font/ttf",
    "image/bmp",
    "image/vnd.microsoft.icon",
    *_CHARSET_TYPES,
}


def media_type(name: str) -> str:
    """The bare media type for a file name, `application/octet-stream` when unknown."""
    dot = name.rfind(".")
    pinned = TYPES.get(name[dot:].lower()) if dot > 0 else None
    if pinned is not None:
        return pinned
    guessed, encoding = _PYTHON.guess_type(name, strict=False)
    if encoding is not None:
        return _ENCODED_TYPES.get(encoding, "application/octet-stream")
    return guessed or "application/octet-stream"


def content_type(name: str) -> str:
    """The `Content-Type` value for a file name, with `charset=utf-8` for text."""
    kind = media_type(name)
    if kind.startswith("text/") or kind in _CHARSET_TYPES:
        return kind + "; charset=utf-8"
    return kind
