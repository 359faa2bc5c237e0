from boca.core import App, HTTPError

app = App()
ITEMS: dict[int, dict] = {1: {"id": 1, "name": "tea"}}


# A class-based view answers the HTTP methods it defines.
@app.route("/items")
class Items:
    async def get(self, req, res):
        res.json = list(ITEMS.values())

    async def post(self, req, res):
        data = await req.json()
        item = {"id": max(ITEMS) + 1, "name": data["name"]}
        ITEMS[item["id"]] = item
        res.status_code = 201
        res.json = item


# A function view with several methods.
@app.route("/items/{item_id:int}", methods=["get", "delete"])
async def item(req, res, item_id: int):
    if item_id not in ITEMS:
        raise HTTPError(404, detail=f"no item {item_id}")
    if req.method == "DELETE":
        del ITEMS[item_id]
        res.status_code = 204
        return
    res.json = ITEMS[item_id]


# Returning a value is a shorthand: dict or list -> JSON, str -> text, bytes -> content.
@app.route("/ping")
async def ping(req, res):
    return {"pong": True}
