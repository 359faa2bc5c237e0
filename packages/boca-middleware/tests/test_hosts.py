from __future__ import annotations

import json

import pytest

from boca.middleware import HTTPSRedirectMiddleware, TrustedHostMiddleware

pytestmark = pytest.mark.anyio


async def test_hostile_M1(call, scope, app_factory) -> None:
    app = app_factory()
    mw = TrustedHostMiddleware(app, allowed_hosts=["example.com"])
    result = await call(mw, scope(host="evil.com"))
    assert result.status == 400
    assert result.body == b"Invalid host header"
    assert app.seen == []
    ok = await call(mw, scope(host="example.com:8000"))
    assert ok.status == 200
    assert len(app.seen) == 1


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("evilexample.com", 400),
        ("example.com.evil.com", 400),
        ("EXAMPLE.com.", 200),
        ("example.com", 200),
        ("A.Example.COM.", 200),
        ("a.b.example.com:443", 200),
        (".example.com", 400),
        ("example.com..", 400),
    ],
)
async def test_hostile_M2(call, scope, app_factory, host, status) -> None:
    app = app_factory()
    mw = TrustedHostMiddleware(app, allowed_hosts=["*.example.com", "Example.COM."])
    result = await call(mw, scope(host=host))
    assert result.status == status
    assert len(app.seen) == (status == 200)


async def test_wildcard_does_not_match_the_bare_domain(call, scope, app_factory) -> None:
    mw = TrustedHostMiddleware(app_factory(), allowed_hosts=["*.example.com"], www_redirect=False)
    assert (await call(mw, scope(host="example.com"))).status == 400
    assert (await call(mw, scope(host="api.example.com"))).status == 200


@pytest.mark.parametrize(
    "host",
    [
        "foo/?x=",
        "foo/#",
        "user@foo",
        "foo\\bar",
        "foo bar",
        "",
        "example.com:99999",
        "example.com:",
        "[::1",
        "[zz::1]",
        "[1:2:3]",
    ],
)
async def test_malformed_host_is_refused(call, scope, app_factory, host) -> None:
    mw = TrustedHostMiddleware(app_factory(), allowed_hosts=["example.com", "[::1]"])
    result = await call(mw, scope(host=host))
    assert result.status == 400
    assert result.body == b"Invalid host header"


async def test_ipv6_literal(call, scope, app_factory) -> None:
    mw = TrustedHostMiddleware(app_factory(), allowed_hosts=["[::1]"])
    assert (await call(mw, scope(host="[::1]:8000"))).status == 200


async def test_missing_or_repeated_host_is_refused(call, scope, app_factory) -> None:
    mw = TrustedHostMiddleware(app_factory(), allowed_hosts=["example.com"])
    assert (await call(mw, scope(host=None))).status == 400
    twice = scope(headers=[("host", "example.com")])
    assert (await call(mw, twice)).status == 400


async def test_allow_any_passes_everything(call, scope, app_factory) -> None:
    mw = TrustedHostMiddleware(app_factory())
    assert (await call(mw, scope(host=None))).status == 200


async def test_www_redirect(call, scope, app_factory) -> None:
    app = app_factory()
    mw = TrustedHostMiddleware(app, allowed_hosts=["www.example.com"])
    result = await call(mw, scope("/a b//c", host="Example.com:8080", query=b"x=1", scheme="https"))
    assert result.status == 308
    assert result.header("location") == "https://www.example.com:8080/a b//c?x=1"
    assert app.seen == []
    plain = await call(mw, scope("//evil.com", host="example.com"))
    assert plain.header("location") == "http://www.example.com/evil.com"
    off = TrustedHostMiddleware(app, allowed_hosts=["www.example.com"], www_redirect=False)
    assert (await call(off, scope(host="example.com"))).status == 400


