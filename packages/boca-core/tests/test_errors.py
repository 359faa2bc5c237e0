from __future__ import annotations

import logging
from typing import Any

import pytest
from starlette.exceptions import HTTPException as StarletteHTTPException

from boca.core import App, HTTPError, Redirect
from boca.core.testing import TestClient


class AppError(Exception):
    pass


class NotFoundError(AppError):
    pass


class DeeperError(NotFoundError):
    pass


def make_app(debug: bool = False) -> App:
    app = App(debug=debug)

    @app.route("/http/{status:int}")
    async def http(req, res, status: int, detail: str = ""):
        raise HTTPError(status, detail=detail or None, headers={"X-Reason": "because"})

    @app.route("/detail-dict")
    async def detail_dict(req, res):
        raise HTTPError(422, detail={"field": ["required"]})

    @app.route("/starlette/{status:int}")
    async def starlette(req, res, status: int):
        raise StarletteHTTPException(status, detail="from starlette", headers={"X-S": "1"})

    @app.route("/boom")
    async def boom(req, res):
        raise RuntimeError("db password=hunter2")

    @app.route("/app/{kind}")
    async def app_error(req, res, kind: str):
        raise {"app": AppError, "notfound": NotFoundError, "deeper": DeeperError}[kind](kind)

    @app.route("/xss")
    async def xss(req, res):
        raise ValueError("<script>alert(1)</script>")

    return app


def test_http_error_json_shape() -> None:
    client = TestClient(make_app())
    response = client.get("/http/404")
    assert response.status_code == 404
    assert response.json() == {"error": "404 Not Found", "status": 404}
    assert response.headers["x-reason"] == "because"
    assert response.headers["content-type"] == "application/json"
    with_detail = client.get("/http/409?detail=taken")
    assert with_detail.json() == {"error": "409 Conflict", "status": 409, "detail": "taken"}
    assert client.get("/detail-dict").json()["detail"] == {"field": ["required"]}
    assert client.get("/http/599").json() == {"error": "599", "status": 599}


def test_http_error_head_has_no_body() -> None:
    response = TestClient(make_app()).head("/http/404")
    assert response.status_code == 404
    assert response.content == b""


def test_http_error_values() -> None:
    error = HTTPError(404, detail="x")
    assert str(error) == "404 Not Found: x"
    assert repr(error) == "HTTPError(404, detail='x')"
    assert str(HTTPError(500)) == "500 Internal Server Error"
    with pytest.raises(ValueError, match="200 to 599"):
        HTTPError(101)
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        HTTPError(400, headers={"X-A": "a\r\nSet-Cookie: b=1"})


def test_starlette_http_exception_is_answered() -> None:
    client = TestClient(make_app())
    response = client.get("/starlette/418")
    assert response.status_code == 418
    assert response.json() == {
        "error": "418 I'm a Teapot",
        "status": 418,
        "detail": "from starlette",
    }
    assert response.headers["x-s"] == "1"
    not_modified = client.get("/starlette/304")
    assert (not_modified.status_code, not_modified.content) == (304, b"")


def test_error_handler_exact_class_then_hierarchy() -> None:
    app = make_app()
    calls: list[str] = []

    @app.error_handler(AppError)
    async def on_app(req, res, exc):
        calls.append("app")
        res.status_code = 400
        res.json = {"handler": "app", "message": str(exc)}

    @app.error_handler(NotFoundError)
    async def on_not_found(req, res, exc):
        calls.append("notfound")
        res.status_code = 404
        res.text = f"not found: {exc}"

    client = TestClient(app)
    assert client.get("/app/app").json() == {"handler": "app", "message": "app"}
    assert client.get("/app/notfound").text == "not found: notfound"
    assert client.get("/app/deeper").text == "not found: deeper"
    assert calls == ["app", "notfound", "notfound"]


def test_error_handler_for_http_error_and_404() -> None:
    app = make_app()

    @app.error_handler(HTTPError)
    async def html_errors(req, res, exc):
        res.status_code = exc.status_code
        res.html = f"<h1>{exc.title}</h1>"

    client = TestClient(app)
    assert client.get("/nowhere").text == "<h1>404 Not Found</h1>"
    assert client.get("/http/403").text == "<h1>403 Forbidden</h1>"


