"""Every middleware leaves lifespan (and, unless it is about them, websocket) scopes alone."""

from __future__ import annotations

import pytest

from boca.middleware import (
    AccessLogMiddleware,
    CompressionMiddleware,
    CORSMiddleware,
    GZipMiddleware,
    HSTSMiddleware,
    HTTPSRedirectMiddleware,
    ProxyHeadersMiddleware,
    RequestIDMiddleware,
    SessionMiddleware,
    TrustedHostMiddleware,
)

pytestmark = pytest.mark.anyio

ALL = {
    "cors": lambda app: CORSMiddleware(app, allow_origins=["https://a.test"]),
    "compression": CompressionMiddleware,
    "gzip": GZipMiddleware,
    "trustedhost": lambda app: TrustedHostMiddleware(app, allowed_hosts=["example.com"]),
    "hsts": HSTSMiddleware,
    "httpsredirect": HTTPSRedirectMiddleware,
    "session": lambda app: SessionMiddleware(app, secret_key="x"),
    "requestid": RequestIDMiddleware,
    "accesslog": AccessLogMiddleware,
    "proxyheaders": ProxyHeadersMiddleware,
}
# The ones that never act on websocket handshakes.
HTTP_ONLY = ["cors", "compression", "gzip", "hsts", "requestid", "accesslog"]


@pytest.mark.parametrize("name", sorted(ALL))
async def test_lifespan_passes_through(name, recorder, scope) -> None:
    app, calls = recorder()
    lifespan = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    sent = []

    async def receive():
        return {"type": "lifespan.startup"}

    async def send(message):
        sent.append(message)

    await ALL[name](app)(lifespan, receive, send)
    assert calls[0][0] is lifespan
    assert lifespan == {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    assert calls[0][1] == [{"type": "lifespan.startup"}]
    assert sent == [{"type": "lifespan.startup.complete"}]


@pytest.mark.parametrize("name", HTTP_ONLY)
async def test_websocket_passes_through(name, recorder, scope, call) -> None:
    app, calls = recorder()
    ws = scope("/ws", type="websocket", scheme="wss", headers=[("origin", "https://evil.test")])
    snapshot = dict(ws)
    result = await call(ALL[name](app), ws)
    assert calls[0][0] is ws
    assert ws == snapshot
    assert result.messages == [{"type": "websocket.accept"}]
