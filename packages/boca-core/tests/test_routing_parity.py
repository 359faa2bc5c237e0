"""Anonymous wildcards, `methods=all`, class-based view instances, and what stays refused."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from boca.core import (
    App,
    Request,
    Response,
    RouteDeclarationError,
    URLBuildError,
    ViewDeclarationError,
)
from boca.core.cli import cli
from boca.core.testing import TestClient


def test_anonymous_wildcard_is_matched_but_not_passed() -> None:
    app = App()

    @app.route("/foo/{}-bar", name="foo")
    async def foo_bar(req: Request, res: Response) -> None:
        res.json = {"params": req.path_params}

    @app.route("/files/{:path}")
    async def files(req: Request, res: Response) -> None:
        res.text = "any file"

    @app.route("/items/{item_id:int}/{}")
    async def item(req: Request, res: Response, item_id: int) -> None:
        res.json = {"item_id": item_id}

    client = TestClient(app)
    response = client.get("/foo/no-bar")
    assert (response.status_code, response.json()) == (200, {"params": {}})
    assert client.get("/foo/-bar").status_code == 404  # `{}` matches one or more characters
    assert client.get("/foo/a/b-bar").status_code == 404  # ...within one segment
    assert client.get("/files/a/b/c.txt").text == "any file"
    assert client.get("/items/3/anything").json() == {"item_id": 3}
    assert client.get("/items/x/anything").status_code == 404
    with pytest.raises(URLBuildError, match=r"anonymous '\{\}' wildcard: name it"):
        app.url_for("foo")
    assert [r.pattern for r in app.describe_routes()] == [
        "/foo/{}-bar",
        "/files/{:path}",
        "/items/{item_id:int}/{}",
    ]


def test_literal_route_wins_over_a_wildcard_whatever_the_order() -> None:
    app = App()

    @app.route("/foo/{}")
    async def foo_all(req: Request, res: Response) -> None:
        res.text = "all"

    @app.route("/foo/bar")
    async def foo_bar(req: Request, res: Response) -> None:
        res.text = "bar"

    client = TestClient(app)
    assert client.get("/foo/bar").text == "bar"
    assert client.get("/foo/jong").text == "all"


def test_anonymous_wildcard_errors() -> None:
    app = App()
    with pytest.raises(RouteDeclarationError, match=r"unknown converter 'nope' in '\{:nope\}'"):
        app.route("/a/{:nope}")(_view)
    with pytest.raises(RouteDeclarationError, match="a pattern must start with '/'"):
        app.route("{}")(_view)  # Bocadillo's catch-all: write '/{:path}'


async def _view(req: Request, res: Response) -> None:
    pass


def test_methods_all_answers_every_method() -> None:
    app = App()

    @app.route("/", methods=all)
    async def index(req: Request, res: Response) -> None:
        res.text = req.method

    client = TestClient(app)
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        response = client.request(method, "/")
        assert (response.status_code, response.text) == (200, method)
    head = client.head("/")
    assert (head.status_code, head.content) == (200, b"")
    assert app.describe_routes()[0].methods == (
        "GET",
        "HEAD",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
        "OPTIONS",
    )


def test_methods_refuses_other_callables() -> None:
    app = App()
    with pytest.raises(ViewDeclarationError, match="or the builtin `all` for every method"):
        app.route("/", methods=any)(_view)


class Items:
    def __init__(self, store: list[str]) -> None:
        self.store = store

    async def get(self, req: Request, res: Response) -> None:
        res.json = self.store

    async def post(self, req: Request, res: Response) -> None:
        self.store.append(str(await req.json()))
        res.status_code = 201


def test_class_based_view_instance() -> None:
    app = App()
    app.route("/items")(Items(["a"]))
    client = TestClient(app)
    assert client.get("/items").json() == ["a"]
    assert client.post("/items", json="b").status_code == 201
    assert client.get("/items").json() == ["a", "b"]
    response = client.delete("/items")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST, OPTIONS"


def test_class_view_without_methods_is_refused() -> None:
    class Empty:
        pass

    app = App()
    with pytest.raises(ViewDeclarationError, match="defines no HTTP method"):
        app.route("/")(Empty)
    with pytest.raises(ViewDeclarationError, match="not callable"):
        app.route("/e")(Empty())


def test_empty_methods_list_is_refused() -> None:
    app = App()
    with pytest.raises(ViewDeclarationError, match="methods= takes a non-empty list"):
        app.route("/", methods=[])(_view)


ROUTES_APP = """
from boca.core import App

app = App()


class Items:
    async def get(self, req, res):
        res.json = []


app.route("/items/{}")(Items())


@app.route("/any", methods=all)
async def anything(req, res):
    pass
"""


def test_boca_routes_lists_instances_wildcards_and_every_method(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "routes_app.py").write_text(ROUTES_APP)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    try:
        result = CliRunner().invoke(cli, ["routes", "routes_app:app"])
    finally:
        sys.modules.pop("routes_app", None)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "METHODS                                       PATH       NAME  VIEW                 HOOKS",
        "GET                                           /items/{}  -     routes_app.Items()   -",
        "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS  /any       -     routes_app.anything  -",
    ]
