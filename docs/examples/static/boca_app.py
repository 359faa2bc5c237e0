"""Static files in a Boca app, through the plugin protocol."""

from pathlib import Path

from boca.core import App
from boca.static import StaticFiles

PUBLIC = Path(__file__).parent / "public"

app = App()
static = StaticFiles(PUBLIC)  # mounted at path="/static" by default
app.use(static)  # mounts it as "static" and sets app.extensions["static"]


@app.route("/")
async def index(req, res):
    # The fingerprinted URL when a manifest exists, the plain one otherwise.
    res.json = {"css": static.url("css/app.css")}
