from datetime import datetime, timedelta, timezone

from boca.core import App, server_event

app = App(
    base_url="https://example.com",  # absolute URLs (reset links in e-mails) point here
    max_body_size=64 * 1024,  # this API takes small JSON bodies only...
    body_timeout=10,  # ...each piece within 10 s of the previous one...
    body_deadline=30,  # ...and the whole body within 30 s
    websocket_origins=["https://app.example.com"],  # the other site whose pages may connect
)


@app.route("/password-reset", methods=["POST"])
async def password_reset(req, res):
    data = await req.json()
    link = req.url_for("reset_form", token="t0k3n")  # never the Host the client sent
    res.json = {"to": data["email"], "link": str(link)}


@app.route("/reset/{token}", name="reset_form")
async def reset_form(req, res, token: str):
    res.text = "choose a new password"


@app.route("/login", methods=["POST"])
async def login(req, res):
    week = datetime.now(timezone.utc) + timedelta(days=7)
    res.set_cookie("session", "opaque-id", secure=True, expires=week)  # HttpOnly, SameSite=Lax
    res.text = "welcome"


@app.route("/ticks")
async def ticks(req, res):
    @res.event_stream(write_timeout=10)  # a client that reads nothing for 10 s is let go
    async def events():
        for n in range(3):
            yield server_event(data=str(n))
