"""Static files in a FastAPI app."""

from pathlib import Path

from fastapi import FastAPI

from boca.static import StaticFiles

PUBLIC = Path(__file__).parent / "public"

app = FastAPI()
app.mount("/static", StaticFiles(PUBLIC), name="static")
