from __future__ import annotations

import pytest

from boca.core import App, RouteDeclarationError, Router, ViewDeclarationError
from boca.core.testing import TestClient


def make_app() -> App:
    app = App()

    @app.route("/users/me")
    async def me(req, res):
        res.text = "me"

    @app.route("/users/{user_id:int}")
    async def user(req, res, user_id: int):
        res.json = {"id": user_id}

    @app.route("/users/{name}")
    async def by_name(req, res, name: str):
        res.json = {"name": name}

    @app.route("/files/{name}.{ext}")
    async def file(req, res, name: str, ext: str):
        res.json = {"name": name, "ext": ext}

    @app.route("/tree/{p:path}")
    async def tree(req, res, p: str):
        res.json = {"p": p}

    @app.route("/a/{x}/b")
    async def ab(req, res, x):
        res.json = {"x": x, "route": "ab"}

    @app.route("/a/{x}/{y}")
    async def axy(req, res, x, y):
        res.json = {"x": x, "y": y, "route": "axy"}

    return app


client = TestClient(make_app())


def test_static_beats_dynamic() -> None:
    assert client.get("/users/me").text == "me"
    assert client.get("/users/3").json() == {"id": 3}
    assert client.get("/users/bob").json() == {"name": "bob"}


def test_mixed_segment() -> None:
    assert client.get("/files/report.final.pdf").json() == {"name": "report.final", "ext": "pdf"}
    assert client.get("/files/noext").status_code == 404


def test_path_converter_matches_slashes() -> None:
    assert client.get("/tree/a/b/c.txt").json() == {"p": "a/b/c.txt"}
    assert client.get("/tree/").json() == {"p": ""}


def test_backtracking_between_dynamic_children() -> None:
    assert client.get("/a/1/b").json() == {"x": "1", "route": "ab"}
    assert client.get("/a/1/c").json() == {"x": "1", "y": "c", "route": "axy"}


def test_no_match_is_json_404() -> None:
    response = client.get("/nope/nothing/here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error": "404 Not Found", "status": 404}


def test_many_routes_still_match() -> None:
    app = App()
    for i in range(1000):

        @app.route(f"/r{i}/{{x}}")
        async def view(req, res, x: str, i: int = i):
            res.text = x

    c = TestClient(app)
    assert c.get("/r999/abc").text == "abc"
    assert c.get("/r1000/abc").status_code == 404
    assert len(list(app.router)) == 1000


def test_unknown_converter_names_route_and_fix() -> None:
    app = App()
    with pytest.raises(RouteDeclarationError) as info:

        @app.route("/x/{a:bogus}")
        async def view(req, res, a):
            pass

    message = str(info.value)
    assert "'/x/{a:bogus}'" in message
    assert "'bogus'" in message
    assert "register_converter" in message


def test_duplicate_pattern_and_method() -> None:
    app = App()

    @app.route("/dup")
    async def one(req, res):
        pass

    with pytest.raises(RouteDeclarationError) as info:

        @app.route("/dup", methods=["get"])
        async def two(req, res):
            pass

    assert "'/dup'" in str(info.value)
    assert "GET" in str(info.value)
    assert "remove one" in str(info.value)


def test_same_pattern_other_methods_merge() -> None:
    app = App()

    @app.route("/items/{id:int}")
    async def read(req, res, id: int):
        res.text = f"read {id}"

    @app.route("/items/{id:int}", methods=["DELETE"])
    async def delete(req, res, id: int):
        res.text = f"deleted {id}"

    c = TestClient(app)
    assert c.get("/items/2").text == "read 2"
    assert c.delete("/items/2").text == "deleted 2"
    assert c.put("/items/2").headers["allow"] == "GET, HEAD, DELETE, OPTIONS"


def test_same_shape_other_param_names_refused() -> None:
    app = App()

    @app.route("/p/{a}")
    async def one(req, res, a):
        pass

    with pytest.raises(RouteDeclarationError, match="other parameter names"):

        @app.route("/p/{b}", methods=["POST"])
        async def two(req, res, b):
            pass


