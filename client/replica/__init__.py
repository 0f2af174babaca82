"""The encrypted local replica: where it lives, its key, and the store that owns it.

Headless (no Qt): the desktop app and the sync engine both go through
``LocalStore``; nothing else opens the database.
"""

from __future__ import annotations

from client.replica.errors import (
    KeyFileCorrupt,
    KeyNotFound,
    KeyringUnavailable,
    KeyStoreError,
    LeaseExpired,
    LeaseInvalid,
    NotAReplica,
    ReplicaClosed,
    ReplicaError,
    ReplicaMismatch,
    ReplicaMissing,
    ReplicaTooNew,
    WrongPassphrase,
    WrongReplicaKey,
)
from client.replica.keys import (
    KeyringKeyStore,
    KeyStore,
    choose_key_store,
    keyring_usable,
    new_replica_key,
)
from client.replica.lease import LeaseWrappedKey
from client.replica.passphrase import PassphraseKeyStore, PassphrasePrompt, PassphraseProvider
from client.replica.paths import replica_db_path, replica_dir, replica_id, wrapped_key_path
from client.replica.schema import REPLICA_SCHEMA_VERSION
from client.replica.store import LocalStore
from client.replica.unlock import open_user_replica

__all__ = [
    "REPLICA_SCHEMA_VERSION",
    "KeyFileCorrupt",
    "KeyNotFound",
    "KeyStore",
    "KeyStoreError",
    "KeyringKeyStore",
    "KeyringUnavailable",
    "LeaseExpired",
    "LeaseInvalid",
    "LeaseWrappedKey",
    "LocalStore",
    "NotAReplica",
    "PassphraseKeyStore",
    "PassphrasePrompt",
    "PassphraseProvider",
    "ReplicaClosed",
    "ReplicaError",
    "ReplicaMismatch",
    "ReplicaMissing",
    "ReplicaTooNew",
    "WrongPassphrase",
    "WrongReplicaKey",
    "choose_key_store",
    "keyring_usable",
    "new_replica_key",
    "open_user_replica",
    "replica_db_path",
    "replica_dir",
    "replica_id",
    "wrapped_key_path",
]
