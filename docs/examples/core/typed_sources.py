"""Where parameters come from: path, query, header, cookie, embedded body fields, forms."""

from dataclasses import dataclass
from typing import Annotated, Literal

from annotated_types import Ge, Le, MaxLen

from boca.core import App, Body, Cookie, Form, Header, Query, UploadFile

app = App()


@app.get("/search/{area}")
async def search(
    req,
    res,
    area: str,  # in the pattern: from the path
    q: Annotated[str, MaxLen(50)] = "",  # a default: from the query string
    page_size: Annotated[int, Query(alias="page-size"), Ge(1), Le(100)] = 20,
    sort: Literal["new", "top"] = "new",
    user_agent: Annotated[str | None, Header()] = None,  # the User-Agent header
    accept_language: Annotated[list[str], Header()] = [],  # noqa: B006 - every value
    session: Annotated[str | None, Cookie()] = None,
):
    return {
        "area": area,
        "q": q,
        "page_size": page_size,
        "sort": sort,
        "agent": user_agent,
        "languages": accept_language,
        "session": session,
    }


@app.post("/transfers")
async def transfer(
    req,
    res,
    amount: Annotated[int, Body(), Ge(1)],
    to: Annotated[str, Body(alias="recipient")],
    note: Annotated[str, Body()] = "",
):
    """Several body parameters: each one a field of the JSON object."""
    return {"amount": amount, "to": to, "note": note}


@app.post("/avatars")
async def avatar(
    req,
    res,
    user: Annotated[str, Form()],
    picture: Annotated[UploadFile, Form()],
):
    """A form: urlencoded or multipart, with a file."""
    data = await picture.read()
    return {"user": user, "filename": picture.filename, "size": len(data)}


@dataclass
class Signup:
    name: Annotated[str, MaxLen(20)]
    age: Annotated[int, Ge(18)]
    newsletter: bool = False


@app.post("/signups")
async def signup(req, res, form: Annotated[Signup, Form()]):
    """A form model: the form's fields fill a dataclass."""
    return {"welcome": form.name, "newsletter": form.newsletter}
