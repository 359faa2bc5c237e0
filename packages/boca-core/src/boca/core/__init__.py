"""Boca's core: the app, routing, requests, responses, errors and testing tools."""

from .app import App
from .converters import Converter, register_converter
from .errors import HTTPError, Redirect, RouteDeclarationError, URLBuildError, safe_redirect_target
from .hooks import after, before
from .middleware import Middleware, ResponseStart
from .plugins import Plugin
from .providers import ProviderError, ProviderRegistry
from .requests import ClientDisconnect, FormData, Request, UploadFile
from .responses import Response
from .routing import Route, Router
from .settings import Settings, SettingsError
from .streaming import ServerEvent, server_event
from .uploads import safe_filename, save_upload
from .views import ViewDeclarationError
from .websockets import WebSocket, WebSocketDisconnect

__version__ = "0.1.0"

__all__ = [
    "App",
    "ClientDisconnect",
    "Converter",
    "FormData",
    "HTTPError",
    "Middleware",
    "Plugin",
    "ProviderError",
    "ProviderRegistry",
    "Redirect",
    "Request",
    "Response",
    "ResponseStart",
    "Route",
    "RouteDeclarationError",
    "Router",
    "ServerEvent",
    "Settings",
    "SettingsError",
    "URLBuildError",
    "UploadFile",
    "ViewDeclarationError",
    "WebSocket",
    "WebSocketDisconnect",
    "__version__",
    "after",
    "before",
    "register_converter",
    "safe_filename",
    "safe_redirect_target",
    "save_upload",
    "server_event",
]