def test_handler_reraise(caplog: pytest.LogCaptureFixture) -> None:
    app = make_app()

    @app.error_handler(AppError)
    async def reraise(req, res, exc):
        raise exc

    @app.error_handler(NotFoundError)
    async def to_http(req, res, exc):
        raise HTTPError(404, detail="converted")

    @app.error_handler(DeeperError)
    async def to_redirect(req, res, exc):
        raise Redirect("/elsewhere")

    client = TestClient(app, follow_redirects=False)
    response = client.get("/app/app")
    assert response.status_code == 500
    assert "hunter2" not in response.text
    assert client.get("/app/notfound").json() == {
        "error": "404 Not Found",
        "status": 404,
        "detail": "converted",
    }
    assert client.get("/app/deeper").headers["location"] == "/elsewhere"


def test_handler_raising_other_error_is_500() -> None:
    app = make_app()

    @app.error_handler(AppError)
    async def broken(req, res, exc):
        raise KeyError("oops")

    assert TestClient(app).get("/app/app").status_code == 500


def test_handler_raising_handled_http_error_gets_default_answer() -> None:
    app = make_app()

    @app.error_handler(AppError)
    async def to_http(req, res, exc):
        raise HTTPError(409)

    @app.error_handler(HTTPError)
    async def http(req, res, exc):
        res.text = "handled"

    assert TestClient(app).get("/app/app").json() == {"error": "409 Conflict", "status": 409}


def test_error_handler_declaration_errors() -> None:
    app = App()
    with pytest.raises(TypeError, match="Exception subclasses"):
        app.add_error_handler(BaseException, _handler)
    with pytest.raises(TypeError, match="Exception subclasses"):
        app.add_error_handler("x", _handler)  # type: ignore[arg-type]

    def sync(req, res, exc):  # type: ignore[no-untyped-def]
        pass

    with pytest.raises(TypeError, match="must be an async function"):
        app.add_error_handler(ValueError, sync)  # type: ignore[arg-type]


async def _handler(req, res, exc):  # type: ignore[no-untyped-def]
    pass


def test_unhandled_is_generic_500_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    response = TestClient(make_app()).get("/boom")
    assert response.status_code == 500
    body = response.json()
    assert set(body) == {"error", "status", "request_id"}
    assert body["error"] == "500 Internal Server Error"
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    records = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(records) == 1
    record = records[0]
    assert record.name == "boca.core"
    assert body["request_id"] in record.getMessage()
    assert record.exc_info is not None
    assert "hunter2" in caplog.text
    assert "Traceback (most recent call last)" in caplog.text


def test_request_id_from_scope_is_used() -> None:
    app = make_app()

    async def with_id(scope, receive, send):  # type: ignore[no-untyped-def]
        scope["request_id"] = "rid-123"
        await app(scope, receive, send)

    assert TestClient(with_id).get("/boom").json()["request_id"] == "rid-123"


def test_debug_html_for_browsers_escaped() -> None:
    client = TestClient(make_app(debug=True))
    response = client.get("/xss", headers={"accept": "text/html,application/xhtml+xml"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "Traceback" in response.text


def test_debug_json_for_api_clients() -> None:
    response = TestClient(make_app(debug=True)).get("/boom")
    body = response.json()
    assert body["exception"] == "RuntimeError: db password=hunter2"
    assert body["traceback"][0] == "Traceback (most recent call last):"
    assert body["status"] == 500


def test_debug_startup_warning(caplog: pytest.LogCaptureFixture) -> None:
    with TestClient(make_app(debug=True)):
        pass
    assert "debug mode is on" in caplog.text
    caplog.clear()
    with TestClient(make_app(debug=False)):
        pass
    assert "debug mode" not in caplog.text


def test_error_handler_response_failing_after_start_reaches_the_server() -> None:
    class Failing:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            async def wrapped(message: Any) -> None:
                await send(message)
                if message["type"] == "http.response.start":
                    raise RuntimeError("after start")

            await self.app(scope, receive, wrapped)

    app = make_app()

    @app.error_handler(AppError)
    async def handled(req, res, exc):
        res.text = "handled"

    app.add_middleware(Failing)
    with pytest.raises(RuntimeError, match="after start"):
        TestClient(app, raise_server_exceptions=True).get("/app/app")
