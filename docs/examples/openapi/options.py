"""Where the battery serves what: other paths, Scalar on, ReDoc off, a tag list, servers."""

from __future__ import annotations

from typing import Any

from boca.core import App
from boca.openapi import OpenAPI

app = App()


@app.get("/items", tags=["items"])
async def items(req: Any, res: Any) -> list[str]:
    return ["tea"]


app.use(
    OpenAPI(
        title="Shop",
        version="3.1.0",
        description="The shop's **API**.",
        servers=["https://shop.example.com", {"url": "/", "description": "This server"}],
        tags={"items": "What the shop sells"},
        openapi_path="/api/openapi.json",
        docs_path="/api/docs",
        redoc_path=None,  # off
        scalar_path="/api/reference",
        swagger_ui_config={"docExpansion": "none"},
    )
)
