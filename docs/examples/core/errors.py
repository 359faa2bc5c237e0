from boca.core import App, HTTPError, Redirect

app = App()


class OutOfStock(Exception):
    def __init__(self, item: str) -> None:
        self.item = item


@app.error_handler(OutOfStock)
async def out_of_stock(req, res, exc):
    res.status_code = 409
    res.json = {"error": "out of stock", "item": exc.item}


@app.route("/buy/{item}")
async def buy(req, res, item: str):
    if item == "unicorn":
        raise OutOfStock(item)
    if item == "nothing":
        raise HTTPError(400, detail="pick something to buy")
    res.json = {"bought": item}


@app.route("/old-shop")
async def old_shop(req, res):
    raise Redirect("/buy/tea", permanent=True)


@app.route("/login")
async def login(req, res):
    # `next` comes from the user: Redirect.safe refuses off-site targets.
    raise Redirect.safe(req.query_params.get("next"), fallback="/")
