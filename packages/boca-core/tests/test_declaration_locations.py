"""Declaration errors name the user's file and line, not a file inside Boca."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest

from boca.core import (
    App,
    ProviderError,
    Request,
    Response,
    RouteDeclarationError,
    Router,
    ViewDeclarationError,
    WebSocket,
    before,
)

SOURCE = Path(__file__).read_text().splitlines()


def at(marker: str) -> str:
    """`[declared at file:line]` for the line of this file that ends with `marker`."""
    (line,) = [n for n, text in enumerate(SOURCE, 1) if text.endswith(f"# {marker}")]
    return f"[declared at {__file__}:{line}]"


async def _async_view(req: Request, res: Response) -> None:
    pass


def _sync_view(req: Request, res: Response) -> None:
    pass


async def _chat(ws: WebSocket) -> None:
    pass


async def db() -> str:
    return "db"


def test_view_error_names_the_user_line() -> None:
    app = App()
    with pytest.raises(ViewDeclarationError) as caught:
        app.route("/x")(_sync_view)  # sync view
    assert str(caught.value) == (
        f"route '/x': view _sync_view must be an async function (use `async def`) {at('sync view')}"
    )
    # The last line of the printed traceback is the message with the user's line.
    printed = "".join(traceback.format_exception(caught.value))
    assert printed.rstrip().splitlines()[-1].endswith(at("sync view"))


def test_decorator_form_names_the_decorator_line() -> None:
    app = App()

    def declare() -> None:
        @app.route("/items/{id:nope}")  # bad converter
        async def items(req: Request, res: Response, id: int) -> None:
            pass

    with pytest.raises(RouteDeclarationError) as caught:
        declare()
    assert str(caught.value).startswith("route '/items/{id:nope}': unknown converter 'nope'")
    assert str(caught.value).endswith(at("bad converter"))


def test_websocket_route() -> None:
    app = App()
    with pytest.raises(RouteDeclarationError) as caught:
        app.websocket_route("/ws", value_type="xml")(_chat)  # bad value type
    assert str(caught.value).endswith(at("bad value type"))


def test_provider() -> None:
    app = App()
    app.provider(db)
    with pytest.raises(ProviderError) as caught:
        app.provider(db)  # second provider
    assert str(caught.value).startswith("provider 'db' is already registered")
    assert str(caught.value).endswith(at("second provider"))


def test_include_and_mount() -> None:
    app = App()
    router = Router()

    @router.route("/needs")
    async def needs(req: Request, res: Response, missing_provider: str) -> None:
        pass

    with pytest.raises(ViewDeclarationError) as included:
        app.include(router)  # include
    assert "missing_provider" in str(included.value)
    assert str(included.value).endswith(at("include"))
    with pytest.raises(RouteDeclarationError) as mounted:
        app.mount("/", app)  # mount
    assert str(mounted.value).endswith(at("mount"))


def test_location_added_once() -> None:
    app = App()
    with pytest.raises(RouteDeclarationError) as caught:
        app.route("no-slash")(_async_view)
    assert str(caught.value).count("[declared at ") == 1


def test_sync_hook() -> None:
    def hook(req: Request, res: Response, params: dict[str, str]) -> None:
        pass

    with pytest.raises(TypeError) as caught:
        before(hook)  # sync hook
    assert str(caught.value).endswith(at("sync hook"))
