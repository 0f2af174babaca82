"""Where the replica key lives: the OS keyring, or wrapped under a passphrase."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import stat
from pathlib import Path

import keyring.backends.null
import pytest

from client.replica import (
    KeyFileCorrupt,
    KeyNotFound,
    KeyringKeyStore,
    KeyringUnavailable,
    LeaseExpired,
    LeaseInvalid,
    LeaseWrappedKey,
    LocalStore,
    PassphraseKeyStore,
    PassphrasePrompt,
    WrongPassphrase,
    choose_key_store,
    keyring_usable,
    new_replica_key,
    replica_dir,
    replica_id,
    schema,
)

RID = replica_id("https://crm.example.com", "dana@example.com")


class passphrase:
    """A passphrase provider that records what it was asked for."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.asked: list[PassphrasePrompt] = []

    def __call__(self, prompt: PassphrasePrompt) -> str:
        self.asked.append(prompt)
        return self.value


def test_keys_are_32_random_bytes() -> None:
    a, b = new_replica_key(), new_replica_key()
    assert len(a) == 32 and a != b


def test_file_keyring_round_trip_and_delete(file_keyring: object) -> None:
    store = KeyringKeyStore(RID, allow_plaintext=True)
    key = new_replica_key()
    assert not store.exists()
    with pytest.raises(KeyNotFound):
        store.load()
    store.save(key)
    assert store.exists()
    assert KeyringKeyStore(RID, allow_plaintext=True).load() == key
    store.delete()
    assert not store.exists()
    store.delete()  # idempotent: a wipe may be retried


def test_plaintext_keyring_is_not_trusted_by_default(file_keyring: object) -> None:
    assert not keyring_usable()
    with pytest.raises(KeyringUnavailable):
        KeyringKeyStore(RID).save(new_replica_key())


def test_null_backends_are_not_usable() -> None:
    assert not keyring_usable(keyring.backends.fail.Keyring())
    assert not keyring_usable(keyring.backends.null.Keyring())


def test_keyring_store_refuses_when_there_is_no_keyring(no_keyring: object) -> None:
    with pytest.raises(KeyringUnavailable, match="no usable OS keyring"):
        KeyringKeyStore(RID).load()


def test_choose_prefers_a_usable_keyring(file_keyring: object) -> None:
    chosen = choose_key_store(
        RID, passphrase_provider=passphrase("x"), allow_plaintext_keyring=True
    )
    assert isinstance(chosen, KeyringKeyStore)


def test_headless_falls_back_to_passphrase_and_unlocks(no_keyring: object) -> None:
    provider = passphrase("correct horse battery staple")
    store = choose_key_store(RID, passphrase_provider=provider)
    assert isinstance(store, PassphraseKeyStore)
    assert store.path.parent == replica_dir("https://crm.example.com", "dana@example.com")
    key = new_replica_key()
    store.save(key)
    assert provider.asked == ["create"]
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    doc = json.loads(store.path.read_text())
    assert doc["kdf"] == doc["kdf"] | {"name": "scrypt", "n": 2**15, "r": 8, "p": 1}
    assert key.hex() not in store.path.read_text()

    again = choose_key_store(RID, passphrase_provider=passphrase("correct horse battery staple"))
    assert again.load() == key


def test_wrong_passphrase_is_refused_and_the_key_file_untouched(no_keyring: object) -> None:
    store = choose_key_store(RID, passphrase_provider=passphrase("right"))
    store.save(new_replica_key())
    assert isinstance(store, PassphraseKeyStore)
    before = store.path.read_bytes()
    wrong = PassphraseKeyStore(store.path, passphrase("wrong"), context=RID.encode())
    with pytest.raises(WrongPassphrase, match="wrong passphrase"):
        wrong.load()
    assert store.path.read_bytes() == before


def test_existing_wrapped_key_wins_over_a_keyring_that_appeared_later(
    tmp_path: Path, file_keyring: object
) -> None:
    key_file = tmp_path / "k.json"
    PassphraseKeyStore(key_file, passphrase("p"), context=RID.encode()).save(new_replica_key())
    chosen = choose_key_store(
        RID, passphrase_provider=passphrase("p"), key_file=key_file, allow_plaintext_keyring=True
    )
    assert isinstance(chosen, PassphraseKeyStore)


def test_tampered_or_foreign_key_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    PassphraseKeyStore(path, passphrase("p"), context=b"replica-a").save(new_replica_key())
    with pytest.raises(KeyFileCorrupt, match="another replica"):
        PassphraseKeyStore(path, passphrase("p"), context=b"replica-b").load()
    doc = json.loads(path.read_text())
    doc["kdf"]["n"] = 2**14  # a weaker KDF slipped in must not verify
    path.write_text(json.dumps(doc))
    with pytest.raises(WrongPassphrase):
        PassphraseKeyStore(path, passphrase("p"), context=b"replica-a").load()
    doc["kdf"]["n"] = 2**40
    path.write_text(json.dumps(doc))
    with pytest.raises(KeyFileCorrupt, match="out of bounds"):
        PassphraseKeyStore(path, passphrase("p"), context=b"replica-a").load()
    path.write_text("{not json")
    with pytest.raises(KeyFileCorrupt):
        PassphraseKeyStore(path, passphrase("p"), context=b"replica-a").load()


def test_passphrase_unlocks_the_replica_end_to_end(no_keyring: object, db_path: Path) -> None:
    store = choose_key_store(RID, passphrase_provider=passphrase("pw"))
    key = new_replica_key()
    store.save(key)
    LocalStore.open(db_path, key, create=True, key_store=store).close()
    unlocked = choose_key_store(RID, passphrase_provider=passphrase("pw")).load()
    with LocalStore.open(db_path, unlocked) as replica:
        assert replica.schema_version == schema.REPLICA_SCHEMA_VERSION


def test_lease_unwraps_until_expiry_only() -> None:
    device_key, key = secrets.token_bytes(32), new_replica_key()
    expires = dt.datetime(2030, 1, 15, tzinfo=dt.UTC)
    lease = LeaseWrappedKey.wrap(
        key, device_key=device_key, device_key_id="dk-1", expires_at=expires, replica_id=RID
    )
    stored = LeaseWrappedKey.from_json(lease.to_json())
    assert stored.unwrap(device_key, now=expires - dt.timedelta(seconds=1)) == key
    with pytest.raises(LeaseExpired, match="connect to the server"):
        stored.unwrap(device_key, now=expires)
    with pytest.raises(LeaseInvalid):
        stored.unwrap(secrets.token_bytes(32), now=expires - dt.timedelta(days=1))


def test_lease_expiry_cannot_be_extended_by_editing_it() -> None:
    device_key = secrets.token_bytes(32)
    expires = dt.datetime(2030, 1, 15, tzinfo=dt.UTC)
    lease = LeaseWrappedKey.wrap(
        new_replica_key(),
        device_key=device_key,
        device_key_id="dk-1",
        expires_at=expires,
        replica_id=RID,
    )
    doc = json.loads(lease.to_json())
    doc["expires_at"] = "2099-01-01T00:00:00+00:00"
    with pytest.raises(LeaseInvalid):
        LeaseWrappedKey.from_json(json.dumps(doc)).unwrap(device_key, now=expires)
