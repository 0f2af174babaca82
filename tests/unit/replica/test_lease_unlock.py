"""The offline lease at start-up (DESIGN 7): the replica key sealed under the device lease key."""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import uuid
from collections.abc import Callable
from pathlib import Path

import keyring
import pytest

from client.replica import (
    KeyFileCorrupt,
    KeyNotFound,
    LeaseExpired,
    LeaseInvalid,
    LeaseWrappedKey,
    PassphraseKeyStore,
    PassphrasePrompt,
    WrongPassphrase,
    new_replica_key,
    open_user_replica,
)
from client.replica.database import side_files
from client.replica.lease import LEASE_GRACE, DeviceLease
from client.replica.paths import replica_id
from client.replica.unlock import (
    LEASE_FILENAME,
    LEASE_KEY_FILENAME,
    LeasedKeyStore,
    lease_device_id,
    renew_lease,
    wipe_user_replica,
)

Snapshot = Callable[[Path], dict[str, str]]
ARGS = ("https://crm.example.com", "dana@example.com")
RID = "dana-crm-example-com-0123456789abcdef"
NOW = dt.datetime(2030, 3, 1, 12, 0, tzinfo=dt.UTC)
DEVICE = str(uuid.UUID(int=7))


class Prompts:
    """A passphrase provider that records what it was asked."""

    def __init__(self, passphrase: str = "pw") -> None:
        self.passphrase = passphrase
        self.asked: list[PassphrasePrompt] = []

    def __call__(self, prompt: PassphrasePrompt) -> str:
        self.asked.append(prompt)
        return self.passphrase


def _lease(days: float = 14, *, key: bytes | None = None, now: dt.datetime = NOW) -> DeviceLease:
    return DeviceLease(key or secrets.token_bytes(32), now + dt.timedelta(days=days), DEVICE)


def _at(moment: dt.datetime) -> Callable[[], dt.datetime]:
    return lambda: moment


def _files(store_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(store_dir.iterdir()) if p.is_file()}


# -- LeaseWrappedKey ----------------------------------------------------------------------


def test_wrap_unwrap_round_trip_through_json() -> None:
    device_key, key = secrets.token_bytes(32), new_replica_key()
    expires = NOW + dt.timedelta(days=14)
    wrapped = LeaseWrappedKey.wrap(
        key, device_key=device_key, device_key_id=DEVICE, expires_at=expires, replica_id=RID
    )
    stored = LeaseWrappedKey.from_json(wrapped.to_json())
    assert stored == wrapped
    assert stored.unwrap(device_key, now=NOW) == key
    assert key not in wrapped.to_json().encode() and device_key.hex() not in wrapped.to_json()


def test_expiry_with_grace() -> None:
    device_key, key = secrets.token_bytes(32), new_replica_key()
    expires = NOW + dt.timedelta(days=14)
    wrapped = LeaseWrappedKey.wrap(
        key, device_key=device_key, device_key_id=DEVICE, expires_at=expires, replica_id=RID
    )
    just_inside = expires + LEASE_GRACE - dt.timedelta(seconds=1)
    assert wrapped.unwrap(device_key, now=just_inside, grace=LEASE_GRACE) == key
    with pytest.raises(LeaseExpired, match="connect to the server and sign in"):
        wrapped.unwrap(device_key, now=expires + LEASE_GRACE, grace=LEASE_GRACE)
    with pytest.raises(LeaseExpired):  # without grace the expiry itself is the end
        wrapped.unwrap(device_key, now=expires)
    # A lease the server has just renewed opens whatever the old expiry said.
    assert wrapped.unwrap_renewed(device_key) == key


