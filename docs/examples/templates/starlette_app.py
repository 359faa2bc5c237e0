from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from boca.templates import TemplateNotFound, Templates

templates = Templates(Path(__file__).parent / "templates", context={"site": "Boca"})


@templates.filter
def money(value: float) -> str:
    return f"{value:.2f}"


async def home(request: Request) -> Response:
    name = request.query_params.get("name", "stranger")
    html = await templates.render("index.html", request=request, title="Home", name=name)
    return HTMLResponse(html)


async def items(request: Request) -> Response:
    rows = [{"name": f"item {i}", "price": i * 1.25} for i in range(1000)]
    return StreamingResponse(templates.stream("items.html", items=rows), media_type="text/html")


async def missing_template(request: Request, exc: Exception) -> Response:
    return PlainTextResponse("Page not found", status_code=404)


app = Starlette(
    routes=[Route("/", home), Route("/items", items)],
    exception_handlers={TemplateNotFound: missing_template},
)
