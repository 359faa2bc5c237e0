"""Providers: dependency injection by parameter name.

A provider is an async function (or async generator, for set-up and tear-down) registered on
an app. A view, a class-based view's method or a websocket view that has a parameter of the
same name receives its value. Providers may use other providers the same way.

- scope `"request"`: made once per request (or websocket connection), torn down after it,
  even when the view raised (the view's exception is raised at the generator's `yield`, so
  write tear-down in `finally`; a provider cannot swallow the view's exception);
- scope `"app"`: made at startup, torn down at shutdown, in reverse order.

A view with no providers pays nothing for this; one whose providers (and the ones they use)
are plain async functions does not pay for a tear-down stack either.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, TypeVar

from ._user_code import declared_at

__all__ = ["Provider", "ProviderError", "ProviderRegistry"]

F = TypeVar("F", bound=Callable[..., Any])
Scope = Literal["request", "app"]


class ProviderError(LookupError):
    """A provider is unknown, misdeclared or part of a cycle; the message names the chain."""


@dataclass
class Provider:
    """One registered provider: what it is called, its function, scope and the names it uses."""

    name: str
    fn: Callable[..., Any]
    scope: Scope
    needs: tuple[str, ...]
    is_generator: bool = False


class ProviderRegistry:
    """The providers of one app (never global). `app.providers`."""

    def __init__(self) -> None:
        self._providers: dict[str, Provider] = {}
        self._overrides: dict[str, Provider] = {}
        #: The providers in effect: the registered ones, overrides applied.
        self._active: dict[str, Provider] = {}
        #: Whether resolving a tuple of names makes a request provider that needs tear-down.
        self._teardown: dict[tuple[str, ...], bool] = {}
        self._app_values: dict[str, Any] = {}
        self._app_stack: contextlib.AsyncExitStack | None = None

    def __contains__(self, name: object) -> bool:
        return name in self._providers

    def names(self) -> list[str]:
        return sorted(self._providers)

    def register(self, fn: F, *, scope: Scope = "request", name: str | None = None) -> F:
        """Register `fn` as the provider called `name` (default: the function's name)."""
        with declared_at(ProviderError):
            return self._register(fn, scope, name)

    def _register(self, fn: F, scope: Scope, name: str | None) -> F:
        if scope not in ("request", "app"):
            raise ProviderError(f"provider scope must be 'request' or 'app', not {scope!r}")
        name = name or fn.__name__
        if name in self._providers:
            raise ProviderError(
                f"provider {name!r} is already registered: give one of them another name "
                "(name=...), or replace it in tests with app.providers.override()"
            )
        self._providers[name] = self._make(fn, scope, name)
        self._changed()
        return fn

    def _changed(self) -> None:
        self._active = {**self._providers, **self._overrides}
        self._teardown.clear()

    def override(
        self, name: str, fn: Callable[..., Any]
    ) -> contextlib.AbstractContextManager[None]:
        """Replace provider `name` with `fn` (in tests); undone when the returned context exits.

        The override is made afresh for each request (or connection) that needs it, whatever
        the scope of the provider it replaces, and an app provider that is overridden is not
        made at startup.
        """
        if name not in self._providers:
            raise ProviderError(f"no provider named {name!r} to override (known: {self._known()})")
        previous = self._overrides.get(name)
        self._overrides[name] = self._make(fn, "request", name)
        self._changed()
        try:
            self.check([name], f"override of {name!r}")
        except ProviderError:
            self._restore(name, previous)
            raise

        @contextlib.contextmanager
        def undo() -> Any:
            try:
                yield
            finally:
                self._restore(name, previous)

        return undo()

    def _restore(self, name: str, previous: Provider | None) -> None:
        if previous is None:
            self._overrides.pop(name, None)
        else:
            self._overrides[name] = previous
        self._changed()

    def _make(self, fn: Callable[..., Any], scope: Scope, name: str) -> Provider:
        if not (inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn)):
            raise ProviderError(
                f"provider {name!r} must be an async function or an async generator"
            )
        params = inspect.signature(fn).parameters.values()
        needs = tuple(
            p.name
            for p in params
            if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        )
        return Provider(name, fn, scope, needs, inspect.isasyncgenfunction(fn))

    def _known(self) -> str:
        return ", ".join(self.names()) or "none"

    def get(self, name: str) -> Provider:
        """The provider in effect for `name` (its override, if any)."""
        provider = self._active.get(name)
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
        provider = self._active.get(name)
        if provider is None:
            path = " -> ".join([*chain, name])
            raise ProviderError(f"unknown provider {name!r} ({path}); known: {self._known()}")
        for need in provider.needs:
            needed = self._providers.get(need)
            if provider.scope == "app" and needed is not None and needed.scope == "request":
                raise ProviderError(
                    f"app provider {name!r} cannot use request provider {need!r}: an app "
                    "provider is made once, at startup"
                )
            self._walk(need, [*chain, name])

    # -- app scope ----------------------------------------------------------------------------

    async def startup(self) -> None:
        """Make every app-scoped provider (at startup); torn down by `shutdown()`."""
        self.check([n for n, p in self._providers.items() if p.scope == "app"], "startup")
        stack = contextlib.AsyncExitStack()
        await stack.__aenter__()
        self._app_stack = stack
        try:
            for name, provider in self._providers.items():
                if provider.scope == "app" and name not in self._overrides:
                    await self._make_app_value(name, stack)
        except BaseException:
            await self.shutdown()  # tear down the ones already made
            raise

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

    def needs_teardown(self, names: tuple[str, ...]) -> bool:
        """Whether resolving `names` makes a request-scoped async generator (cached)."""
        found = self._teardown.get(names)
        if found is None:
            seen: set[str] = set()
            found = self._teardown[names] = any(self._generates(n, seen) for n in names)
        return found

    def _generates(self, name: str, seen: set[str]) -> bool:
        if name in seen:
            return False
        seen.add(name)
        provider = self._active.get(name)
        if provider is None or provider.scope == "app":  # app values are torn down at shutdown
            return False
        return provider.is_generator or any(self._generates(n, seen) for n in provider.needs)

    async def resolve(
        self,
        names: tuple[str, ...],
        cache: dict[str, Any],
        stack: contextlib.AsyncExitStack | None,
    ) -> dict[str, Any]:
        """Values for `names`, made once per request (`cache`), torn down with `stack`
        (`None` when `needs_teardown(names)` is false)."""
        values = {}
        for name in names:
            values[name] = await self._resolve(name, cache, stack)
        return values

    async def _resolve(
        self, name: str, cache: dict[str, Any], stack: contextlib.AsyncExitStack | None
    ) -> Any:
        if name in cache:
            return cache[name]
        provider = self._active.get(name) or self.get(name)  # get() raises the error
        if provider.scope == "app":
            if name not in self._app_values:
                if self._app_stack is None:
                    raise ProviderError(
                        f"app provider {name!r} is made at startup: run the app with its "
                        "lifespan (Uvicorn does; in tests use `with TestClient(app)`)"
                    )
                await self._make_app_value(name, self._app_stack)
            value = self._app_values[name]
        elif provider.needs:
            kwargs = {need: await self._resolve(need, cache, stack) for need in provider.needs}
            value = await _call(provider, kwargs, stack)
        elif provider.is_generator:
            value = await _call(provider, {}, stack)
        else:
            value = await provider.fn()
        cache[name] = value
        return value


async def _call(
    provider: Provider, kwargs: dict[str, Any], stack: contextlib.AsyncExitStack | None
) -> Any:
    if provider.is_generator:
        assert stack is not None, "needs_teardown() said no tear-down was needed"
        return await stack.enter_async_context(_Generated(provider.name, provider.fn(**kwargs)))
    return await provider.fn(**kwargs)


class _Generated:
    """An async generator provider as a context manager that cannot swallow an error.

    `contextlib.asynccontextmanager` lets a generator that catches the exception thrown at
    its `yield` suppress it: a failed view would then look like a success.
    """

    def __init__(self, name: str, gen: AsyncGenerator[Any, None]) -> None:
        self.name = name
        self.gen = gen

    async def __aenter__(self) -> Any:
        try:
            return await self.gen.__anext__()
        except StopAsyncIteration:
            raise ProviderError(f"provider {self.name!r} did not yield a value") from None

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        try:
            if exc is None:
                await self.gen.__anext__()
            else:
                await self.gen.athrow(exc)
        except StopAsyncIteration:
            return False
        except BaseException as raised:
            if raised is exc:
                return False
            raise
        await self.gen.aclose()
        raise ProviderError(f"provider {self.name!r} must yield only once")
