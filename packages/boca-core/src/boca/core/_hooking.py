"""Hooks around an endpoint: `@before`/`@after` functions in declaration order, and the
providers they ask for, made once per request and shared with the view."""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .hooks import Hook
from .providers import ProviderRegistry

if TYPE_CHECKING:
    from .requests import Request
    from .responses import Response
    from .views import Endpoint

__all__ = ["hook_provided", "hooked", "hooked_providing"]


def hook_provided(hook: Hook, route: str, providers: ProviderRegistry | None) -> tuple[str, ...]:
    """The provider names a hook asks for: its parameters after `(req, res, params)` that its
    decorator's arguments do not fill and that have no default."""
    from .views import ViewDeclarationError, _qualname

    try:
        params = list(inspect.signature(hook.fn).parameters.values())
    except (TypeError, ValueError):  # pragma: no cover - builtins only
        return ()
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    taken = {p.name for p in positional[: 3 + len(hook.args)]} | set(hook.kwargs)
    names = tuple(
        p.name
        for p in params
        if p.name not in taken
        and p.default is p.empty
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    )
    if providers is not None and names:
        for name in names:
            if name not in providers:
                raise ViewDeclarationError(
                    f"route {route!r}: parameter {name!r} of hook {_qualname(hook.fn)} is not "
                    "filled by the hook's arguments and no provider has that name: pass it to "
                    f"@{hook.when}(...), give it a default, or register a provider with "
                    "@app.provider (before the route)"
                )
        providers.check(names, f"route {route!r}")
    return names


def hooked(endpoint: Endpoint, hooks: Sequence[Hook]) -> Endpoint:
    """Run the before hooks, the view, then the after hooks, all in declaration order
    (router, class, method; top to bottom on one target)."""
    from .views import apply_result

    # Called directly (not through `Hook.__call__`): one coroutine less per hook.
    befores = [(h.fn, h.args, h.kwargs) for h in hooks if h.when == "before"]
    afters = [(h.fn, h.args, h.kwargs) for h in hooks if h.when == "after"]

    async def hooked(req: Request, res: Response) -> Any:
        params = req.path_params
        for fn, args, kwargs in befores:
            await fn(req, res, params, *args, **kwargs)
            if res.written:  # the hook answered: the view does not run
                return None
        result = await endpoint(req, res)
        if afters:
            if result is not None:
                # After hooks see (and may change) what the view returned.
                result = apply_result(res, result)
            for fn, args, kwargs in afters:
                await fn(req, res, params, *args, **kwargs)
        return result

    return hooked


def hooked_providing(
    endpoint: Endpoint,
    hooks: Sequence[Hook],
    hook_names: list[tuple[str, ...]],
    view_names: tuple[str, ...],
    declared: ProviderRegistry | None,
) -> Endpoint:
    """`_hooked`, for hooks that ask for providers: one cache and one tear-down for the hooks
    and the view, so a provider is made once per request and lives until the last hook."""
    from .views import apply_result

    steps = [(h.when, (h.fn, h.args, h.kwargs, n)) for h, n in zip(hooks, hook_names, strict=True)]
    befores = [step for when, step in steps if when == "before"]
    afters = [step for when, step in steps if when == "after"]
    every = tuple(dict.fromkeys([*view_names, *(n for names in hook_names for n in names)]))

    async def hooked(req: Request, res: Response) -> Any:
        registry: ProviderRegistry = declared if declared is not None else req.app.providers
        async with contextlib.AsyncExitStack() as stack:
            cache: dict[str, Any] = {}
            shared = (cache, stack if registry.needs_teardown(every) else None)
            req.scope["boca.provided"] = shared
            params = req.path_params
            for fn, args, kwargs, names in befores:
                provided = await registry.resolve(names, *shared) if names else {}
                await fn(req, res, params, *args, **kwargs, **provided)
                if res.written:  # the hook answered: the view does not run
                    return None
            result = await endpoint(req, res)
            if afters:
                if result is not None:
                    result = apply_result(res, result)
                for fn, args, kwargs, names in afters:
                    provided = await registry.resolve(names, *shared) if names else {}
                    await fn(req, res, params, *args, **kwargs, **provided)
            return result

    return hooked
