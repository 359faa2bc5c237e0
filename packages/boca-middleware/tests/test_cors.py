from __future__ import annotations

import pytest

from boca.middleware import CORSMiddleware

pytestmark = pytest.mark.anyio

ORIGIN = "https://app.example.com"


def preflight(scope, origin=ORIGIN, method="PUT", headers=None, extra=()):
    h = [("origin", origin), ("access-control-request-method", method), *extra]
    if headers is not None:
        h.append(("access-control-request-headers", headers))
    return scope("/items", method="OPTIONS", headers=h)


async def test_listed_origin_is_echoed_with_vary(call, scope, app_factory) -> None:
    mw = CORSMiddleware(app_factory(), allow_origins=[ORIGIN], expose_headers=["X-Total"])
    result = await call(mw, scope(headers=[("origin", ORIGIN)]))
    assert result.status == 200
    assert result.body == b"Hello, World!"
    assert result.header("access-control-allow-origin") == ORIGIN
    assert result.header("access-control-expose-headers") == "X-Total"
    assert result.header("vary") == "Origin"
    assert result.header("access-control-allow-credentials") is None


async def test_no_origin_gets_vary_only(call, scope, app_factory) -> None:
    mw = CORSMiddleware(app_factory(), allow_origins=[ORIGIN])
    result = await call(mw, scope())
    assert result.header("access-control-allow-origin") is None
    assert result.header("vary") == "Origin"


async def test_wildcard_without_credentials_sends_star_everywhere(call, scope, app_factory) -> None:
    mw = CORSMiddleware(app_factory(), allow_origins="*")
    with_origin = await call(mw, scope(headers=[("origin", ORIGIN)]))
    without = await call(mw, scope())
    for result in (with_origin, without):
        assert result.header("access-control-allow-origin") == "*"
        assert result.header("vary") is None


async def test_hostile_M6(call, scope, app_factory) -> None:
    app = app_factory()
    mw = CORSMiddleware(app, allow_origins=[ORIGIN], allow_credentials=True, expose_headers=["X"])
    result = await call(mw, scope(headers=[("origin", "https://evil.com")]))
    assert result.status == 200
    assert result.body == b"Hello, World!"
    assert len(app.seen) == 1
    assert not [k for k, _ in result.raw_headers if k.startswith(b"access-control-")]
    assert result.header("vary") == "Origin"


@pytest.mark.parametrize(
    ("origin", "method", "headers", "reason"),
    [
        ("https://evil.com", "PUT", None, "Disallowed CORS origin"),
        (ORIGIN, "DELETE", None, "Disallowed CORS method"),
        (ORIGIN, "PUT", "X-Evil", "Disallowed CORS headers"),
        ("https://evil.com", "PATCH", "x-a, X-Evil", "Disallowed CORS origin, method, headers"),
    ],
)
async def test_hostile_M7(call, scope, app_factory, origin, method, headers, reason) -> None:
    app = app_factory()
    mw = CORSMiddleware(app, allow_origins=[ORIGIN], allow_methods=["PUT"], allow_headers=["X-A"])
    result = await call(mw, preflight(scope, origin, method, headers))
    assert result.status == 400
    assert result.body == reason.encode()
    assert result.header("content-type") == "text/plain; charset=utf-8"
    assert not [k for k, _ in result.raw_headers if k.startswith(b"access-control-")]
    assert "Origin" in (result.header("vary") or "")
    assert app.seen == []


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.com#.example.com",
        "https://a.example.com.evil.com",
        "https://example.com",
        "http://a.example.com",
        "https://a.example.com/",
    ],
)
async def test_hostile_M8(call, scope, app_factory, origin) -> None:
    mw = CORSMiddleware(app_factory(), allow_origin_regex=r"https://.*\.example\.com")
    simple = await call(mw, scope(headers=[("origin", origin)]))
    assert simple.header("access-control-allow-origin") is None
    pre = await call(mw, preflight(scope, origin, "GET"))
    assert pre.status == 400
    assert pre.body == b"Disallowed CORS origin"


async def test_regex_matches_whole_origin(call, scope, app_factory) -> None:
    mw = CORSMiddleware(app_factory(), allow_origin_regex=r"https://.*\.example\.com")
    result = await call(mw, scope(headers=[("origin", "https://a.b.example.com")]))
    assert result.header("access-control-allow-origin") == "https://a.b.example.com"


