"""A Starlette app whose own 404 page answers for the static files too."""

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount

from boca.static import StaticFiles

PUBLIC = Path(__file__).parent / "public"


async def not_found(request: Request, exc: Exception) -> HTMLResponse:
    return HTMLResponse("<h1>Nothing here</h1>", status_code=404)


app = Starlette(
    routes=[Mount("/static", StaticFiles(directory=PUBLIC), name="static")],
    exception_handlers={404: not_found},
)