async def test_websocket_handshakes_are_checked(call, scope, app_factory) -> None:
    mw = TrustedHostMiddleware(app_factory(), allowed_hosts=["example.com"])
    closed = await call(mw, scope(type="websocket", host="evil.com"))
    assert closed.messages == [{"type": "websocket.close", "code": 1008}]
    refused = await call(
        mw,
        scope(type="websocket", host="evil.com", extensions={"websocket.http.response": {}}),
    )
    assert refused.messages[0]["type"] == "websocket.http.response.start"
    assert refused.status == 400
    assert refused.body == b"Invalid host header"


async def test_websocket_www_redirect(call, scope, app_factory) -> None:
    mw = TrustedHostMiddleware(app_factory(), allowed_hosts=["www.example.com"])
    result = await call(
        mw,
        scope(
            "/ws",
            type="websocket",
            host="example.com",
            scheme="wss",
            extensions={"websocket.http.response": {}},
        ),
    )
    assert result.status == 308
    assert result.header("location") == "wss://www.example.com/ws"


@pytest.mark.parametrize(
    "pattern", ["*example.com", "foo.*.com", "*.", "a/b", "example.com:80", "*.a b"]
)
def test_bad_patterns(app_factory, pattern) -> None:
    with pytest.raises(ValueError, match="Invalid host pattern"):
        TrustedHostMiddleware(app_factory(), allowed_hosts=[pattern])


def test_single_string_pattern(app_factory) -> None:
    mw = TrustedHostMiddleware(app_factory(), allowed_hosts="example.com")
    assert mw.matcher("example.com")


# HTTPS redirect --------------------------------------------------------------


async def test_redirects_http_to_https_with_308(call, scope, app_factory) -> None:
    app = app_factory()
    mw = HTTPSRedirectMiddleware(app, allowed_hosts=["example.com"])
    result = await call(mw, scope("/a/b%20c", host="Example.com:8080", query=b"q=1&r=2"))
    assert result.status == 308
    assert result.header("location") == "https://example.com/a/b%20c?q=1&r=2"
    assert app.seen == []


async def test_https_port(call, scope, app_factory) -> None:
    mw = HTTPSRedirectMiddleware(app_factory(), allowed_hosts=["example.com"], https_port=8443)
    result = await call(mw, scope("/", host="example.com:8000"))
    assert result.header("location") == "https://example.com:8443/"


async def test_https_requests_pass(call, scope, app_factory) -> None:
    app = app_factory()
    result = await call(HTTPSRedirectMiddleware(app), scope(scheme="https"))
    assert result.status == 200
    assert len(app.seen) == 1


async def test_ws_to_wss(call, scope, app_factory) -> None:
    app = app_factory()
    mw = TrustedHostMiddleware(HTTPSRedirectMiddleware(app), allowed_hosts=["example.com"])
    result = await call(
        mw,
        scope(
            "/ws",
            type="websocket",
            scheme="ws",
            query=b"t=1",
            extensions={"websocket.http.response": {}},
        ),
    )
    assert result.messages[0]["type"] == "websocket.http.response.start"
    assert result.status == 308
    assert result.header("location") == "wss://example.com/ws?t=1"
    closed = await call(mw, scope("/ws", type="websocket", scheme="ws"))
    assert closed.messages == [{"type": "websocket.close", "code": 1008}]
    assert app.seen == []
    await call(mw, scope("/ws", type="websocket", scheme="wss"))
    assert len(app.seen) == 1


async def test_redirect_never_points_to_another_authority(call, scope, app_factory) -> None:
    mw = HTTPSRedirectMiddleware(app_factory(), base_url="https://example.com")
    result = await call(mw, scope("//evil.com/x", host="evil.com"))
    assert result.header("location") == "https://example.com/evil.com/x"


@pytest.mark.parametrize("host", ["evil.com/x", "user@evil.com", "", None])
async def test_redirect_needs_a_well_formed_host(call, scope, app_factory, host) -> None:
    mw = HTTPSRedirectMiddleware(app_factory())
    result = await call(mw, scope(host=host))
    assert result.status == 400
    assert result.body == b"Invalid host header"
    ws = await call(mw, scope(type="websocket", scheme="ws", host=host))
    assert ws.messages == [{"type": "websocket.close", "code": 1008}]


