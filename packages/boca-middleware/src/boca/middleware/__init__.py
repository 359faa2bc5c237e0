"""ASGI middleware for Boca, Starlette, FastAPI or any ASGI 3 app.

Every class is a plain ASGI middleware, `Thing(app, **options)`, that depends on
Starlette's types only, never on `boca.core`.
"""

from .accesslog import AccessLogMiddleware
from .battery import CSRF, MiddlewareBattery, SecurityHeaders, from_settings
from .compression import DEFAULT_CONTENT_TYPES, CompressionMiddleware, GZipMiddleware
from .cors import CORSMiddleware
from .csrf import CSRFMiddleware, CSRFToken, csrf_input, csrf_token
from .https import HSTSMiddleware, HTTPSRedirectMiddleware
from .proxyheaders import ProxyHeadersMiddleware
from .ratelimit import Limit, RateLimitMiddleware
from .redisstore import RedisStore
from .requestid import RequestIDMiddleware, get_request_id, request_id_var
from .securityheaders import SecurityHeadersMiddleware, csp_nonce
from .sessions import Session, SessionMiddleware, SessionTooLarge
from .stores import MemoryStore, RateLimitStore, Store, StoreError
from .trustedhost import TrustedHostMiddleware

__version__ = "0.3.2"

__all__ = [
    "CSRF",
    "DEFAULT_CONTENT_TYPES",
    "AccessLogMiddleware",
    "CORSMiddleware",
    "CSRFMiddleware",
    "CSRFToken",
    "CompressionMiddleware",
    "GZipMiddleware",
    "HSTSMiddleware",
    "HTTPSRedirectMiddleware",
    "Limit",
    "MemoryStore",
    "MiddlewareBattery",
    "ProxyHeadersMiddleware",
    "RateLimitMiddleware",
    "RateLimitStore",
    "RedisStore",
    "RequestIDMiddleware",
    "SecurityHeaders",
    "SecurityHeadersMiddleware",
    "Session",
    "SessionMiddleware",
    "SessionTooLarge",
    "Store",
    "StoreError",
    "TrustedHostMiddleware",
    "__version__",
    "csp_nonce",
    "csrf_input",
    "csrf_token",
    "from_settings",
    "get_request_id",
    "request_id_var",
]