async def test_hostile_M9(call, scope, app_factory) -> None:
    mw = CORSMiddleware(app_factory(), allow_origins=["*"], allow_credentials=True)
    first = await call(
        mw, scope(headers=[("origin", "https://one.test"), ("cookie", "session=abc")])
    )
    assert first.header("access-control-allow-origin") == "https://one.test"
    assert first.header("access-control-allow-credentials") == "true"
    assert first.header("vary") == "Origin"
    second = await call(mw, scope(headers=[("origin", "https://two.test")]))
    assert second.header("access-control-allow-origin") == "https://two.test"
    third = await call(mw, scope())
    assert third.header("access-control-allow-origin") is None
    assert third.header("vary") == "Origin"
    # Credentialed preflights never get "*" either.
    pre = await call(mw, preflight(scope, "https://one.test", "GET"))
    assert pre.header("access-control-allow-origin") == "https://one.test"
    assert pre.header("access-control-allow-credentials") == "true"
    third_pre = await call(mw, preflight(scope, "https://three.test", "GET"))
    assert third_pre.header("access-control-allow-origin") == "https://three.test"


async def test_shared_response_headers_are_not_mutated(call, scope) -> None:
    shared = [(b"content-type", b"text/plain")]
    start = {"type": "http.response.start", "status": 200, "headers": shared}

    async def app(scope, receive, send):
        await send(start)
        await send({"type": "http.response.body", "body": b"x"})

    mw = CORSMiddleware(app, allow_origins=[ORIGIN])
    first = await call(mw, scope(headers=[("origin", ORIGIN)]))
    assert first.header("access-control-allow-origin") == ORIGIN
    assert shared == [(b"content-type", b"text/plain")]
    assert start["headers"] is shared
    second = await call(mw, scope(headers=[("origin", "https://evil.com")]))
    assert second.header("access-control-allow-origin") is None


async def test_allowed_preflight(call, scope, app_factory) -> None:
    app = app_factory()
    mw = CORSMiddleware(
        app,
        allow_origins=[ORIGIN],
        allow_methods=["PUT", "DELETE"],
        allow_headers=["X-Token"],
        max_age=321,
    )
    result = await call(mw, preflight(scope, ORIGIN, "PUT", "x-token, Content-Type"))
    assert result.status == 200
    assert result.body == b"OK"
    assert result.header("access-control-allow-origin") == ORIGIN
    assert result.header("access-control-allow-methods") == "DELETE, PUT"
    assert result.header("access-control-allow-headers") == (
        "accept, accept-language, content-language, content-type, x-token"
    )
    assert result.header("access-control-max-age") == "321"
    assert result.header("vary") == (
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
        "Access-Control-Request-Private-Network"
    )
    assert result.header("access-control-allow-credentials") is None
    assert app.seen == []


async def test_safelisted_method_is_always_allowed(call, scope, app_factory) -> None:
    mw = CORSMiddleware(app_factory(), allow_origins=[ORIGIN], allow_methods=["PUT"])
    result = await call(mw, preflight(scope, ORIGIN, "POST"))
    assert result.status == 200
    assert result.header("access-control-allow-headers") is None


STANDARD = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, QUERY"


async def test_wildcard_preflight_lists_the_standard_methods_and_echoes_headers(
    call, scope, app_factory
) -> None:
    mw = CORSMiddleware(app_factory(), allow_origins="*", allow_methods="*", allow_headers="*")
    result = await call(mw, preflight(scope, ORIGIN, "PATCH", "X-A, Authorization"))
    assert result.status == 200
    assert result.header("access-control-allow-origin") == "*"
    assert result.header("access-control-allow-methods") == STANDARD
    # Browsers send these names lower-cased and compare them case-insensitively (Fetch).
    assert result.header("access-control-allow-headers") == "x-a, authorization"


@pytest.mark.parametrize("allow_methods", ["*", ["*"]])
async def test_cors_wildcard_methods_refuse_non_standard_methods(
    call, scope, app_factory, allow_methods
) -> None:
    mw = CORSMiddleware(app_factory(), allow_origins=[ORIGIN], allow_methods=allow_methods)
    result = await call(mw, preflight(scope, ORIGIN, "PURGE"))
    assert result.status == 400
    assert result.body == b"Disallowed CORS method"
    assert result.header("access-control-allow-origin") is None


async def test_cors_custom_method_listed_beside_the_wildcard(call, scope, app_factory) -> None:
    mw = CORSMiddleware(app_factory(), allow_origins=[ORIGIN], allow_methods=["*", "purge"])
    result = await call(mw, preflight(scope, ORIGIN, "PURGE"))
    assert result.status == 200
    assert result.header("access-control-allow-methods") == (
        "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PURGE, PUT, QUERY"
    )


