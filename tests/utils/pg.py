"""Real PostgreSQL for tests: one server per session, one fresh database per test.

Creating a database is a few milliseconds on a cluster tuned for tests, so
isolation comes from a new database per test rather than from rolled-back
transactions (the code under test commits, and the live server has its own
connections).
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import psycopg
from psycopg import errors, sql
from sqlalchemy.engine import URL

from sync_server.core.db import normalize_database_url
from sync_server.core.embedded import EmbeddedPostgres

#: Durability is pointless for throw-away test data and costs most of CREATE DATABASE.
TEST_SERVER_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def render_url(url: URL | str) -> str:
    """A URL string with the password kept (``str(URL)`` masks it as ``***``)."""
    return normalize_database_url(url).render_as_string(hide_password=False)


def database_name(url: URL | str) -> str:
    """The database a URL names (``test_ab12...`` of ``postgresql+psycopg://.../test_ab12``)."""
    name = normalize_database_url(url).database
    if not name:
        raise ValueError("the URL names no database")
    return name


def libpq_uri(url: URL | str) -> str:
    """The same URL without the SQLAlchemy driver suffix, for psycopg.connect."""
    return (
        normalize_database_url(url)
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


def start_embedded_test_server(base_dir: Path) -> EmbeddedPostgres:
    """Start a throw-away cluster in ``base_dir/pgdata`` (deleted again by ``stop()``)."""
    server = EmbeddedPostgres(base_dir / "pgdata", database="postgres", cleanup_mode="delete")
    server.start()
    with psycopg.connect(server.admin_uri(), autocommit=True) as conn:
        for name, value in TEST_SERVER_SETTINGS.items():
            conn.execute(
                sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value))
            )
        conn.execute("SELECT pg_reload_conf()")
    return server


class DatabaseFactory:
    """Creates and drops uniquely named databases on the server of ``server_url``.

    ``server_url`` may name any database the role can connect to; it is only
    used to run CREATE/DROP DATABASE. The role needs CREATEDB.
    """

    def __init__(self, server_url: URL | str, *, prefix: str = "test") -> None:
        self.server_url = normalize_database_url(server_url)
        self.prefix = prefix
        self.created: list[str] = []

    def url_for(self, name: str) -> str:
        return render_url(self.server_url.set(database=name))

    def create(self, *, template: str | None = None, name: str | None = None) -> str:
        """CREATE DATABASE (optionally cloned from ``template``); returns its URL string."""
        name = name or f"{self.prefix}_{uuid.uuid4().hex}"
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        self._execute_retrying_busy_template(statement)
        self.created.append(name)
        return self.url_for(name)

    def drop(self, database: URL | str) -> None:
        """DROP DATABASE ... WITH (FORCE): closes whatever connections are still open."""
        name = database if "/" not in str(database) else normalize_database_url(database).database
        assert name, f"no database name in {database!r}"
        with psycopg.connect(libpq_uri(self.server_url), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        if name in self.created:
            self.created.remove(name)

    def drop_all(self) -> None:
        for name in list(reversed(self.created)):
            self.drop(name)

    def _execute_retrying_busy_template(
        self, statement: sql.Composable, timeout_s: float = 5.0
    ) -> None:
        # A template must have no other sessions; connections a test just closed
        # can take a moment to go away on the server side.
        deadline = time.monotonic() + timeout_s
        with psycopg.connect(libpq_uri(self.server_url), autocommit=True) as conn:
            while True:
                try:
                    conn.execute(statement)
                    return
                except errors.ObjectInUse:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
