from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from boca.core import App, Router

shop = Router()


@shop.route("/cart", name="cart")
async def cart(req, res):
    res.json = {"items": [], "url": req.url_for("cart").path}


async def legacy(request):
    return PlainTextResponse(f"legacy at {request.scope['root_path']}")


app = App()
app.include(shop, prefix="/shop")  # GET /shop/cart
app.mount("/legacy", Starlette(routes=[Route("/", legacy)]))  # any ASGI app
