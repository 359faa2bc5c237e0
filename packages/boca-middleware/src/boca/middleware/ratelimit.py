"""Rate limits per client, per route, over several windows, in a shared store."""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from math import ceil

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._asgi import with_headers
from ._errors import send_error
from ._gcra import Window
from ._lifespan import run_lifespan
from ._routes import RouteMap
from .stores import MemoryStore, RateLimitStore, StoreError

logger = logging.getLogger("boca.middleware")

KeyFunction = Callable[[Scope], str | Awaitable[str | None] | None]
Limits = str | Sequence[str]

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_ABBREVIATIONS = {"s": "second", "sec": "second", "m": "minute", "min": "minute"}
_ABBREVIATIONS |= {"h": "hour", "hr": "hour", "d": "day"}
#: How many clients' keys a rule keeps for reuse, and the longest client key kept: longer
#: ones (a header's value can be kilobytes) are built each time, so the cache stays a few MB.
_KNOWN_CLIENTS = 10_000
_KNOWN_LENGTH = 256
_LIMIT = re.compile(r"\s*(\d+)\s*(?:/|per\s)\s*(\d+)?\s*([a-z]+)\s*", re.IGNORECASE)


def _unit(word: str) -> str | None:
    word = word.lower()
    if word.endswith("s") and (
        word[:-1] in _UNITS or (len(word) > 2 and word[:-1] in _ABBREVIATIONS)
    ):
        word = word[:-1]
    return word if word in _UNITS else _ABBREVIATIONS.get(word)


@dataclass(frozen=True)
class Limit:
    """`limit` requests per `period` seconds, as written (`"10/second"`, `"1000/hour"`)."""

    limit: int
    period: float
    name: str

    @classmethod
    def parse(cls, text: str) -> Limit:
        """Read `"N/unit"` or `"N/M units"`: second, minute, hour or day (or s, m, h, d)."""
        match = _LIMIT.fullmatch(text) if isinstance(text, str) else None
        unit = _unit(match.group(3)) if match is not None else None
        if match is None or unit is None or int(match.group(1)) < 1:
            raise ValueError(
                f"Rate limit {text!r}: write it as 'N/unit' or 'N/M units' with N at least 1 "
                "and a unit of second, minute, hour or day, e.g. '10/second', '1000/hour'."
            )
        count = int(match.group(2) or 1)
        period = count * _UNITS[unit]
        name = f"{match.group(1)}/{unit}" if count == 1 else f"{match.group(1)}/{count} {unit}s"
        return cls(int(match.group(1)), float(period), name)


@dataclass(frozen=True)
class _Rule:
    """The windows that apply to a group of routes, with what each check reuses.

    Built once: a check only joins the client's key into `key_parts` and the numbers
    into `state`.
    """

    scope: str
    limits: tuple[Limit, ...]
    pairs: tuple[tuple[int, float], ...]
    #: The `RateLimit-Policy` header, the same on every response.
    policy: tuple[bytes, bytes]
    detail: str
    #: Each window's key around the client's part: (before, after).
    key_parts: tuple[tuple[str, str], ...]
    #: The `RateLimit` header's value from a decision's windows.
    state: Callable[[Sequence[Window]], bytes]
    #: Each recent client's keys, built once: a client sends many requests.
    known: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def keys(self, who: str) -> tuple[str, ...]:
        """The store keys of `who`'s windows (reused; the cache starts again when full)."""
        keys = self.known.get(who)
        if keys is None:
            keys = tuple([before + who + after for before, after in self.key_parts])
            if len(who) <= _KNOWN_LENGTH:
                if len(self.known) >= _KNOWN_CLIENTS:
                    self.known.clear()
                self.known[who] = keys
        return keys


def _state(template: bytes, count: int) -> Callable[[Sequence[Window]], bytes]:
    """The `RateLimit` header's value from each window's remaining requests and reset.

    One and two windows (most rules) unpack straight into the template, without a loop.
    """
    if count == 1:

        def one(windows: Sequence[Window]) -> bytes:
            ((remaining, reset),) = windows
            return template % (remaining, ceil(reset))

        return one
    if count == 2:

        def two(windows: Sequence[Window]) -> bytes:
            (first, first_reset), (second, second_reset) = windows
            return template % (first, ceil(first_reset), second, ceil(second_reset))

        return two

    def many(windows: Sequence[Window]) -> bytes:
        return template % tuple([n for window in windows for n in (window[0], ceil(window[1]))])

    return many


def _rule(scope: str, limits: Limits, setting: str, prefix: str) -> _Rule:
    texts = [limits] if isinstance(limits, str) else list(limits)
    if not texts:
        raise ValueError(f"{setting}: give at least one limit, e.g. '10/second'.")
    parsed = tuple(Limit.parse(text) for text in texts)
    policy = ", ".join(f'"{lim.name}";q={lim.limit};w={int(lim.period)}' for lim in parsed)
    names = " and ".join(lim.name for lim in parsed)
    # One hash tag (the braces) for all the windows of a check: they hash to one slot of a
    # sharded Redis, where a script may only touch the keys of one slot.
    # Braces in a route pattern (`/items/{id}`) would end the tag early: they become ().
    tag = scope.replace("{", "(").replace("}", ")")
    key_parts = tuple((f"{prefix}{{{tag}|", f"}}|{lim.name}") for lim in parsed)
    state = ", ".join(f'"{lim.name}";r=%d;t=%d' for lim in parsed)
    return _Rule(
        scope,
        parsed,
        tuple((lim.limit, lim.period) for lim in parsed),
        (b"ratelimit-policy", policy.encode()),
        f"Too many requests: the limit is {names}",
        key_parts,
        _state(state.encode(), len(parsed)),
    )


