"""Views: turning a user's function or class into per-method endpoints.

Everything that can be decided at declaration time is decided there (which parameters come from
the path, which from the query string, how each is converted), so a request only does the work
its view asked for.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import sys
import typing
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, get_type_hints

from ._constraints import ConstraintError
from ._hooking import hook_provided, hooked, hooked_providing
from ._results import Filter, jsonable, output_filter, write
from ._route_options import Methods, RouteOptions
from ._sources import Plan, SourceError, plan_for
from .hooks import Hook, hooks_of
from .introspection import BodyInfo, ParamInfo
from .providers import ProviderRegistry

if TYPE_CHECKING:
    from .requests import Request
    from .responses import Response

__all__ = ["HTTP_METHODS", "Endpoint", "RouteOptions", "apply_result", "compile_view"]

#: The only names a class-based view may be dispatched to (lower-cased), whatever the client sends.
HTTP_METHODS = ("get", "head", "post", "put", "patch", "delete", "options")
#: Methods whose requests have no body: a view answering them cannot read one.
_BODILESS = frozenset({"get", "head"})

Endpoint = Callable[["Request", "Response"], Awaitable[Any]]


class ViewDeclarationError(TypeError):
    """A view cannot be used as declared: the message names the route and the fix."""


_DEFAULT_OPTIONS = RouteOptions()


@dataclass(frozen=True)
class Described:
    """What one endpoint takes and answers, for `describe_routes()`."""

    function: Callable[..., Any]
    params: tuple[ParamInfo, ...]
    body: BodyInfo | None
    returns: Any
    options: RouteOptions
    hooks: tuple[Hook, ...] = ()


def endpoint_info(endpoint: Endpoint) -> Described | None:
    """The description attached to an endpoint made by `compile_view`."""
    return getattr(endpoint, "_boca_described", None)


def _signature_params(view: Callable[..., Any], route: str, skip: int) -> list[inspect.Parameter]:
    try:
        params = list(inspect.signature(view).parameters.values())
    except (TypeError, ValueError) as exc:  # pragma: no cover - builtins only
        raise ViewDeclarationError(f"route {route!r}: cannot inspect view {view!r}: {exc}") from exc
    positional = [
        p
        for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    if len(positional) < skip and not any(p.kind is p.VAR_POSITIONAL for p in params):
        raise ViewDeclarationError(
            f"route {route!r}: view {_qualname(view)} must accept "
            f"{'(req, res)' if skip == 2 else '(ws)'} as its first parameters"
        )
    return params[skip:]


def _qualname(obj: Any) -> str:
    return getattr(obj, "__qualname__", repr(obj))


def _make_endpoint(
    view: Callable[..., Awaitable[Any]],
    route: str,
    path_params: dict[str, Any],
    skip: int = 2,
    *,
    hooks: Sequence[Hook] = (),
    providers: ProviderRegistry | None = None,
    call: Callable[..., Awaitable[Any]] | None = None,
    options: RouteOptions = _DEFAULT_OPTIONS,
    body_allowed: bool = True,
) -> Endpoint:
    """Wrap `view` into `endpoint(req, res)`: its typed parameters read and checked, providers
    and hooks, its return value encoded, with only the steps this view needs.

    `call(req, res, **kwargs)` calls the view (default: `view` itself).
    """
    if not inspect.iscoroutinefunction(view):
        raise ViewDeclarationError(
            f"route {route!r}: view {_qualname(view)} must be an async function (use `async def`)"
        )
    hints = _type_hints(view)
    try:
        plan = plan_for(
            _signature_params(view, route, skip),
            hints,
            path_params,
            providers,
            view_name=getattr(view, "__name__", "view"),
            body_allowed=body_allowed and skip == 2,  # websocket views have no body
        )
    except (SourceError, ConstraintError) as exc:
        raise ViewDeclarationError(f"route {route!r}: view {_qualname(view)}: {exc}") from None
    provided = plan.provided
    if providers is not None:
        for name in provided:
            if name not in providers:
                raise ViewDeclarationError(
                    f"route {route!r}: parameter {name!r} of {_qualname(view)} is not a "
                    f"path parameter of the pattern, has no default and no provider has that "
                    f"name: add '{{{name}}}' to the pattern, give it a default to read it "
                    "from the query string, or register a provider with @app.provider "
                    "(before the route)"
                )
        if provided:
            providers.check(provided, f"route {route!r}")
    missing = [name for name in path_params if name not in {p.name for p in plan.path}]
    if missing and not plan.accepts_any:
        raise ViewDeclarationError(
            f"route {route!r}: view {_qualname(view)} does not accept the path parameter(s) "
            f"{', '.join(missing)}: add them to its signature (or **params)"
        )
    returns = hints.get("return")
    filter_ = output_filter(returns, f"view {_qualname(view)}")
    target = call or view
    status = options.status_code
    if provided:
        endpoint = _providing(target, plan, tuple(provided), providers)
        if filter_ is not None or status is not None:
            endpoint = _answering(endpoint, status, filter_)
    else:
        endpoint = _converting(target, plan, status, filter_)
    if hooks:
        hook_names = [hook_provided(hook, route, providers) for hook in hooks]
        if any(hook_names):
            endpoint = hooked_providing(endpoint, hooks, hook_names, tuple(provided), providers)
        else:
            endpoint = hooked(endpoint, hooks)
    described = Described(
        view,
        tuple(plan.infos),
        plan.body.info if plan.body is not None else None,
        None if returns is type(None) else returns,
        options,
        tuple(hooks),
    )
    endpoint._boca_described = described  # type: ignore[attr-defined]
    return endpoint


def _converting(
    view: Callable[..., Awaitable[Any]],
    plan: Plan,
    status: int | None,
    filter_: Filter | None,
) -> Endpoint:
    if plan.plain and status is None and filter_ is None:
        # Every path parameter is passed as it is.
        async def plain(req: Request, res: Response) -> Any:
            return await view(req, res, **req.path_params)

        return plain

    if plan.simple and status is None and filter_ is None:
        values = plan.values

        async def converting(req: Request, res: Response) -> Any:
            return await view(req, res, **values(req))

        return converting

    arguments = plan.reader()

    async def typed(req: Request, res: Response) -> Any:
        if status is not None:
            res.status_code = status
        result = await view(req, res, **await arguments(req))
        return None if result is None else write(res, result, filter_)

    return typed


def _answering(endpoint: Endpoint, status: int | None, filter_: Filter | None) -> Endpoint:
    """Set the declared success status, and encode the value the view returns."""

    async def answering(req: Request, res: Response) -> Any:
        if status is not None:
            res.status_code = status
        result = await endpoint(req, res)
        return None if result is None else write(res, result, filter_)

    return answering


def _providing(
    view: Callable[..., Awaitable[Any]],
    plan: Plan,
    names: tuple[str, ...],
    declared: ProviderRegistry | None,
) -> Endpoint:
    """Resolve the providers the view names, and tear them down after it, even when it raised.

    Values are made once per request (a provider used by the view and by another provider is
    called once); a tear-down stack is only set up when one of them is an async generator.
    """

    plain = plan.empty
    arguments = plan.reader()

    async def providing(req: Request, res: Response) -> Any:
        kwargs = {} if plain else await arguments(req)
        # The app's registry: routes are compiled with it when declared on (or included in)
        # the app.
        registry: ProviderRegistry = declared if declared is not None else req.app.providers
        shared = req.scope.get("boca.provided")
        if shared is not None:  # hooks resolved providers: share their values and tear-down
            kwargs.update(await registry.resolve(names, *shared))
            return await view(req, res, **kwargs)
        if not registry.needs_teardown(names):
            kwargs.update(await registry.resolve(names, {}, None))
            return await view(req, res, **kwargs)
        async with contextlib.AsyncExitStack() as stack:
            kwargs.update(await registry.resolve(names, {}, stack))
            return await view(req, res, **kwargs)

    return providing


def apply_result(res: Response, result: Any) -> Any:
    """Write a view's return value to `res`; give back an ASGI response to be sent as it is."""
    if isinstance(result, (dict, list)):
        res.json = result
    elif isinstance(result, str):
        res.text = result
    elif isinstance(result, (bytes, bytearray, memoryview)):
        res.content = bytes(result)
    elif callable(result) and not dataclasses.is_dataclass(result):
        return result
    else:  # a dataclass, Struct, pydantic model, number...: JSON (TypeError when it is not)
        res.json = jsonable(result)
    return None


