"""The Boca showcase: a small items API and the page that uses it.

Served by `make run` on http://127.0.0.1:8000.
"""

from __future__ import annotations

import html
import itertools
from typing import Any

from boca.core import App, HTTPError, Request, Response

app = App()
_ids = itertools.count(1)
ITEMS: dict[int, dict[str, Any]] = {}


def _validated(data: Any) -> str:
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise HTTPError(422, detail={"name": "a non-empty string is required"})
    name = data["name"].strip()
    if not name or len(name) > 200:
        raise HTTPError(422, detail={"name": "between 1 and 200 characters"})
    return name


@app.route("/")
async def index(req: Request, res: Response) -> None:
    rows = "".join(f"<li>{html.escape(item['name'])}</li>" for item in ITEMS.values())
    res.html = PAGE.format(items=rows or "<li><em>No items yet.</em></li>")


@app.route("/api/items", name="items")
class Items:
    async def get(self, req: Request, res: Response) -> None:
        res.json = list(ITEMS.values())

    async def post(self, req: Request, res: Response) -> None:
        item_id = next(_ids)
        ITEMS[item_id] = {"id": item_id, "name": _validated(await req.json())}
        res.status_code = 201
        res.headers["Location"] = app.url_for("item", item_id=item_id)
        res.json = ITEMS[item_id]


@app.route("/api/items/{item_id:int}", name="item")
class Item:
    def _get(self, item_id: int) -> dict[str, Any]:
        try:
            return ITEMS[item_id]
        except KeyError:
            raise HTTPError(404, detail=f"no item {item_id}") from None

    async def get(self, req: Request, res: Response, item_id: int) -> None:
        res.json = self._get(item_id)

    async def put(self, req: Request, res: Response, item_id: int) -> None:
        item = self._get(item_id)
        item["name"] = _validated(await req.json())
        res.json = item

    async def delete(self, req: Request, res: Response, item_id: int) -> None:
        self._get(item_id)
        del ITEMS[item_id]
        res.status_code = 204


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Boca showcase</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; color: #222; }}
h1 {{ color: #c2410c; }}
</style>
</head>
<body>
<h1>Boca showcase</h1>
<p>A JSON API at <code>/api/items</code>; add items with the form.</p>
<form id="add"><input name="name" required maxlength="200"> <button>Add</button></form>
<ul id="items">{items}</ul>
<script>
document.getElementById("add").addEventListener("submit", async (event) => {{
  event.preventDefault();
  const name = event.target.name.value;
  await fetch("/api/items", {{method: "POST", headers: {{"content-type": "application/json"}},
                              body: JSON.stringify({{name}})}});
  location.reload();
}});
</script>
</body>
</html>
"""
