"""The showcase's API against its own OpenAPI document: the validator, then schemathesis."""

from __future__ import annotations

from pathlib import Path

from openapi_spec_validator import validate

from boca.core.testing import TestClient
from boca.openapi.testing import check_api
from showcase.app import create_app
from showcase.config import Config
from showcase.db import migrate


def showcase(tmp_path: Path, **settings: object) -> object:
    url = f"sqlite+aiosqlite:///{tmp_path / 'items.sqlite3'}"
    migrate(url)
    config = Config(
        environ={},
        env_file=tmp_path / "missing.env",
        DATABASE_URL=url,
        STATIC_BUILD_DIR=str(tmp_path / "static"),
        **settings,
    )
    return create_app(config)


def test_the_document_is_valid_openapi_31(tmp_path: Path) -> None:
    with TestClient(showcase(tmp_path), base_url="http://127.0.0.1") as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["openapi"].startswith("3.1.")
    assert sorted(document["paths"]) == ["/api/items", "/api/items/{item_id}"]
    operations = {
        (path, method): sorted(operation["responses"])
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }
    assert operations == {
        ("/api/items", "get"): ["200"],
        ("/api/items", "post"): ["201", "400", "403", "415", "422", "429"],
        ("/api/items/{item_id}", "get"): ["200", "400", "404"],
        ("/api/items/{item_id}", "patch"): ["200", "400", "403", "404", "415", "422", "429"],
        ("/api/items/{item_id}", "delete"): ["204", "400", "403", "404", "429"],
    }
    # The middleware's refusals of writes are documented with Boca's error body.
    for method in ("patch", "delete"):
        refusals = document["paths"]["/api/items/{item_id}"][method]["responses"]
        assert refusals["403"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorModel"
        }
        assert refusals["429"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorModel"
        }
    read = document["paths"]["/api/items/{item_id}"]["get"]
    assert read["parameters"] == [
        {
            "name": "item_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
        }
    ]
    create = document["paths"]["/api/items"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ItemIn"
    }
    assert document["components"]["schemas"]["ItemIn"]["properties"]["name"] == {
        "description": "What to do.",
        "type": "string",
        "maxLength": 200,
        "minLength": 1,
    }
    assert document["components"]["schemas"]["ItemIn"]["additionalProperties"] is False


def test_schemathesis_finds_no_server_error_and_nothing_outside_the_schema(
    tmp_path: Path,
) -> None:
    # schemathesis calls the app as "localhost" with its own test client. It is a program,
    # not a browser (no cookies, no Origin), so its writes need no CSRF token; it sends
    # hundreds of them at once, so the write limit (tested on its own) is set out of reach.
    app = showcase(
        tmp_path,
        ALLOWED_HOSTS=["localhost", "127.0.0.1", "testserver"],
        WRITE_RATE_LIMIT="1000000/second",
    )
    with TestClient(app, base_url="http://127.0.0.1"):  # startup: the store is open
        sent = check_api(app, max_examples=15)
    assert sent > 60
