from __future__ import annotations

import pytest

from boca.middleware import HSTSMiddleware

pytestmark = pytest.mark.anyio


async def test_hostile_M21(call, scope, app_factory) -> None:
    mw = HSTSMiddleware(app_factory())
    plain = await call(mw, scope(scheme="http"))
    assert plain.status == 200
    assert plain.header("strict-transport-security") is None
    secure = await call(mw, scope(scheme="https"))
    assert secure.header("strict-transport-security") == "max-age=31536000"


async def test_options(call, scope, app_factory) -> None:
    mw = HSTSMiddleware(app_factory(), max_age=63072000, include_subdomains=True, preload=True)
    result = await call(mw, scope(scheme="https"))
    assert result.header("strict-transport-security") == (
        "max-age=63072000; includeSubDomains; preload"
    )


async def test_app_header_wins(call, scope, app_factory) -> None:
    app = app_factory(headers=[(b"strict-transport-security", b"max-age=0")])
    result = await call(HSTSMiddleware(app), scope(scheme="https"))
    assert result.header_list("strict-transport-security") == ["max-age=0"]


def test_bad_configuration(app_factory) -> None:
    with pytest.raises(ValueError, match="max_age must be 0 or more"):
        HSTSMiddleware(app_factory(), max_age=-1)
    with pytest.raises(ValueError, match="preload needs"):
        HSTSMiddleware(app_factory(), preload=True)
    with pytest.raises(ValueError, match="preload needs"):
        HSTSMiddleware(app_factory(), max_age=60, include_subdomains=True, preload=True)
