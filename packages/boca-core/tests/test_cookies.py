"""`res.set_cookie`: every attribute is checked, so data cannot add attributes (issue 14, #3)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from boca.core import App, HTTPError, Response
from boca.core.testing import LiveServer


def make_app() -> App:
    app = App()

    @app.route("/set")
    async def set_cookie(req, res):
        options: dict[str, Any] = dict(req.query_params)
        if "expires" in options and options["expires"].isdigit():
            options["expires"] = int(options["expires"])
        try:
            res.set_cookie("c", "1", **options)
        except ValueError as exc:
            raise HTTPError(400, detail=str(exc)) from None
        res.text = "set"

    return app


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    with LiveServer(make_app()) as server:
        yield server


@pytest.mark.parametrize("attribute", ["expires", "path", "domain"])
@pytest.mark.parametrize(
    "injected",
    [
        "Wed, 21 Oct 2026 07:28:00 GMT; Domain=evil.com",
        "x; Domain=evil.com",
        "x\x01Domain=evil.com",
        "x\x7fy",
        "x\ty",
        "x, y",
    ],
)
def test_cookie_attributes_cannot_inject_attributes(
    live: LiveServer, attribute: str, injected: str
) -> None:
    response = httpx.get(live.url + "/set", params={attribute: injected})
    assert response.status_code == 400
    assert "set-cookie" not in response.headers
    assert response.json()["detail"].startswith(f"cookie 'c': invalid {attribute} {injected!r}")


@pytest.mark.parametrize("value", ["tomorrow", "21 Oct 2026 07:28:00 GMT", "Wed, 21 Oct 2026"])
def test_cookie_expires_must_be_a_strict_http_date(live: LiveServer, value: str) -> None:
    response = httpx.get(live.url + "/set", params={"expires": value})
    assert response.status_code == 400
    assert response.json() == {
        "error": "400 Bad Request",
        "status": 400,
        "detail": f"cookie 'c': invalid expires {value!r}: use a datetime, a number of seconds "
        "from now, or an HTTP-date like 'Wed, 21 Oct 2026 07:28:00 GMT'",
    }


def test_cookie_expires_http_date_goes_out_as_given(live: LiveServer) -> None:
    response = httpx.get(live.url + "/set", params={"expires": "Wed, 21 Oct 2026 07:28:00 GMT"})
    assert response.status_code == 200
    assert response.headers["set-cookie"] == (
        "c=1; expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly; Path=/; SameSite=Lax"
    )


def test_cookie_expires_seconds_from_now(live: LiveServer) -> None:
    response = httpx.get(live.url + "/set", params={"expires": "3600"})
    assert response.status_code == 200
    header = response.headers["set-cookie"]
    date = header.split("expires=", 1)[1].split(";", 1)[0]
    sent = datetime.strptime(date, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=timezone.utc)
    assert timedelta(minutes=50) < sent - datetime.now(timezone.utc) <= timedelta(hours=1)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 10, 21, 9, 28, tzinfo=timezone(timedelta(hours=2))),
        datetime(2026, 10, 21, 7, 28),  # naive: UTC
    ],
)
def test_cookie_expires_datetime(moment: datetime) -> None:
    res = Response(None)  # type: ignore[arg-type]
    res.set_cookie("c", "1", expires=moment)
    assert res.headers["set-cookie"] == (
        "c=1; expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly; Path=/; SameSite=Lax"
    )


@pytest.mark.parametrize("bad", [True, 1.5, "3600", b"Wed, 21 Oct 2026 07:28:00 GMT"])
def test_cookie_expires_other_types_refused(bad: Any) -> None:
    res = Response(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="invalid expires"):
        res.set_cookie("c", "1", expires=bad)


def test_cookie_max_age_must_be_a_number() -> None:
    res = Response(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_age must be a number of seconds"):
        res.set_cookie("c", "1", max_age="60; Domain=evil.com")  # type: ignore[arg-type]
    res.set_cookie("c", "1", max_age=60.0)
    assert res.headers["set-cookie"] == "c=1; HttpOnly; Max-Age=60; Path=/; SameSite=Lax"
