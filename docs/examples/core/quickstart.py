from boca.core import App

app = App()


@app.route("/")
async def index(req, res):
    res.json = {"hello": "world"}


@app.route("/greet/{name}")
async def greet(req, res, name: str):
    res.text = f"Hello, {name}!"
