from boca.middleware import TrustedHostMiddleware


async def site(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"welcome"})


# example.com itself is not listed: it is redirected to www.example.com.
app = TrustedHostMiddleware(
    site,
    allowed_hosts=["www.example.com", "*.api.example.com"],
    www_redirect=True,
)
