"""Boca's core: the app, routing, requests, responses, errors and testing tools."""

from .app import App
from .converters import Converter, register_converter
from .errors import HTTPError, Redirect, RouteDeclarationError, URLBuildError, safe_redirect_target
from .plugins import Plugin
from .requests import ClientDisconnect, FormData, Request, UploadFile
from .responses import Response
from .routing import Route, Router
from .uploads import safe_filename, save_upload
from .views import ViewDeclarationError

__version__ = "0.1.0"

__all__ = [
    "App",
    "ClientDisconnect",
    "Converter",
    "FormData",
    "HTTPError",
    "Plugin",
    "Redirect",
    "Request",
    "Response",
    "Route",
    "RouteDeclarationError",
    "Router",
    "URLBuildError",
    "UploadFile",
    "ViewDeclarationError",
    "__version__",
    "register_converter",
    "safe_filename",
    "safe_redirect_target",
    "save_upload",
]
