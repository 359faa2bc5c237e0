# --8<-- [start:app]
"""Providers: an app-wide database and a per-request transaction, injected by name."""

from boca.core import App

app = App()


class Database:
    """A stand-in for a real database client."""

    def __init__(self):
        self.users = {1: "ada", 2: "grace"}
        self.log: list[str] = []
        self.open = True

    async def close(self):
        self.open = False


@app.provider(scope="app")
async def db():
    database = Database()  # made once, at startup
    try:
        yield database
    finally:
        await database.close()  # at shutdown


@app.provider
async def transaction(db):
    db.log.append("begin")
    try:
        yield db  # made for each request that needs it
    except Exception:
        db.log.append("rollback")  # the view raised: its exception is raised here
        raise
    else:
        db.log.append("commit")
    finally:
        db.log.append("end")  # always


@app.provider
async def user_count(transaction):
    return len(transaction.users)


@app.route("/db")
async def database_state(req, res, db):  # an app provider, used directly
    return {"log": db.log, "open": db.open}


@app.route("/users/{user_id:int}")
async def user(req, res, user_id: int, transaction, user_count):
    # `transaction` is made once, though the view and `user_count` both use it.
    name = transaction.users[user_id]  # a KeyError rolls back, then answers 500
    return {"id": user_id, "name": name, "of": user_count}


# --8<-- [end:app]
# --8<-- [start:override]
def test_user_with_a_fake_count():
    from boca.core.testing import TestClient

    async def fake_user_count():
        return 99

    with app.providers.override("user_count", fake_user_count), TestClient(app) as client:
        assert client.get("/users/2").json() == {"id": 2, "name": "grace", "of": 99}


# --8<-- [end:override]
