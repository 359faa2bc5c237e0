from boca.core import App

app = App()
SENT = []
AUDIT = []


def send_welcome_email(address, *, subject):
    # A plain function: it runs in a worker thread, so it may block.
    SENT.append((address, subject))


@app.route("/signup", methods=["POST"])
async def signup(req, res):
    data = await req.json()
    res.background(send_welcome_email, data["email"], subject="Welcome!")

    @res.background
    async def audit():
        AUDIT.append(f"signup {data['email']}")

    res.status_code = 201
    res.json = {"ok": True}


@app.route("/flaky", methods=["POST"])
async def flaky(req, res):
    def fails():
        raise ConnectionError("mail server down")

    res.background(fails)  # logged with its traceback on the "boca.core" logger...
    res.background(AUDIT.append, "flaky")  # ...and the next task still runs
    res.text = "accepted"
