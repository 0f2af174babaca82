"""Finding, unlocking or creating the replica of one (server, user): the start-up path.

The key is saved before the database is created: a crash in between leaves
a key without a replica (harmless, reused next time), never a replica whose
key was lost.
"""
from __future__ import annotations

from client.replica.errors import KeyNotFound
from client.replica.keys import choose_key_store, new_replica_key
from client.replica.passphrase import PassphraseProvider
from client.replica.paths import replica_db_path, replica_dir_for_id, replica_id
from client.replica.store import LocalStore


def open_user_replica(
    server_url: str,
    user: str,
    *,
    passphrase_provider: PassphraseProvider,
    user_id: str | None = None,
    allow_plaintext_keyring: bool = False,
) -> LocalStore:
    """Open this user's replica, creating it (and its key) on first use.

    ``user`` is what is known at sign-in (the email offline); ``user_id``, when
    known, is recorded and checked against the replica.
    """
    rid = replica_id(server_url, user)
    db_path = replica_db_path(replica_dir_for_id(rid))
    key_store = choose_key_store(
        rid,
        passphrase_provider=passphrase_provider,
        allow_plaintext_keyring=allow_plaintext_keyring,
    )
    has_replica = db_path.is_file() and db_path.stat().st_size > 0
    if key_store.exists():
        key = key_store.load()
    elif has_replica:
        raise KeyNotFound(
            f"the replica at {db_path} exists but its key is not available here "
            "(keyring missing or locked); the replica was left untouched"
        )
    else:
        key = new_replica_key()
        key_store.save(key)
    return LocalStore.open(
        db_path, key, create=not has_replica, key_store=key_store,
        server_url=server_url, user_id=user_id,
    )
