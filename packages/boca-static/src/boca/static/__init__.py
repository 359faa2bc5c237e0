"""boca.static: static files for Boca and any ASGI app, correct to the RFCs, safe and fast."""

from boca.static._directories import StaticDirectoryError
from boca.static._settings import from_settings
from boca.static.files import IMMUTABLE, StaticFiles
from boca.static.manifest import (
    MANIFEST_NAME,
    BrotliMissingWarning,
    BrotliUnavailable,
    BuildResult,
    build,
    hashed_name,
)

__version__ = "0.2.0"

__all__ = [
    "IMMUTABLE",
    "MANIFEST_NAME",
    "BrotliMissingWarning",
    "BrotliUnavailable",
    "BuildResult",
    "StaticDirectoryError",
    "StaticFiles",
    "__version__",
    "build",
    "from_settings",
    "hashed_name",
]
