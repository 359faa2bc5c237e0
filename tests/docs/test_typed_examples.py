"""The examples of the typed guide and of the validation error page, run."""

from __future__ import annotations

import msgspec

from boca.core import ErrorModel
from boca.core.testing import TestClient

from .conftest import load_example


def test_typed_notes_api() -> None:
    module = load_example("core/typed.py")
    client = TestClient(module.app)
    created = client.post(
        "/notes", json={"title": "Buy milk", "tags": ["home"]}, headers={"X-Request-Source": "cli"}
    )
    assert created.status_code == 201
    assert created.json() == {"id": 1, "title": "Buy milk", "tags": ["home"]}
    assert created.headers["x-request-source"] == "cli"
    assert client.get("/notes/1").json() == {"id": 1, "title": "Buy milk", "tags": []}
    assert client.get("/notes/1?verbose=true").json()["tags"] == ["home"]
    assert client.get("/notes/7").json() == {
        "error": "404 Not Found",
        "status": 404,
        "detail": "no note 7",
    }
    too_long = client.post("/notes", json={"title": "x" * 101, "tags": ["a", 2]})
    assert too_long.status_code == 422
    assert too_long.json() == {
        "error": "422 Unprocessable Content",
        "status": 422,
        "detail": [
            {
                "loc": ["body", "title"],
                "msg": "Expected `str` of length <= 100",
                "type": "constraint",
            },
            {"loc": ["body", "tags", 1], "msg": "Expected `str`, got `int`", "type": "type"},
        ],
    }
    bad_path = client.get("/notes/0?verbose=perhaps")
    assert bad_path.status_code == 400
    assert bad_path.json() == {
        "error": "400 Bad Request",
        "status": 400,
        "detail": [
            {"loc": ["path", "note_id"], "msg": "Expected `int` >= 1", "type": "constraint"},
            {
                "loc": ["query", "verbose"],
                "msg": "expected a boolean (true/false, 1/0, yes/no, on/off)",
                "type": "type",
            },
        ],
    }
    malformed = client.post(
        "/notes", content=b'{"title": ', headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.json()["detail"] == [
        {"loc": ["body"], "msg": "Malformed JSON: Input data was truncated", "type": "json"}
    ]
    text = client.post("/notes", content=b"hello", headers={"content-type": "text/plain"})
    assert text.status_code == 415
    create, read = module.app.describe_routes()
    assert (create.summary, create.status_code, create.tags) == ("Create a note.", 201, ("notes",))
    assert read.responses == {404: ErrorModel}
    assert read.params[0].constraints == {"exclusiveMinimum": 0}
    assert msgspec.json.schema(read.returns)["$defs"]["Note"]["required"] == ["id", "title", "tags"]


def test_typed_sources() -> None:
    client = TestClient(load_example("core/typed_sources.py").app, cookies={"session": "abc"})
    response = client.get(
        "/search/books?q=dune&page-size=5&sort=top",
        headers=[("User-Agent", "curl"), ("Accept-Language", "fr"), ("Accept-Language", "en")],
    )
    assert response.json() == {
        "area": "books",
        "q": "dune",
        "page_size": 5,
        "sort": "top",
        "agent": "curl",
        "languages": ["fr", "en"],
        "session": "abc",
    }
    bad = client.get("/search/books?page-size=0&sort=old")
    assert [e["loc"] for e in bad.json()["detail"]] == [
        ["query", "page-size"],
        ["query", "sort"],
    ]
    assert client.post("/transfers", json={"amount": 5, "recipient": "bob"}).json() == {
        "amount": 5,
        "to": "bob",
        "note": "",
    }
    assert client.post("/transfers", json={"amount": 0}).json()["detail"] == [
        {"loc": ["body", "amount"], "msg": "Expected `int` >= 1", "type": "constraint"},
        {"loc": ["body", "recipient"], "msg": "Field required", "type": "missing"},
    ]
    upload = client.post("/avatars", data={"user": "ada"}, files={"picture": ("a.png", b"PNG")})
    assert upload.json() == {"user": "ada", "filename": "a.png", "size": 3}
    signup = client.post("/signups", data={"name": "ada", "age": "36", "newsletter": "yes"})
    assert signup.json() == {"welcome": "ada", "newsletter": True}
    assert client.post("/signups", data={"name": "kid", "age": "9"}).json()["detail"] == [
        {"loc": ["form", "age"], "msg": "Expected `int` >= 18", "type": "constraint"}
    ]


def test_typed_models() -> None:
    client = TestClient(load_example("core/typed_models.py").app)
    customer = {"name": "Ada", "address": {"city": "London", "zip": "12345"}, "tags": ["vip"]}
    created = client.post("/customers", json=customer)
    assert created.status_code == 201
    assert created.json() == customer
    extra = client.post(
        "/customers", json={**customer, "address": {"city": "L", "zip": "1"}, "x": 1}
    )
    assert extra.json()["detail"] == [
        {
            "loc": ["body", "address", "zip"],
            "msg": "Expected `str` of length >= 5",
            "type": "constraint",
        },
        {"loc": ["body", "x"], "msg": "Unknown field", "type": "extra"},
    ]
    assert client.post("/reviews", json={"stars": 5, "text": "great"}).json() == {
        "stars": 5,
        "text": "great",
    }
    assert client.post("/reviews", json={"stars": 9, "text": "!"}).json()["detail"] == [
        {
            "loc": ["body", "stars"],
            "msg": "Input should be less than or equal to 5",
            "type": "less_than_equal",
        }
    ]
    assert client.get("/users/3").json() == {"id": 3, "name": "ada"}


def test_validation_errors_page() -> None:
    module = load_example("core/validation_errors.py")
    client = TestClient(module.app)
    response = client.post("/orders/1", json={"item": "x" * 30, "quantity": 0})
    assert response.status_code == 422
    assert response.json() == {
        "error": "422 Unprocessable Content",
        "status": 422,
        "detail": [
            {
                "loc": ["body", "item"],
                "msg": "Expected `str` of length <= 20",
                "type": "constraint",
            },
            {"loc": ["body", "quantity"], "msg": "Expected `int` >= 1", "type": "constraint"},
        ],
    }
    assert client.post("/orders/x", json={"item": "a", "quantity": 1}).json() == {
        "error": "400 Bad Request",
        "status": 400,
        "detail": [{"loc": ["path", "shop_id"], "msg": "expected an integer", "type": "type"}],
    }
    malformed = client.post("/orders/1", content=b"{", headers={"content-type": "application/json"})
    assert malformed.json() == {
        "error": "400 Bad Request",
        "status": 400,
        "detail": [
            {"loc": ["body"], "msg": "Malformed JSON: Input data was truncated", "type": "json"}
        ],
    }
    form = client.post(
        "/orders/1", content=b"a=b", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert form.status_code == 415
    assert form.json()["detail"][0]["type"] == "content_type"
    created = client.post("/orders/1", json={"item": "tea", "quantity": 2})
    assert (created.status_code, created.json()) == (201, {"item": "tea", "quantity": 2})
    legacy = TestClient(module.legacy).post("/orders", json={"item": "x" * 30, "quantity": 0})
    assert legacy.status_code == 422
    assert legacy.json() == {
        "errors": {"item": "Expected `str` of length <= 20", "quantity": "Expected `int` >= 1"}
    }


def test_from_fastapi() -> None:
    client = TestClient(load_example("howto/from_fastapi.py").app)
    created = client.post("/items", json={"name": "tea", "price": 2.5}, headers={"x-token": "t"})
    assert created.status_code == 201
    assert created.json() == {"id": 1, "name": "tea"}
    assert client.get("/items?q=te").json() == [{"id": 1, "name": "tea"}]
    assert client.get("/items/1").json() == {"id": 1, "name": "tea"}
    assert client.get("/items/9").status_code == 404
    assert client.get("/items?limit=0").json()["detail"] == [
        {"loc": ["query", "limit"], "msg": "Expected `int` >= 1", "type": "constraint"}
    ]
    no_token = client.post("/items", json={"name": "", "price": 0})
    assert no_token.status_code == 400
    assert no_token.json()["detail"] == [
        {"loc": ["header", "x-token"], "msg": "Field required", "type": "missing"}
    ]
    invalid = client.post("/items", json={"name": "", "price": 0}, headers={"x-token": "t"})
    assert [e["loc"] for e in invalid.json()["detail"]] == [["body", "name"], ["body", "price"]]
