"""Background tasks: work that runs after the response has been sent.

They run in the request's own task, right after the last byte of the response: the client
has its answer, the server keeps serving other requests, and a graceful shutdown of the
server (Uvicorn's `--timeout-graceful-shutdown`, set by `boca run`) waits for them and reports
by name what it had to cancel. A client that goes away does not cancel them.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool

__all__ = ["BackgroundTask", "run_background"]

logger = logging.getLogger("boca.core")


@dataclass
class BackgroundTask:
    """One call to make after the response: `fn(*args, **kwargs)`, async or not."""

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return getattr(self.fn, "__qualname__", repr(self.fn))

    async def __call__(self) -> None:
        if _is_async(self.fn):
            await self.fn(*self.args, **self.kwargs)
        else:
            await run_in_threadpool(self.fn, *self.args, **self.kwargs)


def _is_async(fn: Any) -> bool:
    while isinstance(fn, functools.partial):
        fn = fn.func
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - an object with `async def __call__`
    )


async def run_background(tasks: list[BackgroundTask]) -> None:
    """Run each task in order; a failing task is logged and does not stop the others.

    When the server cancels them (a graceful shutdown that ran out of time), the task that was
    running and those that never started are logged by name.
    """
    for index, task in enumerate(tasks):
        try:
            await task()
        except Exception:
            logger.exception("background task %s failed", task.name)
        except asyncio.CancelledError:
            skipped = ", ".join(t.name for t in tasks[index + 1 :]) or "none"
            logger.warning("background task %s cancelled; not run: %s", task.name, skipped)
            raise
