"""OpenAPI 3.1 for Boca apps, with Swagger UI, ReDoc and Scalar served by the app itself."""

from .battery import OpenAPI
from .schemas import OpenAPIError
from .security import (
    APIKey,
    HTTPBasic,
    HTTPBearer,
    OAuth2,
    OAuth2Flow,
    OpenIDConnect,
    SecurityRequirement,
    SecurityScheme,
)

__all__ = [
    "APIKey",
    "HTTPBasic",
    "HTTPBearer",
    "OAuth2",
    "OAuth2Flow",
    "OpenAPI",
    "OpenAPIError",
    "OpenIDConnect",
    "SecurityRequirement",
    "SecurityScheme",
    "__version__",
]

__version__ = "0.1.0"
