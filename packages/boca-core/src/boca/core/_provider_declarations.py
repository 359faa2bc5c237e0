"""Providers declared away from the app (`@provider` in a module listed in `PROVIDER_MODULES`)
and used without being a parameter (`@useprovider("name")`), as in Bocadillo.

A module of providers cannot see the app (it is imported before the app exists, or by many
apps), so `@provider` only marks the function; `App(settings={"PROVIDER_MODULES": [...]})`
imports each module and registers what is marked, in definition order, before any route.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from .hooks import before
from .providers import ProviderError

if TYPE_CHECKING:
    from .providers import ProviderRegistry

__all__ = ["provider", "register_modules", "useprovider"]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
_MARK = "__boca_provider__"


@overload
def provider(fn: F, /) -> F: ...


@overload
def provider(
    fn: None = None, /, *, scope: Literal["request", "app"] = "request", name: str | None = None
) -> Callable[[F], F]: ...


def provider(
    fn: F | None = None,
    /,
    *,
    scope: Literal["request", "app"] = "request",
    name: str | None = None,
) -> F | Callable[[F], F]:
    """Mark a provider in a module of providers; the `PROVIDER_MODULES` setting registers it.

    In the app's own module, `@app.provider` (same arguments) registers it at once.
    """

    def mark(target: F) -> F:
        if scope not in ("request", "app"):
            raise ProviderError(f"provider scope must be 'request' or 'app', not {scope!r}")
        setattr(target, _MARK, (scope, name))
        return target

    return mark if fn is None else mark(fn)


def register_modules(registry: ProviderRegistry, modules: Iterable[str]) -> None:
    """Import each module (dotted name) and register the providers `@provider` marked in it."""
    if isinstance(modules, str):
        raise TypeError(
            f"the PROVIDER_MODULES setting is a list of module names, like [{modules!r}]"
        )
    for module_name in modules:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name.split(".")[0] and exc.name != module_name:
                raise  # the module exists, but imports something missing
            raise ProviderError(
                f"PROVIDER_MODULES: no module named {module_name!r} (a dotted module name, "
                "importable from where the app runs, like 'myapp.providers')"
            ) from None
        for value in list(vars(module).values()):
            marked = getattr(value, _MARK, None) if callable(value) else None
            if marked is not None and inspect.getmodule(value) is module:
                scope, name = marked
                registry.register(value, scope=scope, name=name)


def useprovider(*providers: str | Callable[..., Any]) -> Callable[[T], T]:
    """Make providers for a view that does not take them as parameters (their set-up and
    tear-down are what it needs): `@useprovider("transaction")`, or pass the functions.

    It is a `before` hook asking for those providers, so it goes wherever `@before` goes
    (function views, class-based views and their methods), and each provider is still made
    once per request, shared with the view and other hooks.
    """
    names = [p if isinstance(p, str) else getattr(p, "__name__", "") for p in providers]
    if not names or not all(n.isidentifier() for n in names):
        raise ProviderError(
            f"useprovider() takes provider names (or functions), like "
            f"@useprovider('db'), not {providers!r}"
        )

    async def use(req: Any, res: Any, params: Any, **provided: Any) -> None:
        """Nothing to do: asking for the providers is the point."""

    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    use.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, kind) for n in ("req", "res", "params")]
        + [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY) for n in names]
    )
    use.__qualname__ = use.__name__ = f"useprovider({', '.join(map(repr, names))})"
    decorate: Callable[[T], T] = before(use)
    return decorate