async def test_hostile_M5(call, scope, app_factory) -> None:
    app = app_factory()
    # Trusted-host check outside (runs first), then the redirect.
    stacked = TrustedHostMiddleware(HTTPSRedirectMiddleware(app), allowed_hosts=["example.com"])
    result = await call(stacked, scope(host="evil.com"))
    assert result.status == 400
    assert result.header("location") is None
    good = await call(stacked, scope("/p", host="example.com"))
    assert good.header("location") == "https://example.com/p"
    # Or validated by the redirect itself.
    alone = HTTPSRedirectMiddleware(app, allowed_hosts=["example.com", "*.example.com"])
    result = await call(alone, scope(host="evil.com"))
    assert result.status == 400
    assert result.header("location") is None
    assert (await call(alone, scope(host="a.example.com"))).status == 308
    assert app.seen == []


async def test_decision_cache_is_bounded(call, scope, app_factory) -> None:
    mw = TrustedHostMiddleware(app_factory(), allowed_hosts=["example.com"])
    for i in range(300):
        assert (await call(mw, scope(host=f"h{i}.test"))).status == 400
    assert len(mw._verdicts) <= 256
    assert (await call(mw, scope(host="example.com"))).status == 200
    assert (await call(mw, scope(host="example.com"))).status == 200


# Hardening (issue 14): no open redirect when no host was validated ------------------


async def test_https_redirect_without_a_validated_host_answers_400_in_the_error_format(
    call, scope, app_factory
) -> None:
    app = app_factory()
    mw = HTTPSRedirectMiddleware(app)
    result = await call(mw, scope("/reset", host="evil.com"))
    assert result.status == 400
    assert result.header("location") is None
    assert result.header("content-type") == "application/json"
    assert json.loads(result.body) == {
        "error": "400 Bad Request",
        "status": 400,
        "detail": "Cannot redirect to HTTPS: the host is not known to be ours. Put "
        "TrustedHostMiddleware outside HTTPSRedirectMiddleware, or pass it allowed_hosts "
        "or base_url.",
    }
    ws = await call(mw, scope(type="websocket", scheme="ws", host="evil.com"))
    assert ws.messages == [{"type": "websocket.close", "code": 1008}]
    assert app.seen == []


async def test_https_redirect_uses_the_host_trustedhost_validated(call, scope, app_factory) -> None:
    stacked = TrustedHostMiddleware(
        HTTPSRedirectMiddleware(app_factory()), allowed_hosts=["*.example.com"]
    )
    result = await call(stacked, scope("/p", host="A.Example.com.:80", query=b"x=1"))
    assert result.status == 308
    assert result.header("location") == "https://a.example.com/p?x=1"


async def test_https_redirect_refuses_a_host_changed_after_validation(
    call, scope, app_factory
) -> None:
    async def rewrite_host(scope, receive, send):
        scope["headers"] = [(b"host", b"evil.com")]
        await HTTPSRedirectMiddleware(app_factory())(scope, receive, send)

    mw = TrustedHostMiddleware(rewrite_host, allowed_hosts=["example.com"])
    result = await call(mw, scope(host="example.com"))
    assert result.status == 400
    assert result.header("location") is None


async def test_https_redirect_with_any_host_allowed_validates_nothing(
    call, scope, app_factory
) -> None:
    stacked = TrustedHostMiddleware(HTTPSRedirectMiddleware(app_factory()), allowed_hosts=["*"])
    result = await call(stacked, scope(host="evil.com"))
    assert result.status == 400
    assert result.header("location") is None


