"""Form models: a dataclass or pydantic model filled from an urlencoded or multipart form."""

from dataclasses import dataclass
from typing import Annotated

import pydantic
import pytest
from annotated_types import Ge, MaxLen

from boca.core import App, Form, UploadFile
from boca.core.testing import TestClient
from boca.core.views import ViewDeclarationError


@dataclass
class Signup:
    name: Annotated[str, MaxLen(5)]
    age: Annotated[int, Ge(18)]
    tags: list[str]
    newsletter: bool = False


class Contact(pydantic.BaseModel):
    email: str
    age: int = pydantic.Field(ge=18)


@dataclass
class Nested:
    signup: Signup


def _app() -> App:
    app = App()

    @app.post("/signup")
    async def signup(
        req,
        res,
        form: Annotated[Signup, Form()],
        avatar: Annotated[UploadFile | None, Form()] = None,
    ):
        assert type(form) is Signup
        return {"form": form, "avatar": None if avatar is None else avatar.filename}

    @app.post("/contact")
    async def contact(req, res, form: Annotated[Contact, Form()]):
        return form

    return app


client = TestClient(_app())


def test_a_dataclass_from_a_form() -> None:
    response = client.post("/signup", data={"name": "ada", "age": "20", "tags": ["a", "b"]})
    assert response.json() == {
        "form": {"name": "ada", "age": 20, "tags": ["a", "b"], "newsletter": False},
        "avatar": None,
    }
    multipart = client.post(
        "/signup",
        data={"name": "ada", "age": "30", "tags": "x", "newsletter": "on"},
        files={"avatar": ("a.png", b"PNG")},
    )
    assert multipart.json() == {
        "form": {"name": "ada", "age": 30, "tags": ["x"], "newsletter": True},
        "avatar": "a.png",
    }


def test_every_form_error_at_once() -> None:
    response = client.post("/signup", data={"name": "adalovelace", "age": "old"})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["form", "name"], "msg": "Expected `str` of length <= 5", "type": "constraint"},
        {"loc": ["form", "tags"], "msg": "Field required", "type": "missing"},
        {"loc": ["form", "age"], "msg": "expected an integer", "type": "type"},
    ]
    young = client.post("/signup", data={"name": "ada", "age": "12", "tags": "x"})
    assert young.json()["detail"] == [
        {"loc": ["form", "age"], "msg": "Expected `int` >= 18", "type": "constraint"}
    ]


def test_a_pydantic_model_from_a_form() -> None:
    assert client.post("/contact", data={"email": "a@b", "age": "20"}).json() == {
        "email": "a@b",
        "age": 20,
    }
    response = client.post("/contact", data={"age": "2"})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["form", "email"], "msg": "Field required", "type": "missing"},
        {
            "loc": ["form", "age"],
            "msg": "Input should be greater than or equal to 18",
            "type": "greater_than_equal",
        },
    ]


def test_form_models_are_described_field_by_field() -> None:
    (info,) = _app().describe_routes()[:1]
    assert info.body is not None
    assert [(f.name, f.source, f.required) for f in info.body.fields] == [
        ("name", "form", True),
        ("age", "form", True),
        ("tags", "form", True),
        ("newsletter", "form", False),
        ("avatar", "form", False),
    ]
    assert info.body.fields[1].constraints == {"minimum": 18}


def test_a_form_model_with_a_nested_model_is_refused() -> None:
    app = App()
    with pytest.raises(ViewDeclarationError, match="a form model has text and scalar fields"):

        @app.post("/nested")
        async def nested(req, res, form: Annotated[Nested, Form()]):
            return None
