"""Edges: apps without boca-core or pydantic loaded, unhashable types, bounded caches."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import pytest

from boca.core.testing import TestClient
from boca.openapi.testing import check_api

from ._app import create_app
from ._routes import Param, Route, build


def test_without_boca_core_loaded_the_error_models_are_the_batterys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from boca.openapi import _errors

    monkeypatch.delitem(sys.modules, "boca.core")
    assert _errors.error_models() == (_errors.ErrorModel, _errors.ValidationErrorModel)
    doc = build(Route("/x", name="x", params=(Param("q", annotation=int),)))
    schemas = doc["components"]["schemas"]
    assert sorted(schemas) == ["ErrorDetail", "ErrorModel", "ValidationErrorModel"]
    assert schemas["ValidationErrorModel"]["properties"]["detail"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/ErrorDetail"},
    }
    assert schemas["ErrorModel"]["required"] == ["error", "status"]


def test_without_pydantic_loaded_no_model_is_taken_for_pydantic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "pydantic")
    doc = build(Route("/x", name="x", returns=list[int]))
    ok = doc["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok == {"schema": {"type": "array", "items": {"type": "integer"}}}


def test_an_unhashable_annotation_is_documented() -> None:
    unhashable = Annotated[int, ["not", "hashable"]]
    doc = build(Route("/x", name="x", params=(Param("q", annotation=int, schema_type=unhashable),)))
    assert doc["paths"]["/x"]["get"]["parameters"][0]["schema"] == {"type": "integer"}


def test_many_root_paths_keep_a_bounded_cache_and_right_answers() -> None:
    app = create_app(swagger_ui_config={"oauth2RedirectUrl": "https://app.example.com/cb"})
    for n in range(30):
        root = f"/p{n}"
        with TestClient(app, root_path=root) as client:
            assert client.get("/openapi.json").json()["servers"] == [{"url": root}]
            page = client.get("/docs").text
            assert f'data-openapi-url="{root}/openapi.json"' in page
            assert "https://app.example.com/cb" in page  # an absolute URL is kept as it is
    battery = app.extensions["openapi"]
    assert len(battery._payloads) <= 8
    assert len(battery._html) <= 24


def test_check_api_reports_an_operation_schemathesis_cannot_read() -> None:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/x": {
                "get": {
                    "parameters": [{"$ref": "#/components/parameters/missing"}],
                    "responses": {"200": {"description": "OK"}},
                }
            }
        },
    }
    body = json.dumps(document).encode()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    with pytest.raises(AssertionError, match="invalid operation"):
        check_api(app, max_examples=1)
