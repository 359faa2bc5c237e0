"""An app ready for production behind a reverse proxy."""

from boca.core import App

app = App(settings={"ALLOWED_HOSTS": ["example.com", "127.0.0.1"], "GZIP": True})


@app.route("/health")
async def health(req, res):
    res.json = {"ok": True, "client": req.client.host if req.client else None}