def test_tampered_expiry_and_wrong_key_fail() -> None:
    device_key = secrets.token_bytes(32)
    wrapped = LeaseWrappedKey.wrap(
        new_replica_key(),
        device_key=device_key,
        device_key_id=DEVICE,
        expires_at=NOW + dt.timedelta(days=1),
        replica_id=RID,
    )
    doc = json.loads(wrapped.to_json())
    doc["expires_at"] = (NOW + dt.timedelta(days=365)).isoformat()
    tampered = LeaseWrappedKey.from_json(json.dumps(doc))
    with pytest.raises(LeaseInvalid):
        tampered.unwrap(device_key, now=NOW + dt.timedelta(days=30))
    with pytest.raises(LeaseInvalid):
        tampered.unwrap_renewed(device_key)
    with pytest.raises(LeaseInvalid):
        wrapped.unwrap(secrets.token_bytes(32), now=NOW)
    doc = json.loads(wrapped.to_json())
    doc["nonce"] = base64.b64encode(b"short").decode()
    with pytest.raises(KeyFileCorrupt):
        LeaseWrappedKey.from_json(json.dumps(doc))


def test_device_lease_from_the_wire() -> None:
    key = secrets.token_bytes(32)
    lease = DeviceLease.from_wire(
        base64.b64encode(key).decode(), NOW.isoformat(), uuid.UUID(DEVICE)
    )
    assert lease == DeviceLease(key, NOW, DEVICE)
    assert key.hex() not in repr(lease) and str(key) not in repr(lease)
    assert DeviceLease.from_wire(None, None, DEVICE) is None
    with pytest.raises(LeaseInvalid):
        DeviceLease.from_wire("not base64!", NOW.isoformat(), DEVICE)


# -- start-up through open_user_replica ------------------------------------------------------


def test_new_replica_signed_in_is_leased_and_opens_offline_within_the_lease(
    no_keyring: object,
) -> None:
    prompts = Prompts()
    lease = _lease()
    with open_user_replica(*ARGS, passphrase_provider=prompts, lease=lease, clock=_at(NOW)) as s:
        s.set_meta("note", "offline work")
        directory = s.path.parent
    assert prompts.asked == ["create"]
    names = {p.name for p in directory.iterdir()}
    assert {LEASE_FILENAME, LEASE_KEY_FILENAME} <= names
    assert "replica-key.json" not in names  # the replica key is only in the lease
    assert lease.key.hex() not in (directory / LEASE_KEY_FILENAME).read_text()
    assert lease_device_id(*ARGS) == DEVICE

    week_later = _at(NOW + dt.timedelta(days=7))
    with open_user_replica(*ARGS, passphrase_provider=Prompts(), clock=week_later) as store:
        assert store.get_meta("note") == "offline work"


def test_expired_lease_refuses_before_asking_and_touches_nothing(
    no_keyring: object, snapshot: Snapshot
) -> None:
    with open_user_replica(
        *ARGS, passphrase_provider=Prompts(), lease=_lease(), clock=_at(NOW)
    ) as store:
        store.set_meta("note", "unsent work")
        db_path = store.path
    before = snapshot(db_path), _files(db_path.parent)
    prompts = Prompts()
    later = _at(NOW + dt.timedelta(days=15))
    with pytest.raises(LeaseExpired, match="sign in"):
        open_user_replica(*ARGS, passphrase_provider=prompts, clock=later)
    assert prompts.asked == []
    assert (snapshot(db_path), _files(db_path.parent)) == before


def test_sign_in_after_expiry_unlocks_the_same_replica_and_moves_the_expiry(
    no_keyring: object,
) -> None:
    first = _lease()
    with open_user_replica(
        *ARGS, passphrase_provider=Prompts(), lease=first, clock=_at(NOW)
    ) as store:
        store.set_meta("note", "unsent work")
    later = NOW + dt.timedelta(days=15)
    renewed = _lease(key=first.key, now=later)
    prompts = Prompts()
    with open_user_replica(
        *ARGS, passphrase_provider=prompts, lease=renewed, clock=_at(later)
    ) as store:
        assert store.get_meta("note") == "unsent work"
        key_store = store.key_store
    assert prompts.asked == ["unlock"]  # the passphrase still guards the data at rest
    assert isinstance(key_store, LeasedKeyStore)
    assert key_store.read_lease().expires_at == renewed.expires_at  # type: ignore[union-attr]
    with open_user_replica(
        *ARGS, passphrase_provider=Prompts(), clock=_at(later + dt.timedelta(days=13))
    ) as store:
        assert store.get_meta("note") == "unsent work"


