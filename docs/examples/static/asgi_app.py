"""A static site served by Uvicorn alone: `uvicorn asgi_app:app`."""

from pathlib import Path

from boca.static import StaticFiles

PUBLIC = Path(__file__).parent / "public"

# html=True: "/" serves index.html, "/docs/" serves docs/index.html, misses get 404.html.
app = StaticFiles(PUBLIC, html=True)
