"""Route introspection when several declarations share one pattern (one view per method)."""

from __future__ import annotations

from boca.core import App, Router


def test_each_declaration_keeps_its_name_and_view() -> None:
    router = Router()

    @router.get("/items", name="list_items")
    async def list_items(req, res) -> list[int]:  # type: ignore[no-untyped-def]
        return []

    @router.post("/items", name="create_item", status_code=201)
    async def create_item(req, res) -> dict[str, int]:  # type: ignore[no-untyped-def]
        return {}

    @router.delete("/items")
    async def clear_items(req, res) -> None:  # type: ignore[no-untyped-def]
        return None

    app = App()
    app.include(router, prefix="/api")
    for described in (router.describe_routes(), app.describe_routes()):
        assert [(r.name, r.methods, r.view, r.status_code) for r in described] == [
            ("list_items", ("GET",), list_items, 200),
            ("create_item", ("POST",), create_item, 201),
            (None, ("DELETE",), clear_items, 200),
        ]
    assert app.url_for("create_item") == "/api/items"
    assert app.url_for("list_items") == "/api/items"
