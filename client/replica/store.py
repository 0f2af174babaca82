"""``LocalStore``: the one owner of the encrypted replica (Anki's ``Collection``).

Everything that reads or writes local data goes through a store's
``session()``; widgets never see an engine or a connection.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator
from os import PathLike
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from client.replica import schema
from client.replica.database import open_engine, side_files
from client.replica.errors import (
    KeyStoreError,
    NotAReplica,
    ReplicaClosed,
    ReplicaMismatch,
    ReplicaTooNew,
)
from client.replica.keys import KeyStore
from client.replica.paths import normalise_server_url
from client.replica.upgrade import upgrade_replica
from shared_models.base import Base
from shared_models.models import synced_tables

log = logging.getLogger(__name__)


class LocalStore:
    """An open replica: sessions over it, its metadata, and how to close or wipe it."""

    def __init__(
        self, path: str | PathLike[str], engine: Engine, *, key_store: KeyStore | None = None
    ) -> None:
        self.path = Path(path)
        self.key_store = key_store
        self._engine: Engine | None = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(
        cls,
        path: str | PathLike[str],
        key: bytes,
        *,
        create: bool = False,
        key_store: KeyStore | None = None,
        server_url: str | None = None,
        user_id: str | None = None,
    ) -> LocalStore:
        """Open (or with ``create``, initialise) the replica at ``path``.

        ``server_url`` and ``user_id`` are recorded at creation and checked on
        every later open, so one user's replica is never served to another.
        """
        engine = open_engine(path, key, create=create)
        try:
            store = cls(path, engine, key_store=key_store)
            store._initialise_or_check(create=create, server_url=server_url, user_id=user_id)
        except BaseException:
            engine.dispose()
            raise
        return store

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise ReplicaClosed(f"the replica at {self.path} is closed")
        return self._engine

    @property
    def closed(self) -> bool:
        return self._engine is None

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        if self.closed:
            raise ReplicaClosed(f"the replica at {self.path} is closed")
        with self._sessions.begin() as session:
            yield session

    def get_meta(self, name: str) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(schema.replica_meta.c.value).where(schema.replica_meta.c.name == name)
            ).first()
        return None if row is None else row[0]

    def set_meta(self, name: str, value: str) -> None:
        with self.engine.begin() as conn:
            _upsert_meta(conn, {name: value})

    @property
    def schema_version(self) -> int:
        return int(self.get_meta(schema.META_SCHEMA_VERSION) or 0)

    def close(self) -> None:
        """Release every connection; the last one checkpoints the WAL into the file."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def wipe(self) -> None:
        """Destroy the replica for a revoked device: key first, then every file.

        Dropping the key first crypto-shreds the data even if a file cannot be
        removed (open elsewhere, or blocks the disk keeps after unlink).
        """
        self.close()
        errors: list[OSError | KeyStoreError] = []
        if self.key_store is not None:
            try:
                self.key_store.delete()
            except KeyStoreError as exc:
                errors.append(exc)
        for file in side_files(self.path):
            try:
                file.unlink(missing_ok=True)
            except OSError as exc:  # e.g. still open by another process on Windows
                errors.append(exc)
        if errors:
            raise errors[0]

    def __enter__(self) -> LocalStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _initialise_or_check(
        self, *, create: bool, server_url: str | None, user_id: str | None
    ) -> None:
        with self.engine.begin() as conn:
            tables = set(inspect(conn).get_table_names())
            if schema.replica_meta.name not in tables:
                if tables or not create:
                    raise NotAReplica(
                        f"{self.path} opens with this key but holds no replica "
                        "(never initialised); it was left as it is"
                    )
                _create_schema(conn, server_url=server_url, user_id=user_id)
                return
            meta = {name: value for name, value in conn.execute(select(schema.replica_meta))}
        _check_meta(self.path, meta, server_url=server_url, user_id=user_id)
        version = int(meta[schema.META_SCHEMA_VERSION])
        if version < schema.REPLICA_SCHEMA_VERSION:
            self._upgrade(version)

    def _upgrade(self, version: int) -> None:
        """Rebuild what changed since ``version`` in one transaction (a crash changes nothing)."""
        with self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys = OFF")  # ignored inside a transaction
            try:
                with conn.begin():
                    changed = upgrade_replica(conn)
                    _upsert_meta(
                        conn, {schema.META_SCHEMA_VERSION: str(schema.REPLICA_SCHEMA_VERSION)}
                    )
            finally:
                raw.execute("PRAGMA foreign_keys = ON")
        log.info(
            "replica upgraded",
            extra={"path": str(self.path), "from": version, "tables": changed},
        )


def _create_schema(conn: Connection, *, server_url: str | None, user_id: str | None) -> None:
    Base.metadata.create_all(conn, tables=synced_tables())
    schema.local_metadata.create_all(conn)
    facts = {
        schema.META_SCHEMA_VERSION: str(schema.REPLICA_SCHEMA_VERSION),
        schema.META_CREATED_AT: dt.datetime.now(dt.UTC).isoformat(),
    }
    if server_url is not None:
        facts[schema.META_SERVER_URL] = normalise_server_url(server_url)
    if user_id is not None:
        facts[schema.META_USER_ID] = str(user_id)
    _upsert_meta(conn, facts)


def _check_meta(
    path: Path, meta: dict[str, str], *, server_url: str | None, user_id: str | None
) -> None:
    try:
        version = int(meta[schema.META_SCHEMA_VERSION])
    except (KeyError, ValueError):
        raise NotAReplica(f"{path} has no readable schema version") from None
    if version > schema.REPLICA_SCHEMA_VERSION:
        raise ReplicaTooNew(
            f"{path} was written by a newer C&C CRM (replica schema {version}, this "
            f"version knows {schema.REPLICA_SCHEMA_VERSION}); update the app. "
            "The replica was left untouched."
        )
    # Older versions are upgraded in place after these checks (client/replica/upgrade.py).
    stored_server = meta.get(schema.META_SERVER_URL)
    if server_url is not None and stored_server not in (None, normalise_server_url(server_url)):
        raise ReplicaMismatch(f"{path} holds data of {stored_server}, not {server_url}")
    stored_user = meta.get(schema.META_USER_ID)
    if user_id is not None and stored_user not in (None, str(user_id)):
        raise ReplicaMismatch(f"{path} holds the data of another user")


def _upsert_meta(conn: Connection, facts: dict[str, str]) -> None:
    for name, value in facts.items():
        stmt = sqlite_insert(schema.replica_meta).values(name=name, value=value)
        conn.execute(stmt.on_conflict_do_update(index_elements=["name"], set_={"value": value}))
