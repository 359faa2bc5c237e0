from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from boca.core import App, Converter, Request, URLBuildError, register_converter
from boca.core.testing import LiveServer, TestClient
from boca.core.types import ASGIApp, Receive, Scope, Send


def make_app() -> App:
    app = App()

    @app.route("/users/{user_id:int}", name="user")
    async def user(req, res, user_id: int):
        res.text = str(req.url_for("user", user_id=user_id + 1, query={"tab": "a b"}))

    @app.route("/tags/{tag}", name="tag")
    async def tag(req, res, tag: str):
        res.text = tag

    @app.route("/files/{p:path}", name="files")
    async def files(req, res, p: str):
        res.text = p

    @app.route("/{p:path}", name="root_path")
    async def anything(req, res, p: str):
        res.text = p

    @app.route("/f/{x:float}/{u:uuid}", name="fu")
    async def fu(req, res, x: float, u: uuid.UUID):
        pass

    return app


app = make_app()
client = TestClient(app)


def test_url_for_paths_and_query() -> None:
    assert app.url_for("user", user_id=3) == "/users/3"
    assert app.url_for("user", user_id=3, query={"a": "1 2", "b": ["x", "y"]}) == (
        "/users/3?a=1+2&b=x&b=y"
    )
    assert app.url_for("files", p="a/b c.txt") == "/files/a/b%20c.txt"
    uid = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert app.url_for("fu", x=1.5, u=uid) == f"/f/1.5/{uid}"
    assert app.url_for("fu", x=2.0, u=str(uid)) == f"/f/2/{uid}"


def test_req_url_for_is_relative_without_a_known_address() -> None:
    assert client.get("/users/1").text == "/users/2?tab=a+b"


def test_values_are_percent_encoded() -> None:
    assert app.url_for("tag", tag="a?b#c&d e%") == "/tags/a%3Fb%23c%26d%20e%25"
    assert app.url_for("tag", tag="...") == "/tags/..."
    assert app.url_for("files", p="a/.b/c..") == "/files/a/.b/c.."


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("nope", {}, "no route named 'nope'"),
        ("user", {}, "needs the parameter 'user_id'"),
        ("user", {"user_id": 1, "extra": 2}, "has no parameter(s) extra"),
        ("user", {"user_id": "abc"}, "parameter 'user_id'"),
        ("user", {"user_id": -1}, "must not be negative"),
        ("tag", {"tag": "a/b"}, "cannot be empty or contain '/'"),
        ("tag", {"tag": ""}, "cannot be empty"),
        ("fu", {"x": float("inf"), "u": uuid.uuid4()}, "finite"),
        ("fu", {"x": 1.0, "u": "not-a-uuid"}, "parameter 'u'"),
    ],
)
def test_url_for_errors(name: str, params: dict[str, object], message: str) -> None:
    with pytest.raises(URLBuildError) as info:
        app.url_for(name, **params)
    assert message in str(info.value)


def test_url_for_unknown_name_lists_known() -> None:
    with pytest.raises(URLBuildError, match=r"known names: .*user"):
        app.url_for("usr")
    with pytest.raises(URLBuildError, match="known names: none"):
        App().url_for("x")


def test_url_for_converter_mismatch() -> None:
    class Odd:
        def __int__(self) -> int:
            return 5

    assert app.url_for("user", user_id=Odd()) == "/users/5"

    class Lower(Converter[str]):
        regex = "[a-z]+"

        def convert(self, value: str) -> str:
            return value

    register_converter("lower", Lower())
    other = App()

    @other.route("/l/{v:lower}", name="l")
    async def view(req, res, v: str):
        pass

    assert other.url_for("l", v="abc") == "/l/abc"
    with pytest.raises(URLBuildError, match=re.escape("does not match the pattern /l/{v:lower}")):
        other.url_for("l", v="ABC")


def test_url_for_never_starts_with_two_slashes() -> None:
    assert app.url_for("root_path", p="/evil.com/x") == "/%2Fevil.com/x"
    assert not app.url_for("root_path", p="//evil.com").startswith("//")


def test_url_for_round_trips_a_leading_slash() -> None:
    url = app.url_for("root_path", p="/evil.com/x")
    assert client.get(url).text == "/evil.com/x"


# -- absolute URLs never come from an unvalidated Host (issue 14, #4) ----------------------------


def _url_app(**options: Any) -> App:
    app = App(**options)

    @app.route("/users/{user_id:int}", name="user")
    async def user(req, res, user_id: int):
        res.text = str(req.url_for("user", user_id=user_id))

    return app


