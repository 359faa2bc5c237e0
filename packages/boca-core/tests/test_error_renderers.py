"""The HTML, text and JSON renderers of HTTPError, per app and per handler; any final status."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from boca.core import (
    App,
    HTTPError,
    Request,
    Response,
    error_to_html,
    error_to_json,
    error_to_text,
)
from boca.core.testing import TestClient


def make_app() -> App:
    app = App()

    @app.route("/forbidden")
    async def forbidden(req: Request, res: Response) -> None:
        raise HTTPError(403, detail="<script>alert(1)</script> & more")

    @app.route("/plain")
    async def plain(req: Request, res: Response) -> None:
        raise HTTPError(HTTPStatus.NOT_FOUND)

    @app.route("/auth")
    async def auth(req: Request, res: Response) -> None:
        raise HTTPError(401, detail="log in", headers={"WWW-Authenticate": "Bearer"})

    return app


def test_error_to_html_escapes() -> None:
    app = make_app()
    app.add_error_handler(HTTPError, error_to_html)
    client = TestClient(app)
    response = client.get("/forbidden")
    assert response.status_code == 403
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == (
        "<h1>403 Forbidden</h1>\n<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>"
    )
    response = client.get("/plain")
    assert (response.status_code, response.text) == (404, "<h1>404 Not Found</h1>")


def test_error_to_text() -> None:
    app = make_app()
    app.add_error_handler(HTTPError, error_to_text)
    client = TestClient(app)
    response = client.get("/forbidden")
    assert response.status_code == 403
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "403 Forbidden\n<script>alert(1)</script> & more"
    response = client.get("/auth")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.text == "401 Unauthorized\nlog in"


def test_error_to_json_is_the_default_format() -> None:
    app = make_app()
    app.add_error_handler(HTTPError, error_to_json)
    response = TestClient(app).get("/auth")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"error": "401 Unauthorized", "status": 401, "detail": "log in"}
    assert TestClient(make_app()).get("/auth").json() == response.json()


def test_renderer_chosen_per_request_by_a_handler() -> None:
    app = make_app()

    @app.error_handler(HTTPError)
    async def by_accept(req: Request, res: Response, exc: HTTPError) -> None:
        if "text/html" in req.headers.get("accept", ""):
            await error_to_html(req, res, exc)
        else:
            await error_to_text(req, res, exc)

    client = TestClient(app)
    page = client.get("/plain", headers={"accept": "text/html"})
    assert (page.status_code, page.text) == (404, "<h1>404 Not Found</h1>")
    text = client.get("/plain")
    assert (text.status_code, text.text) == (404, "404 Not Found")
    # The router's own 404 and 405 go through the same handler.
    missing = client.get("/nowhere")
    assert (missing.status_code, missing.text) == (404, "404 Not Found")
    wrong = client.post("/plain")
    assert (wrong.status_code, wrong.text) == (405, "405 Method Not Allowed")
    assert wrong.headers["allow"] == "GET, HEAD, OPTIONS"


def test_any_final_status_may_be_raised() -> None:
    app = App()

    @app.route("/created")
    async def created(req: Request, res: Response) -> None:
        raise HTTPError(HTTPStatus.CREATED, detail="made")

    @app.route("/empty")
    async def empty(req: Request, res: Response) -> None:
        raise HTTPError(204, headers={"X-Why": "nothing"})

    client = TestClient(app)
    response = client.get("/created")
    assert response.status_code == 201
    assert response.json() == {"error": "201 Created", "status": 201, "detail": "made"}
    response = client.get("/empty")
    assert response.status_code == 204
    assert response.content == b""
    assert "content-length" not in response.headers
    assert response.headers["x-why"] == "nothing"
    with pytest.raises(ValueError, match="HTTPError status must be 200 to 599"):
        HTTPError(HTTPStatus.CONTINUE)
    with pytest.raises(ValueError, match="got 600"):
        HTTPError(600)
