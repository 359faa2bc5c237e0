"""Jinja2 templating for Boca and any ASGI app: escaped by default, async and fast."""

from ._starlette import Jinja2Templates
from .errors import TemplateDirectoryNotFound, TemplateNotFound, TemplateSyntaxError
from .responses import TemplateResponse
from .templating import Templates

__all__ = [
    "Jinja2Templates",
    "TemplateDirectoryNotFound",
    "TemplateNotFound",
    "TemplateResponse",
    "TemplateSyntaxError",
    "Templates",
]

__version__ = "0.3.0"
