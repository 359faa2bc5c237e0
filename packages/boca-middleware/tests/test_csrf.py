"""CSRFMiddleware: origin checks first, then the signed double-submit token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from itsdangerous import Signer

from boca.middleware import CSRF, CSRFMiddleware, CSRFToken, csrf_input, csrf_token

SECRET = "csrf-secret-for-tests"


def token_app():
    """Answers with the request's token (reading it makes one) and what the app received."""

    async def app(scope, receive, send):
        body = b""
        if scope["method"] not in ("GET", "HEAD"):
            message = await receive()
            body = message.get("body", b"")
        payload = {"token": csrf_token(scope), "body": body.decode()}
        data = json.dumps(payload).encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data})

    return app


def middleware(**options: Any) -> CSRFMiddleware:
    return CSRFMiddleware(token_app(), secret_key=SECRET, **options)


async def get_token(call, scope, mw) -> str:
    result = await call(mw, scope())
    (set_cookie,) = result.header_list("set-cookie")
    name_value, attributes = set_cookie.split("; ", 1)
    assert attributes == "path=/; samesite=lax"  # readable by scripts: no httponly
    name, value = name_value.split("=", 1)
    assert name == "csrftoken"
    assert json.loads(result.body)["token"] == value
    return value


def error(detail: str) -> dict[str, Any]:
    return {"error": "403 Forbidden", "status": 403, "detail": detail}


async def test_header_token_passes(call, scope) -> None:
    mw = middleware()
    token = await get_token(call, scope, mw)
    cookie = ("cookie", f"csrftoken={token}")
    result = await call(mw, scope(method="POST", headers=[cookie, ("x-csrftoken", token)]))
    assert result.status == 200
    assert result.header("set-cookie") is None  # the token is kept
    assert json.loads(result.body)["token"] == token


async def test_form_token_passes_and_the_body_reaches_the_app(call, scope) -> None:
    mw = middleware()
    token = await get_token(call, scope, mw)
    form = f"title=hello&csrf_token={token}".encode()
    headers = [
        ("cookie", f"csrftoken={token}"),
        ("content-type", "application/x-www-form-urlencoded"),
    ]
    result = await call(mw, scope(method="POST", headers=headers), body=form)
    assert result.status == 200
    assert json.loads(result.body)["body"] == form.decode()


async def test_multipart_form_token(call, scope) -> None:
    mw = middleware()
    token = await get_token(call, scope, mw)
    body = (
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="upload"; filename="csrf_token"\r\n\r\n'
        b"not it\r\n"
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="csrf_token"\r\n\r\n' + token.encode() + b"\r\n"
        b"--XyZ--\r\n"
    )
    headers = [
        ("cookie", f"csrftoken={token}"),
        ("content-type", 'multipart/form-data; boundary="XyZ"'),
    ]
    result = await call(mw, scope(method="POST", headers=headers), body=body)
    assert result.status == 200
    no_boundary = [("cookie", f"csrftoken={token}"), ("content-type", "multipart/form-data")]
    result = await call(mw, scope(method="POST", headers=no_boundary), body=body)
    assert result.status == 403
    assert json.loads(result.body) == error(
        "CSRF token missing: send it in x-csrftoken or csrf_token."
    )


async def test_hostile_tampered_and_missing_tokens(call, scope) -> None:
    mw = middleware()
    token = await get_token(call, scope, mw)
    other = await get_token(call, scope, mw)
    # A character inside the signature (the last one's low bits are only padding).
    forged_signature = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    unsigned = token.split(".")[0]
    wrong_key = Signer("another-secret", salt="boca.middleware.csrf").sign(unsigned).decode()
    cases = [
        # (cookie, presented, detail)
        (None, token, "CSRF cookie missing or invalid: load the form again."),
        (
            forged_signature,
            forged_signature,
            "CSRF cookie missing or invalid: load the form again.",
        ),
        (unsigned, unsigned, "CSRF cookie missing or invalid: load the form again."),
        (wrong_key, wrong_key, "CSRF cookie missing or invalid: load the form again."),
        (token, None, "CSRF token missing: send it in x-csrftoken or csrf_token."),
        (token, other, "CSRF token invalid: load the form again."),
        (token, forged_signature, "CSRF token invalid: load the form again."),
        (token, "", "CSRF token invalid: load the form again."),
        (token, "é\x00", "CSRF token invalid: load the form again."),
    ]
    for cookie, presented, detail in cases:
        headers = []
        if cookie is not None:
            headers.append(("cookie", f"csrftoken={cookie}"))
        if presented is not None:
            headers.append(("x-csrftoken", presented))
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            result = await call(mw, scope(method=method, headers=headers))
            assert result.status == 403, (cookie, presented)
            assert result.header("content-type") == "application/json"
            assert json.loads(result.body) == error(detail)


async def test_safe_methods_pass_without_a_token(call, scope) -> None:
    mw = middleware()
    for method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        result = await call(mw, scope(method=method, headers=[("sec-fetch-site", "cross-site")]))
        assert result.status == 200


