"""Providers: dependency injection by parameter name.

A provider is an async function (or async generator, for set-up and tear-down) registered on
an app. A view, hook or websocket view that has a parameter of the same name receives its
value. Providers may use other providers the same way.

- scope `"request"`: made once per request (or websocket connection), torn down after it,
  even when the view raised;
- scope `"app"`: made at startup, torn down at shutdown, in reverse order.

A view with no providers pays nothing for this.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

__all__ = ["Provider", "ProviderError", "ProviderRegistry"]

F = TypeVar("F", bound=Callable[..., Any])
Scope = Literal["request", "app"]


class ProviderError(LookupError):
    """A provider is unknown, misdeclared or part of a cycle; the message names the chain."""


@dataclass
class Provider:
    name: str
    fn: Callable[..., Any]
    scope: Scope
    needs: tuple[str, ...]

    @property
    def is_generator(self) -> bool:
        return inspect.isasyncgenfunction(self.fn)


class ProviderRegistry:
    """The providers of one app (never global). `app.providers`."""

    def __init__(self) -> None:
        self._providers: dict[str, Provider] = {}
        self._overrides: dict[str, Provider] = {}
        self._app_values: dict[str, Any] = {}
        self._app_stack: contextlib.AsyncExitStack | None = None

    def __contains__(self, name: object) -> bool:
        return name in self._providers

    def names(self) -> list[str]:
        return sorted(self._providers)

    def register(self, fn: F, *, scope: Scope = "request", name: str | None = None) -> F:
        """Register `fn` as the provider called `name` (default: the function's name)."""
        if scope not in ("request", "app"):
            raise ProviderError(f"provider scope must be 'request' or 'app', not {scope!r}")
        self._providers[name or fn.__name__] = self._make(fn, scope, name or fn.__name__)
        return fn

    def override(
        self, name: str, fn: Callable[..., Any]
    ) -> contextlib.AbstractContextManager[None]:
        """Replace provider `name` with `fn` (in tests); undone when the returned context exits."""
        if name not in self._providers:
            raise ProviderError(f"no provider named {name!r} to override (known: {self._known()})")
        original = self._providers[name]
        self._overrides[name] = self._make(fn, original.scope, name)

        @contextlib.contextmanager
        def undo() -> Any:
            try:
                yield
            finally:
                self._overrides.pop(name, None)

        return undo()

    def _make(self, fn: Callable[..., Any], scope: Scope, name: str) -> Provider:
        if not (inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn)):
            raise ProviderError(
                f"provider {name!r} must be an async function or an async generator"
            )
        params = inspect.signature(fn).parameters.values()
        needs = tuple(p.name for p in params if p.default is p.empty)
        return Provider(name, fn, scope, needs)

    def _known(self) -> str:
        return ", ".join(self.names()) or "none"

    def get(self, name: str) -> Provider:
        provider = self._overrides.get(name) or self._providers.get(name)
        if provider is None:
            raise ProviderError(f"no provider named {name!r} (known: {self._known()})")
        return provider

    def check(self, names: tuple[str, ...] | list[str], where: str) -> None:
        """Raise when a name (or one it needs, transitively) is unknown or part of a cycle."""
        for name in names:
            self._walk(name, [where])

    def _walk(self, name: str, chain: list[str]) -> None:
        if name in chain[1:]:
            cycle = " -> ".join([*chain[chain.index(name) :], name])
            raise ProviderError(f"providers form a cycle: {cycle}")
        if name not in self._providers:
            path = " -> ".join([*chain, name])
            raise ProviderError(f"unknown provider {name!r} ({path}); known: {self._known()}")
        provider = self._providers[name]
        for need in provider.needs:
            if provider.scope == "app" and self._providers.get(need, provider).scope == "request":
                raise ProviderError(f"app provider {name!r} cannot use request provider {need!r}")
            self._walk(need, [*chain, name])

    # -- app scope ----------------------------------------------------------------------------

    async def startup(self) -> None:
        """Make every app-scoped provider (at startup); torn down by `shutdown()`."""
        self.check([n for n, p in self._providers.items() if p.scope == "app"], "startup")
        stack = contextlib.AsyncExitStack()
        await stack.__aenter__()
        self._app_stack = stack
        for name, provider in self._providers.items():
            if provider.scope == "app" and name not in self._app_values:
                await self._make_app_value(name, stack)

    async def _make_app_value(self, name: str, stack: contextlib.AsyncExitStack) -> Any:
        if name in self._app_values:
            return self._app_values[name]
        provider = self.get(name)
        kwargs = {need: await self._make_app_value(need, stack) for need in provider.needs}
        value = await _call(provider, kwargs, stack)
        self._app_values[name] = value
        return value

    async def shutdown(self) -> None:
        """Tear down app-scoped providers in reverse order of set-up."""
        stack, self._app_stack = self._app_stack, None
        self._app_values.clear()
        if stack is not None:
            await stack.__aexit__(None, None, None)

    # -- request scope ------------------------------------------------------------------------

    async def resolve(
        self, names: tuple[str, ...], cache: dict[str, Any], stack: contextlib.AsyncExitStack
    ) -> dict[str, Any]:
        """Values for `names`, made once per request (`cache`), torn down with `stack`."""
        return {name: await self._resolve(name, cache, stack) for name in names}

    async def _resolve(
        self, name: str, cache: dict[str, Any], stack: contextlib.AsyncExitStack
    ) -> Any:
        if name in cache:
            return cache[name]
        provider = self.get(name)
        if provider.scope == "app" and name not in self._overrides:
            if name not in self._app_values:
                if self._app_stack is None:
                    raise ProviderError(
                        f"app provider {name!r} is made at startup: run the app with its "
                        "lifespan (Uvicorn does; in tests use `with TestClient(app)`)"
                    )
                await self._make_app_value(name, self._app_stack)
            value = self._app_values[name]
        else:
            kwargs = {need: await self._resolve(need, cache, stack) for need in provider.needs}
            value = await _call(provider, kwargs, stack)
        cache[name] = value
        return value


async def _call(
    provider: Provider, kwargs: dict[str, Any], stack: contextlib.AsyncExitStack
) -> Any:
    if provider.is_generator:
        manager = contextlib.asynccontextmanager(provider.fn)(**kwargs)
        return await stack.enter_async_context(manager)
    return await provider.fn(**kwargs)
