"""The middleware around the showcase: hosts, CORS, the write limit, CSRF, sessions, gzip.

In one process the sessions are in a signed cookie and the write limit counts in memory.
With `SHOWCASE_REDIS_URL` set, both are kept in that Redis, so every `boca run` process that
points at it shares them: a visitor's session and a client's write budget are the same
whichever process answers.
"""

from __future__ import annotations

from typing import Any

from boca.core.types import ASGIApp, Receive, Scope, Send
from boca.middleware import (
    CORSMiddleware,
    CSRFMiddleware,
    GZipMiddleware,
    Limit,
    MemoryStore,
    RateLimitMiddleware,
    RedisStore,
    SessionMiddleware,
    TrustedHostMiddleware,
)

from .config import Config

#: Methods that change nothing: CSRF never checks them.
SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "TRACE"))
#: Every path of the items API, as a rate limit route pattern.
ITEMS = "/api/items{rest:path}"
#: A middleware class and its options: `app.use(MiddlewareBattery(cls, **options))`.
Layer = tuple[type[Any], dict[str, Any]]


# --8<-- [start:csrf]
def _from_a_browser(scope: Scope) -> bool:
    """Whether a browser sent the request: it has cookies, `Origin` or `Sec-Fetch-Site`."""
    for name, _ in scope["headers"]:
        if name == b"cookie" or name == b"origin" or name == b"sec-fetch-site":
            return True
    return False


class BrowserCSRFMiddleware:
    """`CSRFMiddleware` for every request that comes from a browser.

    Forgery needs a browser: another site's page makes the visitor's browser send the
    request, with the visitor's cookies, from the visitor's network. Browsers say who they
    are: the cookies they hold for this site, and on a POST, PATCH or DELETE an `Origin`
    (every current browser sends one, and `Sec-Fetch-Site` over HTTPS and on localhost),
    headers no page can remove. Such a write must come from this site's own page, with its
    token; anything else is 403.

    A write with none of the three comes from a program (curl, a script, schemathesis):
    no page can make a browser send it, and it holds no visitor's cookies, so there is
    nothing to forge. It goes straight to the API, which is public for programs.
    """

    def __init__(self, app: ASGIApp, *, secret_key: str) -> None:
        self.app = app
        self.checked = CSRFMiddleware(app, secret_key=secret_key)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] not in SAFE_METHODS
            and not _from_a_browser(scope)
        ):
            await self.app(scope, receive, send)
        else:
            # Safe requests go through it too: it gives them the token for the page.
            await self.checked(scope, receive, send)


# --8<-- [end:csrf]


def write_limit(config: Config) -> str:
    """`WRITE_RATE_LIMIT`, checked now: a limit that does not parse stops the app here."""
    try:
        Limit.parse(config.WRITE_RATE_LIMIT)
    except ValueError as exc:
        raise ValueError(f"SHOWCASE_WRITE_RATE_LIMIT: {exc}") from None
    return config.WRITE_RATE_LIMIT


# --8<-- [start:middleware]
def middleware(config: Config) -> list[Layer]:
    """The showcase's middleware for `config`, outermost first, with its options.

    Each one sees only what the ones before it let through:

    1. hosts: a `Host` that is not in `ALLOWED_HOSTS` is refused before anything else runs;
    2. CORS: pages on other origins may read the API; it answers their preflights itself,
       and its headers go on every answer to them, refusals included, so that their
       scripts can read why;
    3. the write limit: POST, PATCH and DELETE under `/api/items`, per client address, so
       that a flood is refused before any other work, forged requests included;
    4. CSRF: a browser's writes must come from the showcase's own page;
    5. sessions: `req.session`, in a signed cookie or in Redis;
    6. gzip.
    """
    secret = config.SECRET_KEY
    # One Redis connection pool for the sessions and the write limit, checked at startup.
    store = RedisStore(config.REDIS_URL, prefix="showcase:") if config.REDIS_URL else None
    # The first pattern that matches decides: reads are exempt, then every write shares one
    # pattern, so creating, ticking and deleting use up one budget (each pattern counts on
    # its own). The page and the event stream are not under /api/items.
    reads = ("GET", "HEAD", "OPTIONS")
    routes: dict[str, str | None] = {f"{method} {ITEMS}": None for method in reads}
    routes[ITEMS] = write_limit(config)
    stack: list[Layer] = []
    if config.ALLOWED_HOSTS:
        stack.append((TrustedHostMiddleware, {"allowed_hosts": config.ALLOWED_HOSTS}))
    if config.CORS:
        stack.append((CORSMiddleware, config.CORS))
    stack.append((RateLimitMiddleware, {"routes": routes, "store": store or MemoryStore()}))
    stack.append((BrowserCSRFMiddleware, {"secret_key": secret}))
    if config.SESSIONS:
        # Without a store, the session is the cookie; with one, the cookie is a signed id.
        stack.append((SessionMiddleware, {"secret_key": secret, "store": store}))
    if config.GZIP:
        stack.append((GZipMiddleware, {}))
    return stack


# --8<-- [end:middleware]
