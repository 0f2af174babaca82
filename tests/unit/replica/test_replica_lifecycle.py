"""Lifecycle of a replica: wiped for a revoked device, intact after a crash."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from client.replica import (
    KeyNotFound,
    KeyringKeyStore,
    LocalStore,
    PassphraseKeyStore,
    PassphraseProvider,
    ReplicaClosed,
    WrongPassphrase,
    new_replica_key,
    open_user_replica,
)
from client.replica.database import side_files
from client.replica.unlock import LeasedKeyStore

Snapshot = Callable[[Path], dict[str, str]]
REPO = Path(__file__).resolve().parents[3]

# Commits one fact, then dies in the middle of a large transaction (big enough
# that SQLite spills uncommitted pages into the WAL before the crash).
_CRASH_MID_TRANSACTION = """
import os, sys
from sqlalchemy import text
from client.replica import LocalStore
store = LocalStore.open(sys.argv[1], bytes.fromhex(sys.argv[2]))
store.set_meta("committed", "yes")
with store.session() as session:
    for i in range(6000):
        session.execute(text("INSERT INTO replica_meta VALUES (:n, :v)"),
                        {"n": f"pending-{i}", "v": "x" * 1000})
    session.flush()
    os._exit(0)
"""


def test_wipe_removes_files_and_keyring_entry(db_path: Path, file_keyring: object) -> None:
    key = new_replica_key()
    key_store = KeyringKeyStore("wipe-test", allow_plaintext=True)
    key_store.save(key)
    store = LocalStore.open(db_path, key, create=True, key_store=key_store)
    store.set_meta("note", "to be destroyed")
    other = LocalStore.open(db_path, key)  # the sync worker may hold the file too
    other.close()
    assert db_path.with_name(db_path.name + "-wal").exists()

    store.wipe()

    assert [p for p in side_files(db_path) if p.exists()] == []
    assert not key_store.exists()
    with pytest.raises(ReplicaClosed), store.session():
        pass
    store.wipe()  # a second wipe (retry after a failure) is harmless


def test_crash_before_commit_keeps_only_committed_state(db_path: Path, key: bytes) -> None:
    LocalStore.open(db_path, key, create=True).close()
    result = subprocess.run(
        [sys.executable, "-c", _CRASH_MID_TRANSACTION, str(db_path), key.hex()],
        cwd=REPO,
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 1_000_000  # uncommitted pages spilled

    with LocalStore.open(db_path, key) as store:
        assert store.get_meta("committed") == "yes"
        assert store.get_meta("pending-0") is None
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA cipher_integrity_check").all() == []


def _provider(value: str) -> PassphraseProvider:
    return lambda prompt: value


def test_start_up_creates_then_unlocks_then_refuses_a_wrong_passphrase(
    no_keyring: object, snapshot: Snapshot
) -> None:
    args = ("https://crm.example.com", "dana@example.com")
    with open_user_replica(*args, passphrase_provider=_provider("pw"), user_id="u-1") as store:
        store.set_meta("note", "offline work")
        db_path = store.path
        assert isinstance(store.key_store, LeasedKeyStore)  # no lease yet: the key itself
        assert isinstance(store.key_store.legacy, PassphraseKeyStore)
        key_file = store.key_store.legacy.path
    before = snapshot(db_path), key_file.read_bytes()
    with pytest.raises(WrongPassphrase):
        open_user_replica(*args, passphrase_provider=_provider("nope"))
    assert (snapshot(db_path), key_file.read_bytes()) == before
    with open_user_replica(*args, passphrase_provider=_provider("pw"), user_id="u-1") as store:
        assert store.get_meta("note") == "offline work"


def test_start_up_never_replaces_a_replica_whose_key_is_missing(
    no_keyring: object, snapshot: Snapshot
) -> None:
    args = ("https://crm.example.com", "dana@example.com")
    with open_user_replica(*args, passphrase_provider=_provider("pw")) as store:
        db_path, key_store = store.path, store.key_store
    assert key_store is not None
    key_store.delete()  # e.g. the key sat in a keyring this session cannot reach
    before = snapshot(db_path)
    with pytest.raises(KeyNotFound, match="left untouched"):
        open_user_replica(*args, passphrase_provider=_provider("pw"))
    assert snapshot(db_path) == before
