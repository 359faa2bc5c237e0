from __future__ import annotations

import json
import logging
import re
import time

import pytest

from boca.middleware import AccessLogMiddleware, RequestIDMiddleware, get_request_id
from boca.middleware.accesslog import escape

pytestmark = pytest.mark.anyio


def id_app(seen: list):
    async def app(scope, receive, send):
        seen.append((scope["state"]["request_id"], get_request_id()))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


async def test_valid_incoming_id_is_reused(call, scope) -> None:
    seen: list = []
    mw = RequestIDMiddleware(id_app(seen))
    result = await call(mw, scope(headers=[("x-request-id", "abc-123:DEF/+=")]))
    assert result.header("x-request-id") == "abc-123:DEF/+="
    assert seen == [("abc-123:DEF/+=", "abc-123:DEF/+=")]
    assert get_request_id() is None


@pytest.mark.parametrize("incoming", ["a b", "a\r\nSet-Cookie: x=1", "x" * 129, "", "<script>"])
async def test_invalid_incoming_id_is_replaced(call, scope, incoming) -> None:
    seen: list = []
    mw = RequestIDMiddleware(id_app(seen))
    result = await call(mw, scope(headers=[("x-request-id", incoming)]))
    new = result.header("x-request-id")
    assert re.fullmatch(r"[0-9a-f]{32}", new)
    assert seen == [(new, new)]


async def test_new_ids_are_unique_and_state_is_not_shared(call, scope) -> None:
    seen: list = []
    mw = RequestIDMiddleware(id_app(seen))
    shared_state = {"db": "pool"}
    first = await call(mw, scope(state=shared_state))
    second = await call(mw, scope(state=shared_state))
    assert first.header("x-request-id") != second.header("x-request-id")
    assert shared_state == {"db": "pool"}


async def test_options(call, scope) -> None:
    seen: list = []
    mw = RequestIDMiddleware(
        id_app(seen),
        header_name="X-Correlation-ID",
        trust_incoming=False,
        generator=lambda: "fixed",
    )
    result = await call(mw, scope(headers=[("x-correlation-id", "client-id")]))
    assert result.header("x-correlation-id") == "fixed"
    short = RequestIDMiddleware(id_app(seen), max_length=4)
    assert (await call(short, scope(headers=[("x-request-id", "abcd")]))).header(
        "x-request-id"
    ) == "abcd"
    assert (await call(short, scope(headers=[("x-request-id", "abcde")]))).header(
        "x-request-id"
    ) != "abcde"


async def test_contextvar_is_reset_after_errors(call, scope) -> None:
    async def app(scope, receive, send):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await call(RequestIDMiddleware(app), scope())
    assert get_request_id() is None


# Access log -------------------------------------------------------------------


@pytest.fixture
def records(caplog):
    caplog.set_level(logging.INFO, logger="boca.access")
    return caplog


async def test_text_line(call, scope, app_factory, records) -> None:
    mw = RequestIDMiddleware(AccessLogMiddleware(app_factory()))
    result = await call(mw, scope("/items", headers=[("x-request-id", "rid-1")]))
    (record,) = records.records
    assert record.name == "boca.access"
    assert record.levelno == logging.INFO
    line = record.getMessage()
    assert re.fullmatch(
        r'method="GET" path="/items" route=- status=200 duration_ms=[0-9.]+ bytes=13 '
        r'request_id="rid-1"',
        line,
    ), line
    assert record.access["bytes"] == len(result.body)


async def test_json_line_with_route_name(call, scope, app_factory, records) -> None:
    class Route:
        name = "item_detail"

    app = app_factory(b"{}")

    async def routed(scope, receive, send):
        scope["route"] = Route()
        await app(scope, receive, send)

    mw = AccessLogMiddleware(routed, format="json")
    await call(mw, scope("/items/1", method="POST"))
    data = json.loads(records.records[0].getMessage())
    assert data["method"] == "POST"
    assert data["path"] == "/items/1"
    assert data["route"] == "item_detail"
    assert data["status"] == 200
    assert data["bytes"] == 2
    assert data["request_id"] is None
    assert isinstance(data["duration_ms"], float)


async def test_route_name_from_scope(call, scope, app_factory, records) -> None:
    app = app_factory()

    async def named(scope, receive, send):
        scope["route_name"] = "home"
        await app(scope, receive, send)

    await call(AccessLogMiddleware(named), scope())
    assert records.records[0].access["route"] == "home"


async def test_request_id_from_the_contextvar(call, scope, app_factory, records) -> None:
    # Request ids set inside (after) the access log are found in the scope state.
    mw = AccessLogMiddleware(RequestIDMiddleware(app_factory()))
    result = await call(mw, scope())
    assert records.records[0].access["request_id"] == result.header("x-request-id")


async def test_control_characters_in_paths_are_escaped(call, scope, app_factory, records) -> None:
    path = '/\x1b[2J\x1b[31mpwned\r\nfake="line" \\ \x7f\x85'
    await call(AccessLogMiddleware(app_factory()), scope(path))
    await call(AccessLogMiddleware(app_factory(), format="json"), scope(path))
    text, js = (r.getMessage() for r in records.records)
    for line in (text, js):
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in line), line
    assert '\\x1b[2J\\x1b[31mpwned\\x0d\\x0afake=\\"line\\" \\\\ \\x7f\\x85' in text
    assert json.loads(js)["path"] == escape(path)


async def test_app_error_is_logged_as_500(call, scope, records) -> None:
    async def app(scope, receive, send):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await call(AccessLogMiddleware(app), scope())
    assert records.records[0].access["status"] == 500


async def test_error_after_start_keeps_the_status(call, scope, records) -> None:
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 201, "headers": []})
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await call(AccessLogMiddleware(app), scope())
    assert records.records[0].access["status"] == 201


async def test_no_response_is_status_0(call, scope, records) -> None:
    async def app(scope, receive, send):
        return None

    await call(AccessLogMiddleware(app), scope())
    assert records.records[0].access["status"] == 0


async def test_disabled_logger_costs_nothing(call, scope, app_factory, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="boca.access")
    result = await call(AccessLogMiddleware(app_factory()), scope())
    assert result.status == 200
    assert caplog.records == []


async def test_custom_logger_and_level(call, scope, app_factory, caplog) -> None:
    logger = logging.getLogger("my.access")
    caplog.set_level(logging.DEBUG, logger="my.access")
    await call(AccessLogMiddleware(app_factory(), logger=logger, level=logging.DEBUG), scope())
    assert caplog.records[0].name == "my.access"
    assert caplog.records[0].levelno == logging.DEBUG


def test_bad_format(app_factory) -> None:
    with pytest.raises(ValueError, match="format must be 'text' or 'json'"):
        AccessLogMiddleware(app_factory(), format="xml")  # type: ignore[arg-type]


async def test_duration_ends_with_the_response(call, scope, records, monkeypatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(time, "perf_counter", lambda: clock[0])

    async def app(scope, receive, send):
        clock[0] += 0.002  # the view
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        clock[0] += 5.0  # background work after the response

    await call(AccessLogMiddleware(app), scope())
    assert records.records[0].access["duration_ms"] == 2.0