async def test_origin_is_checked_first(call, scope) -> None:
    mw = middleware(trusted_origins=["https://admin.example.com"])
    token = await get_token(call, scope, mw)
    good = [("cookie", f"csrftoken={token}"), ("x-csrftoken", token)]
    cases = [
        (
            [("sec-fetch-site", "cross-site")],
            403,
            "Cross-site request refused (Sec-Fetch-Site: cross-site).",
        ),
        (
            [("sec-fetch-site", "same-site")],
            403,
            "Cross-site request refused (Sec-Fetch-Site: same-site).",
        ),
        ([("sec-fetch-site", "same-origin")], 200, None),
        ([("sec-fetch-site", "none")], 200, None),
        (
            [("origin", "https://evil.com")],
            403,
            "Cross-origin request refused (Origin is not this site).",
        ),
        ([("origin", "null")], 403, "Cross-origin request refused (Origin is not this site)."),
        (
            [("origin", "http://example.com.evil.com")],
            403,
            "Cross-origin request refused (Origin is not this site).",
        ),
        (
            [("origin", "https://example.com")],
            403,
            "Cross-origin request refused (Origin is not this site).",
        ),
        ([("origin", "http://example.com")], 200, None),
        ([("origin", "HTTP://EXAMPLE.COM")], 200, None),
        ([("origin", "https://admin.example.com"), ("sec-fetch-site", "same-site")], 200, None),
    ]
    for headers, status, detail in cases:
        result = await call(mw, scope(method="POST", headers=[*good, *headers]))
        assert result.status == status, headers
        if detail is not None:
            assert json.loads(result.body) == error(detail)
    # A cross-site request is refused even with a valid token: the token is not looked at.
    result = await call(mw, scope(method="POST", headers=[("sec-fetch-site", "cross-site")]))
    assert json.loads(result.body)["detail"].startswith("Cross-site request refused")


async def test_exempt_routes(call, scope) -> None:
    mw = middleware(exempt=["/webhooks/{name}", "DELETE /api/{rest:path}"])
    assert (await call(mw, scope(method="POST", path="/webhooks/github"))).status == 200
    assert (await call(mw, scope(method="DELETE", path="/api/items/1"))).status == 200
    assert (await call(mw, scope(method="POST", path="/api/items/1"))).status == 403
    assert (await call(mw, scope(method="POST", path="/webhooks/a/b"))).status == 403


async def test_big_forms_must_use_the_header(call, scope) -> None:
    mw = middleware(max_body_size=100)
    token = await get_token(call, scope, mw)
    form = b"x=" + b"a" * 200 + b"&csrf_token=" + token.encode()
    headers = [
        ("cookie", f"csrftoken={token}"),
        ("content-type", "application/x-www-form-urlencoded"),
    ]
    result = await call(mw, scope(method="POST", headers=headers), body=form)
    assert result.status == 403
    result = await call(
        mw, scope(method="POST", headers=[*headers, ("x-csrftoken", token)]), body=form
    )
    assert result.status == 200
    assert json.loads(result.body)["body"] == form.decode()


async def test_chunked_body_is_replayed_whole(scope) -> None:
    mw = middleware()
    token = mw.new_token()
    chunks = [b"a=1&csrf_", b"token=" + token.encode(), b"&b=2"]
    messages = [
        {"type": "http.request", "body": c, "more_body": i < 2} for i, c in enumerate(chunks)
    ]
    received: list[bytes] = []

    async def app(scope, receive, send):
        more = True
        while more:
            message = await receive()
            received.append(message["body"])
            more = message["more_body"]
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive():
        return messages.pop(0)

    sent: list[Any] = []

    async def send(message):
        sent.append(message)

    headers = [
        ("cookie", f"csrftoken={token}"),
        ("content-type", "application/x-www-form-urlencoded"),
    ]
    await CSRFMiddleware(app, secret_key=SECRET)(
        scope(method="POST", headers=headers), receive, send
    )
    assert sent[0]["status"] == 204
    assert received == chunks


async def test_token_and_input_helpers(call, scope) -> None:
    seen: dict[str, Any] = {}

    async def app(scope, receive, send):
        token = scope["csrf_token"]
        seen["token"] = token
        seen["input"] = csrf_input(scope)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    result = await call(CSRFMiddleware(app, secret_key=SECRET, field_name='a"b'), scope())
    token = seen["token"]
    assert isinstance(token, CSRFToken)
    assert token() == token.value
    assert seen["input"] == f'<input type="hidden" name="a&quot;b" value="{token.value}">'
    assert result.header("set-cookie").startswith(f"csrftoken={token.value}; ")
    with pytest.raises(RuntimeError, match="No CSRF token on this request: add CSRFMiddleware"):
        csrf_token({"type": "http"})


async def test_untouched_token_sets_no_cookie(call, scope, app_factory) -> None:
    result = await call(CSRFMiddleware(app_factory(), secret_key=SECRET), scope())
    assert result.header("set-cookie") is None


