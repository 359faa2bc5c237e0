"""Starlette's Jinja2Templates, swapped for boca-templates' in a FastAPI app."""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

# Was: from fastapi.templating import Jinja2Templates
from boca.templates import Jinja2Templates


def site_name(request: Request) -> dict[str, str]:
    return {"site": "Boca"}


templates = Jinja2Templates(
    directory=Path(__file__).parent / "templates", context_processors=[site_name]
)
app = FastAPI()


@app.get("/", response_class=HTMLResponse)
async def home(request: Request, name: str = "stranger") -> HTMLResponse:
    return templates.TemplateResponse(request, "index.html", {"title": "Home", "name": name})
