"""`Jinja2Templates`: Starlette's templating class, on boca-templates.

Starlette is imported only when a response is built, so this module (and boca-templates)
imports without it; `TemplateResponse` needs it, since Starlette and FastAPI apps only send
their own `Response` objects.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import jinja2

from .templating import Templates

if TYPE_CHECKING:
    from starlette.background import BackgroundTask
    from starlette.requests import Request
    from starlette.responses import HTMLResponse

__all__ = ["Jinja2Templates"]

StrPath = str | os.PathLike[str]
ContextProcessor = Callable[["Request"], Mapping[str, Any]]


class Jinja2Templates(Templates):
    """A drop-in for `starlette.templating.Jinja2Templates` (and FastAPI's re-export).

    The same constructor and methods as Starlette's, with boca-templates underneath: every
    template is autoescaped, template names cannot leave the directories, compiled templates
    are kept in a bounded cache, and `await templates.render(...)` is there too.

    Args:
        directory: A template directory or a list of them (exclusive with `env`).
        context_processors: Callables `(request) -> dict` whose results are merged into the
            context of every `TemplateResponse`.
        env: A ready `jinja2.Environment`, used as it is (its own autoescape setting).
        **options: Any other `Templates` option (`auto_reload`, `cache_size`, ...).
    """

    def __init__(
        self,
        directory: StrPath | Sequence[StrPath] | None = None,
        *,
        context_processors: Sequence[ContextProcessor] | None = None,
        env: jinja2.Environment | None = None,
        **options: Any,
    ) -> None:
        if (directory is None) == (env is None):
            raise TypeError("Jinja2Templates() takes either directory= or env=, and one of them")
        if env is not None:
            super().__init__(env=env, **options)
        else:
            super().__init__(directory, **options)
        self.context_processors: list[ContextProcessor] = list(context_processors or ())

    def TemplateResponse(
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> HTMLResponse:
        """Render `name`, with `request` and the context processors' values in the context,
        into an `HTMLResponse` that has `.template` and `.context`.

        The page is rendered now, as Starlette does, unless the template awaits something:
        then it is rendered in async mode when the response is sent.

        Raises:
            TemplateNotFound: No such template, or the name is not a safe relative path.
        """
        context = context if context is not None else {}
        context.setdefault("request", request)
        for processor in self.context_processors:
            context.update(processor(request))
        template = self.get_template(name)
        content = self._try_sync(name, context)
        response: HTMLResponse = _response_class()(
            template, context, content or "", status_code, headers, media_type, background
        )
        if content is None:
            response.pending = (self, name)  # type: ignore[attr-defined]
        return response


_RESPONSE: Callable[..., Any] | None = None


def _response_class() -> Callable[..., Any]:
    """Starlette's `HTMLResponse` with the template and context, built on first use."""
    global _RESPONSE
    if _RESPONSE is None:
        from starlette.responses import HTMLResponse
        from starlette.types import Receive, Scope, Send

        class TemplateResponse(HTMLResponse):
            def __init__(
                self,
                template: jinja2.Template,
                context: dict[str, Any],
                content: str,
                status_code: int,
                headers: Mapping[str, str] | None,
                media_type: str | None,
                background: BackgroundTask | None,
            ) -> None:
                self.template = template
                self.context = context
                self.pending: tuple[Templates, str] | None = None
                super().__init__(content, status_code, headers, media_type, background)

            async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
                if self.pending is not None:
                    templates, name = self.pending
                    self.pending = None
                    self.body = self.render(await templates.render(name, self.context))
                    length = str(len(self.body)).encode("latin-1")
                    self.raw_headers = [
                        *(kv for kv in self.raw_headers if kv[0] != b"content-length"),
                        (b"content-length", length),
                    ]
                # Starlette's test client reads the template and context from this message.
                if "http.response.debug" in scope.get("extensions", {}):
                    info = {"template": self.template, "context": self.context}
                    await send({"type": "http.response.debug", "info": info})
                await super().__call__(scope, receive, send)

        _RESPONSE = TemplateResponse
    return _RESPONSE