@pytest.mark.parametrize(
    ("base_url", "location"),
    [
        ("https://example.com", "https://example.com/p?q=1"),
        ("https://Example.com:443/", "https://example.com/p?q=1"),
        ("https://example.com:8443", "https://example.com:8443/p?q=1"),
    ],
)
async def test_https_redirect_to_the_base_url(call, scope, app_factory, base_url, location) -> None:
    mw = HTTPSRedirectMiddleware(app_factory(), base_url=base_url)
    result = await call(mw, scope("/p", host="evil.com", query=b"q=1"))
    assert result.status == 308
    assert result.header("location") == location


@pytest.mark.parametrize("base_url", ["http://example.com", "example.com", "https://a/b"])
def test_https_redirect_refuses_a_base_url_that_is_not_an_https_origin(
    app_factory, base_url
) -> None:
    with pytest.raises(ValueError, match="is not an HTTPS origin"):
        HTTPSRedirectMiddleware(app_factory(), base_url=base_url)


@pytest.mark.parametrize("port", [0, 65536])
def test_https_redirect_refuses_out_of_range_ports(app_factory, port) -> None:
    with pytest.raises(ValueError, match="https_port must be between 1 and 65535"):
        HTTPSRedirectMiddleware(app_factory(), https_port=port)


# Drop-in (issue 12): the host forms Starlette accepts --------------------------------


@pytest.mark.parametrize(
    ("pattern", "host", "validated"),
    [
        ("[::1]", "[::1]", "[::1]"),
        ("[::1]", "[::1]:8000", "[::1]"),
        ("[2001:db8::1]", "[2001:DB8::1]:443", "[2001:db8::1]"),
        ("[::ffff:127.0.0.1]", "[::ffff:127.0.0.1]", "[::ffff:127.0.0.1]"),
        ("[v1.foo]", "[v1.foo]", "[v1.foo]"),
        ("[v1.foo]", "[v1.FOO]:8080", "[v1.foo]"),
        ("[v7a.b:c]", "[v7a.b:c]", "[v7a.b:c]"),
        ("127.0.0.1", "127.0.0.1:5000", "127.0.0.1"),
    ],
)
async def test_trustedhost_accepts_ip_literals_as_starlette_does(
    call, scope, app_factory, pattern, host, validated
) -> None:
    app = app_factory()
    mw = TrustedHostMiddleware(app, allowed_hosts=[pattern])
    result = await call(mw, scope(host=host))
    assert result.status == 200
    assert app.seen[0]["boca.validated_host"] == validated


@pytest.mark.parametrize("host", ["[V1.foo]", "[v1.]", "[vz.a]", "[v1.a/b]", "[v1.a]x"])
async def test_trustedhost_refuses_malformed_ipvfuture(call, scope, app_factory, host) -> None:
    mw = TrustedHostMiddleware(app_factory(), allowed_hosts=["[v1.foo]"])
    result = await call(mw, scope(host=host))
    assert result.status == 400
    assert result.body == b"Invalid host header"


async def test_trustedhost_allowed_hosts_none_means_any(call, scope, app_factory) -> None:
    app = app_factory()
    mw = TrustedHostMiddleware(app, allowed_hosts=None)
    assert (await call(mw, scope(host="anything.test"))).status == 200
    assert "boca.validated_host" not in app.seen[0]


async def test_trustedhost_port_with_leading_zeros_is_in_range(call, scope, app_factory) -> None:
    app = app_factory()
    mw = TrustedHostMiddleware(app, allowed_hosts=["api_service", "www.example.com"])
    assert (await call(mw, scope(host="api_service:000080"))).status == 200
    assert (await call(mw, scope(host="api_service:0000000000080"))).status == 400
    moved = await call(mw, scope(host="example.com:08080"))
    assert moved.header("location") == "http://www.example.com:8080/"


def test_trustedhost_allowed_hosts_attribute_as_starlette(app_factory) -> None:
    assert TrustedHostMiddleware(app_factory()).allowed_hosts == ["*"]
    mw = TrustedHostMiddleware(app_factory(), allowed_hosts="Example.COM")
    assert mw.allowed_hosts == ["example.com"]
