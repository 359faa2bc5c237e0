import os

from boca.core import App


class Metrics:
    def install(self, app: App) -> None:
        app.extensions["metrics"] = {"requests": 0}


def banner(app: App) -> None:  # a Bocadillo plugin: a function taking the app
    app.extensions["banner"] = "hello"


app = App(
    settings={
        "PLUGINS": [
            banner,
            {Metrics(): os.environ.get("METRICS") == "on"},  # installed only when true
        ]
    }
)
