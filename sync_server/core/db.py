"""Engine and sessions for the server's PostgreSQL, and where that database comes from.

Every engine uses psycopg 3 with a short connect timeout, so an unreachable
database is reported in seconds as ``DatabaseUnavailable`` instead of hanging.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

import orjson
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from shared_models.sync.codec import json_text

if TYPE_CHECKING:
    from sync_server.core.config import Settings
    from sync_server.core.embedded import EmbeddedPostgres

CONNECT_TIMEOUT_S = 3
_PG_DRIVERS = {"postgres", "postgresql", "postgresql+psycopg", "postgresql+psycopg2"}


class DatabaseUnavailable(Exception):
    """The database cannot be reached; ``message`` names host and database, never the password."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def normalize_database_url(url: str | URL) -> URL:
    """Accept ``postgres://`` / ``postgresql://`` URLs and pin the psycopg 3 driver."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername not in _PG_DRIVERS:
        raise ValueError(f"not a PostgreSQL URL: {parsed.drivername}://...")
    return parsed.set(drivername="postgresql+psycopg")


def describe_database(url: str | URL) -> str:
    """``db 'cnc' on host:port`` (or on the socket directory); no credentials."""
    parsed = normalize_database_url(url)
    host = parsed.host or parsed.query.get("host") or "localhost"
    if isinstance(host, tuple):
        host = ",".join(host)
    where = f"{host}:{parsed.port}" if parsed.port else str(host)
    return f"database {parsed.database or '(default)'!r} on {where}"


def create_db_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An engine on ``url`` with pre-ping, a short connect timeout and orjson for JSONB.

    Every pushed row writes JSON (its audit entry's before/after, its field
    clocks) and reads some back; with the standard library that coding was a
    fifth of a 1,000-mutation push.
    """
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_S, **kwargs.pop("connect_args", {})}
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("json_serializer", json_text)
    kwargs.setdefault("json_deserializer", orjson.loads)
    return create_engine(normalize_database_url(url), connect_args=connect_args, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit (responses are built after it)."""
    from sync_server.db import tenancy
    from sync_server.db.versioning import VersionedSession

    tenancy.install(VersionedSession)
    return sessionmaker(bind=engine, class_=VersionedSession, expire_on_commit=False)


@contextmanager
def session_scope(source: Engine | sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    factory = make_session_factory(source) if isinstance(source, Engine) else source
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _unavailable(url: URL, exc: BaseException) -> DatabaseUnavailable:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    reason = lines[0] if lines else type(orig).__name__
    if url.password:
        reason = reason.replace(url.password, "***")
    return DatabaseUnavailable(f"{describe_database(url)} is unreachable: {reason}")


def check_database(engine: Engine, *, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Run ``SELECT 1``; raise ``DatabaseUnavailable`` if the database does not answer."""
    try:
        with engine.connect() as conn:
            # SET takes no bind parameters; the value is an int we computed.
            conn.execute(text(f"SET LOCAL statement_timeout = {int(timeout_s * 1000)}"))
            conn.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as exc:  # incl. pool timeouts under overload
        raise _unavailable(engine.url, exc) from exc


def is_connection_error(exc: BaseException) -> bool:
    """True for errors meaning "no database here" rather than a failing statement."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    # no sqlstate: libpq failed before talking to a server; 08 connection exception;
    # 57P0x server shutting down; 3D000 database does not exist.
    return sqlstate is None or sqlstate.startswith(("08", "57P0")) or sqlstate == "3D000"


@dataclass
class ResolvedDatabase:
    """The URL to use, and the embedded server to stop afterwards (if we started one)."""

    url: URL
    embedded: EmbeddedPostgres | None = None

    def stop(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def resolve_database_url(settings: Settings) -> ResolvedDatabase:
    """``DATABASE_URL`` if set, else start the embedded PostgreSQL in ``data_dir/pgdata``."""
    if settings.database_url:
        return ResolvedDatabase(normalize_database_url(settings.database_url))
    from sync_server.core.embedded import EmbeddedPostgres

    embedded = EmbeddedPostgres(settings.pgdata_dir)
    return ResolvedDatabase(embedded.start(), embedded)