def _get(app: ASGIApp, host: str, path: str = "/users/1") -> httpx.Response:
    with LiveServer(app) as live:
        return httpx.get(live.url + path, headers={"Host": host})


def test_url_for_ignores_an_unvalidated_host() -> None:
    response = _get(_url_app(), "evil.com")
    assert response.status_code == 200
    assert response.text == "/users/1"


def test_url_for_uses_base_url_whatever_the_host() -> None:
    response = _get(_url_app(base_url="https://example.com/"), "evil.com")
    assert response.text == "https://example.com/users/1"


def test_url_for_base_url_keeps_its_prefix_and_the_root_path() -> None:
    app = _url_app(base_url="https://example.com/shop")
    request = Request({"type": "http", "app": app, "root_path": "/v2", "headers": []})
    assert str(request.url_for("user", user_id=3)) == "https://example.com/shop/v2/users/3"


def test_url_for_base_url_and_server_name_settings() -> None:
    response = _get(_url_app(settings={"BASE_URL": "https://example.org"}), "evil.com")
    assert response.text == "https://example.org/users/1"
    response = _get(_url_app(settings={"SERVER_NAME": "example.net:8443"}), "evil.com")
    assert response.text == "http://example.net:8443/users/1"


class _Validated:
    """Stands in for TrustedHostMiddleware: it marks the scope with the host it validated."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        host = dict(scope.get("headers", ())).get(b"host", b"").decode()
        if scope["type"] == "http" and host.startswith("good.example"):
            scope["boca.validated_host"] = "good.example"
        await self.app(scope, receive, send)


def test_url_for_uses_a_host_the_trusted_host_middleware_validated() -> None:
    app = _url_app()
    app.add_middleware(_Validated)
    with LiveServer(app) as live:
        good = httpx.get(live.url + "/users/1", headers={"Host": "good.example:8080"})
        evil = httpx.get(live.url + "/users/1", headers={"Host": "evil.com"})
    assert good.text == "http://good.example:8080/users/1"
    assert evil.text == "/users/1"


def test_url_for_in_debug_says_what_to_configure() -> None:
    response = _get(_url_app(debug=True), "evil.com")
    assert response.status_code == 500
    message = response.json()["exception"]
    assert message.startswith("URLBuildError: req.url_for('user') cannot build an absolute URL")
    assert "App(base_url='https://example.com')" in message
    assert "ALLOWED_HOSTS" in message


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"base_url": "example.com"}, "base_url 'example.com' is not a base URL"),
        ({"base_url": "ftp://example.com"}, "is not a base URL"),
        ({"base_url": "https://example.com/?x=1"}, "is not a base URL"),
        ({"base_url": "https://user@example.com"}, "is not a base URL"),
        ({"base_url": "https://exa mple.com"}, "is not a base URL"),
        ({"settings": {"BASE_URL": "//example.com"}}, "the BASE_URL setting '//example.com'"),
        ({"settings": {"SERVER_NAME": "https://example.com"}}, "SERVER_NAME 'https://example.com'"),
    ],
)
def test_bad_base_url_is_refused_at_construction(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        App(**options)


# -- dot segments are never built into a URL (issue 14, #5) --------------------------------------


@pytest.mark.parametrize("value", ["../../x", "..", ".", "a/./b", "a/../../b", "a/.."])
def test_url_for_refuses_dot_segments_in_a_path_parameter(value: str) -> None:
    with pytest.raises(URLBuildError, match=re.escape("has a '.' or '..' segment")):
        app.url_for("files", p=value)


@pytest.mark.parametrize("value", ["..", "."])
def test_url_for_refuses_a_dot_segment_parameter(value: str) -> None:
    with pytest.raises(URLBuildError, match=re.escape("has a '.' or '..' segment")):
        app.url_for("tag", tag=value)


def test_url_for_refuses_dot_segments_under_a_mount() -> None:
    mounted = App()
    mounted.mount("/static", App(), name="static")
    with pytest.raises(URLBuildError, match="resolve outside the mount"):
        mounted.url_for("static", path="../admin")
    assert mounted.url_for("static", path="css/site.css") == "/static/css/site.css"


def test_url_for_dot_segments_through_a_view() -> None:
    dotted = App(debug=False)

    @dotted.route("/files/{p:path}", name="files")
    async def files(req, res, p: str):
        res.text = app.url_for("files", p=req.query_params["to"])

    with LiveServer(dotted) as live:
        response = httpx.get(live.url + "/files/x", params={"to": "../../admin"})
    assert response.status_code == 500
    assert "admin" not in response.text