def test_wrong_passphrase_on_the_lease_key(no_keyring: object, snapshot: Snapshot) -> None:
    with open_user_replica(
        *ARGS, passphrase_provider=Prompts(), lease=_lease(), clock=_at(NOW)
    ) as store:
        db_path = store.path
    before = snapshot(db_path), _files(db_path.parent)
    with pytest.raises(WrongPassphrase):
        open_user_replica(*ARGS, passphrase_provider=Prompts("nope"), clock=_at(NOW))
    with pytest.raises(WrongPassphrase):
        open_user_replica(
            *ARGS, passphrase_provider=Prompts("nope"), lease=_lease(), clock=_at(NOW)
        )
    assert (snapshot(db_path), _files(db_path.parent)) == before


def test_tampered_lease_file_fails_and_leaves_everything(
    no_keyring: object, snapshot: Snapshot
) -> None:
    with open_user_replica(
        *ARGS, passphrase_provider=Prompts(), lease=_lease(days=1), clock=_at(NOW)
    ) as store:
        db_path = store.path
    lease_file = db_path.parent / LEASE_FILENAME
    doc = json.loads(lease_file.read_text())
    doc["expires_at"] = (NOW + dt.timedelta(days=400)).isoformat()
    lease_file.write_text(json.dumps(doc))
    before = snapshot(db_path), _files(db_path.parent)
    with pytest.raises(LeaseInvalid):
        open_user_replica(
            *ARGS, passphrase_provider=Prompts(), clock=_at(NOW + dt.timedelta(days=30))
        )
    assert (snapshot(db_path), _files(db_path.parent)) == before


def test_wrong_lease_key_fails(file_keyring: object, snapshot: Snapshot) -> None:
    lease = _lease()
    with open_user_replica(
        *ARGS,
        passphrase_provider=Prompts(),
        lease=lease,
        clock=_at(NOW),
        allow_plaintext_keyring=True,
    ) as store:
        key_store = store.key_store
        db_path = store.path
    assert isinstance(key_store, LeasedKeyStore)
    assert key_store.lease_key_store.load() == lease.key  # the lease key is in the keyring
    assert not (db_path.parent / LEASE_KEY_FILENAME).exists()
    key_store.lease_key_store.save(secrets.token_bytes(32))  # another device's key
    before = snapshot(db_path)
    with pytest.raises(LeaseInvalid):
        open_user_replica(
            *ARGS, passphrase_provider=Prompts(), clock=_at(NOW), allow_plaintext_keyring=True
        )
    assert snapshot(db_path) == before


def test_missing_lease_key_is_key_not_found_never_a_new_replica(
    no_keyring: object, snapshot: Snapshot
) -> None:
    with open_user_replica(
        *ARGS, passphrase_provider=Prompts(), lease=_lease(), clock=_at(NOW)
    ) as store:
        db_path = store.path
    (db_path.parent / LEASE_KEY_FILENAME).unlink()
    before = snapshot(db_path)
    with pytest.raises(KeyNotFound, match="left untouched"):
        open_user_replica(*ARGS, passphrase_provider=Prompts(), clock=_at(NOW))
    with pytest.raises(KeyNotFound, match="left untouched"):
        open_user_replica(*ARGS, passphrase_provider=Prompts(), lease=_lease(), clock=_at(NOW))
    assert snapshot(db_path) == before


def test_old_scheme_replica_keeps_opening_then_converts_with_the_same_passphrase(
    no_keyring: object,
) -> None:
    with open_user_replica(*ARGS, passphrase_provider=Prompts()) as store:  # pre-lease start-up
        store.set_meta("note", "from before leases")
        directory = store.path.parent
    assert (directory / "replica-key.json").exists() and not (directory / LEASE_FILENAME).exists()
    far_future = _at(NOW + dt.timedelta(days=3650))  # no lease, so no expiry yet
    with open_user_replica(*ARGS, passphrase_provider=Prompts(), clock=far_future) as store:
        assert store.get_meta("note") == "from before leases"

    prompts = Prompts()  # the next sign-in: open offline, then renew with the server's lease
    with open_user_replica(*ARGS, passphrase_provider=prompts, clock=_at(NOW)) as store:
        lease = _lease()
        assert renew_lease(store, lease)
    assert prompts.asked == ["unlock"]  # converted under the passphrase just typed
    assert not (directory / "replica-key.json").exists()
    assert (directory / LEASE_FILENAME).exists() and (directory / LEASE_KEY_FILENAME).exists()

    with open_user_replica(*ARGS, passphrase_provider=Prompts(), clock=_at(NOW)) as store:
        assert store.get_meta("note") == "from before leases"
    with pytest.raises(LeaseExpired):
        open_user_replica(
            *ARGS, passphrase_provider=Prompts(), clock=_at(NOW + dt.timedelta(days=15))
        )


