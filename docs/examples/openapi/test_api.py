"""Tests of the notes API: its document is valid, and the app keeps to it (schemathesis)."""

from __future__ import annotations

from notes import app
from openapi_spec_validator import validate

from boca.core.testing import TestClient
from boca.openapi.testing import check_api


def test_the_document_is_valid_openapi() -> None:
    with TestClient(app) as client:
        validate(client.get("/openapi.json").json())


def test_the_app_answers_as_documented() -> None:
    check_api(app, max_examples=10)  # valid requests, then invalid ones; never a 5xx
