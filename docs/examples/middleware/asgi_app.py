from boca.middleware import GZipMiddleware


async def hello(scope, receive, send):
    assert scope["type"] == "http"
    body = b"Hello, World! " * 100
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(body))],
        }
    )
    await send({"type": "http.response.body", "body": body})


app = GZipMiddleware(hello, minimum_size=500)
