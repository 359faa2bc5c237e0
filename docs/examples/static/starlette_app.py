"""Static files in a plain Starlette app."""

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from boca.static import StaticFiles

PUBLIC = Path(__file__).parent / "public"
static = StaticFiles(PUBLIC)


async def home(request: Request) -> JSONResponse:
    # root_path: where the app itself is served (behind a proxy, or mounted).
    css = static.url("css/app.css", root_path=request.scope.get("root_path", ""))
    return JSONResponse({"css": css, "js": str(request.url_for("static", path="/js/app.js"))})


app = Starlette(routes=[Route("/", home), Mount("/static", app=static, name="static")])
