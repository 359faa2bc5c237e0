"""TypeSystem schemas and fields (Bocadillo) as annotations (Boca); the old line is beside."""

from typing import Annotated

import msgspec
from annotated_types import Ge, MaxLen

from boca.core import App

app = App()


class Todo(msgspec.Struct):  # bocadillo: class Todo(typesystem.Schema):
    title: Annotated[str, MaxLen(100)]  # title = typesystem.String(max_length=100)
    done: bool = False  # done = typesystem.Boolean(default=False)


@app.route("/todos", methods=["POST"])
async def create(req, res, todo: Todo):  # todo = Todo.validate(await req.json())
    res.status_code = 201
    res.json = {"title": todo.title, "done": todo.done}


@app.route("/todos/{pk}")
async def read(req, res, pk: Annotated[int, Ge(1)]):  # pk: typesystem.Integer(minimum=1)
    res.json = {"pk": pk}


@app.route("/import", methods=["POST"])
async def bulk(req, res):
    # Validating data the view read itself: a failure is answered 422 in Boca's error format,
    # as HANDLE_TYPESYSTEM_VALIDATION_ERRORS answered TypeSystem's with 400.
    todos = msgspec.convert(await req.json(), list[Todo])
    res.json = {"imported": len(todos)}
