"""Properties of CORS origin matching, through the public `CORSMiddleware`.

Invariants: an origin is allowed exactly when it is listed (browsers send origins lower-cased,
as the list is kept: another case is not an origin they send) or is origin-shaped and fully
matches `allow_origin_regex`; an allowed origin is echoed as sent, any other gets no
`Access-Control-Allow-Origin`; look-alike origins (a listed one with a prefix, a suffix, another
port or scheme) are never allowed; no `Origin` value, however malformed, gets a 5xx.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from boca.middleware import CORSMiddleware


async def hello(request):  # type: ignore[no-untyped-def]
    return PlainTextResponse("Hello, World!")


LISTED = ["https://app.example.com", "http://localhost:8080"]
REGEX = r"https://[a-z0-9-]+\.preview\.example\.org"


def client(**options) -> TestClient:  # type: ignore[no-untyped-def]
    app = Starlette(routes=[Route("/", hello, methods=["GET", "PUT"])])
    return TestClient(CORSMiddleware(app, **options))


listed_client = client(allow_origins=LISTED, allow_methods=["GET", "PUT"])
regex_client = client(allow_origin_regex=REGEX, allow_credentials=True)

hosts = st.from_regex(r"[a-z0-9-]{1,12}(\.[a-z0-9-]{1,12}){0,3}", fullmatch=True)
origins = st.builds(
    "{}://{}{}".format,
    st.sampled_from(["http", "https", "HTTPS", "ws", "file"]),
    hosts,
    st.sampled_from(["", ":80", ":443", ":8080", ":1"]),
)
# What a client may put in the header: origins, look-alikes of the listed ones, and junk.
any_origin = st.one_of(
    origins,
    st.sampled_from(LISTED).map(str.upper),
    st.sampled_from(LISTED).flatmap(
        lambda o: st.sampled_from(
            [o + ".evil.com", "https://evil" + o[8:], o + "/", o + ":9", " " + o]
        )
    ),
    st.just("null"),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60),
)


@given(any_origin)
def test_an_origin_is_allowed_exactly_when_listed(origin: str) -> None:
    response = listed_client.get("/", headers={"origin": origin})
    assert response.status_code == 200
    assert response.text == "Hello, World!"
    allowed = response.headers.get("access-control-allow-origin")
    if origin in LISTED:
        assert allowed == origin
    else:
        assert allowed is None


@given(any_origin, st.sampled_from(["GET", "PUT", "DELETE", "PATCH", "get"]))
def test_a_preflight_never_fails_and_allows_only_listed_origins(origin: str, method: str) -> None:
    response = listed_client.options(
        "/", headers={"origin": origin, "access-control-request-method": method}
    )
    assert response.status_code in (200, 400), response.text
    allowed = response.headers.get("access-control-allow-origin")
    if response.status_code == 200:
        assert origin in LISTED
        assert allowed == origin
        assert method in ("GET", "PUT")
    else:
        assert allowed is None or origin in LISTED


@given(st.one_of(any_origin, hosts.map("https://{}.preview.example.org".format)))
def test_a_regex_allows_only_full_matches(origin: str) -> None:
    import re

    response = regex_client.get("/", headers={"origin": origin})
    assert response.status_code == 200
    allowed = response.headers.get("access-control-allow-origin")
    if re.fullmatch(REGEX, origin):
        assert allowed == origin
        assert response.headers["access-control-allow-credentials"] == "true"
    else:
        assert allowed is None
