"""schemathesis against typed apps, through `boca.openapi.testing.check_api`."""

from __future__ import annotations

from typing import Any

import pytest

from boca.core import App
from boca.openapi import OpenAPI
from boca.openapi.testing import check_api

from ._app import create_app


def test_the_notes_app_conforms_to_its_document() -> None:
    sent = check_api(create_app(), max_examples=10)
    assert sent >= 5 * 10  # five operations, valid then invalid requests


def test_check_api_reports_every_broken_operation() -> None:
    app = App()

    @app.get("/boom")
    async def boom(req: Any, res: Any, n: int = 1) -> int:
        raise RuntimeError("bug")

    @app.get("/teapot")
    async def teapot(req: Any, res: Any) -> None:
        res.status_code = 418

    @app.get("/fine")
    async def fine(req: Any, res: Any) -> int:
        return 1

    app.use(OpenAPI(title="T", version="1"))
    with pytest.raises(AssertionError) as caught:
        check_api(app, max_examples=3, negative=False)
    message = str(caught.value)
    assert message.startswith("schemathesis found problems:\nGET /boom (positive): ")
    assert "Server error" in message
    assert "GET /teapot (positive): " in message
    assert "418" in message
    assert "/fine" not in message
    assert check_api(app, max_examples=3, exclude=lambda method, path: path != "/fine") >= 1