async def test_hostile_cors_null_origin_with_wildcard_and_credentials_is_not_echoed(
    call, scope, app_factory
) -> None:
    mw = CORSMiddleware(app_factory(), allow_origins=["*"], allow_credentials=True)
    simple = await call(mw, scope(headers=[("origin", "null"), ("cookie", "sid=1")]))
    assert simple.status == 200
    assert simple.header("access-control-allow-origin") is None
    assert simple.header("access-control-allow-credentials") is None
    assert simple.header("vary") == "Origin"
    refused = await call(mw, preflight(scope, "null", "GET"))
    assert refused.status == 400
    assert refused.body == b"Disallowed CORS origin"
    assert refused.header("access-control-allow-origin") is None
    # Any real origin is still echoed.
    other = await call(mw, scope(headers=[("origin", ORIGIN)]))
    assert other.header("access-control-allow-origin") == ORIGIN


async def test_cors_null_origin_is_never_matched_by_a_regex(call, scope, app_factory) -> None:
    mw = CORSMiddleware(app_factory(), allow_origin_regex=".*", allow_credentials=True)
    result = await call(mw, scope(headers=[("origin", "null")]))
    assert result.header("access-control-allow-origin") is None


async def test_cors_null_origin_listed_explicitly_is_echoed(call, scope, app_factory) -> None:
    mw = CORSMiddleware(app_factory(), allow_origins=["*", "null"], allow_credentials=True)
    result = await call(mw, scope(headers=[("origin", "null")]))
    assert result.header("access-control-allow-origin") == "null"
    assert result.header("vary") == "Origin"
    ok = await call(mw, preflight(scope, "null", "GET"))
    assert ok.status == 200
    assert ok.header("access-control-allow-origin") == "null"


async def test_cors_wildcard_without_credentials_answers_star_to_null(
    call, scope, app_factory
) -> None:
    # `*` without credentials never depends on the origin: nothing is echoed.
    mw = CORSMiddleware(app_factory(), allow_origins=["*"])
    result = await call(mw, scope(headers=[("origin", "null")]))
    assert result.header("access-control-allow-origin") == "*"
    assert (await call(mw, preflight(scope, "null", "GET"))).status == 200


async def test_repeated_request_header_lines_are_one_list(call, scope, app_factory) -> None:
    mw = CORSMiddleware(app_factory(), allow_origins=[ORIGIN], allow_headers=["x-a", "x-b"])
    request = scope(
        "/",
        method="OPTIONS",
        headers=[
            ("origin", ORIGIN),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "x-a"),
            ("access-control-request-headers", "x-c"),
        ],
    )
    result = await call(mw, request)
    assert result.status == 400
    assert result.body == b"Disallowed CORS headers"


async def test_private_network(call, scope, app_factory) -> None:
    extra = [("access-control-request-private-network", "true")]
    refused = CORSMiddleware(app_factory(), allow_origins=[ORIGIN])
    result = await call(refused, preflight(scope, ORIGIN, "GET", extra=extra))
    assert result.status == 400
    assert result.body == b"Disallowed CORS private-network"
    allowed = CORSMiddleware(app_factory(), allow_origins=[ORIGIN], allow_private_network=True)
    result = await call(allowed, preflight(scope, ORIGIN, "GET", extra=extra))
    assert result.status == 200
    assert result.header("access-control-allow-private-network") == "true"


async def test_options_without_request_method_reaches_the_app(call, scope, app_factory) -> None:
    app = app_factory()
    mw = CORSMiddleware(app, allow_origins=[ORIGIN])
    result = await call(mw, scope(method="OPTIONS", headers=[("origin", ORIGIN)]))
    assert result.status == 200
    assert len(app.seen) == 1
    assert result.header("access-control-allow-origin") == ORIGIN


@pytest.mark.parametrize("bad", ["https://example.com/", "example.com", "https://a.com/path/"])
def test_origin_must_be_an_origin(app_factory, bad) -> None:
    with pytest.raises(ValueError, match="is not an origin"):
        CORSMiddleware(app_factory(), allow_origins=[bad])


def test_null_origin_may_be_listed(app_factory) -> None:
    assert CORSMiddleware(app_factory(), allow_origins=["null"]).allow_origins == {b"null"}


async def test_configured_origins_are_case_insensitive(call, scope, app_factory) -> None:
    mw = CORSMiddleware(app_factory(), allow_origins=["https://App.Example.com"])
    result = await call(mw, scope(headers=[("origin", "https://app.example.com")]))
    assert result.header("access-control-allow-origin") == "https://app.example.com"
