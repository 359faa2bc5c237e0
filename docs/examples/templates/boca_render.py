from pathlib import Path

from boca.core import App
from boca.templates import Templates

app = App()
app.use(Templates(directory=Path(__file__).parent / "templates"))


@app.route("/users/{user}", name="profile")
async def profile(req, res, user: str):
    # Rendered when the response is sent, with `request` and `url_for` available.
    res.render("profile.html", user=user)
