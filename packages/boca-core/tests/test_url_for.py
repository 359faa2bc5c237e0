from __future__ import annotations

import re
import uuid

import pytest

from boca.core import App, Converter, URLBuildError, register_converter
from boca.core.testing import TestClient


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


def test_req_url_for_is_absolute() -> None:
    assert client.get("/users/1").text == "http://testserver/users/2?tab=a+b"


def test_values_are_percent_encoded() -> None:
    assert app.url_for("tag", tag="a?b#c&d e%") == "/tags/a%3Fb%23c%26d%20e%25"
    assert app.url_for("tag", tag="..") == "/tags/.."


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
