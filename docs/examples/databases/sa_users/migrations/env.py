"""Alembic's environment, async: migrations run on the app's own async driver."""

import asyncio
import os

from alembic import context
from sa_users.models import Base
from sqlalchemy.ext.asyncio import create_async_engine

target_metadata = Base.metadata


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or context.config.get_main_option("sqlalchemy.url")


def run_offline() -> None:
    """`alembic upgrade head --sql`: write the SQL instead of running it."""
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def migrate(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    engine = create_async_engine(database_url())
    async with engine.connect() as connection:
        await connection.run_sync(migrate)
    await engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    asyncio.run(run_online())
