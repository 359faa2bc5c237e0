from __future__ import annotations

import pytest

from boca.core import App, Redirect, safe_redirect_target
from boca.core.testing import TestClient


def make_app(**options: object) -> App:
    app = App(**options)  # type: ignore[arg-type]

    @app.route("/go/{status:int}")
    async def go(req, res, status: int):
        raise Redirect("/target", status_code=status)

    @app.route("/temp")
    async def temp(req, res):
        raise Redirect("/target")

    @app.route("/perm")
    async def perm(req, res):
        raise Redirect("/target", permanent=True)

    @app.route("/unicode")
    async def unicode(req, res):
        raise Redirect("/café?q=ü ö")

    @app.route("/next")
    async def next_(req, res, next: str = ""):
        raise Redirect.safe(next, fallback="/home", allowed_hosts=["partner.example"])

    @app.route("/items/")
    async def items(req, res):
        res.text = "items"

    @app.route("/page")
    async def page(req, res):
        res.text = "page"

    return app


client = TestClient(make_app(), follow_redirects=False)


def test_redirect_statuses() -> None:
    assert client.get("/temp").status_code == 302
    perm = client.get("/perm")
    assert perm.status_code == 301
    assert perm.headers["location"] == "/target"
    assert perm.content == b""
    for status in (307, 308, 303):
        assert client.get(f"/go/{status}").status_code == status


def test_redirect_bad_status_is_500_and_bad_urls_refused() -> None:
    assert client.get("/go/200").status_code == 500
    with pytest.raises(ValueError, match="300-303, 307 or 308"):
        Redirect("/x", status_code=304)
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        Redirect("/x\r\nSet-Cookie: a=b")


def test_redirect_non_ascii_location_is_percent_encoded() -> None:
    response = client.get("/unicode")
    assert response.status_code == 302
    assert response.headers["location"] == "/caf%C3%A9?q=%C3%BC%20%C3%B6"


def test_trailing_slash_redirect_both_ways_keeps_query() -> None:
    response = client.get("/items?a=1&b=%2F")
    assert response.status_code == 307
    assert response.headers["location"] == "/items/?a=1&b=%2F"
    response = client.get("/page/")
    assert response.status_code == 307
    assert response.headers["location"] == "/page"
    assert client.get("/missing/").status_code == 404


def test_trailing_slash_redirect_off() -> None:
    c = TestClient(make_app(redirect_trailing_slash=False), follow_redirects=False)
    assert c.get("/items").status_code == 404


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/account", "/account"),
        ("/a?b=c#d", "/a?b=c#d"),
        ("//evil.com", "/home"),
        ("/\\evil.com", "/home"),
        ("\\\\evil.com", "/home"),
        ("http:\\\\evil.com", "/home"),
        ("https://evil.com", "/home"),
        ("HTTPS://evil.com/x", "/home"),
        ("javascript:alert(1)", "/home"),
        ("JaVaScRiPt:alert(1)", "/home"),
        ("data:text/html,hi", "/home"),
        ("\t//evil.com", "/home"),
        ("/\t/evil.com", "/home"),
        ("\n/evil.com", "/home"),
        (" //evil.com", "/home"),
        ("///evil.com", "/home"),
        ("relative/path", "/home"),
        ("", "/home"),
        ("https://partner.example/ok", "https://partner.example/ok"),
        ("https://PARTNER.example./ok", "https://PARTNER.example./ok"),
        ("https:\\\\partner.example", "/home"),
        ("ftp://partner.example/", "/home"),
        ("https://partner.example.evil.com/", "/home"),
    ],
)
def test_safe_redirect_target(target: str, expected: str) -> None:
    assert (
        safe_redirect_target(target, fallback="/home", allowed_hosts=["partner.example"])
        == expected
    )


def test_safe_redirect_target_none() -> None:
    assert safe_redirect_target(None) == "/"


def test_redirect_safe_in_a_view() -> None:
    assert client.get("/next", params={"next": "/profile"}).headers["location"] == "/profile"
    assert client.get("/next", params={"next": "//evil.com"}).headers["location"] == "/home"
    assert client.get("/next").headers["location"] == "/home"
    ok = client.get("/next", params={"next": "https://partner.example/x"})
    assert ok.headers["location"] == "https://partner.example/x"
    perm = Redirect.safe("https://evil.com", permanent=True)
    assert (perm.url, perm.status_code) == ("/", 301)
