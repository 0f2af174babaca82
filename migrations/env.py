"""Alembic environment: metadata from shared_models, URL from the caller or settings."""
from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine, pool

import shared_models.models  # noqa: F401  (registers every table)
import sync_server.db.models  # noqa: F401  (server-only sync tables)
import sync_server.db.write_models  # noqa: F401  (field clocks)
from shared_models.base import Base
from shared_models.types import UTCDateTime

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render our portable column types as plain SQLAlchemy ones.

    Migration files must not import application code that may change later;
    ``UTCDateTime`` is a ``timestamptz`` as far as the database is concerned.
    """
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from sync_server.core.config import get_settings

    settings = get_settings()
    if not settings.database_url:
        raise RuntimeError("no database URL: set DATABASE_URL or use `cnc-server migrate`")
    return settings.database_url


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        render_as_batch=True,
        render_item=render_item,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
