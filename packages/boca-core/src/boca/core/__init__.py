"""Boca's core: the app, routing, requests, responses, errors and testing tools."""

from ._error_renderers import error_to_html, error_to_json, error_to_text
from ._provider_declarations import provider, useprovider
from ._validation import RequestValidationError
from .app import App
from .converters import Converter, register_converter
from .errors import HTTPError, Redirect, RouteDeclarationError, URLBuildError, safe_redirect_target
from .hooks import after, before
from .introspection import (
    BodyInfo,
    ErrorDetail,
    ErrorModel,
    ParamInfo,
    RouteInfo,
    ValidationErrorModel,
)
from .middleware import Middleware, ResponseStart
from .params import Body, Cookie, Form, Header, Path, Query
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

__version__ = "0.2.2"

__all__ = [
    "App",
    "Body",
    "BodyInfo",
    "ClientDisconnect",
    "Converter",
    "Cookie",
    "ErrorDetail",
    "ErrorModel",
    "Form",
    "FormData",
    "HTTPError",
    "Header",
    "Middleware",
    "ParamInfo",
    "Path",
    "Plugin",
    "ProviderError",
    "ProviderRegistry",
    "Query",
    "Redirect",
    "Request",
    "RequestValidationError",
    "Response",
    "ResponseStart",
    "Route",
    "RouteDeclarationError",
    "RouteInfo",
    "Router",
    "ServerEvent",
    "Settings",
    "SettingsError",
    "URLBuildError",
    "UploadFile",
    "ValidationErrorModel",
    "ViewDeclarationError",
    "WebSocket",
    "WebSocketDisconnect",
    "__version__",
    "after",
    "before",
    "error_to_html",
    "error_to_json",
    "error_to_text",
    "provider",
    "register_converter",
    "safe_filename",
    "safe_redirect_target",
    "save_upload",
    "server_event",
    "useprovider",
]
