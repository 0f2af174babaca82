"""Opening the SQLCipher 4 replica through SQLAlchemy without ever harming it.

The key is checked first on a read-only, ``immutable`` connection: SQLite then
takes no locks, never replays or checkpoints a WAL and never writes, so a
wrong key leaves the database, ``-wal`` and ``-shm`` byte-identical. (A
read-write connection that fails on a wrong key still checkpoints and
deletes a leftover WAL when it closes; that is what this module avoids.)
Only once the key is proven is a read-write engine built.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import orjson
import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from client.replica._files import PRIVATE_FILE_MODE, ensure_private_dir
from client.replica.errors import ReplicaMissing, WrongReplicaKey
from client.replica.keys import check_key
from shared_models.sync.codec import json_text

BUSY_TIMEOUT_MS = 5_000
#: Files SQLite keeps beside the database; all of them go when a replica is wiped.
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")


def _key_pragma(key: bytes) -> str:
    # Raw key syntax: SQLCipher uses the 256 bits as given, no PBKDF2 on each open.
    return f"PRAGMA key = \"x'{check_key(key).hex()}'\""


def _connect_raw(path: Path, key: bytes, *, read_only: bool) -> sqlcipher.Connection:
    """A connection that never creates the file; read-only ones never touch it at all."""
    mode = "mode=ro&immutable=1" if read_only else "mode=rw"
    conn = sqlcipher.connect(
        f"{path.resolve().as_uri()}?{mode}",
        uri=True,
        check_same_thread=False,
        isolation_level=None,
    )
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is ours to report
        conn.execute(_key_pragma(key))
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as exc:
        conn.close()
        raise WrongReplicaKey(
            f"this key does not open the replica at {path} (wrong key, or not a replica "
            "file); the replica file was left untouched"
        ) from exc
    return conn


def verify_key(path: Path, key: bytes) -> None:
    """Raise ``WrongReplicaKey`` unless ``key`` decrypts ``path``; never modifies it."""
    _connect_raw(path, key, read_only=True).close()


def _prepare_file(path: Path, key: bytes, *, create: bool) -> None:
    """Prove the key on an existing replica, or create an empty private file if allowed."""
    if path.is_file() and path.stat().st_size > 0:
        verify_key(path, key)
        return
    if not create:
        state = "is empty" if path.is_file() else "does not exist"
        raise ReplicaMissing(f"no replica at {path} (the file {state}); nothing was created")
    ensure_private_dir(path.parent)
    # An empty file is a valid empty database; creating it ourselves sets 0600
    # and SQLite gives the -wal and -shm files the same mode.
    path.touch(mode=PRIVATE_FILE_MODE, exist_ok=True)
    path.chmod(PRIVATE_FILE_MODE)


def _configure(conn: sqlcipher.Connection) -> None:
    conn.execute("PRAGMA cipher_compatibility = 4")  # pin the format across SQLCipher upgrades
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable across app crashes
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


#: Execution option for a transaction that will write: it takes the write lock at BEGIN.
#: A deferred one that reads first and writes later fails at once ("database is locked",
#: SQLITE_BUSY_SNAPSHOT) when another connection wrote in between; an immediate one waits
#: its turn under the busy timeout instead.
WRITE_INTENT = "cnc_write_intent"


def _begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(WRITE_INTENT)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def open_engine(path: str | PathLike[str], key: bytes, *, create: bool = False) -> Engine:
    """A SQLAlchemy engine on the encrypted replica at ``path``.

    Raises ``ReplicaMissing`` if there is no replica and ``create`` is false,
    ``WrongReplicaKey`` if the key does not open it; in both cases no file is
    created or changed.
    """
    path = Path(path)
    check_key(key)
    _prepare_file(path, key, create=create)

    def creator() -> sqlcipher.Connection:
        conn = _connect_raw(path, key, read_only=False)
        _configure(conn)
        return conn

    engine = create_engine(
        "sqlite+pysqlite://",
        module=sqlcipher,
        creator=creator,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=4,
        json_serializer=json_text,  # the server's JSON coding, and ~10x the stdlib's speed
        json_deserializer=orjson.loads,
    )
    # The driver runs in autocommit (isolation_level=None) so that PRAGMAs work
    # and SQLAlchemy, not pysqlite, decides where a transaction begins.
    event.listen(engine, "begin", _begin)
    return engine


def side_files(path: Path) -> list[Path]:
    """The database and the files SQLite keeps beside it."""
    return [path, *(path.with_name(path.name + suffix) for suffix in SIDE_SUFFIXES)]
