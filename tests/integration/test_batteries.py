"""boca-core with its batteries: templates, static files and middleware, together."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from boca.core import App, Settings
from boca.core.testing import LiveServer, TestClient
from boca.static import StaticFiles, build
from boca.templates import Templates


@pytest.fixture
def site(tmp_path: Path) -> Path:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text(
        "<title>{{ title }}</title>"
        "<link href=\"{{ static_url('css/app.css') }}\">"
        "<a href=\"{{ url_for('user', user_id=7) }}\">u</a>"
        "<p>{{ request.url.path }}</p>"
    )
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "app.css").write_text("body { color: #c2410c; }\n" * 20)
    return tmp_path


def make_app(site: Path, *, debug: bool = False) -> App:
    app = App(debug=debug)
    app.use(Templates(directory=site / "templates"))
    app.use(StaticFiles(directory=site / "static"))

    @app.route("/users/{user_id:int}", name="user")
    async def user(req, res, user_id: int):
        res.json = {"id": user_id}

    @app.route("/page")
    async def page(req, res):
        res.render("page.html", title="<Boca & co>")

    return app


def test_render_with_request_url_for_and_static_url(site: Path) -> None:
    client = TestClient(make_app(site))
    response = client.get("/page")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == (
        "<title>&lt;Boca &amp; co&gt;</title>"
        '<link href="/static/css/app.css">'
        '<a href="/users/7">u</a>'
        "<p>/page</p>"
    )
    css = client.get("/static/css/app.css")
    assert css.status_code == 200
    assert css.headers["content-type"] == "text/css; charset=utf-8"


def test_static_url_is_fingerprinted_with_a_manifest(site: Path) -> None:
    build(site / "static")
    client = TestClient(make_app(site))
    html = client.get("/page").text
    start = html.index("/static/css/app.")
    url = html[start : html.index('"', start)]
    assert url != "/static/css/app.css"
    assert url.endswith(".css")
    hashed = client.get(url)
    assert hashed.status_code == 200
    assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_templates_reload_in_debug_mode(site: Path) -> None:
    client = TestClient(make_app(site, debug=True))
    assert "<title>&lt;Boca" in client.get("/page").text
    (site / "templates" / "page.html").write_text("<h1>edited</h1>")
    assert client.get("/page").text == "<h1>edited</h1>"


def test_templates_are_cached_in_production(site: Path) -> None:
    client = TestClient(make_app(site))
    first = client.get("/page").text
    (site / "templates" / "page.html").write_text("<h1>edited</h1>")
    assert client.get("/page").text == first


def test_render_without_templates_is_a_clear_500(caplog: pytest.LogCaptureFixture) -> None:
    app = App()

    @app.route("/")
    async def index(req, res):
        res.render("page.html")

    response = TestClient(app).get("/")
    assert response.status_code == 500
    assert "boca-templates" in caplog.text


class Config(Settings):
    env_file = None
    SECRET_KEY: str = "s" * 32
    ALLOWED_HOSTS: list[str] = ["127.0.0.1", "testserver"]
    CORS: bool = True
    GZIP: bool = True
    SESSIONS: bool = True
    HSTS: bool = True


def settings_app(**overrides: Any) -> App:
    app = App(settings=Config(environ={}, **overrides))

    @app.route("/visits")
    async def visits(req, res):
        req.session["n"] = req.session.get("n", 0) + 1
        res.json = {"visits": req.session["n"], "padding": "x" * 1000}

    return app


def test_settings_switch_middleware_on_over_the_wire() -> None:
    app = settings_app(HSTS=False, CORS={"allow_origins": ["*"]})
    with LiveServer(app) as server, httpx.Client(base_url=server.url) as client:
        first = client.get(
            "/visits", headers={"origin": "http://example.com", "accept-encoding": "gzip"}
        )
        assert first.status_code == 200
        assert first.headers["access-control-allow-origin"] == "*"
        assert first.headers["content-encoding"] == "gzip"
        assert first.json()["visits"] == 1
        assert "strict-transport-security" not in first.headers  # plain HTTP
        assert client.get("/visits").json()["visits"] == 2
        refused = client.get("/visits", headers={"host": "evil.com"})
        assert refused.status_code == 400


def test_hsts_redirects_plain_http_and_cors_true_allows_no_origin() -> None:
    with LiveServer(settings_app()) as server, httpx.Client(base_url=server.url) as client:
        redirected = client.get("/visits?a=1", headers={"origin": "http://example.com"})
        assert redirected.status_code == 308
        assert redirected.headers["location"] == "https://127.0.0.1/visits?a=1"
    client = TestClient(settings_app(), base_url="https://testserver")
    response = client.get("/visits", headers={"origin": "http://example.com"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_hsts_on_https() -> None:
    client = TestClient(settings_app(), base_url="https://testserver")
    response = client.get("/visits")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_settings_name_the_missing_battery(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boca.middleware", None)
    with pytest.raises(RuntimeError) as info:
        App(settings={"CORS": True, "GZIP": {"minimum_size": 10}})
    assert str(info.value) == (
        "the setting(s) CORS, GZIP need the boca-middleware package: pip install boca-middleware"
    )


def test_settings_without_middleware_need_no_battery(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boca.middleware", None)
    app = App(settings={"CORS": False, "NAME": "demo"})
    assert app.settings == {"CORS": False, "NAME": "demo"}


def test_sessions_setting_without_secret_fails_at_startup() -> None:
    with pytest.raises(ValueError, match="secret"):
        App(settings={"SESSIONS": True})
