"""`Templates`: Jinja2 rendering that is escaped by default, async and cached."""

from __future__ import annotations

import inspect
import os
from collections.abc import AsyncIterator, Callable, Mapping, MutableMapping, Sequence
from typing import Any, NoReturn, TypeVar, overload

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import LRUCache

from ._app import HostApp, csrf_input, csrf_token, make_static_url, make_url_for, request_url_for
from ._compiled import (
    Compiled,
    CompiledCache,
    NeedsAsync,
    SyncContext,
    canonical,
    has_async_functions,
    has_async_iterables,
    has_async_values,
)
from ._filters import xmlattr
from ._loader import SafeFileSystemLoader, check_name, resolve_directories
from ._stream import chunks
from .errors import reraise
from .responses import TemplateResponse

__all__ = ["Templates"]

F = TypeVar("F", bound=Callable[..., Any])
StrPath = str | os.PathLike[str]
Autoescape = bool | Callable[[str | None], bool]

# Marks the template globals that install() owns, so user globals of the same name win.
_INSTALLED = "_boca_templates_global"


class Templates:
    """Jinja2 templates for Boca and any ASGI app.

    Two Jinja2 environments share one loader, one set of globals, filters and tests: a sync
    one, which renders every template that awaits nothing (the fast path), and an async one
    (`enable_async=True`) for templates that call async functions, and behind `stream`.
    Autoescaping is on for every template whatever its file extension, because what matters
    is that the page is served as HTML, not how the file is named.

    Args:
        directory: A template directory or a list of them, searched in order. Defaults to
            `"templates"` when no `loader` is given. Every directory must exist.
        loader: Any `jinja2.BaseLoader`, instead of `directory`.
        env: A ready `jinja2.Environment` (Starlette's `env=`), instead of `directory` or
            `loader`: its loader, autoescape setting, globals and filters are used as they are.
        context: Variables passed to every render. Available later as `templates.context`,
            which can be changed at runtime.
        autoescape: `True` (default) escapes every template; `False` escapes none; a
            callable `(template_name) -> bool` decides per template.
        auto_reload: Re-read templates whose file changed. `None` (default) is `False`
            standalone and follows `app.debug` once installed in a Boca app.
        sandboxed: Render in `jinja2.sandbox.SandboxedEnvironment`, for templates whose
            source you do not fully trust.
        stream_chunk_size: `stream()` groups output into chunks of at least this many
            characters (`0` yields every piece Jinja2 produces).
        async_render: `None` (default): render in sync mode, and in async mode a template
            that calls an async function (found on its first render, which then starts
            again; remembered from then on). `True`: always async mode. `False`: always sync
            mode; a template that calls an async function raises `TypeError`.
        cache_size: How many compiled templates are kept (least recently used out first),
            per environment; Jinja2's own cache gets the same size.
        **env_options: Other `jinja2.Environment` options (`extensions`, `undefined`,
            `trim_blocks`, ...), given to both environments.

    Raises:
        TemplateDirectoryNotFound: A directory does not exist.
    """

    def __init__(
        self,
        directory: StrPath | Sequence[StrPath] | None = None,
        *,
        loader: jinja2.BaseLoader | None = None,
        context: Mapping[str, Any] | None = None,
        autoescape: Autoescape = True,
        auto_reload: bool | None = None,
        sandboxed: bool = False,
        stream_chunk_size: int = 4096,
        async_render: bool | None = None,
        cache_size: int = 400,
        env: jinja2.Environment | None = None,
        **env_options: Any,
    ) -> None:
        if (loader is not None) + (directory is not None) + (env is not None) > 1:
            raise TypeError("Templates() takes one of directory=, loader= or env=")
        if "enable_async" in env_options:
            raise TypeError(
                "Templates() manages enable_async itself: it has an async and a sync environment"
            )
        if env is not None and env_options:
            raise TypeError(
                f"Templates(env=...) takes no Jinja2 options ({', '.join(env_options)}): "
                "set them on the environment"
            )
        if not isinstance(stream_chunk_size, int) or stream_chunk_size < 0:
            raise ValueError(f"stream_chunk_size must be an int >= 0, not {stream_chunk_size!r}")
        if not isinstance(cache_size, int) or cache_size < 1:
            raise ValueError(f"cache_size must be an int >= 1, not {cache_size!r}")
        if env is None and loader is None:
            loader = SafeFileSystemLoader(
                resolve_directories("templates" if directory is None else directory)
            )
        self._follow_debug = auto_reload is None
        self._chunk_size = stream_chunk_size
        self.async_render: bool | None = None if async_render is None else bool(async_render)
        """None renders sync unless a template awaits; True always async; False always sync."""
        self.cache_size = cache_size
        self.context: dict[str, Any] = dict(context or {})
        """Variables merged into every render; render arguments take precedence."""

        if env is not None:
            self.sync_env: jinja2.Environment = env.overlay(
                enable_async=False, cache_size=cache_size
            )
            self.env: jinja2.Environment = env.overlay(enable_async=True, cache_size=cache_size)
        else:
            env_cls = SandboxedEnvironment if sandboxed else jinja2.Environment
            options: dict[str, Any] = {
                "loader": loader,
                "autoescape": autoescape,
                "auto_reload": bool(auto_reload),
                "cache_size": cache_size,
            }
            self.env = env_cls(enable_async=True, **options, **env_options)
            self.sync_env = env_cls(enable_async=False, **options, **env_options)
            self.env.filters["xmlattr"] = xmlattr
        # One set of globals, filters, tests and policies for both environments.
        self.sync_env.globals = self.env.globals
        self.sync_env.filters = self.env.filters
        self.sync_env.tests = self.env.tests
        self.sync_env.policies = self.env.policies
        self.sync_env.context_class = SyncContext
        searchpath = getattr(self.env.loader, "searchpath", ())
        self._searched: tuple[str, ...] = tuple(str(p) for p in searchpath)
        if "url_for" not in self.env.globals:
            setattr(request_url_for, _INSTALLED, True)
            self.env.globals["url_for"] = request_url_for
        for name, helper in (("csrf_input", csrf_input), ("csrf_token", csrf_token)):
            self.env.globals.setdefault(name, helper)
        self._cache = CompiledCache(cache_size)
        self._async_filters = False
        self._strings: LRUCache = LRUCache(64)

    def __repr__(self) -> str:
        where = ", ".join(self._searched) or repr(self.env.loader)
        return f"<Templates {where} auto_reload={self.auto_reload}>"

    @property
    def globals(self) -> MutableMapping[str, Any]:
        """Template globals shared by both environments (also seen by imported templates)."""
        return self.env.globals

    @property
    def auto_reload(self) -> bool:
        """Whether changed template files are re-read; settable at runtime."""
        return self.env.auto_reload

    @auto_reload.setter
    def auto_reload(self, value: bool) -> None:
        self.env.auto_reload = self.sync_env.auto_reload = bool(value)
        self._follow_debug = False
        self._cache.clear()

    @overload
    def filter(self, func: F, /) -> F: ...

    @overload
    def filter(
        self, func: str | None = None, /, *, name: str | None = None
    ) -> Callable[[F], F]: ...

    def filter(
        self, func: F | str | None = None, /, *, name: str | None = None
    ) -> F | Callable[[F], F]:
        """Register a filter: `@templates.filter`, `@templates.filter("name")` or `(name=...)`."""
        return self._register(self.env.filters, func, name)

    @overload
    def global_(self, func: F, /) -> F: ...

    @overload
    def global_(
        self, func: str | None = None, /, *, name: str | None = None
    ) -> Callable[[F], F]: ...

    def global_(
        self, func: F | str | None = None, /, *, name: str | None = None
    ) -> F | Callable[[F], F]:
        """Register a global function: `@templates.global_`, `@templates.global_("name")`."""
        return self._register(self.env.globals, func, name)

    def _register(
        self, registry: MutableMapping[str, Any], func: F | str | None, name: str | None
    ) -> F | Callable[[F], F]:
        def add(key: str | None, f: F) -> F:
            registry[key or f.__name__] = f
            if registry is self.env.filters and inspect.iscoroutinefunction(f):
                self._async_filters = True  # sync mode would not await it
            return f

        if callable(func):
            return add(name, func)
        key = func if func is not None else name
        return lambda f: add(key, f)

    async def render(
        self, name: str, /, context: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> str:
        """Render template `name` with `templates.context`, then `context`, then `kwargs`.

        Safe to call concurrently: each render gets its own Jinja2 context.

        Raises:
            TemplateNotFound: No such template, or the name is not a safe relative path.
            TemplateSyntaxError: The template (or one it includes) does not parse.
        """
        return await self._render(self._entry(name), self._vars(context, kwargs))

    def render_sync(
        self, name: str, /, context: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> str:
        """`render` for sync code (threads, CLI tools, tests), on the sync environment.

        Raises:
            TypeError: The template calls an async function (use `await render(...)`).
        """
        return self._render_sync(self._entry(name), self._vars(context, kwargs))

    async def render_string(
        self, source: str, /, context: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> str:
        """Render template source code (autoescaped like files). Compiled sources are cached.

        Never pass source that users wrote unless `sandboxed=True`: a template can run code.
        """
        entry = self._strings.get(source)
        if entry is None:
            entry = Compiled("<string>", source)
            self._template(entry, self._first_env())
            self._strings[source] = entry  # only once it compiled
        return await self._render(entry, self._vars(context, kwargs))

    def get_template(self, name: str) -> jinja2.Template:
        """The compiled `jinja2.Template` for `name` (sync mode, as Starlette's)."""
        return self._template(self._entry(name), self.sync_env)

    def stream(
        self, name: str, /, context: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> AsyncIterator[str]:
        """Render template `name` piece by piece, as an async iterator of text chunks.

        The template is loaded now, so a missing template fails before a response starts.
        Closing the iterator (e.g. when the client goes away) closes Jinja2's generator.
        """
        template = self._template(self._entry(name), self.env)
        return self._chunks(template, self._vars(context, kwargs))

    def response(
        self,
        name: str,
        context: Mapping[str, Any] | None = None,
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str = "text/html",
    ) -> TemplateResponse:
        """A plain ASGI app that renders `name` and sends it (for bare ASGI apps)."""
        return TemplateResponse(
            self, name, context, status_code=status_code, headers=headers, media_type=media_type
        )

    def install(self, app: HostApp) -> None:
        """Plug into a Boca app (called once by `app.use(templates)`).

        Stores itself in `app.extensions["templates"]`, where the app's responses find it;
        makes `auto_reload` follow `app.debug` unless it was set explicitly; and adds the
        `url_for(name, **params)` and `static_url(path)` globals unless you defined your own.
        """
        app.extensions["templates"] = self
        if self._follow_debug:
            self.auto_reload = bool(app.debug)
            self._follow_debug = True
        for key, func in (("url_for", make_url_for(app)), ("static_url", make_static_url(app))):
            current = self.globals.get(key)
            if current is None or getattr(current, _INSTALLED, False):
                setattr(func, _INSTALLED, True)
                self.globals[key] = func

    def _vars(self, context: Mapping[str, Any] | None, kwargs: dict[str, Any]) -> Mapping[str, Any]:
        # Jinja2 copies what it is given into the render context; copy here only to merge.
        if self.context:
            data = {**self.context, **context} if context else dict(self.context)
            data.update(kwargs)
            return data
        if kwargs:
            if context:
                return {**context, **kwargs}
            return kwargs
        return context if context is not None else {}

    def _entry(self, name: str) -> Compiled:
        """The cache entry of a template name; any spelling finds its canonical entry."""
        entry = self._cache.get(name)
        if entry is None:
            check_name(name, self._searched)
            key = canonical(name)
            entry = self._cache.get(key)
            if entry is None:
                # Kept only once the template loaded: missing names never evict real ones.
                entry = Compiled(key)
                self._template(entry, self._first_env())
                self._cache.put(entry)
        return entry

    def _template(self, entry: Compiled, env: jinja2.Environment) -> jinja2.Template:
        """The entry compiled for `env` (the sync or the async environment)."""
        sync = env is self.sync_env
        template = entry.sync_template if sync else entry.async_template
        if template is not None:
            return template
        if entry.source is None and env.auto_reload:
            # Not kept: Jinja2's own cache checks the file on each get_template().
            return self._compile(entry, env)
        if entry.sync_template is entry.async_template is None and not self._async_filters:
            # First use: both ways at once, from one version of the file. (Not with async
            # filters: compiling sync would call them on constants and never await them.)
            entry.sync_template = self._compile(entry, self.sync_env)
            entry.async_template = self._compile(entry, self.env)
            return entry.sync_template if sync else entry.async_template
        template = self._compile(entry, env)
        if sync:
            entry.sync_template = template
        else:
            entry.async_template = template
        return template

    def _first_env(self) -> jinja2.Environment:
        """The environment a template is first compiled with, to check that it loads."""
        return self.env if self.async_render or self._async_filters else self.sync_env

    def _compile(self, entry: Compiled, env: jinja2.Environment) -> jinja2.Template:
        try:
            if entry.source is not None:
                return env.from_string(entry.source)
            return env.get_template(entry.name)
        except jinja2.TemplateError as exc:
            self._reraise(exc)

    async def _render(self, entry: Compiled, data: Mapping[str, Any]) -> str:
        mode = self.async_render
        if mode is False:
            return self._render_sync(entry, data)
        try:
            if mode is None and self._sync_first(entry, data):
                try:
                    return self._template(entry, self.sync_env).render(data)
                except NeedsAsync:
                    entry.needs_async = True
                except TypeError:
                    # A sync loop over an async iterable fails so; async mode can loop.
                    if not has_async_iterables(data):
                        raise
            result: str = await self._template(entry, self.env).render_async(data)
        except jinja2.TemplateError as exc:
            self._reraise(exc)
        return result

    def _sync_first(self, entry: Compiled, data: Mapping[str, Any]) -> bool:
        """Whether to try sync mode: nothing known to need async mode is involved."""
        if not entry.checked_filters:
            # Once per template, for filters put straight into Jinja2's registries.
            entry.checked_filters = True
            entry.needs_async = has_async_functions(self.env.filters, self.env.tests)
        return not (entry.needs_async or self._async_filters or has_async_values(data))

    def _try_sync(self, name: str, context: Mapping[str, Any]) -> str | None:
        """The page rendered in sync mode now, or None when it must be rendered async."""
        entry = self._entry(name)
        data = self._vars(context, {})
        if self.async_render or not self._sync_first(entry, data):
            return None
        try:
            return self._template(entry, self.sync_env).render(data)
        except NeedsAsync:
            entry.needs_async = True
            return None
        except TypeError:
            if not has_async_iterables(data):
                raise
            return None
        except jinja2.TemplateError as exc:
            self._reraise(exc)

    def _render_sync(self, entry: Compiled, data: Mapping[str, Any]) -> str:
        try:
            if has_async_values(data):
                raise NeedsAsync
            return self._template(entry, self.sync_env).render(data)
        except NeedsAsync:
            raise TypeError(
                f"Template {entry.name!r} awaits an async function or value, so it cannot "
                "render synchronously: use `await templates.render(...)`"
            ) from None
        except jinja2.TemplateError as exc:
            self._reraise(exc)

    def _reraise(self, exc: jinja2.TemplateError) -> NoReturn:
        reraise(exc, self._searched)

    def _chunks(self, template: jinja2.Template, data: Mapping[str, Any]) -> AsyncIterator[str]:
        return chunks(template, data, self._chunk_size, self._searched)
