"""Bocadillo's battery settings from `App(settings=...)`: CORS, HSTS, GZIP_MIN_SIZE,
ALLOWED_HOSTS and STATIC_DIR/STATIC_ROOT/STATIC_CONFIG, through a real Uvicorn."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from boca.core import App, Request, Response
from boca.core.testing import LiveServer, TestClient
from boca.static import StaticDirectoryError


def make_app(**settings: Any) -> App:
    app = App(settings=settings)

    @app.route("/")
    async def index(req: Request, res: Response) -> None:
        res.text = "x" * int(req.query_params.get("size", "10"))

    return app


def test_cors_true_allows_no_origin_until_listed() -> None:
    client = TestClient(make_app(CORS=True))
    simple = client.get("/", headers={"origin": "https://foobar.com"})
    assert simple.status_code == 200
    assert "access-control-allow-origin" not in simple.headers
    preflight = client.options(
        "/", headers={"origin": "https://foobar.com", "access-control-request-method": "GET"}
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    listed = TestClient(make_app(CORS={"allow_origins": ["https://example.com"]}))
    allowed = listed.get("/", headers={"origin": "https://example.com"})
    assert allowed.headers["access-control-allow-origin"] == "https://example.com"


def test_hsts_redirects_http_and_sends_the_header_on_https() -> None:
    app = make_app(HSTS=True, ALLOWED_HOSTS=["127.0.0.1", "testserver"])
    with LiveServer(app) as server:
        response = httpx.get(server.url + "/?size=3")
        assert response.status_code == 308
        assert response.headers["location"] == "https://127.0.0.1/?size=3"
        assert "strict-transport-security" not in response.headers
    secure = TestClient(app, base_url="https://testserver").get("/")
    assert secure.status_code == 200
    assert secure.headers["strict-transport-security"] == "max-age=31536000"


def test_hsts_redirects_to_base_url() -> None:
    app = make_app(HSTS={"include_subdomains": True}, BASE_URL="https://example.com/app")
    response = TestClient(app).get("/", follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == "https://example.com/"
    secure = TestClient(app, base_url="https://example.com").get("/")
    assert secure.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def test_hsts_without_a_known_host_is_refused() -> None:
    with pytest.raises(ValueError, match="needs the site's host: set ALLOWED_HOSTS"):
        make_app(HSTS=True)


def test_gzip_min_size() -> None:
    with LiveServer(make_app(GZIP=True, GZIP_MIN_SIZE=100)) as server:
        headers = {"accept-encoding": "gzip"}
        small = httpx.get(server.url + "/?size=99", headers=headers)
        assert "content-encoding" not in small.headers
        assert small.text == "x" * 99
        large = httpx.get(server.url + "/?size=100", headers=headers)
        assert large.headers["content-encoding"] == "gzip"
        assert large.text == "x" * 100


def test_allowed_hosts() -> None:
    client = TestClient(make_app(ALLOWED_HOSTS=["example.com"]), base_url="http://example.com")
    assert client.get("/").status_code == 200
    refused = client.get("/", headers={"host": "evil.com"})
    assert refused.status_code == 400


def test_static_settings(tmp_path: Path) -> None:
    (tmp_path / "app.css").write_text("body {}")
    app = make_app(STATIC_DIR=str(tmp_path), STATIC_ROOT="assets", STATIC_CONFIG={"max_age": 60})
    with LiveServer(app) as server:
        response = httpx.get(server.url + "/assets/app.css")
        assert response.status_code == 200
        assert response.text == "body {}"
        assert response.headers["cache-control"] == "public, max-age=60"
        assert httpx.get(server.url + "/assets/missing.css").status_code == 404
    assert app.url_for("static", path="app.css") == "/assets/app.css"
    default_root = make_app(STATIC_DIR=str(tmp_path))
    assert TestClient(default_root).get("/static/app.css").text == "body {}"
    assert TestClient(make_app(STATIC_DIR=None)).get("/static/app.css").status_code == 404


def test_static_settings_errors(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="STATIC_CONFIG setting must be a dict"):
        make_app(STATIC_DIR=str(tmp_path), STATIC_CONFIG=["max_age"])
    with pytest.raises(TypeError, match="set STATIC_ROOT and STATIC_DIR"):
        make_app(STATIC_DIR=str(tmp_path), STATIC_CONFIG={"path": "/x"})
    with pytest.raises(ValueError, match="STATIC_ROOT setting is the URL prefix"):
        make_app(STATIC_DIR=str(tmp_path), STATIC_ROOT="/")
    with pytest.raises(StaticDirectoryError) as missing:
        make_app(STATIC_DIR=str(tmp_path / "nope"))
    assert str(missing.value).startswith(
        f"The STATIC_DIR setting: StaticFiles directory '{tmp_path / 'nope'}' does not exist"
    )


def test_static_setting_names_the_missing_battery(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "boca.static", None)
    with pytest.raises(RuntimeError) as info:
        make_app(STATIC_DIR=str(tmp_path))
    assert str(info.value) == (
        "the setting(s) STATIC_DIR need the boca-static package: pip install boca-static"
    )


def test_gzip_default_min_size() -> None:
    client = TestClient(make_app(GZIP=True))  # GZipMiddleware's 500, not Bocadillo's 1024
    headers = {"accept-encoding": "gzip"}
    assert "content-encoding" not in client.get("/?size=499", headers=headers).headers
    large = client.get("/?size=500", headers=headers)
    assert large.headers["content-encoding"] == "gzip"
    assert large.text == "x" * 500
