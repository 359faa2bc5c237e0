"""Security schemes on the battery, required app-wide or per route."""

from __future__ import annotations

import pytest

from boca.openapi import (
    APIKey,
    HTTPBasic,
    HTTPBearer,
    OAuth2,
    OAuth2Flow,
    OpenAPI,
    OpenAPIError,
    OpenIDConnect,
)

from ._routes import Described, Route, build

SCHEMES = {
    "key": APIKey("X-API-Key", description="Your key"),
    "cookie": APIKey("session", location="cookie"),
    "query": APIKey("api_key", location="query"),
    "bearer": HTTPBearer(bearer_format="JWT"),
    "basic": HTTPBasic(description="User and password"),
    "oauth": OAuth2(
        password=OAuth2Flow(token_url="/token", scopes={"notes:read": "Read notes"}),
        authorization_code=OAuth2Flow(
            authorization_url="https://auth.example.com/authorize",
            token_url="https://auth.example.com/token",
            refresh_url="https://auth.example.com/refresh",
        ),
        client_credentials=OAuth2Flow(token_url="/token"),
        implicit=OAuth2Flow(authorization_url="https://auth.example.com/authorize"),
        description="Log in",
    ),
    "oidc": OpenIDConnect("https://auth.example.com/.well-known/openid-configuration"),
}


def test_schemes_global_and_per_route_requirements() -> None:
    doc = build(
        Route("/notes", name="notes"),
        Route("/admin", name="admin"),
        Route("/health", name="health"),
        security_schemes=SCHEMES,
        security=["bearer", {"key": [], "cookie": []}],
        route_security={"admin": [{"oauth": ["notes:read"]}], "health": []},
    )
    assert doc["components"]["securitySchemes"] == {
        "key": {"type": "apiKey", "name": "X-API-Key", "in": "header", "description": "Your key"},
        "cookie": {"type": "apiKey", "name": "session", "in": "cookie"},
        "query": {"type": "apiKey", "name": "api_key", "in": "query"},
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "basic": {"type": "http", "scheme": "basic", "description": "User and password"},
        "oauth": {
            "type": "oauth2",
            "flows": {
                "implicit": {
                    "authorizationUrl": "https://auth.example.com/authorize",
                    "scopes": {},
                },
                "password": {"tokenUrl": "/token", "scopes": {"notes:read": "Read notes"}},
                "clientCredentials": {"tokenUrl": "/token", "scopes": {}},
                "authorizationCode": {
                    "authorizationUrl": "https://auth.example.com/authorize",
                    "tokenUrl": "https://auth.example.com/token",
                    "refreshUrl": "https://auth.example.com/refresh",
                    "scopes": {},
                },
            },
            "description": "Log in",
        },
        "oidc": {
            "type": "openIdConnect",
            "openIdConnectUrl": "https://auth.example.com/.well-known/openid-configuration",
        },
    }
    assert doc["security"] == [{"bearer": []}, {"key": [], "cookie": []}]
    paths = doc["paths"]
    assert "security" not in paths["/notes"]["get"]
    assert paths["/admin"]["get"]["security"] == [{"oauth": ["notes:read"]}]
    assert paths["/health"]["get"]["security"] == []


def test_no_schemes_no_security_section() -> None:
    doc = build(Route("/x", name="x"))
    assert "securitySchemes" not in doc["components"]
    assert "security" not in doc


def test_unknown_scheme_names_fail_at_construction() -> None:
    with pytest.raises(
        ValueError, match=r"security= names the security scheme 'jwt'.*declared: bearer"
    ):
        OpenAPI(title="T", version="1", security_schemes={"bearer": HTTPBearer()}, security=["jwt"])
    with pytest.raises(
        ValueError, match=r"route_security\['admin'\] names the security scheme 'x'.*declared: none"
    ):
        OpenAPI(title="T", version="1", route_security={"admin": ["x"]})
    with pytest.raises(TypeError, match=r"security= must be a list of requirements"):
        OpenAPI(title="T", version="1", security="bearer")  # type: ignore[arg-type]


def test_route_security_for_a_route_the_app_lacks_fails_when_built() -> None:
    battery = OpenAPI(
        title="T", version="1", security_schemes={"b": HTTPBasic()}, route_security={"admn": ["b"]}
    )
    with pytest.raises(
        OpenAPIError,
        match=r"route_security names the route 'admn', which the document does not",
    ):
        battery.document(Described(Route("/admin", name="admin")))


def test_scheme_declarations_are_checked() -> None:
    with pytest.raises(ValueError, match=r"APIKey\('k'\): location must be"):
        APIKey("k", location="body")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"OAuth2\(\) needs at least one flow"):
        OAuth2()
    with pytest.raises(
        ValueError, match=r"OAuth2\(authorization_code=...\): the flow needs token_url"
    ):
        OAuth2(authorization_code=OAuth2Flow(authorization_url="/auth"))
    with pytest.raises(ValueError, match=r"OAuth2\(password=...\): the flow needs token_url"):
        OAuth2(password=OAuth2Flow())
