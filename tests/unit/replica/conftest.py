"""Fixtures for the replica tests: real SQLCipher files and real keyring backends in tmp_path."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from keyrings.alt.file import PlaintextKeyring

from client.replica import new_replica_key
from client.replica.database import side_files
from client.replica.paths import DATA_DIR_ENV


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own client data directory."""
    path = tmp_path / "data"
    monkeypatch.setenv(DATA_DIR_ENV, str(path))
    return path


@pytest.fixture
def key() -> bytes:
    return new_replica_key()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "replica" / "replica.db"


Backend = keyring.backend.KeyringBackend


def _swap_keyring(backend: Backend) -> Iterator[Backend]:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def file_keyring(tmp_path: Path) -> Iterator[PlaintextKeyring]:
    """A real, file-backed keyring (keyrings.alt) in tmp_path."""
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring" / "keyring_pass.cfg")
    yield from _swap_keyring(backend)


@pytest.fixture
def no_keyring() -> Iterator[Backend]:
    """The headless-Linux situation: only keyring's fail backend."""
    yield from _swap_keyring(keyring.backends.fail.Keyring())


def _snapshot(db: Path) -> dict[str, str]:
    """sha256 of the database and each of its side files that exists."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in side_files(db) if p.exists()
    }


@pytest.fixture
def snapshot() -> Callable[[Path], dict[str, str]]:
    return _snapshot
