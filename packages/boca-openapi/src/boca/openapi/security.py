"""Security schemes: how clients authenticate, declared once on the battery.

The schemes go to `components/securitySchemes`; which ones an operation needs is set app-wide
with `OpenAPI(security=...)` and per route with `OpenAPI(route_security={route_name: ...})`.
The battery documents authentication; checking credentials stays the app's job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Union

__all__ = [
    "APIKey",
    "HTTPBasic",
    "HTTPBearer",
    "OAuth2",
    "OAuth2Flow",
    "OpenIDConnect",
    "SecurityRequirement",
    "SecurityScheme",
]


def _described(schema: dict[str, Any], description: str | None) -> dict[str, Any]:
    if description:
        schema["description"] = description
    return schema


@dataclass(frozen=True)
class APIKey:
    """A key sent in a header (default), a cookie or the query string under `name`."""

    name: str
    location: Literal["header", "cookie", "query"] = "header"
    description: str | None = None

    def __post_init__(self) -> None:
        if self.location not in ("header", "cookie", "query"):
            raise ValueError(
                f"APIKey({self.name!r}): location must be 'header', 'cookie' or 'query', "
                f"not {self.location!r}"
            )

    def as_dict(self) -> dict[str, Any]:
        schema = {"type": "apiKey", "name": self.name, "in": self.location}
        return _described(schema, self.description)


@dataclass(frozen=True)
class HTTPBearer:
    """`Authorization: Bearer <token>`; `bearer_format` hints at the token ("JWT")."""

    bearer_format: str | None = None
    description: str | None = None

    def as_dict(self) -> dict[str, Any]:
        schema = {"type": "http", "scheme": "bearer"}
        if self.bearer_format:
            schema["bearerFormat"] = self.bearer_format
        return _described(schema, self.description)


@dataclass(frozen=True)
class HTTPBasic:
    """`Authorization: Basic <base64(user:password)>`."""

    description: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return _described({"type": "http", "scheme": "basic"}, self.description)


@dataclass(frozen=True)
class OAuth2Flow:
    """One OAuth2 flow: its URLs and the scopes it grants (`{"notes:read": "Read notes"}`)."""

    token_url: str | None = None
    authorization_url: str | None = None
    refresh_url: str | None = None
    scopes: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        flow: dict[str, Any] = {}
        if self.authorization_url:
            flow["authorizationUrl"] = self.authorization_url
        if self.token_url:
            flow["tokenUrl"] = self.token_url
        if self.refresh_url:
            flow["refreshUrl"] = self.refresh_url
        flow["scopes"] = dict(self.scopes)
        return flow


# Which URLs each flow must have (OpenAPI 3.1, "OAuth Flow Object").
_FLOW_NEEDS = {
    "implicit": ("authorization_url",),
    "password": ("token_url",),
    "client_credentials": ("token_url",),
    "authorization_code": ("authorization_url", "token_url"),
}
_FLOW_NAMES = {
    "implicit": "implicit",
    "password": "password",
    "client_credentials": "clientCredentials",
    "authorization_code": "authorizationCode",
}


@dataclass(frozen=True)
class OAuth2:
    """OAuth2 with one or more flows, each an `OAuth2Flow`."""

    implicit: OAuth2Flow | None = None
    password: OAuth2Flow | None = None
    client_credentials: OAuth2Flow | None = None
    authorization_code: OAuth2Flow | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        flows = {name: getattr(self, name) for name in _FLOW_NEEDS}
        if not any(flows.values()):
            raise ValueError(
                "OAuth2() needs at least one flow: implicit=, password=, client_credentials= "
                "or authorization_code= (an OAuth2Flow)"
            )
        for name, flow in flows.items():
            missing = [url for url in _FLOW_NEEDS[name] if flow and not getattr(flow, url)]
            if missing:
                raise ValueError(f"OAuth2({name}=...): the flow needs {' and '.join(missing)}")

    def as_dict(self) -> dict[str, Any]:
        flows = {
            _FLOW_NAMES[name]: flow.as_dict()
            for name in _FLOW_NEEDS
            if (flow := getattr(self, name)) is not None
        }
        return _described({"type": "oauth2", "flows": flows}, self.description)


@dataclass(frozen=True)
class OpenIDConnect:
    """OpenID Connect discovery at `url` (`.../.well-known/openid-configuration`)."""

    url: str
    description: str | None = None

    def as_dict(self) -> dict[str, Any]:
        schema = {"type": "openIdConnect", "openIdConnectUrl": self.url}
        return _described(schema, self.description)


SecurityScheme = Union[APIKey, HTTPBearer, HTTPBasic, OAuth2, OpenIDConnect]  # noqa: UP007
#: A scheme name (no scopes), or `{scheme name: [scopes]}` (several keys: all of them at once).
SecurityRequirement = Union[str, Mapping[str, Sequence[str]]]  # noqa: UP007


def requirements(
    value: Sequence[SecurityRequirement], schemes: Mapping[str, Any], where: str
) -> list[dict[str, list[str]]]:
    """`value` as OpenAPI security requirement objects, every scheme name checked."""
    if isinstance(value, (str, Mapping)):
        raise TypeError(f"{where} must be a list of requirements, like ['bearer'], not {value!r}")
    out = []
    for item in value:
        requirement = {item: []} if isinstance(item, str) else {k: list(v) for k, v in item.items()}
        for name in requirement:
            if name not in schemes:
                known = ", ".join(sorted(schemes)) or "none"
                raise ValueError(
                    f"{where} names the security scheme {name!r}, which is not declared in "
                    f"security_schemes= (declared: {known})"
                )
        out.append(requirement)
    return out
