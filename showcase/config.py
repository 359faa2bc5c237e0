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
    #: The Redis (or Valkey) that every process shares, such as `redis://localhost:6379/0`:
    #: it carries the live updates, keeps the sessions and counts the write limit. Empty: all
    #: of it in this process (the sessions in a signed cookie), for one process.
    REDIS_URL: str = ""
    #: How many writes (POST, PATCH, DELETE under /api/items) one client address may send:
    #: `N/unit` or `N/M units`. A burst of 30 at once, then 3 a second: more than a person
    #: clicking ever sends, far less than a script looping.
    WRITE_RATE_LIMIT: str = "30/10 seconds"
    #: Where the fingerprinted copies of `static/` are written and served from.
    STATIC_BUILD_DIR: str = str(HERE / "static-build")
    #: Signs the session cookie and the CSRF tokens. The random default lasts as long as the
    #: process: set SHOWCASE_SECRET_KEY for sessions that survive a restart, the same in
    #: every process (and in production).
    SECRET_KEY: str = secrets.token_hex(32)

    # The middleware these switch on, under Bocadillo's names, is put together in middleware.py.
    ALLOWED_HOSTS: list[str] = ["127.0.0.1", "localhost"]
    SESSIONS: bool = True
    GZIP: bool = True
    #: Pages on other origins may read the API. Writes come from the showcase's own page
    #: (CSRF refuses a browser's write from anywhere else) or from programs.
    CORS: dict[str, Any] = {"allow_origins": ["*"], "allow_methods": ["GET"]}
