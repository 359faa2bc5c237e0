"""`OpenAPI`: the battery that documents an app and serves its docs pages."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from ._cdn import ORIGIN, cdn_urls
from ._host import DescribedApp, HostApp, HostRequest, HostResponse
from .document import DocumentSettings, build_document
from .security import SecurityRequirement, SecurityScheme, requirements
from .ui import UIS, Asset, assets, csp, page, redirect_page

__all__ = ["OpenAPI"]

_ASSET_CACHE = "public, max-age=31536000, immutable"
_MAX_VARIANTS = 8  # documents kept per root_path (a handful of proxies, at most)


def _path(value: str | None, option: str) -> str | None:
    if value is not None and (not value.startswith("/") or value != value.strip() or "{" in value):
        raise ValueError(f"OpenAPI({option}={value!r}): a path must start with '/', like '/docs'")
    return value.rstrip("/") or "/" if value is not None else None


def _tags(tags: Mapping[str, str] | Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    if tags is None:
        return []
    if isinstance(tags, Mapping):
        return [{"name": name, "description": text} for name, text in tags.items()]
    out = [dict(tag) for tag in tags]
    for tag in out:
        if not isinstance(tag.get("name"), str):
            raise ValueError(f"OpenAPI(tags=...): a tag object needs a 'name', not {tag!r}")
    return out


def _etag_matches(header: str | None, etag: str) -> bool:
    if header is None:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag in tags


class _Payload:
    """The encoded document and its ETag."""

    __slots__ = ("body", "etag")

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.body = msgspec.json.encode(document)
        self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'


class OpenAPI:
    """An OpenAPI 3.1 document of the app, with Swagger UI, ReDoc and Scalar pages.

    `app.use(OpenAPI(title="Notes API", version="1.0.0"))` serves the document at
    `/openapi.json`, Swagger UI at `/docs` and ReDoc at `/redoc`. The document is built once at
    startup from `app.describe_routes()`; the pages load their scripts from the app itself.

    Args:
        title: The API's name (`info.title`).
        version: The API's version (`info.version`), not the OpenAPI version.
        summary: A one-line `info.summary`.
        description: `info.description` (Markdown).
        terms_of_service: `info.termsOfService`, a URL.
        contact: `info.contact`, e.g. `{"name": "API team", "email": "api@example.com"}`.
        license_info: `info.license`, e.g. `{"name": "MIT", "identifier": "MIT"}`.
        servers: Server URLs (strings or OpenAPI server objects). When none are given and the
            app runs under a `root_path`, that path is the server URL.
        tags: Tag name -> description, or a list of OpenAPI tag objects
            (`{"name": ..., "description": ..., "externalDocs": {...}}`): listed first, in
            this order, before the other tags the routes use.
        security_schemes: Scheme name -> `APIKey`, `HTTPBearer`, `HTTPBasic`, `OAuth2` or
            `OpenIDConnect`.
        security: The schemes every operation requires: `["bearer"]`, or
            `[{"oauth": ["notes:read"]}]`; a list item is one way to authenticate.
        route_security: Route name -> its own requirements, replacing `security` (`[]`: open).
        openapi_path: Where the JSON document is served (`None`: not served).
        docs_path: Swagger UI's page (`None`: off).
        redoc_path: ReDoc's page (`None`: off).
        scalar_path: Scalar's page, off unless given (e.g. `"/scalar"`).
        assets_path: The folder URL the pages load their scripts and styles from.
        cdn: Load the UI bundles from the jsDelivr CDN (the same pinned versions, checked
            with Subresource Integrity) instead of the app.
        swagger_ui_config: Swagger UI settings (`{"docExpansion": "none"}`), merged over ours.
        redoc_config: ReDoc options (`{"hideDownloadButton": True}`).
        scalar_config: Scalar settings (`{"theme": "purple"}`).
    """

    def __init__(
        self,
        *,
        title: str,
        version: str,
        summary: str | None = None,
        description: str | None = None,
        terms_of_service: str | None = None,
        contact: Mapping[str, Any] | None = None,
        license_info: Mapping[str, Any] | None = None,
        servers: Sequence[str | Mapping[str, Any]] | None = None,
        tags: Mapping[str, str] | Sequence[Mapping[str, Any]] | None = None,
        security_schemes: Mapping[str, SecurityScheme] | None = None,
        security: Sequence[SecurityRequirement] | None = None,
        route_security: Mapping[str, Sequence[SecurityRequirement]] | None = None,
        openapi_path: str | None = "/openapi.json",
        docs_path: str | None = "/docs",
        redoc_path: str | None = "/redoc",
        scalar_path: str | None = None,
        assets_path: str = "/_openapi",
        cdn: bool = False,
        swagger_ui_config: Mapping[str, Any] | None = None,
        redoc_config: Mapping[str, Any] | None = None,
        scalar_config: Mapping[str, Any] | None = None,
    ) -> None:
        if not (isinstance(title, str) and title and isinstance(version, str) and version):
            raise ValueError("OpenAPI(title=..., version=...) needs both, as non-empty strings")
        info: dict[str, Any] = {"title": title, "version": version}
        optional = {
            "summary": summary,
            "description": description,
            "termsOfService": terms_of_service,
            "contact": dict(contact) if contact else None,
            "license": dict(license_info) if license_info else None,
        }
        info.update({k: v for k, v in optional.items() if v})
        schemes = dict(security_schemes or {})
        # Unknown scheme names fail here, not at startup.
        requirements(security or [], schemes, "security=")
        for name, value in (route_security or {}).items():
            requirements(value, schemes, f"route_security[{name!r}]")
        self.settings = DocumentSettings(
            info=info,
            servers=[{"url": s} if isinstance(s, str) else dict(s) for s in servers or ()],
            tags=_tags(tags),
            security_schemes=schemes,
            security=list(security or []),
            route_security=dict(route_security or {}),
        )
        self.openapi_path = _path(openapi_path, "openapi_path")
        self.pages = {
            ui: path
            for ui, path in (
                ("swagger", _path(docs_path, "docs_path")),
                ("redoc", _path(redoc_path, "redoc_path")),
                ("scalar", _path(scalar_path, "scalar_path")),
            )
            if path is not None
        }
        if self.pages and self.openapi_path is None:
            raise ValueError(
                "OpenAPI(openapi_path=None) leaves the docs pages without a document: "
                "turn them off too (docs_path=None, redoc_path=None) or serve the document"
            )
        self.assets_path = _path(assets_path, "assets_path") or "/_openapi"
        taken = [p for p in (self.openapi_path, *self.pages.values()) if p is not None]
        if len(set(taken)) != len(taken):
            raise ValueError(f"OpenAPI: two of its pages share a path ({', '.join(taken)})")
        self.cdn = cdn
        self.configs = {
            "swagger": dict(swagger_ui_config or {}),
            "redoc": dict(redoc_config or {}),
            "scalar": dict(scalar_config or {}),
        }
        if "swagger" in self.pages:
            self.configs["swagger"].setdefault(
                "oauth2RedirectUrl", self._redirect_path(self.pages["swagger"])
            )
        self._app: DescribedApp | None = None
        self._document: dict[str, Any] | None = None
        self._payloads: dict[str, _Payload] = {}
        self._html: dict[tuple[str, str], bytes] = {}

    # -- the document -------------------------------------------------------------------------

    def document(self, app: DescribedApp) -> dict[str, Any]:
        """The OpenAPI document of `app` (built anew on each call), as JSON-able dicts."""
        return build_document(app.describe_routes(), self.settings)

    def _payload(self, root_path: str) -> _Payload:
        root_path = root_path.rstrip("/")
        payload = self._payloads.get(root_path)
        if payload is None:
            if self._document is None:
                assert self._app is not None
                self._document = self.document(self._app)
            document = self._document
            if root_path and not self.settings.servers:
                head = {"openapi": document["openapi"], "info": document["info"]}
                document = {**head, "servers": [{"url": root_path}], **document}
            if len(self._payloads) >= _MAX_VARIANTS:
                self._payloads.clear()
            payload = self._payloads[root_path] = _Payload(document)
        return payload

    # -- installation -------------------------------------------------------------------------

    def install(self, app: HostApp) -> None:
        """Serve the document, the pages and their assets on `app`; build at startup."""
        if self._app is not None and self._app is not app:
            raise RuntimeError("this OpenAPI battery is installed on another app: make one per app")
        if "openapi" in app.extensions:
            raise RuntimeError("the app already has an OpenAPI battery (app.extensions['openapi'])")
        self._app = app
        app.extensions["openapi"] = self
        if self.openapi_path is not None:
            app.get(self.openapi_path, name="openapi", include_in_schema=False)(self._serve_json)
        for ui, path in self.pages.items():
            app.get(path, name=f"openapi_{ui}", include_in_schema=False)(self._page_view(ui))
        if "swagger" in self.pages:
            redirect = self._redirect_path(self.pages["swagger"])
            app.get(redirect, name="openapi_oauth2_redirect", include_in_schema=False)(
                self._serve_redirect
            )
        if self.pages:
            wanted = {name for ui in self.pages for name in (*UIS[ui].styles, *UIS[ui].scripts)}
            if "swagger" in self.pages:
                wanted.add("oauth2-redirect.js")
            cdn = cdn_urls() if self.cdn else {}
            for name in sorted(wanted - set(cdn)):
                asset = assets()[name]
                app.get(
                    f"{self.assets_path}/{asset.url_name}",
                    name=f"openapi_asset_{name}",
                    include_in_schema=False,
                )(self._asset_view(asset))
        app.on("startup", self._startup)

    async def _startup(self) -> None:
        assert self._app is not None
        self._document = self.document(self._app)
        self._payloads.clear()
        self._payload("")

    # -- views --------------------------------------------------------------------------------

    async def _serve_json(self, req: HostRequest, res: HostResponse) -> None:
        payload = self._payload(req.scope.get("root_path", ""))
        res.headers["etag"] = payload.etag
        res.headers["cache-control"] = "no-cache"
        if _etag_matches(req.headers.get("if-none-match"), payload.etag):
            res.status_code = 304
            return
        res.content = payload.body
        res.media_type = "application/json"

    def _page_view(self, ui: str) -> Any:
        async def serve_page(req: HostRequest, res: HostResponse) -> None:
            root = req.scope.get("root_path", "").rstrip("/")
            body = self._html.get((ui, root))
            if body is None:
                if len(self._html) >= _MAX_VARIANTS * len(UIS):
                    self._html.clear()
                body = self._html[(ui, root)] = self._render(ui, root).encode()
            self._page_headers(res, UIS[ui].inline_styles)
            res.content = body
            res.media_type = "text/html; charset=utf-8"

        serve_page.__name__ = f"openapi_{ui}"
        return serve_page

    def _render(self, ui: str, root: str) -> str:
        assert self.openapi_path is not None
        config = dict(self.configs[ui])
        if ui == "swagger" and config.get("oauth2RedirectUrl", "").startswith("/"):
            config["oauth2RedirectUrl"] = root + config["oauth2RedirectUrl"]
        return page(
            UIS[ui],
            title=self.settings.info["title"],
            spec_url=root + self.openapi_path,
            assets_url=root + self.assets_path,
            config=config,
            cdn=cdn_urls() if self.cdn else None,
        )

    def _page_headers(self, res: HostResponse, inline_styles: bool = False) -> None:
        policy = csp(ORIGIN if self.cdn else None, inline_styles=inline_styles)
        res.headers["content-security-policy"] = policy
        res.headers["cache-control"] = "no-cache"
        res.headers["x-content-type-options"] = "nosniff"

    async def _serve_redirect(self, req: HostRequest, res: HostResponse) -> None:
        root = req.scope.get("root_path", "").rstrip("/")
        self._page_headers(res)
        res.content = redirect_page(root + self.assets_path).encode()
        res.media_type = "text/html; charset=utf-8"

    @staticmethod
    def _redirect_path(docs_path: str) -> str:
        return docs_path.rstrip("/") + "/oauth2-redirect"

    @staticmethod
    def _asset_view(asset: Asset) -> Any:
        async def serve_asset(req: HostRequest, res: HostResponse) -> None:
            res.headers["cache-control"] = _ASSET_CACHE
            res.headers["x-content-type-options"] = "nosniff"
            res.file(str(asset.path), media_type=asset.media_type)

        return serve_asset
