"""A Bocadillo app, ported to Boca (the Bocadillo spelling is in the comments)."""

from boca.core import App, HTTPError, before

app = App()  # bocadillo: app = App(); configure(app)


async def require_token(req, res, params):  # bocadillo: the same hook signature
    if req.headers.get("x-token") != "s3cret":
        raise HTTPError(401, detail="missing or bad token")


@app.provider  # bocadillo: @provider in providerconf.py, discovered by name
async def greeting():
    return "Hello"


@app.route("/greet/{name}")
async def greet(req, res, name: str, greeting):  # providers are injected by name, as before
    res.json = {"message": f"{greeting}, {name}!"}


@app.route("/admin")
@before(require_token)  # bocadillo: from bocadillo import before
class Admin:
    async def get(self, req, res):
        res.text = "welcome"


@app.route("/hello")
async def hello(req, res):
    @res.background  # bocadillo: @res.background
    async def log_visit():
        pass

    res.text = "hi"
