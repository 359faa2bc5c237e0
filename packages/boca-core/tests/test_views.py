from __future__ import annotations

import pytest
from starlette.responses import PlainTextResponse

from boca.core import App, ViewDeclarationError
from boca.core.testing import TestClient


def make_app() -> App:
    app = App()

    @app.route("/fn")
    async def fn(req, res):
        res.headers["x-view"] = "fn"
        res.text = "hello"

    @app.route("/methods", methods=["get", "Post", "DELETE"])
    async def methods(req, res):
        res.text = req.method

    @app.route("/items/{id:int}")
    class Item:
        async def get(self, req, res, id: int):
            res.json = {"id": id, "method": "get"}

        async def put(self, req, res, id: int):
            res.json = {"id": id, "method": "put"}

        # Not verbs: never dispatched, whatever the client sends.
        async def dispatch(self, req, res, id: int):
            raise AssertionError("dispatch must never be called")

        async def _do_delete(self, req, res, id: int):
            raise AssertionError("never")

    @app.route("/any")
    class Any:
        async def get(self, req, res):
            res.text = "specific get"

        async def handle(self, req, res):
            res.text = f"handle {req.method}"

    @app.route("/shorthand/{kind}")
    async def shorthand(req, res, kind: str):
        if kind == "dict":
            return {"a": 1}
        if kind == "list":
            return [1, 2]
        if kind == "str":
            return "text"
        if kind == "bytes":
            return b"\x00\x01"
        if kind == "asgi":
            return PlainTextResponse("from starlette", status_code=201)
        if kind == "none":
            res.text = "written"
            return None
        if kind == "float":
            return 3.14
        return object()

    return app


client = TestClient(make_app())


def test_function_view_defaults_to_get() -> None:
    response = client.get("/fn")
    assert response.status_code == 200
    assert response.text == "hello"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["content-length"] == "5"
    post = client.post("/fn")
    assert post.status_code == 405
    assert post.headers["allow"] == "GET, HEAD, OPTIONS"
    assert post.json() == {"error": "405 Method Not Allowed", "status": 405}


def test_methods_case_insensitive() -> None:
    assert client.get("/methods").text == "GET"
    assert client.post("/methods").text == "POST"
    assert client.delete("/methods").text == "DELETE"
    assert client.put("/methods").headers["allow"] == "GET, HEAD, POST, DELETE, OPTIONS"


def test_auto_head_has_headers_and_no_body() -> None:
    response = client.head("/fn")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == "5"
    assert response.headers["x-view"] == "fn"


def test_auto_options_answers_allow() -> None:
    response = client.options("/items/1")
    assert response.status_code == 204
    assert response.headers["allow"] == "GET, HEAD, PUT, OPTIONS"
    assert response.content == b""


def test_class_view() -> None:
    assert client.get("/items/5").json() == {"id": 5, "method": "get"}
    assert client.put("/items/5").json() == {"id": 5, "method": "put"}
    assert client.head("/items/5").content == b""
    response = client.delete("/items/5")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, PUT, OPTIONS"


@pytest.mark.parametrize("method", ["_DO_DELETE", "DISPATCH", "__INIT__", "HANDLE", "TRACE"])
def test_only_real_verbs_are_dispatched(method: str) -> None:
    response = client.request(method, "/items/5")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, PUT, OPTIONS"


def test_class_view_handle_catches_the_rest() -> None:
    assert client.get("/any").text == "specific get"
    assert client.post("/any").text == "handle POST"
    assert client.patch("/any").text == "handle PATCH"
    assert client.options("/any").text == "handle OPTIONS"
    assert client.request("PURGE", "/any").status_code == 405


def test_class_view_errors() -> None:
    app = App()
    with pytest.raises(ViewDeclarationError, match="defines no HTTP method"):

        @app.route("/empty")
        class Empty:
            pass

    with pytest.raises(ViewDeclarationError, match="`methods=` applies to function views"):

        @app.route("/c", methods=["GET"])
        class C:
            async def get(self, req, res):
                pass

    with pytest.raises(ViewDeclarationError, match="must be an async function"):

        @app.route("/s")
        class Sync:
            def get(self, req, res):
                pass


@pytest.mark.parametrize(
    ("kind", "status", "ctype", "body"),
    [
        ("dict", 200, "application/json", b'{"a":1}'),
        ("list", 200, "application/json", b"[1,2]"),
        ("str", 200, "text/plain; charset=utf-8", b"text"),
        ("bytes", 200, "application/octet-stream", b"\x00\x01"),
        ("asgi", 201, "text/plain; charset=utf-8", b"from starlette"),
        ("none", 200, "text/plain; charset=utf-8", b"written"),
    ],
)
def test_return_shorthand(kind: str, status: int, ctype: str, body: bytes) -> None:
    response = client.get(f"/shorthand/{kind}")
    assert response.status_code == status
    assert response.headers["content-type"] == ctype
    assert response.content == body


def test_json_scalar_return_is_json() -> None:
    response = client.get("/shorthand/float")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == b"3.14"


def test_bad_return_type_is_500(caplog: pytest.LogCaptureFixture) -> None:
    response = client.get("/shorthand/object")
    assert response.status_code == 500
    assert set(response.json()) == {"error", "status", "request_id"}
    assert "a view returned an object of type object, which is not JSON" in caplog.text


def test_var_keyword_view_gets_every_param() -> None:
    app = App()

    @app.route("/kw/{a}/{b:int}")
    async def kw(req, res, **params):
        res.json = params

    @app.route("/kwq/{a}")
    async def kwq(req, res, *args, page: int = 1, **params):
        res.json = {"page": page, **params}

    c = TestClient(app)
    assert c.get("/kw/x/3").json() == {"a": "x", "b": 3}
    assert c.get("/kwq/x?page=2").json() == {"page": 2, "a": "x"}


def test_unresolvable_annotation_falls_back_to_str() -> None:
    app = App()

    @app.route("/fwd/{x}")
    async def fwd(req, res, x: NoSuchType, z: Missing = "", y: int = 0):  # type: ignore[name-defined]  # noqa: F821
        res.json = {"x": x, "y": y, "z": z}

    assert TestClient(app).get("/fwd/a?y=2&z=3").json() == {"x": "a", "y": 2, "z": "3"}
