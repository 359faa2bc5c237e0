from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from boca.templates import Templates

templates = Templates(Path(__file__).parent / "templates", context={"site": "Boca"})
app = FastAPI()


@app.get("/", response_class=HTMLResponse)
async def home(request: Request, name: str = "stranger") -> HTMLResponse:
    return HTMLResponse(
        await templates.render("index.html", request=request, title="Home", name=name)
    )
