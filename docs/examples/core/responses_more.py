from boca.core import App

app = App()


@app.route("/report")
async def report(req, res):
    res.chunked = True  # Transfer-Encoding: chunked, no Content-Length
    res.text = "a long report"


@app.route("/plain")
async def plain(req, res):
    res.headers["X-Debug"] = "1"
    res.headers.pop("X-Debug")  # like dict.pop: the value, or a default, or KeyError
    res.text = "no debug header"