def _as_written(hints: dict[str, Any], view: Callable[..., Any]) -> dict[str, Any]:
    """Undo Python 3.10's `get_type_hints`, which makes `Optional[Annotated[X, ...]]` of an
    `Annotated[X, ...]` parameter whose default is None (3.11 keeps it as written)."""
    if sys.version_info >= (3, 11):
        return hints
    for name, p in inspect.signature(view).parameters.items():  # pragma: no cover - 3.10
        tp = hints.get(name)
        args = typing.get_args(tp)
        if p.default is None and typing.get_origin(tp) is typing.Union and len(args) == 2:
            written = p.annotation
            if isinstance(written, str):
                is_annotated = written.lstrip().startswith(("Annotated[", "typing.Annotated["))
            else:
                is_annotated = typing.get_origin(written) is Annotated
            inner = [a for a in args if a is not type(None)]
            if is_annotated and typing.get_origin(inner[0]) is Annotated:
                hints[name] = inner[0]
    return hints


def _type_hints(view: Callable[..., Any]) -> dict[str, Any]:
    try:
        return _as_written(get_type_hints(view, include_extras=True), view)
    except Exception:  # an unresolvable forward reference: resolve the others one by one
        hints: dict[str, Any] = {}
        namespace = getattr(inspect.unwrap(view), "__globals__", {})
        signature = inspect.signature(view)
        annotations = {n: p.annotation for n, p in signature.parameters.items()}
        annotations["return"] = signature.return_annotation
        for name, annotation in annotations.items():
            if isinstance(annotation, str):
                try:
                    annotation = eval(annotation, dict(namespace))  # the view's own annotation
                except Exception:
                    continue
            if annotation is not inspect.Parameter.empty and not isinstance(annotation, str):
                hints[name] = annotation
        return hints


