"""Background tasks: work that runs after the response has been sent.

They run in the request's own task, right after the last byte of the response: the client
has its answer, the server keeps serving other requests, and a graceful shutdown of the
server (Uvicorn's `--timeout-graceful-shutdown`, set by `boca run`) waits for them and reports
by name what it had to cancel. A client that goes away does not cancel them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool

from .providers import ProviderRegistry

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

    async def __call__(self, **provided: Any) -> None:
        kwargs = {**self.kwargs, **provided} if provided else self.kwargs
        if _is_async(self.fn):
            await self.fn(*self.args, **kwargs)
        else:
            await run_in_threadpool(self.fn, *self.args, **kwargs)

    def wanted(self, providers: ProviderRegistry) -> tuple[str, ...]:
        """The providers this task asks for: parameters left unfilled that name one."""
        try:
            signature = inspect.signature(self.fn)
        except (TypeError, ValueError):  # builtins without a signature
            return ()
        unfilled = list(signature.parameters.values())[len(self.args) :]
        return tuple(
            p.name
            for p in unfilled
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            and p.default is p.empty
            and p.name not in self.kwargs
            and p.name in providers
        )


def _is_async(fn: Any) -> bool:
    while isinstance(fn, functools.partial):
        fn = fn.func
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - an object with `async def __call__`
    )


async def run_background(
    tasks: list[BackgroundTask], providers: ProviderRegistry | None = None
) -> None:
    """Run each task in order; a failing task is logged and does not stop the others.

    A task's parameters that are left unfilled and name a provider are injected; the request's
    own provider values are torn down by then, so request-scoped ones are made afresh (and torn
    down after the task), app-scoped ones are shared. When the server cancels the tasks (a
    graceful shutdown that ran out of time), the task that was running and those that never
    started are logged by name.
    """
    for index, task in enumerate(tasks):
        try:
            names = task.wanted(providers) if providers is not None and providers.names() else ()
            if names:
                assert providers is not None
                async with contextlib.AsyncExitStack() as stack:
                    await task(**await providers.resolve(names, {}, stack))
            else:
                await task()
        except Exception:
            logger.exception("background task %s failed", task.name)
        except asyncio.CancelledError:
            skipped = ", ".join(t.name for t in tasks[index + 1 :]) or "none"
            logger.warning("background task %s cancelled; not run: %s", task.name, skipped)
            raise