def test_old_scheme_keyring_replica_converts_on_sign_in(file_keyring: object) -> None:
    with open_user_replica(
        *ARGS, passphrase_provider=Prompts(), allow_plaintext_keyring=True
    ) as store:
        store.set_meta("note", "keyring era")
        key_store = store.key_store
    assert isinstance(key_store, LeasedKeyStore) and key_store.legacy.exists()
    lease = _lease()
    with open_user_replica(
        *ARGS,
        passphrase_provider=Prompts(),
        lease=lease,
        clock=_at(NOW),
        allow_plaintext_keyring=True,
    ) as store:
        assert store.get_meta("note") == "keyring era"
    assert not key_store.legacy.exists()
    assert key_store.lease_key_store.load() == lease.key
    stored = keyring.get_password("cnc-crm", key_store.replica_id)
    assert stored is None  # the replica key itself is no longer in the keyring


def test_interrupted_conversion_still_opens(no_keyring: object) -> None:
    """Lease file and lease key written, pre-lease key not yet deleted: both ways work."""
    with open_user_replica(*ARGS, passphrase_provider=Prompts()) as store:
        store.set_meta("note", "mid-conversion")
        key_store = store.key_store
    assert isinstance(key_store, LeasedKeyStore)
    legacy_file = key_store.legacy.path  # type: ignore[attr-defined]
    saved = legacy_file.read_bytes()
    with open_user_replica(*ARGS, passphrase_provider=Prompts(), clock=_at(NOW)) as store:
        renew_lease(store, _lease())
    legacy_file.write_bytes(saved)  # as if the crash came before the delete
    with open_user_replica(*ARGS, passphrase_provider=Prompts(), clock=_at(NOW)) as store:
        assert store.get_meta("note") == "mid-conversion"


def test_rotated_lease_key_is_taken_on_sign_in(no_keyring: object) -> None:
    first = _lease()
    with open_user_replica(
        *ARGS, passphrase_provider=Prompts(), lease=first, clock=_at(NOW)
    ) as store:
        store.set_meta("note", "kept")
    rotated = _lease()  # the server's key was replaced: a new device key
    prompts = Prompts()
    with open_user_replica(
        *ARGS, passphrase_provider=prompts, lease=rotated, clock=_at(NOW)
    ) as store:
        assert store.get_meta("note") == "kept"
        key_store = store.key_store
    assert prompts.asked == ["unlock"]
    assert isinstance(key_store, LeasedKeyStore)
    assert key_store.lease_key_store.load() == rotated.key
    with open_user_replica(*ARGS, passphrase_provider=Prompts(), clock=_at(NOW)) as store:
        assert store.get_meta("note") == "kept"


def test_wipe_deletes_replica_and_all_lease_material(no_keyring: object) -> None:
    with open_user_replica(
        *ARGS, passphrase_provider=Prompts(), lease=_lease(), clock=_at(NOW)
    ) as store:
        store.set_meta("note", "to be destroyed")
        directory = store.path.parent
        store.wipe()
    assert [p for p in side_files(store.path) if p.exists()] == []
    assert not (directory / LEASE_FILENAME).exists()
    assert not (directory / LEASE_KEY_FILENAME).exists()
    store.wipe()  # idempotent


