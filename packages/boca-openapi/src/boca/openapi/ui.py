"""The documentation pages (Swagger UI, ReDoc, Scalar) and the files they load.

The vendored bundles live in `assets/` (see `assets/manifest.json` for versions and sha256s),
next to small init scripts that read their settings from the page's data attributes, so a
page has no inline script and runs under a strict Content-Security-Policy.
Asset URLs carry a digest of the file, so they can be cached for a year.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["ASSETS", "UI", "UIS", "Asset", "assets", "csp", "page"]

ASSETS = Path(__file__).parent / "assets"
_MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css"}


@dataclass(frozen=True)
class Asset:
    """One file under `assets/`, served at `<assets_path>/<url_name>`."""

    name: str
    path: Path
    url_name: str
    media_type: str
    sha256: str

    @property
    def integrity(self) -> str:
        """The Subresource Integrity value of the file (used with `cdn=True`)."""
        return "sha256-" + base64.b64encode(bytes.fromhex(self.sha256)).decode()


@lru_cache(maxsize=1)
def assets() -> dict[str, Asset]:
    """Every servable file: the vendored ones (digests from the manifest) and ours."""
    manifest = json.loads((ASSETS / "manifest.json").read_text(encoding="utf-8"))
    digests = {
        name: digest
        for entry in manifest.values()
        for name, digest in entry["files"].items()
        if not name.startswith("licenses/")
    }
    found = {}
    for path in sorted(ASSETS.iterdir()):
        if path.suffix not in _MEDIA_TYPES:
            continue
        digest = digests.get(path.name) or hashlib.sha256(path.read_bytes()).hexdigest()
        stem, suffix = path.name.rsplit(".", 1)
        found[path.name] = Asset(
            path.name, path, f"{stem}.{digest[:12]}.{suffix}", _MEDIA_TYPES[path.suffix], digest
        )
    return found


def versions() -> dict[str, str]:
    """npm package -> the vendored version."""
    manifest = json.loads((ASSETS / "manifest.json").read_text(encoding="utf-8"))
    return {package: entry["version"] for package, entry in manifest.items()}


@dataclass(frozen=True)
class UI:
    """A documentation page: the element it fills, its styles and scripts (in order)."""

    label: str
    element: str
    styles: tuple[str, ...]
    scripts: tuple[str, ...]
    #: The settings the page starts with; the battery's `*_config=` options are merged over them.
    defaults: Mapping[str, Any]
    #: The bundle writes `<style>` elements or `style` attributes as it runs (ReDoc, Scalar).
    inline_styles: bool = True


UIS = {
    "swagger": UI(
        "Swagger UI",
        "swagger-ui",
        ("docs.css", "swagger-ui.css"),
        ("swagger-ui-bundle.js", "swagger-init.js"),
        {"deepLinking": True, "validatorUrl": None},
        inline_styles=False,
    ),
    "redoc": UI("ReDoc", "redoc", ("docs.css",), ("redoc.standalone.js", "redoc-init.js"), {}),
    "scalar": UI(
        "Scalar",
        "scalar",
        ("docs.css",),
        ("scalar.standalone.js", "scalar-init.js"),
        {"withDefaultFonts": False},
    ),
}

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
{styles}
</head>
<body>
<div id="{element}" data-openapi-url="{spec}" data-config="{config}"></div>
{scripts}
</body>
</html>
"""

_REDIRECT_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>OAuth2 redirect</title></head>
<body>
<script src="{script}"></script>
</body>
</html>
"""


def _url(name: str, assets_url: str, cdn: Mapping[str, str] | None) -> tuple[str, str]:
    """(URL, extra attributes) of the asset `name`: served by the app or from the CDN."""
    asset = assets()[name]
    if cdn is not None and name in cdn:
        return cdn[name], f' integrity="{asset.integrity}" crossorigin="anonymous"'
    return f"{assets_url}/{asset.url_name}", ""


def page(
    ui: UI,
    *,
    title: str,
    spec_url: str,
    assets_url: str,
    config: Mapping[str, Any],
    cdn: Mapping[str, str] | None = None,
) -> str:
    """The HTML of a documentation page: no inline script, no inline style."""
    styles = []
    for name in ui.styles:
        url, extra = _url(name, assets_url, cdn)
        styles.append(f'<link rel="stylesheet" href="{html.escape(url)}"{extra}>')
    scripts = []
    for name in ui.scripts:
        url, extra = _url(name, assets_url, cdn)
        scripts.append(f'<script src="{html.escape(url)}"{extra}></script>')
    return _PAGE.format(
        title=html.escape(f"{title} - {ui.label}"),
        styles="\n".join(styles),
        element=ui.element,
        spec=html.escape(spec_url),
        config=html.escape(json.dumps({**ui.defaults, **config}, separators=(",", ":"))),
        scripts="\n".join(scripts),
    )


def redirect_page(assets_url: str) -> str:
    """Swagger UI's OAuth2 redirect page (the target of an authorization-code login)."""
    return _REDIRECT_PAGE.format(script=f"{assets_url}/{assets()['oauth2-redirect.js'].url_name}")


def csp(cdn_origin: str | None = None, *, inline_styles: bool = False) -> str:
    """The Content-Security-Policy of a page: scripts and styles from the app only.

    `inline_styles` adds `style-src 'unsafe-inline'`, for ReDoc and Scalar, which write
    their CSS into the page as they run; no script runs unless it comes from a file.
    """
    extra = f" {cdn_origin}" if cdn_origin else ""
    styles = " 'unsafe-inline'" if inline_styles else ""
    return (
        "default-src 'none'; "
        f"script-src 'self'{extra}; "
        f"style-src 'self'{styles}{extra}; "
        "img-src 'self' data: blob:; "
        "font-src 'self' data:; "
        "connect-src 'self'; "
        "worker-src 'self' blob:; "
        "base-uri 'none'; "
        "form-action 'self'; "
        "frame-ancestors 'self'"
    )
