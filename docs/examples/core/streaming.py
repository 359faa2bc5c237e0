import asyncio

from boca.core import App

app = App()


@app.route("/numbers")
async def numbers(req, res):
    @res.stream
    async def body():
        for i in range(3):
            yield f"{i}\n"  # str is sent as UTF-8; bytes as they are
            await asyncio.sleep(0.01)


@app.route("/export.csv")
async def export(req, res):
    res.headers["Content-Type"] = "text/csv; charset=utf-8"
    res.attachment = "export.csv"

    @res.stream
    async def rows():
        yield "id,name\n"
        for n, name in enumerate(["ada", "grace"], start=1):
            yield f"{n},{name}\n"


CLOSED = []


@app.route("/follow")
async def follow(req, res):
    @res.stream(throw_disconnect=True)
    async def lines():
        try:
            while True:
                yield "still here\n"
                await asyncio.sleep(0.5)
        finally:
            CLOSED.append("follow")  # runs as soon as the client goes away