def test_explicit_head_replaces_auto_head() -> None:
    app = App()

    @app.route("/h")
    async def get(req, res):
        res.text = "body"

    @app.route("/h", methods=["HEAD"])
    async def head(req, res):
        res.headers["x-head"] = "own"

    c = TestClient(app)
    response = c.head("/h")
    assert response.headers["x-head"] == "own"
    assert response.content == b""


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("nope", "must start with '/'"),
        ("/x/{1a}", "must be a Python identifier"),
        ("/x/{a}/{a}", "appears twice"),
        ("/x/{a", "unbalanced braces"),
        ("/x/{a}}", "unbalanced braces"),
        ("/x/{a}}{b}", "unbalanced braces"),
        ("/x/{p:path}/y", "last segment"),
    ],
)
def test_bad_patterns(pattern: str, message: str) -> None:
    app = App()
    with pytest.raises(RouteDeclarationError, match=message):

        @app.route(pattern)
        async def view(req, res, **params):
            pass


def test_negative_max_body_size_refused() -> None:
    with pytest.raises(RouteDeclarationError, match="max_body_size"):
        App().route("/x", max_body_size=-1)(_noop)


async def _noop(req, res, **params):  # type: ignore[no-untyped-def]
    pass


def test_param_neither_in_path_nor_defaulted() -> None:
    app = App()
    with pytest.raises(ViewDeclarationError) as info:

        @app.route("/items/{id}")
        async def view(req, res, id, page):
            pass

    message = str(info.value)
    assert "'/items/{id}'" in message
    assert "'page'" in message
    assert "give it a default" in message


def test_path_param_not_accepted_by_view() -> None:
    with pytest.raises(ViewDeclarationError, match="does not accept the path parameter"):
        App().route("/items/{id}")(_plain)


async def _plain(req, res):  # type: ignore[no-untyped-def]
    pass


def test_non_async_view() -> None:
    app = App()
    with pytest.raises(ViewDeclarationError) as info:

        @app.route("/sync")
        def view(req, res):
            pass

    assert "'/sync'" in str(info.value)
    assert "async def" in str(info.value)


def test_view_without_req_res() -> None:
    async def view():  # type: ignore[no-untyped-def]
        pass

    with pytest.raises(ViewDeclarationError, match=r"must accept \(req, res\)"):
        App().route("/x")(view)


def test_non_callable_view() -> None:
    with pytest.raises(ViewDeclarationError, match="is not callable"):
        App().route("/x")(42)


@pytest.mark.parametrize("methods", [["FETCH"], ["_DO_DELETE"], ["TRACE"], "GET", []])
def test_bad_methods(methods: object) -> None:
    with pytest.raises(ViewDeclarationError) as info:
        App().route("/m", methods=methods)(_plain)  # type: ignore[arg-type]
    assert "'/m'" in str(info.value)


def test_unconvertible_annotation() -> None:
    async def view(req, res, x: dict = {}):  # type: ignore[no-untyped-def]  # noqa: B006
        pass

    with pytest.raises(ViewDeclarationError, match="cannot convert URL values"):
        App().route("/x")(view)


def test_router_include_with_prefix_and_names() -> None:
    shop = Router()

    @shop.route("/", name="shop_index")
    async def index(req, res):
        res.text = "shop"

    @shop.route("/items/{id:int}", name="shop_item")
    async def item(req, res, id: int):
        res.json = {"id": id}

    app = App()
    app.include(shop, prefix="/shop")
    c = TestClient(app)
    assert c.get("/shop").text == "shop"
    assert c.get("/shop/items/4").json() == {"id": 4}
    assert app.url_for("shop_item", id=4) == "/shop/items/4"
    assert app.url_for("shop_index") == "/shop"


def test_include_without_prefix() -> None:
    router = Router()
    router.route("/x")(_plain)
    app = App()
    app.include(router)
    assert TestClient(app).get("/x").status_code == 200


@pytest.mark.parametrize("prefix", ["shop", "/shop/"])
def test_include_bad_prefix(prefix: str) -> None:
    with pytest.raises(RouteDeclarationError, match="include prefix"):
        App().include(Router(), prefix=prefix)


def test_duplicate_names_refused() -> None:
    app = App()
    app.route("/a", name="same")(_plain)
    with pytest.raises(RouteDeclarationError, match="'same' is already used by '/a'"):
        app.route("/b", name="same")(_plain)


def test_route_repr_and_iteration() -> None:
    app = App()
    app.route("/a", name="a")(_plain)
    (route,) = list(app.router)
    assert route.pattern == "/a"
    assert route.name == "a"
    assert route.allow == "GET, HEAD, OPTIONS"
