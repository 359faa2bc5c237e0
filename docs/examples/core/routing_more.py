from boca.core import App

app = App()


@app.route("/blog/{}/{slug}")  # `{}` matches one segment and is not passed to the view
async def post(req, res, slug: str):
    res.text = slug


@app.route("/legacy/{:path}")  # `{:path}`: anything below, slashes included
async def legacy(req, res):
    res.text = "moved"


@app.route("/echo", methods=all)  # the builtin `all`: every method
async def echo(req, res):
    res.text = req.method


class Counter:
    def __init__(self, start: int) -> None:
        self.value = start

    async def get(self, req, res):
        res.json = {"value": self.value}

    async def post(self, req, res):
        self.value += 1
        res.json = {"value": self.value}


app.route("/counter")(Counter(start=10))  # an instance of a class-based view
