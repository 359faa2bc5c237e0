"""ASGI middleware for Boca, Starlette, FastAPI or any ASGI 3 app.

Every class is a plain ASGI middleware, `Thing(app, **options)`, that depends on
Starlette's types only, never on `boca.core`.
"""

from .accesslog import AccessLogMiddleware
from .battery import MiddlewareBattery, from_settings
from .compression import DEFAULT_CONTENT_TYPES, CompressionMiddleware, GZipMiddleware
from .cors import CORSMiddleware
from .https import HSTSMiddleware, HTTPSRedirectMiddleware
from .proxyheaders import ProxyHeadersMiddleware
from .requestid import RequestIDMiddleware, get_request_id, request_id_var
from .sessions import Session, SessionMiddleware, SessionTooLarge
from .trustedhost import TrustedHostMiddleware

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_CONTENT_TYPES",
    "AccessLogMiddleware",
    "CORSMiddleware",
    "CompressionMiddleware",
    "GZipMiddleware",
    "HSTSMiddleware",
    "HTTPSRedirectMiddleware",
    "MiddlewareBattery",
    "ProxyHeadersMiddleware",
    "RequestIDMiddleware",
    "Session",
    "SessionMiddleware",
    "SessionTooLarge",
    "TrustedHostMiddleware",
    "__version__",
    "from_settings",
    "get_request_id",
    "request_id_var",
]
