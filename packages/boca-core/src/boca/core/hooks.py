"""Hooks: code that runs before or after a view, declared where the view is.

```python
async def require_token(req, res, params):
    if req.headers.get("x-token") != "s3cret":
        raise HTTPError(401)

@app.route("/admin")
@before(require_token)
async def admin(req, res): ...
```

`@before` and `@after` go on a function view, a class-based view (every method), a single
method, or a `Router` (every route it holds, in call form: `before(hook)(router)`). A before
hook stops the request by raising (`HTTPError`, `Redirect`) or by writing a response body.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from ._user_code import caller_location

__all__ = ["Hook", "after", "before", "hooks_of"]

T = TypeVar("T")
HOOKS_ATTRIBUTE = "__boca_hooks__"


@dataclass(frozen=True)
class Hook:
    """One hook call: `await fn(req, res, params, *args, **kwargs)`."""

    when: Literal["before", "after"]
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    async def __call__(self, req: Any, res: Any, params: dict[str, Any]) -> None:
        await self.fn(req, res, params, *self.args, **self.kwargs)


def _hook_decorator(when: Literal["before", "after"]) -> Callable[..., Callable[[T], T]]:
    def decorator(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[T], T]:
        if not inspect.iscoroutinefunction(fn) and not inspect.iscoroutinefunction(
            getattr(fn, "__call__", None)  # noqa: B004 - an async callable object is fine
        ):
            raise TypeError(
                f"@{when}: hook {getattr(fn, '__qualname__', fn)!r} must be an async function "
                f"`async def hook(req, res, params)` [declared at {caller_location()}]"
            )
        hook = Hook(when, fn, args, kwargs)

        def attach(target: T) -> T:
            existing: list[Hook] = list(getattr(target, HOOKS_ATTRIBUTE, ()))
            if inspect.isroutine(target) or inspect.isclass(target):
                # Decorators apply bottom-up; keep hooks in the order they are written.
                existing.insert(0, hook)
            else:
                # A Router, in call form: `before(a)(router)` then `before(b)(router)`.
                existing.append(hook)
            setattr(target, HOOKS_ATTRIBUTE, existing)
            return target

        return attach

    decorator.__name__ = when
    return decorator


before = _hook_decorator("before")
before.__doc__ = "Run `await hook(req, res, params, *args, **kwargs)` before the view."
after = _hook_decorator("after")
after.__doc__ = "Run `await hook(req, res, params, *args, **kwargs)` after the view."


def hooks_of(*targets: Any) -> list[Hook]:
    """The hooks declared on each target (outermost first: router, class, method)."""
    found: list[Hook] = []
    for target in targets:
        found.extend(getattr(target, HOOKS_ATTRIBUTE, ()))
    return found