async def test_cookie_options_and_rotation(call, scope) -> None:
    mw = middleware(
        cookie_name="xsrf",
        cookie_path="/app",
        cookie_domain="example.com",
        cookie_secure=True,
        cookie_samesite="strict",
    )
    result = await call(mw, scope())
    value = result.header("set-cookie")
    assert value.endswith("; path=/app; samesite=strict; domain=example.com; secure")
    token = value.split(";", 1)[0].split("=", 1)[1]
    rotated = CSRFMiddleware(token_app(), secret_key=["new", SECRET], cookie_name="xsrf")
    headers = [("cookie", f"xsrf={token}"), ("x-csrftoken", token)]
    assert (await call(rotated, scope(method="POST", headers=headers))).status == 200


async def test_other_scopes_pass(call, scope, recorder) -> None:
    app, calls = recorder()
    await call(CSRFMiddleware(app, secret_key=SECRET), scope(type="websocket"))
    assert calls[0][0]["type"] == "websocket"


def test_configuration_errors() -> None:
    with pytest.raises(ValueError, match="CSRFMiddleware needs a secret_key"):
        CSRFMiddleware(token_app())
    with pytest.raises(ValueError, match="cookie_samesite must be"):
        CSRFMiddleware(token_app(), secret_key=SECRET, cookie_samesite="loose")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"'admin.example.com' is not an origin"):
        CSRFMiddleware(token_app(), secret_key=SECRET, trusted_origins=["admin.example.com"])
    with pytest.raises(ValueError, match="CSRFMiddleware needs a secret_key"):
        CSRF()


def test_battery_installs_and_publishes_itself() -> None:
    class App:
        def __init__(self) -> None:
            self.extensions: dict[str, Any] = {}
            self.middleware: list[Any] = []

        def add_middleware(self, cls: Any, **options: Any) -> None:
            self.middleware.append((cls, options))

    app = App()
    battery = CSRF(secret_key=SECRET, exempt=["/hooks"])
    battery.install(app)
    assert app.middleware == [(CSRFMiddleware, {"secret_key": SECRET, "exempt": ["/hooks"]})]
    assert app.extensions["csrf"] is battery
    scope = {"csrf_token": CSRFToken(CSRFMiddleware(token_app(), secret_key=SECRET), None)}
    token = battery.token(scope)
    assert battery.input(scope) == f'<input type="hidden" name="csrf_token" value="{token}">'


async def test_forms_without_the_field(call, scope) -> None:
    mw = middleware()
    token = mw.new_token()
    cookie = ("cookie", f"csrftoken={token}")
    missing = error("CSRF token missing: send it in x-csrftoken or csrf_token.")
    urlencoded = [cookie, ("content-type", "application/x-www-form-urlencoded")]
    result = await call(mw, scope(method="POST", headers=urlencoded), body=b"a=1&b=%ZZ")
    assert json.loads(result.body) == missing
    multipart = [cookie, ("content-type", "multipart/form-data; boundary=B")]
    body = b'--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--B--\r\n'
    result = await call(mw, scope(method="POST", headers=multipart), body=body)
    assert json.loads(result.body) == missing


async def test_client_gone_before_the_body(scope) -> None:
    mw = middleware()
    token = mw.new_token()
    sent: list[Any] = []

    async def receive():
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    headers = [
        ("cookie", f"csrftoken={token}"),
        ("content-type", "application/x-www-form-urlencoded"),
    ]
    await mw(scope(method="POST", headers=headers), receive, send)
    assert sent[0]["status"] == 403


async def test_the_app_reads_past_the_buffered_body(scope) -> None:
    mw_token = middleware().new_token()
    queue = [
        {"type": "http.request", "body": f"csrf_token={mw_token}".encode(), "more_body": False},
        {"type": "http.disconnect"},
    ]
    seen: list[str] = []

    async def app(scope, receive, send):
        seen.append((await receive())["type"])
        seen.append((await receive())["type"])  # e.g. waiting for a disconnect
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive():
        return queue.pop(0)

    async def send(message):
        pass

    headers = [
        ("cookie", f"csrftoken={mw_token}"),
        ("content-type", "application/x-www-form-urlencoded"),
    ]
    await CSRFMiddleware(app, secret_key=SECRET)(
        scope(method="POST", headers=headers), receive, send
    )
    assert seen == ["http.request", "http.disconnect"]


def test_from_settings() -> None:
    from boca.middleware import from_settings

    (battery,) = from_settings({"CSRF": True, "SECRET_KEY": "k"})
    assert isinstance(battery, CSRF)
    assert battery.options == {"secret_key": "k"}
    (battery,) = from_settings({"CSRF": {"exempt": ["/hooks"]}, "SECRET_KEY": "k"})
    assert battery.options == {"exempt": ["/hooks"], "secret_key": "k"}
    with pytest.raises(ValueError, match="CSRFMiddleware needs a secret_key"):
        from_settings({"CSRF": True})
