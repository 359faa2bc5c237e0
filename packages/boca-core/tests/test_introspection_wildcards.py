"""Route introspection of anonymous wildcards: named in the path template, never passed on."""

from __future__ import annotations

from boca.core import App


def test_anonymous_wildcards_get_names_and_parameters() -> None:
    app = App()

    @app.get("/files/{}/{name}/{:path}")
    async def show(req, res, name: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
        return {"name": name}

    (info,) = app.describe_routes()
    assert info.pattern == "/files/{}/{name}/{:path}"
    assert info.path == "/files/{_1}/{name}/{_2}"
    assert [(p.name, p.source, p.required, p.annotation) for p in info.params] == [
        ("name", "path", True, str),
        ("_1", "path", True, str),
        ("_2", "path", True, str),
    ]
    assert info.params[1].description == (
        "Matched by an anonymous wildcard; not passed to the view."
    )
