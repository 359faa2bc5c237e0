"""Properties of the router: what `url_for` builds routes back to the same view and value.

Invariants, for every converter: a value `url_for` accepts gives a URL that the router matches to
the same route with an equal parameter (round trip), whatever characters it holds (percent-encoded
and Unicode included); and no path at all, however odd, gets a 5xx.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from boca.core import App, URLBuildError
from boca.core.testing import TestClient


def make_app() -> App:
    app = App()

    @app.route("/s/{v}", name="str")
    async def string(req, res, v: str):
        res.json = {"route": "str", "v": v}

    @app.route("/i/{v:int}", name="int")
    async def integer(req, res, v: int):
        res.json = {"route": "int", "v": str(v)}

    @app.route("/f/{v:float}", name="float")
    async def floating(req, res, v: float):
        res.json = {"route": "float", "v": repr(v)}

    @app.route("/u/{v:uuid}", name="uuid")
    async def uuid_(req, res, v: uuid.UUID):
        res.json = {"route": "uuid", "v": str(v)}

    @app.route("/p/{v:path}", name="path")
    async def path(req, res, v: str):
        res.json = {"route": "path", "v": v}

    @app.route("/two/{a}/{b:int}", name="two")
    async def two(req, res, a: str, b: int):
        res.json = {"route": "two", "v": [a, b]}

    return app


app = make_app()
client = TestClient(app)

# Any Unicode text but surrogates (not encodable as UTF-8, so never on the wire).
text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40)
# Dot segments in a path parameter are defect 5 of issue 14, tested in test_url_for.py.
segments = text.filter(lambda s: "/" not in s and s not in (".", ".."))


def roundtrip(name: str, **params: Any) -> Any:
    try:
        url = app.url_for(name, **params)
    except (URLBuildError, ValueError):
        assume(False)  # refused to build (the message says why): nothing to route back
    assert url.isascii(), url  # everything outside ASCII is percent-encoded
    response = client.get(url)
    assert response.status_code == 200, (url, response.text)
    body = response.json()
    assert body["route"] == name
    return body["v"]


@given(segments)
def test_str_parameters_round_trip(value: str) -> None:
    assert roundtrip("str", v=value) == value


@given(st.integers(min_value=0, max_value=10**300))
def test_int_parameters_round_trip(value: int) -> None:
    assert roundtrip("int", v=value) == str(value)


@given(st.floats(min_value=0, allow_nan=False, allow_infinity=False))
def test_float_parameters_round_trip(value: float) -> None:
    result = roundtrip("float", v=value)
    assert result is not None
    assert float(result) == value
    assert math.isfinite(float(result))


@given(st.uuids())
def test_uuid_parameters_round_trip(value: uuid.UUID) -> None:
    assert roundtrip("uuid", v=value) == str(value)
    assert roundtrip("uuid", v=str(value).upper()) == str(value)


@given(st.lists(segments, min_size=1, max_size=5).map("/".join))
def test_path_parameters_round_trip(value: str) -> None:
    assert roundtrip("path", v=value) == value


@given(segments, st.integers(min_value=0, max_value=10**6))
def test_several_parameters_round_trip(a: str, b: int) -> None:
    assert roundtrip("two", a=a, b=b) == [a, b]


# A path as a client may send it: any printable ASCII, %-escapes (valid or not) and Unicode.
raw_paths = st.lists(
    st.one_of(
        st.sampled_from(["/", "s", "i", "f", "u", "p", "two", "%", "%2F", "%00", "%ff", ".."]),
        st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=6),
        st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=4),
        st.integers(min_value=0).map(str),
    ),
    max_size=12,
).map(lambda parts: "/" + "".join(parts).replace("?", "").replace("#", ""))


@given(raw_paths)
def test_no_path_gets_a_5xx(path: str) -> None:
    # Absolute, so that a path beginning with `//` is not read as a host by the client.
    response = client.get("http://testserver" + path)
    assert response.status_code < 500, (path, response.text)
    if response.status_code >= 400:
        assert response.json()["status"] == response.status_code
