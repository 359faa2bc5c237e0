"""Settings, under Bocadillo's names (bocadillo: a settings.py module read by configure(app))."""

from pathlib import Path
from typing import Any

from boca.core import Settings

HERE = Path(__file__).parent


class Config(Settings):
    # Read from the environment and .env, else these defaults.
    ALLOWED_HOSTS: list[str] = ["localhost", "127.0.0.1", "testserver"]
    CORS: dict[str, Any] = {"allow_origins": ["https://example.com"]}  # bocadillo: the same
    GZIP: bool = True
    GZIP_MIN_SIZE: int = 512
    STATIC_DIR: str = str(HERE / "static")  # bocadillo: "static", served without asking
    STATIC_ROOT: str = "static"
    PROVIDER_MODULES: list[str] = ["providerconf"]  # bocadillo: providerconf.py, found by name
