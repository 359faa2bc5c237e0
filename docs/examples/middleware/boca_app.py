from boca.core import App
from boca.middleware import (
    CORSMiddleware,
    GZipMiddleware,
    MiddlewareBattery,
    RequestIDMiddleware,
)

app = App()


@app.route("/")
async def index(req, res):
    res.json = {"message": "hello " * 200}


# The last middleware added is the outermost one.
app.add_middleware(GZipMiddleware, minimum_size=500)
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])
# The same thing as a battery, through the plugin protocol:
app.use(MiddlewareBattery(RequestIDMiddleware, header_name="X-Request-ID"))