def test_wipe_user_replica_works_when_the_lease_has_run_out(no_keyring: object) -> None:
    with open_user_replica(
        *ARGS, passphrase_provider=Prompts(), lease=_lease(), clock=_at(NOW)
    ) as store:
        db_path = store.path
    with pytest.raises(LeaseExpired):
        open_user_replica(
            *ARGS, passphrase_provider=Prompts(), clock=_at(NOW + dt.timedelta(days=20))
        )
    wipe_user_replica(*ARGS)
    assert not any(p.exists() for p in side_files(db_path))
    assert [p.name for p in db_path.parent.iterdir()] == []
    assert lease_device_id(*ARGS) is None


def test_renew_lease_ignores_stores_not_opened_through_unlock(db_path: Path, key: bytes) -> None:
    from client.replica import LocalStore

    with LocalStore.open(db_path, key, create=True) as store:
        assert renew_lease(store, _lease()) is False
        assert renew_lease(store, None) is False


def test_passphrase_key_store_is_bound_to_its_role(no_keyring: object) -> None:
    """The lease key file cannot be swapped in for a pre-lease key file (and back)."""
    with open_user_replica(
        *ARGS, passphrase_provider=Prompts(), lease=_lease(), clock=_at(NOW)
    ) as store:
        directory = store.path.parent
        rid = directory.name
    (directory / "replica-key.json").write_bytes((directory / LEASE_KEY_FILENAME).read_bytes())
    legacy = PassphraseKeyStore(directory / "replica-key.json", Prompts(), context=rid.encode())
    with pytest.raises(KeyFileCorrupt):
        legacy.load()


def test_crash_during_a_key_rotation_is_healed_by_the_next_sign_in(no_keyring: object) -> None:
    """The lease file was re-sealed under the new device key, the key store not yet updated."""
    first = _lease()
    with open_user_replica(
        *ARGS, passphrase_provider=Prompts(), lease=first, clock=_at(NOW)
    ) as store:
        store.set_meta("note", "kept")
        key_store = store.key_store
    assert isinstance(key_store, LeasedKeyStore)
    stored_key_file = key_store.lease_key_store.path  # type: ignore[attr-defined]
    saved = stored_key_file.read_bytes()
    rotated = _lease()
    with open_user_replica(*ARGS, passphrase_provider=Prompts(), lease=rotated, clock=_at(NOW)):
        pass
    stored_key_file.write_bytes(saved)  # as if the crash came before the key store was updated
    with pytest.raises(LeaseInvalid):
        open_user_replica(*ARGS, passphrase_provider=Prompts(), clock=_at(NOW))
    with open_user_replica(
        *ARGS, passphrase_provider=Prompts(), lease=rotated, clock=_at(NOW)
    ) as store:
        assert store.get_meta("note") == "kept"
    with open_user_replica(*ARGS, passphrase_provider=Prompts(), clock=_at(NOW)) as store:
        assert store.get_meta("note") == "kept"


def test_key_material_without_a_database_is_reused_or_replaced(no_keyring: object) -> None:
    lease = _lease()
    key_store = LeasedKeyStore(replica_id(*ARGS), passphrase_provider=Prompts())
    key = key_store._remember(new_replica_key())
    key_store.renew(lease)  # the crash came before the database was created
    db_path = key_store.directory / "replica.db"
    assert not db_path.exists()
    with open_user_replica(*ARGS, passphrase_provider=Prompts(), clock=_at(NOW)) as store:
        store.set_meta("note", "reused key")
    assert (
        LeasedKeyStore(replica_id(*ARGS), passphrase_provider=Prompts(), clock=_at(NOW)).load()
        == key
    )
    for side in side_files(db_path):
        side.unlink(missing_ok=True)
    # A lease without its lease key (or one that no longer opens) protects nothing.
    (key_store.directory / LEASE_KEY_FILENAME).unlink()
    with open_user_replica(
        *ARGS, passphrase_provider=Prompts(), lease=_lease(), clock=_at(NOW)
    ) as store:
        store.set_meta("note", "fresh")
    with open_user_replica(*ARGS, passphrase_provider=Prompts(), clock=_at(NOW)) as store:
        assert store.get_meta("note") == "fresh"
        assert store.key_store.load() != key  # type: ignore[union-attr]
