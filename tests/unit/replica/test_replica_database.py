"""The encrypted file itself: nothing readable on disk, wrong keys harm nothing."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from client.replica import (
    LocalStore,
    NotAReplica,
    ReplicaMismatch,
    ReplicaMissing,
    ReplicaTooNew,
    WrongReplicaKey,
    new_replica_key,
    schema,
)

REPO = Path(__file__).resolve().parents[3]
Snapshot = Callable[[Path], dict[str, str]]
MARKER = "Cartwright Heavy Haulage 613-555-0199"

# A child process that writes through a store and dies without closing it,
# leaving the -wal and -shm files a crashed client leaves.
_LEAVE_WAL = """
import os, sys
from client.replica import LocalStore
store = LocalStore.open(sys.argv[1], bytes.fromhex(sys.argv[2]))
store.set_meta("note", "written before the crash")
os._exit(0)
"""


def _run_child(script: str, *args: str) -> None:
    subprocess.run([sys.executable, "-c", script, *args], cwd=REPO, check=True, timeout=60)


def _insert_customerish_row(store: LocalStore) -> None:
    """The marker goes into replica_meta and into a real customer row (FKs on)."""
    from shared_models.enums import Province
    from shared_models.models import Customer, Location, Tenant

    store.set_meta("customer_note", MARKER)
    with store.session() as session:
        tenant = Tenant(name="C&C Moving", slug="cnc")
        session.add(tenant)
        session.flush()
        location = Location(
            tenant_id=tenant.id,
            name="Ottawa",
            code="OTT",
            address_line1="1 Bank St",
            city="Ottawa",
            province=Province.ON,
            postal_code="K1P 1A1",
            timezone="America/Toronto",
        )
        session.add(location)
        session.flush()
        session.add(
            Customer(
                tenant_id=tenant.id,
                location_id=location.id,
                company_name=MARKER,
                email="dispatch@cartwright.example",
                phone="613-555-0199",
            )
        )


def test_nothing_plaintext_reaches_the_disk(db_path: Path, key: bytes) -> None:
    store = LocalStore.open(db_path, key, create=True)
    _insert_customerish_row(store)
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.exists()
    for raw in (db_path.read_bytes(), wal.read_bytes()):
        assert MARKER.encode() not in raw
        assert b"Cartwright" not in raw and b"cartwright.example" not in raw
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = db_path.read_bytes()
    assert len(raw) > 4096 and b"Cartwright" not in raw
    assert not raw.startswith(b"SQLite format 3")
    assert store.get_meta("customer_note") == MARKER
    with store.session() as session:  # and it reads back through the key
        assert session.execute(text("SELECT company_name FROM customer")).scalar() == MARKER
    store.close()


@pytest.mark.parametrize("state", ["closed", "crashed", "open elsewhere"])
def test_wrong_key_is_refused_and_leaves_every_file_identical(
    db_path: Path, key: bytes, state: str, snapshot: Snapshot
) -> None:
    store = LocalStore.open(db_path, key, create=True)
    store.set_meta("note", "kept")
    store.close()
    other = None
    if state == "crashed":
        _run_child(_LEAVE_WAL, str(db_path), key.hex())
        assert db_path.with_name(db_path.name + "-wal").exists()
    elif state == "open elsewhere":
        other = LocalStore.open(db_path, key)
        other.set_meta("note", "kept")
    before = snapshot(db_path)

    with pytest.raises(WrongReplicaKey, match="left untouched"):
        LocalStore.open(db_path, new_replica_key())
    with pytest.raises(WrongReplicaKey):  # create=True must never start over
        LocalStore.open(db_path, new_replica_key(), create=True)

    assert snapshot(db_path) == before
    if other is not None:
        other.close()
    with LocalStore.open(db_path, key) as reopened:
        assert reopened.get_meta("note") in {"kept", "written before the crash"}


def test_a_file_that_is_not_a_replica_is_refused_untouched(
    db_path: Path, key: bytes, snapshot: Snapshot
) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(os.urandom(8192))
    before = snapshot(db_path)
    with pytest.raises(WrongReplicaKey):
        LocalStore.open(db_path, key, create=True)
    assert snapshot(db_path) == before


def test_missing_replica_without_create_creates_nothing(db_path: Path, key: bytes) -> None:
    with pytest.raises(ReplicaMissing, match="nothing was created"):
        LocalStore.open(db_path, key)
    assert not db_path.parent.exists()


def test_empty_file_without_create_is_missing_and_stays_empty(
    db_path: Path, key: bytes, snapshot: Snapshot
) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.touch()
    with pytest.raises(ReplicaMissing):
        LocalStore.open(db_path, key)
    assert db_path.stat().st_size == 0
    assert snapshot(db_path).keys() == {db_path.name}


def test_created_replica_is_private_and_configured(db_path: Path, key: bytes) -> None:
    with LocalStore.open(db_path, key, create=True) as store:
        store.set_meta("x", "y")
        assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
        assert stat.S_IMODE(db_path.with_name(db_path.name + "-wal").stat().st_mode) == 0o600
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            assert str(conn.exec_driver_sql("PRAGMA cipher_version").scalar()).startswith("4.")
        assert store.schema_version == schema.REPLICA_SCHEMA_VERSION


def test_session_commits_on_success_and_rolls_back_on_error(db_path: Path, key: bytes) -> None:
    with LocalStore.open(db_path, key, create=True) as store:
        with store.session() as session:
            session.execute(text("INSERT INTO replica_meta VALUES ('a', '1')"))
        with pytest.raises(RuntimeError), store.session() as session:
            session.execute(text("INSERT INTO replica_meta VALUES ('b', '2')"))
            raise RuntimeError("boom")
        assert store.get_meta("a") == "1"
        assert store.get_meta("b") is None


def test_replica_from_a_newer_client_is_refused(
    db_path: Path, key: bytes, snapshot: Snapshot
) -> None:
    with LocalStore.open(db_path, key, create=True) as store:
        store.set_meta("schema_version", str(schema.REPLICA_SCHEMA_VERSION + 1))
    before = snapshot(db_path)
    with pytest.raises(ReplicaTooNew, match="newer"):
        LocalStore.open(db_path, key)
    assert snapshot(db_path) == before


def test_replica_of_another_user_is_refused(db_path: Path, key: bytes) -> None:
    LocalStore.open(
        db_path, key, create=True, server_url="https://crm.example.com/", user_id="u-1"
    ).close()
    with LocalStore.open(db_path, key, server_url="https://CRM.example.com", user_id="u-1") as s:
        assert s.get_meta("server_url") == "https://crm.example.com"
    with pytest.raises(ReplicaMismatch):
        LocalStore.open(db_path, key, user_id="u-2")
    with pytest.raises(ReplicaMismatch):
        LocalStore.open(db_path, key, server_url="https://other.example.com")


def test_a_keyed_database_without_replica_tables_is_not_a_replica(
    db_path: Path, key: bytes
) -> None:
    import sqlcipher3.dbapi2 as sqlcipher

    db_path.parent.mkdir(parents=True)
    conn = sqlcipher.connect(str(db_path))
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("CREATE TABLE something_else (x)")
    conn.commit()
    conn.close()
    with pytest.raises(NotAReplica):
        LocalStore.open(db_path, key, create=True)
