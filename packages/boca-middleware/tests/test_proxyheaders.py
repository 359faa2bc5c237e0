from __future__ import annotations

import pytest

from boca.middleware import ProxyHeadersMiddleware

pytestmark = pytest.mark.anyio

FORWARDED = [
    ("x-forwarded-host", "evil.com"),
    ("x-forwarded-for", "1.2.3.4"),
    ("x-forwarded-proto", "https"),
]


def seen_scope(app) -> dict:
    return app.seen[-1]


async def test_hostile_M4(call, scope, app_factory) -> None:
    app = app_factory()
    mw = ProxyHeadersMiddleware(app, trusted_proxies=["10.0.0.1"])
    await call(mw, scope(headers=FORWARDED, client=("203.0.113.9", 4000)))
    inner = seen_scope(app)
    assert inner["client"] == ("203.0.113.9", 4000)
    assert inner["scheme"] == "http"
    assert (b"host", b"example.com") in inner["headers"]
    assert (b"host", b"evil.com") not in inner["headers"]
    # The same headers from the trusted proxy are applied.
    await call(mw, scope(headers=FORWARDED, client=("10.0.0.1", 4000)))
    inner = seen_scope(app)
    assert inner["client"] == ("1.2.3.4", 0)
    assert inner["scheme"] == "https"
    assert [v for k, v in inner["headers"] if k == b"host"] == [b"evil.com"]


async def test_hostile_M4_duplicates_are_deterministic(call, scope, app_factory) -> None:
    app = app_factory()
    mw = ProxyHeadersMiddleware(app, trusted_proxies=["10.0.0.0/8"])
    headers = [
        ("x-forwarded-for", "6.6.6.6, 1.1.1.1"),
        ("x-forwarded-for", "2.2.2.2, 10.0.0.5"),
        ("x-forwarded-proto", "http"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "a.example.com"),
        ("x-forwarded-host", "b.example.com"),
    ]
    for _ in range(3):
        await call(mw, scope(headers=headers, client=("10.0.0.2", 1)))
        inner = seen_scope(app)
        # Right-most address that is not a trusted proxy.
        assert inner["client"] == ("2.2.2.2", 0)
        assert inner["scheme"] == "https"
        assert [v for k, v in inner["headers"] if k == b"host"] == [b"b.example.com"]


async def test_all_trusted_uses_the_left_most(call, scope, app_factory) -> None:
    app = app_factory()
    mw = ProxyHeadersMiddleware(app, trusted_proxies="*")
    await call(
        mw, scope(headers=[("x-forwarded-for", "9.9.9.9:1234, [::1]:80")], client=("5.5.5.5", 1))
    )
    assert seen_scope(app)["client"] == ("9.9.9.9", 0)


async def test_bad_values_are_ignored(call, scope, app_factory) -> None:
    app = app_factory()
    mw = ProxyHeadersMiddleware(app)
    headers = [
        ("x-forwarded-proto", "gopher"),
        ("x-forwarded-host", "evil.com/x@y"),
        ("x-forwarded-for", " ,"),
    ]
    await call(mw, scope(headers=headers))
    inner = seen_scope(app)
    assert inner["scheme"] == "http"
    assert [v for k, v in inner["headers"] if k == b"host"] == [b"example.com"]
    assert inner["client"] == ("127.0.0.1", 50000)


async def test_websocket_scheme(call, scope, app_factory) -> None:
    app = app_factory()
    mw = ProxyHeadersMiddleware(app, trusted_proxies="127.0.0.1, ::1")
    await call(mw, scope(type="websocket", scheme="ws", headers=[("x-forwarded-proto", "https")]))
    assert seen_scope(app)["scheme"] == "wss"


async def test_no_forwarded_headers_or_no_client(call, scope, app_factory) -> None:
    app = app_factory()
    mw = ProxyHeadersMiddleware(app)
    await call(mw, scope())
    assert seen_scope(app)["client"] == ("127.0.0.1", 50000)
    await call(mw, scope(headers=FORWARDED, client=None))
    assert seen_scope(app)["client"] is None
    assert seen_scope(app)["scheme"] == "http"


def test_trust_checks() -> None:
    mw = ProxyHeadersMiddleware(None, trusted_proxies=["10.0.0.0/8", "::1"])  # type: ignore[arg-type]
    assert mw.is_trusted("10.1.2.3")
    assert mw.is_trusted("::1")
    assert not mw.is_trusted("11.0.0.1")
    assert not mw.is_trusted("unix:/tmp/sock")
    with pytest.raises(ValueError, match="Invalid trusted proxy 'nope'"):
        ProxyHeadersMiddleware(None, trusted_proxies=["nope"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("forwarded_for", "client"),
    [
        ("<script>alert(1)</script>", "10.0.0.1"),
        ("unknown", "10.0.0.1"),
        ("_hidden", "10.0.0.1"),
        ("evil.com", "10.0.0.1"),
        ("1.2.3.4, <script>", "1.2.3.4"),
        ("1.2.3.4, 10.0.0.5:1", "1.2.3.4"),
        ("1.2.3.4:5678", "1.2.3.4"),
        ("1.2.3.4:http", "10.0.0.1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("[2001:db8::1]:8080", "2001:db8::1"),
        ("[2001:db8::1]x", "10.0.0.1"),
        ("[2001:db8::1", "10.0.0.1"),
        ("[1.2.3.4]", "10.0.0.1"),
        ("999.1.1.1", "10.0.0.1"),
        ("1.2.3.4, 10.0.0.9", "1.2.3.4"),
        ("10.0.0.7, 10.0.0.9", "10.0.0.7"),
    ],
)
async def test_hostile_proxyheaders_ignore_forwarded_for_entries_that_are_not_ip_addresses(
    call, scope, app_factory, forwarded_for, client
) -> None:
    app = app_factory()
    mw = ProxyHeadersMiddleware(app, trusted_proxies=["10.0.0.0/8"])
    await call(mw, scope(headers=[("x-forwarded-for", forwarded_for)], client=("10.0.0.1", 4000)))
    expected = ("10.0.0.1", 4000) if client == "10.0.0.1" else (client, 0)
    assert seen_scope(app)["client"] == expected


async def test_proxyheaders_trusted_hosts_is_uvicorns_name(call, scope, app_factory) -> None:
    app = app_factory()
    mw = ProxyHeadersMiddleware(app, trusted_hosts="10.0.0.1, 10.0.0.2")
    await call(mw, scope(headers=FORWARDED, client=("10.0.0.2", 4000)))
    assert seen_scope(app)["client"] == ("1.2.3.4", 0)
    with pytest.raises(TypeError, match="trusted_proxies or its alias trusted_hosts"):
        ProxyHeadersMiddleware(app, trusted_proxies="*", trusted_hosts="*")
