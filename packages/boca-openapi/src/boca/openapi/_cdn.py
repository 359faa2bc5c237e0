"""`OpenAPI(cdn=True)`: the docs UIs load their bundles from jsDelivr instead of the app.

The versions are the vendored ones, and each tag carries the file's Subresource Integrity
digest, so the CDN cannot serve anything else.
"""

from __future__ import annotations

from .ui import versions

ORIGIN = "https://cdn.jsdelivr.net"


def cdn_urls() -> dict[str, str]:
    """Asset name -> its URL on the CDN."""
    v = versions()
    swagger = f"{ORIGIN}/npm/swagger-ui-dist@{v['swagger-ui-dist']}"
    return {
        "swagger-ui-bundle.js": f"{swagger}/swagger-ui-bundle.js",
        "swagger-ui.css": f"{swagger}/swagger-ui.css",
        "redoc.standalone.js": f"{ORIGIN}/npm/redoc@{v['redoc']}/bundles/redoc.standalone.js",
        "scalar.standalone.js": (
            f"{ORIGIN}/npm/@scalar/api-reference@{v['@scalar/api-reference']}"
            "/dist/browser/standalone.js"
        ),
    }
