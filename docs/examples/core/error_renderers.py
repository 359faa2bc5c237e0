from boca.core import App, HTTPError, error_to_html, error_to_json, error_to_text

app = App()
app.add_error_handler(HTTPError, error_to_html)  # every HTTPError as an HTML page


@app.route("/teapot")
async def teapot(req, res):
    raise HTTPError(418, detail="<short & stout>")  # escaped: &lt;short &amp; stout&gt;


@app.route("/accepted")
async def accepted(req, res):
    raise HTTPError(202, detail="queued")  # any final status, sent as such


api = App()


@api.error_handler(HTTPError)
async def by_client(req, res, exc):
    """Pick the renderer per request."""
    if "text/plain" in req.headers.get("accept", ""):
        await error_to_text(req, res, exc)
    else:
        await error_to_json(req, res, exc)


@api.route("/missing")
async def missing(req, res):
    raise HTTPError(404, detail="no such thing")
