"""boca-openapi's docs pages beside boca-middleware's app-wide security headers."""

from __future__ import annotations

from typing import Any

from boca.core import App
from boca.core.testing import TestClient
from boca.middleware import SecurityHeaders
from boca.openapi import OpenAPI


def test_the_pages_keep_their_own_policy_and_get_the_other_headers() -> None:
    app = App()

    @app.get("/items")
    async def items(req: Any, res: Any) -> list[str]:
        return []

    app.use(OpenAPI(title="T", version="1"))
    policy = {"default-src": ["'self'"], "script-src": ["'self'"]}
    app.use(SecurityHeaders(content_security_policy=policy, csp_nonce=True))
    with TestClient(app) as client:
        docs = client.get("/docs")
        assert docs.status_code == 200
        policies = docs.headers.get_list("content-security-policy")
        assert len(policies) == 1
        assert policies[0].startswith("default-src 'none'; script-src 'self'; style-src 'self';")
        assert docs.headers["x-frame-options"] == "DENY"
        assert docs.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        # Elsewhere the app-wide policy, with its nonce, applies.
        other = client.get("/items").headers["content-security-policy"]
        assert other.startswith("default-src 'self'")
        assert "'nonce-" in other
        assert (
            client.get("/openapi.json").json()["paths"]["/items"]["get"]["operationId"] == "items"
        )
