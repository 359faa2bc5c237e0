"""Tortoise's configuration, shared by the app and Aerich (`aerich -t ...settings.TORTOISE_ORM`)."""

import os


def tortoise_config(database_url: str) -> dict:
    return {
        "connections": {"default": database_url},
        "apps": {
            "models": {
                "models": ["tortoise_users.models", "aerich.models"],
                "default_connection": "default",
            }
        },
    }


# Read by Aerich's command line: DATABASE_URL is like sqlite://users.sqlite3 or
# postgres://user:password@host:5432/name.
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", "sqlite://users.sqlite3"))
