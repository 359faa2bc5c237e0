"""Views: turning a user's function or class into per-method endpoints.

Everything that can be decided at declaration time is decided there (which parameters come from
the path, which from the query string, how each is converted), so a request only does the work
its view asked for.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._params import Parser, parser_for
from .errors import HTTPError

if TYPE_CHECKING:
    from .requests import Request
    from .responses import Response

__all__ = ["HTTP_METHODS", "Endpoint", "compile_view"]

#: The only names a class-based view may be dispatched to (lower-cased), whatever the client sends.
HTTP_METHODS = ("get", "head", "post", "put", "patch", "delete", "options")

Endpoint = Callable[["Request", "Response"], Awaitable[Any]]


class ViewDeclarationError(TypeError):
    """A view cannot be used as declared: the message names the route and the fix."""


@dataclass(frozen=True)
class _Param:
    name: str
    parse: Parser | None
    many: bool
    default: Any


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
            f"route {route!r}: view {_qualname(view)} must accept (req, res) as its first "
            "parameters"
        )
    return params[skip:]


def _qualname(obj: Any) -> str:
    return getattr(obj, "__qualname__", repr(obj))


def _make_endpoint(
    view: Callable[..., Awaitable[Any]], route: str, path_params: dict[str, Any], skip: int = 2
) -> Endpoint:
    """Wrap `view` into `endpoint(req, res)` that passes converted path and query parameters."""
    if not inspect.iscoroutinefunction(view):
        raise ViewDeclarationError(
            f"route {route!r}: view {_qualname(view)} must be an async function (use `async def`)"
        )
    hints = _type_hints(view)
    from_path: list[_Param] = []
    from_query: list[_Param] = []
    accepts_any = False
    for param in _signature_params(view, route, skip):
        if param.kind is param.VAR_KEYWORD:
            accepts_any = True
            continue
        if param.kind is param.VAR_POSITIONAL:
            continue
        annotation = hints.get(param.name, str)
        try:
            parse, many = parser_for(annotation)
        except TypeError as exc:
            raise ViewDeclarationError(
                f"route {route!r}: parameter {param.name!r} of {_qualname(view)}: {exc}"
            ) from None
        if param.name in path_params:
            converter = path_params[param.name]
            # A pattern converter already produced a typed value: convert only plain strings.
            needs_parse = parse is not None and converter in ("str", "path")
            from_path.append(
                _Param(param.name, parse if needs_parse else None, False, param.default)
            )
        elif param.default is not param.empty:
            from_query.append(_Param(param.name, parse, many, param.default))
        else:
            raise ViewDeclarationError(
                f"route {route!r}: parameter {param.name!r} of {_qualname(view)} is not a path "
                f"parameter of the pattern and has no default: add '{{{param.name}}}' to the "
                "pattern, or give it a default to read it from the query string"
            )
    missing = [name for name in path_params if name not in {p.name for p in from_path}]
    if missing and not accepts_any:
        raise ViewDeclarationError(
            f"route {route!r}: view {_qualname(view)} does not accept the path parameter(s) "
            f"{', '.join(missing)}: add them to its signature (or **params)"
        )
    passed = {p.name for p in from_path}
    to_parse = [p for p in from_path if p.parse is not None]

    if not to_parse and not from_query:  # every path parameter is passed as it is

        async def plain(req: Request, res: Response) -> Any:
            return await view(req, res, **req.path_params)

        return plain

    async def converting(req: Request, res: Response) -> Any:
        kwargs = dict(req.path_params) if accepts_any else {k: req.path_params[k] for k in passed}
        errors: dict[str, str] = {}
        for p in to_parse:
            assert p.parse is not None
            try:
                kwargs[p.name] = p.parse(kwargs[p.name])
            except ValueError as exc:
                errors[p.name] = f"path parameter: {exc}"
        if from_query:
            query = req.query_params
            for p in from_query:
                if p.many:
                    values = query.getlist(p.name)
                    if not values:
                        kwargs[p.name] = p.default
                        continue
                    try:
                        kwargs[p.name] = [p.parse(v) for v in values] if p.parse else values
                    except ValueError as exc:
                        errors[p.name] = f"query parameter: {exc}"
                    continue
                value = query.get(p.name)
                if value is None:
                    kwargs[p.name] = p.default
                elif p.parse is None:
                    kwargs[p.name] = value
                else:
                    try:
                        kwargs[p.name] = p.parse(value)
                    except ValueError as exc:
                        errors[p.name] = f"query parameter: {exc}"
        if errors:
            raise HTTPError(400, detail={"invalid_parameters": errors})
        return await view(req, res, **kwargs)

    return converting


def _type_hints(view: Callable[..., Any]) -> dict[str, Any]:
    import typing

    try:
        return typing.get_type_hints(view)
    except Exception:  # an unresolvable forward reference: resolve the others one by one
        hints: dict[str, Any] = {}
        namespace = getattr(inspect.unwrap(view), "__globals__", {})
        for name, p in inspect.signature(view).parameters.items():
            annotation = p.annotation
            if isinstance(annotation, str):
                try:
                    annotation = eval(annotation, dict(namespace))  # the view's own annotation
                except Exception:
                    continue
            if annotation is not p.empty and not isinstance(annotation, str):
                hints[name] = annotation
        return hints


def compile_view(
    view: Any, route: str, path_params: dict[str, str], methods: list[str] | None
) -> dict[str, Endpoint]:
    """Return the endpoints of `view` by upper-case HTTP method.

    `path_params` maps each parameter of the pattern to its converter name.
    """
    if inspect.isclass(view):
        if methods is not None:
            raise ViewDeclarationError(
                f"route {route!r}: `methods=` applies to function views; a class-based view "
                "answers the methods it defines"
            )
        instance = view()
        endpoints: dict[str, Endpoint] = {}
        handle = getattr(instance, "handle", None)
        for name in HTTP_METHODS:
            method = getattr(instance, name, None)
            if method is not None and callable(method):
                endpoints[name.upper()] = _make_endpoint(method, route, path_params)
        if handle is not None:
            generic = _make_endpoint(handle, route, path_params)
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
    endpoint = _make_endpoint(view, route, path_params)
    return dict.fromkeys(wanted, endpoint)
