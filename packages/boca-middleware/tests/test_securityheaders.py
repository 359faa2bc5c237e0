from __future__ import annotations

import re
from typing import Any

import pytest

from boca.middleware import SecurityHeaders, SecurityHeadersMiddleware, csp_nonce

pytestmark = pytest.mark.anyio

DEFAULTS = [
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    (
        "permissions-policy",
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=()",
    ),
    ("content-security-policy", "frame-ancestors 'none'"),
]


async def test_security_headers_defaults(call, scope, app_factory) -> None:
    result = await call(SecurityHeadersMiddleware(app_factory()), scope())
    assert result.status == 200
    assert result.body == b"Hello, World!"
    for name, value in DEFAULTS:
        assert result.header_list(name) == [value], name
    assert result.header("cross-origin-embedder-policy") is None
    assert result.header("strict-transport-security") is None


async def test_security_headers_each_default_is_overridable(call, scope, app_factory) -> None:
    mw = SecurityHeadersMiddleware(
        app_factory(),
        content_type_options=None,
        referrer_policy="no-referrer",
        frame_options="SAMEORIGIN",
        frame_ancestors="'self'",
        cross_origin_opener_policy="same-origin-allow-popups",
        cross_origin_resource_policy="cross-origin",
        cross_origin_embedder_policy="require-corp",
        permissions_policy={"camera": ["self", "https://a.test"], "fullscreen": "*"},
    )
    result = await call(mw, scope())
    assert result.header("x-content-type-options") is None
    assert result.header("referrer-policy") == "no-referrer"
    assert result.header("x-frame-options") == "SAMEORIGIN"
    assert result.header("content-security-policy") == "frame-ancestors 'self'"
    assert result.header("cross-origin-opener-policy") == "same-origin-allow-popups"
    assert result.header("cross-origin-resource-policy") == "cross-origin"
    assert result.header("cross-origin-embedder-policy") == "require-corp"
    assert result.header("permissions-policy") == 'camera=(self "https://a.test"), fullscreen=*'


async def test_security_headers_all_off(call, scope, app_factory) -> None:
    mw = SecurityHeadersMiddleware(
        app_factory(),
        content_type_options=None,
        referrer_policy=None,
        frame_options=None,
        frame_ancestors=None,
        cross_origin_opener_policy=None,
        cross_origin_resource_policy=None,
        permissions_policy=None,
    )
    result = await call(mw, scope())
    assert [k for k, _ in result.raw_headers] == [b"content-type", b"content-length"]


async def test_security_headers_set_by_the_app_are_kept(call, scope, app_factory) -> None:
    app = app_factory(
        headers=[(b"x-frame-options", b"SAMEORIGIN"), (b"content-security-policy", b"img-src *")]
    )
    result = await call(SecurityHeadersMiddleware(app), scope())
    assert result.header_list("x-frame-options") == ["SAMEORIGIN"]
    assert result.header_list("content-security-policy") == ["img-src *"]
    assert result.header("x-content-type-options") == "nosniff"


async def test_security_headers_do_not_leak_between_responses(call, scope) -> None:
    shared: list[tuple[bytes, bytes]] = [(b"content-type", b"text/plain")]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": shared})
        await send({"type": "http.response.body", "body": b""})

    mw = SecurityHeadersMiddleware(app)
    await call(mw, scope())
    second = await call(mw, scope())
    assert shared == [(b"content-type", b"text/plain")]
    assert second.header_list("x-frame-options") == ["DENY"]


async def test_csp_builder_with_a_fresh_nonce_per_request(call, scope) -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["state"]["csp_nonce"])
        assert scope["csp_nonce"] == csp_nonce(scope)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    mw = SecurityHeadersMiddleware(
        app,
        content_security_policy={
            "default-src": "'self'",
            "script-src": ["'self'", "'strict-dynamic'"],
            "style-src": ["'self'"],
        },
        csp_nonce=True,
    )
    shared_state = {"user": "x"}
    first = await call(mw, scope(state=shared_state))
    second = await call(mw, scope(state=shared_state))
    assert shared_state == {"user": "x"}
    assert seen[0] != seen[1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", seen[0])
    for result, nonce in ((first, seen[0]), (second, seen[1])):
        assert result.header("content-security-policy") == (
            f"default-src 'self'; script-src 'self' 'strict-dynamic' 'nonce-{nonce}'; "
            f"style-src 'self' 'nonce-{nonce}'; frame-ancestors 'none'"
        )


async def test_csp_string_report_only_keeps_its_frame_ancestors(call, scope, app_factory) -> None:
    mw = SecurityHeadersMiddleware(
        app_factory(),
        content_security_policy="default-src 'self'; Frame-Ancestors 'self' https://a.test;",
        csp_report_only=True,
    )
    result = await call(mw, scope())
    assert result.header("content-security-policy") is None
    assert result.header("content-security-policy-report-only") == (
        "default-src 'self'; frame-ancestors 'self' https://a.test"
    )


def test_csp_nonce_needs_a_script_or_style_directive(app_factory) -> None:
    with pytest.raises(ValueError, match="csp_nonce=True needs a content_security_policy"):
        SecurityHeadersMiddleware(app_factory(), csp_nonce=True)


@pytest.mark.parametrize(
    "options",
    [
        {"referrer_policy": "no-referrer\r\nSet-Cookie: a=b"},
        {"content_security_policy": {"script-src": "'self'\r\nX: y"}},
    ],
)
def test_security_headers_refuse_cr_lf(app_factory, options) -> None:
    with pytest.raises(ValueError, match="must not contain CR or LF"):
        SecurityHeadersMiddleware(app_factory(), **options)


def test_csp_nonce_outside_the_middleware_names_the_fix() -> None:
    class Request:
        scope: dict[str, Any] = {}

    with pytest.raises(LookupError, match="add SecurityHeadersMiddleware with csp_nonce=True"):
        csp_nonce(Request())


async def test_security_headers_pass_websockets_and_lifespan(call, scope, recorder) -> None:
    app, calls = recorder()
    mw = SecurityHeadersMiddleware(app)
    result = await call(mw, scope(type="websocket"))
    assert result.messages == [{"type": "websocket.accept"}]
    assert "csp_nonce" not in calls[0][0]


def test_security_headers_battery_publishes_the_nonce() -> None:
    class App:
        def __init__(self) -> None:
            self.extensions: dict[str, Any] = {}
            self.middleware: list[tuple[Any, dict[str, Any]]] = []

        def add_middleware(self, cls: Any, **options: Any) -> None:
            self.middleware.append((cls, options))

    app = App()
    options = {"content_security_policy": {"script-src": "'self'"}, "csp_nonce": True}
    battery = SecurityHeaders(**options)
    battery.install(app)
    assert app.middleware == [(SecurityHeadersMiddleware, options)]
    assert app.extensions["csp"] is battery
    assert app.extensions["middleware"] == [battery]
    assert battery.nonce({"csp_nonce": "abc"}) == "abc"
    with pytest.raises(TypeError):
        SecurityHeaders(x_frame_options="DENY")