def _is_view_object(view: Any) -> bool:
    """An instance of a class-based view (Bocadillo took those too): no function and no async
    `__call__`, but an HTTP method or `handle`."""
    own_call = getattr(type(view), "__call__", None)  # noqa: B004 - async __call__: a function view
    if inspect.isroutine(view) or inspect.iscoroutinefunction(own_call):
        return False
    return any(callable(getattr(view, name, None)) for name in (*HTTP_METHODS, "handle"))


def compile_view(
    view: Any,
    route: str,
    path_params: dict[str, str],
    methods: Methods,
    *,
    hooks: Sequence[Hook] = (),
    providers: ProviderRegistry | None = None,
    options: RouteOptions | None = None,
) -> dict[str, Endpoint]:
    """Return the endpoints of `view` by upper-case HTTP method.

    `path_params` maps each parameter of the pattern to its converter name; `hooks` are the
    outer hooks (a router's), `providers` the registry that checks provider names now (`None`:
    checked when the routes are included in an app); `options` the route's status and docs.
    """
    options = options or _DEFAULT_OPTIONS
    if inspect.isclass(view) or _is_view_object(view):
        if methods is not None:
            raise ViewDeclarationError(
                f"route {route!r}: `methods=` applies to function views; a class-based view "
                "answers the methods it defines"
            )
        instance = view() if inspect.isclass(view) else view
        endpoints: dict[str, Endpoint] = {}
        handle = getattr(instance, "handle", None)
        outer = [*hooks, *hooks_of(view)]
        for name in HTTP_METHODS:
            method = getattr(instance, name, None)
            if method is not None and callable(method):
                endpoints[name.upper()] = _make_endpoint(
                    method,
                    route,
                    path_params,
                    hooks=[*outer, *hooks_of(method)],
                    providers=providers,
                    options=options,
                    body_allowed=name not in _BODILESS,
                )
        if handle is not None:
            generic = _make_endpoint(
                handle,
                route,
                path_params,
                hooks=[*outer, *hooks_of(handle)],
                providers=providers,
                options=options,
            )
            for name in HTTP_METHODS:
                endpoints.setdefault(name.upper(), generic)
        if not endpoints:
            raise ViewDeclarationError(
                f"route {route!r}: class view {_qualname(view)} defines no HTTP method: add "
                "`async def get(self, req, res)` (or post, put, patch, delete, handle...)"
            )
        return endpoints
    if not callable(view):
        raise ViewDeclarationError(f"route {route!r}: view {view!r} is not callable")
    if methods is all:  # the builtin, as in Bocadillo: every method
        methods = [m.upper() for m in HTTP_METHODS]
    elif callable(methods):
        raise ViewDeclarationError(
            f"route {route!r}: methods= takes a list like ['GET', 'POST'], or the builtin "
            f"`all` for every method, not {methods!r}"
        )
    if isinstance(methods, str) or (methods is not None and not methods):
        raise ViewDeclarationError(
            f"route {route!r}: methods= takes a non-empty list, like methods=['GET', 'POST']"
        )
    wanted = [str(m).upper() for m in (methods or ["GET"])]
    unknown = [m for m in wanted if m.lower() not in HTTP_METHODS]
    if unknown:
        raise ViewDeclarationError(
            f"route {route!r}: unknown HTTP method(s) {', '.join(unknown)}: use "
            + ", ".join(m.upper() for m in HTTP_METHODS)
        )
    endpoint = _make_endpoint(
        view,
        route,
        path_params,
        hooks=[*hooks, *hooks_of(view)],
        providers=providers,
        options=options,
        body_allowed=not any(m.lower() in _BODILESS for m in wanted),
    )
    return dict.fromkeys(wanted, endpoint)
