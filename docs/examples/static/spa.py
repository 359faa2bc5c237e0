"""A single-page app: every unknown path gets index.html, the router in the page takes over."""

from pathlib import Path

from boca.static import StaticFiles

PUBLIC = Path(__file__).parent / "public"

# "/users/42" -> index.html (200); "/css/app.css" -> the file itself.
# The page is revalidated by browsers on each visit: max_age=0.
app = StaticFiles(PUBLIC, fallback="index.html", max_age=0)
