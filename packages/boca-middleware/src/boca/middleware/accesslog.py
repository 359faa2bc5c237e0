"""One structured log line per request."""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .requestid import request_id_var

# Control characters (C0, DEL, C1) and the backslash, escaped so that nothing a
# client puts in a path can forge log lines or drive a terminal.
_ESCAPES = {i: f"\\x{i:02x}" for i in [*range(0x20), *range(0x7F, 0xA0)]}
_ESCAPES[ord("\\")] = "\\\\"


def escape(value: str) -> str:
    """`value` with control characters and backslashes escaped as `\\xNN` and `\\\\`."""
    return value.translate(_ESCAPES)


class AccessLogMiddleware:
    """Logs method, path, route name, status, duration, bytes and request id per request.

    Lines go to the `boca.access` logger (or `logger`) at INFO; nothing is measured
    when that level is disabled. The fields are also attached to the record as
    `record.access` for structured handlers. A request whose app raised before
    responding is logged with status 500; a request with no response, with status 0.

    Args:
        app: The ASGI app to wrap.
        logger: A logger or logger name.
        format: `"text"` (`key=value` pairs) or `"json"` (one JSON object).
        level: The logging level of the lines.
    """

    def __init__(
        self,
        app: ASGIApp,
        logger: logging.Logger | str = "boca.access",
        format: Literal["text", "json"] = "text",
        level: int = logging.INFO,
    ) -> None:
        if format not in ("text", "json"):
            raise ValueError(
                f"AccessLogMiddleware format must be 'text' or 'json', not {format!r}."
            )
        self.app = app
        self.logger = logging.getLogger(logger) if isinstance(logger, str) else logger
        self.format = format
        self.level = level

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.logger.isEnabledFor(self.level):
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        ended: float | None = None
        status = 0
        sent = 0

        async def send_counting(message: Message) -> None:
            nonlocal status, sent, ended
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
            elif kind == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)
            if kind == "http.response.body" and not message.get("more_body", False):
                # The response is complete; background work after it is not counted.
                ended = time.perf_counter()

        try:
            await self.app(scope, receive, send_counting)
        except BaseException:
            if status == 0:
                status = 500
            raise
        finally:
            finished = ended if ended is not None else time.perf_counter()
            self._log(scope, status, sent, (finished - began) * 1000.0)

    def _log(self, scope: Scope, status: int, sent: int, duration_ms: float) -> None:
        route = scope.get("route_name")
        if route is None:
            route = getattr(scope.get("route"), "name", None)
        state = scope.get("state") or {}
        request_id = state.get("request_id") if isinstance(state, dict) else None
        fields: dict[str, Any] = {
            "method": escape(scope["method"]),
            "path": escape(scope["path"]),
            "route": escape(str(route)) if route is not None else None,
            "status": status,
            "duration_ms": round(duration_ms, 3),
            "bytes": sent,
            "request_id": request_id or request_id_var.get(),
        }
        if self.format == "json":
            line = json.dumps(fields, separators=(",", ":"))
        else:
            line = " ".join(f"{key}={_text(value)}" for key, value in fields.items())
        self.logger.log(self.level, "%s", line, extra={"access": fields})


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"'
    return str(value)