def client_address(scope: Scope) -> str:
    """The client's IP address (after `ProxyHeadersMiddleware`, the real client's)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _header_key(name: str) -> KeyFunction:
    raw = name.strip().lower().encode("latin-1")

    def key(scope: Scope) -> str:
        for header, value in scope["headers"]:
            if header == raw:
                return "h:" + str(value.decode("latin-1"))
        return client_address(scope)

    return key


class RateLimitMiddleware:
    """Answers 429 to clients over their limits, with `Retry-After` and `RateLimit` headers.

    Limits use GCRA (the generic cell rate algorithm): `"10/second"` lets a request
    through every 100 ms on average, with bursts of up to 10. Several windows apply
    together (`["10/second", "1000/hour"]`); a request counts only when every window
    lets it through. The check is one atomic call to the store (one round trip to
    Redis), so limits hold across every worker and host that share the store.

    Every limited response gets `RateLimit-Policy` and `RateLimit` (IETF draft
    `ratelimit-headers`); refused ones get a 429 in Boca's error format and
    `Retry-After`.

    Args:
        app: The ASGI app to wrap.
        limits: The windows for every request no route pattern matches; `None`:
            only the routes in `routes` are limited.
        routes: Route patterns (`"/login"`, `"POST /items/{id}"`, `"/files/{p:path}"`)
            to their own limits, or to `None` to exempt them. The first pattern in
            order that matches the request's path and method wins; each pattern
            counts separately from the others and from `limits`.
        key: Who a limit is for: `"client"` (the client's IP address),
            `"header:<name>"` (that header's value, or the address when it is
            missing), or a function of the ASGI scope returning a string, `None`
            to exempt the request, or an awaitable of either.
        store: A `RateLimitStore`: `MemoryStore()` (the default, one process) or
            `RedisStore(url)` (shared).
        fail_open: What to do when the key function raises or the store is down:
            `False` (the default) answers 503 with `Retry-After: 1`; `True` lets the
            request through unlimited. Both log the error.
        prefix: Put in front of the store keys.
    """

    def __init__(
        self,
        app: ASGIApp,
        limits: Limits | None = None,
        *,
        routes: Mapping[str, Limits | None] | None = None,
        key: str | KeyFunction = "client",
        store: RateLimitStore | None = None,
        fail_open: bool = False,
        prefix: str = "ratelimit:",
    ) -> None:
        if limits is None and not routes:
            raise ValueError(
                "RateLimitMiddleware needs limits='10/second' (or a list of them) for every "
                "request, or routes={'/login': '5/minute'} for some routes."
            )
        store = MemoryStore() if store is None else store
        if not isinstance(store, RateLimitStore):
            raise TypeError(
                f"RateLimitMiddleware(store={store!r}): the store has no atomic hit() method; "
                "use MemoryStore() or RedisStore(url)."
            )
        self.app = app
        self.store = store
        self.fail_open = fail_open
        self.prefix = prefix
        self.default = _rule("*", limits, "limits", prefix) if limits is not None else None
        self.routes = RouteMap(
            (
                (
                    pattern,
                    None
                    if value is None
                    else _rule(pattern, value, f"routes[{pattern!r}]", prefix),
                )
                for pattern, value in (routes or {}).items()
            ),
            "RateLimitMiddleware(routes=...)",
        )
        if callable(key):
            self.key: KeyFunction = key
        elif key == "client":
            self.key = client_address
        elif isinstance(key, str) and key.startswith("header:") and key[7:].strip():
            self.key = _header_key(key[7:])
        else:
            raise ValueError(
                f"RateLimitMiddleware(key={key!r}): use 'client', 'header:<name>' "
                "(e.g. 'header:X-API-Key') or a function of the ASGI scope."
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            if kind == "lifespan":
                await run_lifespan(self.app, self.store, scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        rule = self.default
        if self.routes:
            found = self.routes.find(scope.get("method", "GET"), scope["path"])
            if found is not None:
                rule = found[0]
        if rule is None:
            await self.app(scope, receive, send)
            return
        try:
            who = self.key(scope)
            if who is not None and who.__class__ is not str and inspect.isawaitable(who):
                who = await who
            # A key that is not a string (a function's bug) fails here, as a raise would.
            keys = None if who is None else rule.keys(who)
        except Exception:
            logger.exception("rate limit key function %r failed", self.key)
            await self._failed(scope, receive, send)
            return
        if keys is None:
            await self.app(scope, receive, send)
            return
        try:
            allowed, retry_after, windows = await self.store.hit(keys, rule.pairs)
        except StoreError as exc:
            logger.error("rate limit not checked: %s", exc)
            await self._failed(scope, receive, send)
            return
        headers = (rule.policy, (b"ratelimit", rule.state(windows)))
        if not allowed:
            retry = max(1, ceil(retry_after))
            detail = f"{rule.detail}; retry in {retry} s."
            refused = [*headers, (b"retry-after", b"%d" % retry)]
            await send_error(scope, send, 429, detail, refused)
            return
        if kind != "http":
            await self.app(scope, receive, send)
            return

        # A plain function handing back `send`'s awaitable: no coroutine of its own per message.
        def send_with_headers(message: Message) -> Awaitable[None]:
            if message["type"] == "http.response.start":
                message = with_headers(message, headers)
            return send(message)

        await self.app(scope, receive, send_with_headers)

    async def _failed(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.fail_open:
            await self.app(scope, receive, send)
        else:
            await send_error(
                scope,
                send,
                503,
                "The rate limiter is unavailable; try again shortly.",
                [(b"retry-after", b"1")],
            )
