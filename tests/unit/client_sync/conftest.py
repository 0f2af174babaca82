"""Fixtures for client service tests: a real SQLCipher replica and the write service.

Nothing here stands in for the server: tests of the sync engine talk to the real
one over HTTP (tests/e2e/test_engine_e2e.py); these tests need only a replica.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from client.replica import LocalStore, new_replica_key
from client.replica.paths import DATA_DIR_ENV
from client.services import LocalWriteService
from client.sync.db import META_DEVICE_ID, ensure_sync_schema, replica_tx, write_meta
from client.sync.pull import set_buckets
from tests.unit.client_sync.replica_rows import BUCKET, TENANT, USER

DEVICE = "0190a000-0000-7000-8000-0000000000dd"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv(DATA_DIR_ENV, str(path))
    return path


@pytest.fixture
def replica_path(tmp_path: Path) -> Path:
    return tmp_path / "replica" / "replica.db"


@pytest.fixture
def replica_key() -> bytes:
    return new_replica_key()


@pytest.fixture
def store(replica_path: Path, replica_key: bytes) -> Iterator[LocalStore]:
    s = LocalStore.open(replica_path, replica_key, create=True)
    ensure_sync_schema(s)
    write_meta(s, META_DEVICE_ID, DEVICE)
    with replica_tx(s) as conn:
        set_buckets(conn, [BUCKET])
    yield s
    s.close()


@pytest.fixture
def clock() -> object:
    counter = itertools.count(1)
    return lambda: f"{1700000000000 + next(counter):013d}-00000-dev"


@pytest.fixture
def service(store: LocalStore, clock: object) -> LocalWriteService:
    return LocalWriteService(store, user_id=USER, tenant_id=TENANT, device_id=DEVICE, hlc=clock)  # type: ignore[arg-type]


def new_id() -> uuid.UUID:
    from shared_models.ids import uuid7

    return uuid7()
