"""Security schemes: a bearer token for the whole API, an API key for one route, one open route."""

from __future__ import annotations

from typing import Any

from boca.core import App
from boca.openapi import APIKey, HTTPBearer, OAuth2, OAuth2Flow, OpenAPI

app = App()


@app.get("/me")
async def me(req: Any, res: Any) -> dict[str, str]:
    return {"name": "Ada"}


@app.get("/reports", name="reports")
async def reports(req: Any, res: Any) -> list[str]:
    return []


@app.get("/health")
async def health(req: Any, res: Any) -> dict[str, str]:
    return {"status": "ok"}


app.use(
    OpenAPI(
        title="Reports API",
        version="2.0.0",
        security_schemes={
            "bearer": HTTPBearer(bearer_format="JWT"),
            "key": APIKey("X-API-Key"),  # location="cookie" or "query" too
            "oauth": OAuth2(
                password=OAuth2Flow(token_url="/token", scopes={"reports:read": "Read reports"})
            ),
        },
        security=["bearer"],  # every operation, unless route_security says otherwise
        route_security={
            "reports": ["key", {"oauth": ["reports:read"]}],  # an API key, or OAuth2 with a scope
            "health": [],  # open
        },
    )
)
