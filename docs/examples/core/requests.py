from boca.core import App

app = App(max_body_size=1024 * 1024)  # 1 MiB for every route...


@app.route("/inspect", methods=["POST"])
async def inspect(req, res):
    data = await req.json()  # a clear 400 when the body is not JSON
    res.json = {
        "method": req.method,
        "path": req.url.path,
        "query": dict(req.query_params),
        "agent": req.headers.get("user-agent"),
        "cookie": req.cookies.get("theme"),
        "data": data,
    }


# ...except this one, which takes uploads up to 50 MiB.
@app.route("/upload", methods=["POST"], max_body_size=50 * 1024 * 1024)
async def upload(req, res):
    form = await req.form()
    file = form["file"]
    content = await file.read()
    res.json = {"name": form["name"], "filename": file.filename, "size": len(content)}


@app.route("/count", methods=["POST"])
async def count(req, res):
    total = 0
    async for chunk in req:  # the body as it arrives, without buffering it
        total += len(chunk)
    res.json = {"bytes": total}
