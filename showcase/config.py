"""The showcase's settings, read from `SHOWCASE_*` environment variables or a `.env` file."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from boca.core import Settings

HERE = Path(__file__).parent


class Config(Settings):
    env_prefix = "SHOWCASE_"

    #: Where the items are kept, as an SQLAlchemy URL with an async driver: a SQLite file by
    #: default (nothing to install), or PostgreSQL, e.g.
    #: `postgresql+asyncpg://showcase:secret@db.internal/showcase` for several hosts.
    DATABASE_URL: str = f"sqlite+aiosqlite:///{HERE / 'showcase.sqlite3'}"
    #: The Redis (or Valkey) that carries the live updates between processes, such as
    #: `redis://localhost:6379/0`. Empty: in memory, for one process.
    REDIS_URL: str = ""
    #: Where the fingerprinted copies of `static/` are written and served from.
    STATIC_BUILD_DIR: str = str(HERE / "static-build")
    #: Signs the session cookie. The random default lasts as long as the process: set
    #: SHOWCASE_SECRET_KEY for sessions that survive a restart (and in production).
    SECRET_KEY: str = secrets.token_hex(32)

    # These switch on boca-middleware, as Bocadillo's settings did.
    ALLOWED_HOSTS: list[str] = ["127.0.0.1", "localhost"]
    SESSIONS: bool = True
    GZIP: bool = True
    CORS: dict[str, Any] = {
        "allow_origins": ["*"],
        "allow_methods": ["GET", "POST", "PATCH", "DELETE"],
        "allow_headers": ["content-type"],
    }
