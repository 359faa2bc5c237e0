import time

from boca.core import App, Middleware


class Timing(Middleware):
    """Adds a Server-Timing header to every HTTP response."""

    async def before_dispatch(self, req, res):
        req.state.started = time.perf_counter()

    async def after_dispatch(self, req, res):
        elapsed = (time.perf_counter() - req.state.started) * 1000
        res.headers["Server-Timing"] = f"app;dur={elapsed:.1f}"


class ApiKey(Middleware):
    """Answers 401 without calling the app when the key is wrong."""

    async def before_dispatch(self, req, res):
        if req.url.path.startswith("/api/") and req.headers.get("x-api-key") != self.options["key"]:
            res.status_code = 401
            res.json = {"error": "bad or missing API key"}
            return res  # short-circuit: the app is not called
        return None


app = App()


@app.route("/api/items")
async def items(req, res):
    res.json = [{"id": 1}]


@app.route("/")
async def home(req, res):
    res.text = "home"


app.add_middleware(ApiKey, key="s3cr3t")  # inner
app.add_middleware(Timing)  # added last: outermost, it times ApiKey too
