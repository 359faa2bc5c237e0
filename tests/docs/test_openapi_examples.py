"""The boca-openapi examples of the documentation, run."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from boca.core.testing import TestClient

from .conftest import EXAMPLES, load_example


def test_notes() -> None:
    app = load_example("openapi/notes.py").app
    with TestClient(app) as client:
        document = client.get("/openapi.json").json()
        validate(document)
        assert list(document["paths"]) == ["/notes", "/notes/{note_id}"]
        create = document["paths"]["/notes"]["post"]
        assert (create["operationId"], create["summary"]) == ("create", "Create a note.")
        assert create["requestBody"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/NoteIn"
        }
        assert sorted(create["responses"]) == ["201", "400", "415", "422"]
        read = document["paths"]["/notes/{note_id}"]["get"]
        assert sorted(read["responses"]) == ["200", "400", "404"]
        assert document["components"]["schemas"]["NoteIn"]["properties"]["title"] == {
            "type": "string",
            "maxLength": 100,
        }
        assert client.get("/docs").status_code == 200
        assert client.get("/redoc").status_code == 200
        created = client.post("/notes", json={"title": "Tea"})
        assert (created.status_code, created.json()) == (201, {"id": 1, "title": "Tea", "tags": []})


def test_security() -> None:
    app = load_example("openapi/security.py").app
    document = app.extensions["openapi"].document(app)
    validate(document)
    assert document["security"] == [{"bearer": []}]
    assert document["components"]["securitySchemes"]["key"] == {
        "type": "apiKey",
        "name": "X-API-Key",
        "in": "header",
    }
    paths = document["paths"]
    assert "security" not in paths["/me"]["get"]
    assert paths["/reports"]["get"]["security"] == [{"key": []}, {"oauth": ["reports:read"]}]
    assert paths["/health"]["get"]["security"] == []


def test_options() -> None:
    app = load_example("openapi/options.py").app
    with TestClient(app) as client:
        document = client.get("/api/openapi.json").json()
        validate(document)
        assert document["info"]["description"] == "The shop's **API**."
        assert document["servers"][0] == {"url": "https://shop.example.com"}
        assert document["tags"] == [{"name": "items", "description": "What the shop sells"}]
        assert client.get("/openapi.json").status_code == 404
        assert client.get("/redoc").status_code == 404
        assert "swagger-ui" in client.get("/api/docs").text
        assert 'data-openapi-url="/api/openapi.json"' in client.get("/api/reference").text


@pytest.fixture
def examples_on_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """docs/examples/openapi importable as top-level modules (`import notes`), then forgotten."""
    monkeypatch.syspath_prepend(str(EXAMPLES / "openapi"))
    yield
    sys.modules.pop("notes", None)


@pytest.mark.usefixtures("examples_on_path")
def test_export(tmp_path: Path) -> None:
    export = load_example("openapi/export.py").export
    export("notes:app", tmp_path / "openapi.json")
    document = json.loads((tmp_path / "openapi.json").read_text())
    validate(document)
    assert document["info"] == {"title": "Notes API", "version": "1.0.0"}


@pytest.mark.usefixtures("examples_on_path")
def test_the_example_tests() -> None:
    tests = load_example("openapi/test_api.py")
    tests.test_the_document_is_valid_openapi()
    tests.test_the_app_answers_as_documented()
