from boca.core import App, Settings


class Config(Settings):
    env_prefix = "SHOP_"  # reads SHOP_DATABASE_URL, SHOP_DEBUG...
    DATABASE_URL: str  # required: no default
    DEBUG: bool = False
    PAGE_SIZE: int = 20
    ALLOWED_HOSTS: list[str] = ["localhost", "127.0.0.1"]
    # Switches on boca-middleware's CORS, as in Bocadillo (`True` alone allows no origin).
    CORS: dict[str, list[str]] = {"allow_origins": ["https://shop.example"]}


def create_app(config: Config) -> App:
    app = App(debug=config.DEBUG, settings=config)

    @app.route("/config")
    async def show(req, res):
        res.json = {"page_size": req.app.settings["PAGE_SIZE"]}

    return app
