from boca.core import App, useprovider

app = App(settings={"PROVIDER_MODULES": ["myapp.providers"]})


@app.route("/users")
@useprovider("audit")  # made and torn down around the view, which does not take it
async def users(req, res, db):
    res.json = db["users"]
