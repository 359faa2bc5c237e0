"""The battery on a real Boca app: the document at startup, ETag/304, pages, assets, options."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

import boca.openapi
from boca.core import App
from boca.core.testing import TestClient
from boca.openapi import OpenAPI, OpenAPIError

from ._app import create_app

ASSETS = Path(boca.openapi.__file__).parent / "assets"  # the installed package's files
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)
# ReDoc and Scalar write styles into the page as they run: they need inline styles.
INLINE_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
LINKS = re.compile(r'(?:src|href)="([^"]*)"')


def get(app: Any, path: str, **kwargs: Any) -> httpx.Response:
    with TestClient(app) as client:
        return client.get(path, **kwargs)


def test_the_document_is_served_with_an_etag_and_304s() -> None:
    app = create_app()
    with TestClient(app) as client:
        first = client.get("/openapi.json")
        assert first.status_code == 200
        assert first.headers["content-type"] == "application/json"
        assert first.headers["cache-control"] == "no-cache"
        etag = first.headers["etag"]
        assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
        document = first.json()
        validate(document)
        assert document == app.extensions["openapi"].document(app)
        for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            again = client.get("/openapi.json", headers={"if-none-match": header})
            assert (again.status_code, again.content) == (304, b"")
            assert again.headers["etag"] == etag
        stale = client.get("/openapi.json", headers={"if-none-match": '"old"'})
        assert (stale.status_code, stale.json()) == (200, document)
        assert client.head("/openapi.json").status_code == 200


def test_the_document_lists_the_app_routes_not_the_battery() -> None:
    document = get(create_app(), "/openapi.json").json()
    assert list(document["paths"]) == ["/notes", "/notes/{note_id}", "/uploads"]
    assert sorted(document["paths"]["/notes"]) == ["get", "post"]
    assert sorted(document["paths"]["/notes/{note_id}"]) == ["delete", "get"]


def test_the_document_is_built_once_at_startup() -> None:
    class CountingApp(App):
        calls = 0

        def describe_routes(self) -> Any:
            CountingApp.calls += 1
            return super().describe_routes()

    app = CountingApp()

    @app.get("/x")
    async def x(req: Any, res: Any) -> int:
        return 1

    app.use(OpenAPI(title="T", version="1"))
    with TestClient(app) as client:
        assert CountingApp.calls == 1
        for _ in range(3):
            assert client.get("/openapi.json").json()["paths"]["/x"]["get"]["operationId"] == "x"
        assert CountingApp.calls == 1


def test_an_app_that_cannot_be_documented_fails_at_startup() -> None:
    app = create_app(route_security={"nope": []})
    with (
        pytest.raises(OpenAPIError, match=r"route_security names the route 'nope', which the"),
        TestClient(app),
    ):
        pass


def test_without_startup_the_document_is_built_on_first_request() -> None:
    app = create_app()
    client = TestClient(app)  # no `with`: no lifespan
    assert client.get("/openapi.json").json()["info"] == {"title": "Notes API", "version": "1.0.0"}


def _local_links(html: str) -> list[str]:
    links = LINKS.findall(html)
    assert links, html
    assert all(link.startswith("/") or link == "data:," for link in links), links
    return [link for link in links if link.startswith("/_openapi/")]


@pytest.mark.parametrize(
    ("path", "title", "element", "files"),
    [
        (
            "/docs",
            "Notes API - Swagger UI",
            "swagger-ui",
            ["docs.css", "swagger-ui.css", "swagger-ui-bundle.js", "swagger-init.js"],
        ),
        (
            "/redoc",
            "Notes API - ReDoc",
            "redoc",
            ["docs.css", "redoc.standalone.js", "redoc-init.js"],
        ),
        (
            "/scalar",
            "Notes API - Scalar",
            "scalar",
            ["docs.css", "scalar.standalone.js", "scalar-init.js"],
        ),
    ],
)
def test_pages_load_only_local_assets_with_the_right_types(
    path: str, title: str, element: str, files: list[str]
) -> None:
    app = create_app(scalar_path="/scalar")
    with TestClient(app) as client:
        page = client.get(path)
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.headers["content-security-policy"] == (CSP if path == "/docs" else INLINE_CSP)
        assert page.headers["x-content-type-options"] == "nosniff"
        assert f"<title>{title}</title>" in page.text
        assert f'<div id="{element}" data-openapi-url="/openapi.json"' in page.text
        assert "<script>" not in page.text  # nothing inline
        assert "style=" not in page.text
        links = _local_links(page.text)
        names = [re.sub(r"\.[0-9a-f]{12}\.", ".", link.rsplit("/", 1)[1]) for link in links]
        assert names == files
        for link, name in zip(links, names, strict=True):
            asset = client.get(link)
            assert asset.status_code == 200, link
            kind = "text/css" if name.endswith(".css") else "text/javascript"
            assert asset.headers["content-type"] == f"{kind}; charset=utf-8"
            assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert asset.headers["x-content-type-options"] == "nosniff"
            assert asset.content == (ASSETS / name).read_bytes()
            cached = client.get(link, headers={"if-none-match": asset.headers["etag"]})
            assert cached.status_code == 304


def test_the_page_config_is_an_escaped_data_attribute() -> None:
    app = create_app(
        title='Notes <"API">', swagger_ui_config={"docExpansion": "none", "x": "</div>"}
    )
    html = get(app, "/docs").text
    assert "<title>Notes &lt;&quot;API&quot;&gt; - Swagger UI</title>" in html
    config = re.search(r'data-config="([^"]*)"', html)
    assert config is not None
    assert "</div>" not in config.group(1)
    import html as html_lib

    assert json.loads(html_lib.unescape(config.group(1))) == {
        "deepLinking": True,
        "validatorUrl": None,
        "docExpansion": "none",
        "x": "</div>",
        "oauth2RedirectUrl": "/docs/oauth2-redirect",
    }


def test_the_oauth2_redirect_page() -> None:
    with TestClient(create_app()) as client:
        page = client.get("/docs/oauth2-redirect")
        assert page.status_code == 200
        assert page.headers["content-security-policy"] == CSP
        (link,) = _local_links(page.text)
        script = client.get(link)
        assert script.content == (ASSETS / "oauth2-redirect.js").read_bytes()


def test_only_the_hashed_asset_names_are_served() -> None:
    with TestClient(create_app()) as client:
        for path in (
            "/_openapi/swagger-ui-bundle.js",
            "/_openapi/manifest.json",
            "/_openapi/licenses/redoc.LICENSE",
            "/_openapi/../battery.py",
            "/_openapi/%2e%2e/battery.py",
            "/_openapi/scalar.standalone.dcb027152bf2.js",  # Scalar is off
            "/scalar",
        ):
            response = client.get(path)
            assert response.status_code == 404, path
            assert response.json() == {"error": "404 Not Found", "status": 404}


def test_paths_are_configurable_or_off() -> None:
    app = create_app(
        openapi_path="/api/schema.json",
        docs_path="/api/docs/",
        redoc_path=None,
        assets_path="/api/ui",
    )
    with TestClient(app) as client:
        assert client.get("/openapi.json").status_code == 404
        assert client.get("/redoc").status_code == 404
        assert client.get("/api/schema.json").json()["openapi"] == "3.1.0"
        page = client.get("/api/docs").text
        assert 'data-openapi-url="/api/schema.json"' in page
        assert all(link.startswith("/api/ui/") for link in LINKS.findall(page)[1:])
        assert client.get("/api/docs/oauth2-redirect").status_code == 200
    app = create_app(openapi_path=None, docs_path=None, redoc_path=None)
    with TestClient(app) as client:
        for path in ("/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect"):
            assert client.get(path).status_code == 404
        assert app.extensions["openapi"].document(app)["paths"]["/uploads"]
    app = create_app(docs_path=None)
    assets = [r.path for r in app.describe_routes() if r.path.startswith("/_openapi/")]
    names = sorted(re.sub(r"\.[0-9a-f]{12}\.", ".", p.removeprefix("/_openapi/")) for p in assets)
    assert names == ["docs.css", "redoc-init.js", "redoc.standalone.js"]


def test_bad_options_fail_at_construction() -> None:
    with pytest.raises(ValueError, match=r"needs both, as non-empty strings"):
        OpenAPI(title="", version="1")
    with pytest.raises(
        ValueError, match=r"OpenAPI\(docs_path='docs'\): a path must start with '/'"
    ):
        OpenAPI(title="T", version="1", docs_path="docs")
    with pytest.raises(ValueError, match=r"leaves the docs pages without a document"):
        OpenAPI(title="T", version="1", openapi_path=None)
    with pytest.raises(ValueError, match=r"two of its pages share a path"):
        OpenAPI(title="T", version="1", docs_path="/x", redoc_path="/x")


def test_install_once_per_app() -> None:
    battery = OpenAPI(title="T", version="1")
    app = App()
    app.use(battery)
    assert app.extensions["openapi"] is battery
    app.use(battery)  # a second use of the same battery is a no-op
    with pytest.raises(RuntimeError, match="installed on another app: make one per app"):
        App().use(battery)
    with pytest.raises(RuntimeError, match=r"already has an OpenAPI battery"):
        app.use(OpenAPI(title="Other", version="1"))


def test_root_path_is_the_server_url_and_prefixes_the_pages() -> None:
    app = create_app()
    with TestClient(app, root_path="/api") as client:
        document = client.get("/openapi.json").json()
        assert document["servers"] == [{"url": "/api"}]
        assert list(document)[:3] == ["openapi", "info", "servers"]
        page = client.get("/docs").text
        assert 'data-openapi-url="/api/openapi.json"' in page
        assert all(link.startswith("/api/_openapi/") for link in LINKS.findall(page)[1:])
        assert "&quot;oauth2RedirectUrl&quot;:&quot;/api/docs/oauth2-redirect&quot;" in page
    with TestClient(app) as client:
        assert "servers" not in client.get("/openapi.json").json()
    app = create_app(servers=["https://api.example.com"])
    with TestClient(app, root_path="/api") as client:
        assert client.get("/openapi.json").json()["servers"] == [{"url": "https://api.example.com"}]


def test_cdn_loads_the_bundles_from_the_cdn_with_integrity() -> None:
    app = create_app(cdn=True, scalar_path="/scalar")
    with TestClient(app) as client:
        page = client.get("/docs")
        assert page.headers["content-security-policy"] == CSP.replace(
            "script-src 'self'", "script-src 'self' https://cdn.jsdelivr.net"
        ).replace("style-src 'self'", "style-src 'self' https://cdn.jsdelivr.net")
        redoc = client.get("/redoc").headers["content-security-policy"]
        assert "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net;" in redoc
        digest = hashlib.sha256((ASSETS / "swagger-ui-bundle.js").read_bytes()).digest()
        assert (
            '<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.35.0/swagger-ui-bundle.js"'
            f' integrity="sha256-{base64.b64encode(digest).decode()}" crossorigin="anonymous">'
        ) in page.text
        assert "/_openapi/swagger-init." in page.text  # the init script is still the app's
        assert (
            "cdn.jsdelivr.net/npm/redoc@2.5.0/bundles/redoc.standalone.js"
            in client.get("/redoc").text
        )
        assert (
            "/npm/@scalar/api-reference@1.76.0/dist/browser/standalone.js"
            in client.get("/scalar").text
        )
        assert client.get("/_openapi/swagger-ui-bundle.e6a898692f2d.js").status_code == 404


def test_odd_if_none_match_headers_get_the_document() -> None:
    with TestClient(create_app()) as client:
        etag = client.get("/openapi.json").headers["etag"]
        for header in (
            "",
            ",,,",
            "W/",
            '"' * 5000,
            "\u00e9t\u00e9".encode(),
            etag[:-1],
        ):
            response = client.get("/openapi.json", headers={"if-none-match": header})
            assert response.status_code == 200, header
            assert response.json()["openapi"] == "3.1.0"
        head = client.head("/docs")
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["content-security-policy"] == CSP
