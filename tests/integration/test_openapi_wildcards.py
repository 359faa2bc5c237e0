"""boca-openapi documents routes with anonymous wildcards as valid OpenAPI 3.1."""

from __future__ import annotations

from openapi_spec_validator import validate

from boca.core import App
from boca.core.testing import TestClient
from boca.openapi import OpenAPI


def test_a_route_with_anonymous_wildcards_is_valid_openapi() -> None:
    app = App()

    @app.get("/files/{}/{name}/{:path}")
    async def show(req, res, name: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
        return {"name": name}

    app.use(OpenAPI(title="Files", version="1"))
    with TestClient(app) as client:
        document = client.get("/openapi.json").json()
        assert client.get("/files/a/b/c/d").json() == {"name": "b"}
    validate(document)
    operation = document["paths"]["/files/{_1}/{name}/{_2}"]["get"]
    assert [(p["name"], p["in"], p["required"]) for p in operation["parameters"]] == [
        ("name", "path", True),
        ("_1", "path", True),
        ("_2", "path", True),
    ]
